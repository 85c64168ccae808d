import type { TargetConfiguration } from '@nx/devkit';
import { posix } from 'node:path';
import type { MaturinProjectOnDisk } from './maturin-project';
import type { PluginProject } from './maturin-plugin';
import type { NormalizedMaturinPluginOptions } from './plugin-options';
import { projectRustToolchainInputs } from '../lib/toolchain-fingerprint-project';
import { CHANGELOG_NAMES } from '../lib/versions/changelog';
import { toolchainFingerprintInput } from './toolchain-input';

type InputDefinition = Exclude<NonNullable<TargetConfiguration['inputs']>[number], string>;

const EXECUTORS = '@codetracer/nx-maturin';
const TECHNOLOGIES = ['maturin', 'rust', 'python'];

/** Environment variables that change what cargo or maturin produce for the same sources. */
const BUILD_ENVIRONMENT = [
  'RUSTFLAGS',
  'CARGO_BUILD_TARGET',
  'CARGO_BUILD_RUSTFLAGS',
  'CARGO_ENCODED_RUSTFLAGS',
  'CARGO_PROFILE_RELEASE_LTO',
  'CARGO_PROFILE_RELEASE_OPT_LEVEL',
  'CARGO_PROFILE_RELEASE_CODEGEN_UNITS',
  'CARGO_PROFILE_RELEASE_DEBUG',
  'CARGO_PROFILE_RELEASE_STRIP',
  'CARGO_PROFILE_RELEASE_PANIC',
  'MATURIN_PEP517_ARGS',
  'PYO3_CONFIG_FILE',
  'PYO3_CROSS_LIB_DIR',
  'MACOSX_DEPLOYMENT_TARGET',
];

/** Files whose content decides the version: each manifest that states it, and the newest CHANGELOG heading. */
function versionSourceInputs(project: MaturinProjectOnDisk): (string | InputDefinition)[] {
  const inputs: (string | InputDefinition)[] = [
    '{projectRoot}/pyproject.toml',
    manifestInput(project),
    project.cargoLockInput,
    ...project.cargoWorkspaceInputs,
    ...changelogInputs(project),
    { env: 'GITHUB_REF' },
  ];
  // `__version__` may live in a module that `__init__.py` re-exports it from (`from .about import __version__`).
  if (project.pythonPackageDir) inputs.push(`{projectRoot}/${project.pythonPackageDir}/**/*.py`);
  return inputs;
}

/** Where version-sync looks for a changelog by itself (see findChangelog): the project's folder, then the crate's. */
function changelogInputs(project: MaturinProjectOnDisk): string[] {
  const crateFolder = posix.relative(project.root, posix.dirname(posix.join(project.root, project.cargoManifest)));
  const folders = ['{projectRoot}', ...(crateFolder === '' ? [] : [crateFolder.startsWith('..') ? `{workspaceRoot}/${posix.dirname(posix.join(project.root, project.cargoManifest))}` : `{projectRoot}/${crateFolder}`])];
  return folders.flatMap((folder) => CHANGELOG_NAMES.map((name) => `${folder}/${name}`));
}

/**
 * The Cargo manifest as an Nx input. One above the project (`manifest-path = "../Cargo.toml"`) is named from the
 * workspace root: Nx matches `{projectRoot}/..` against no file, so its version edits would replay a cached result.
 */
function manifestInput(project: MaturinProjectOnDisk): string {
  const manifest = posix.join(project.root, project.cargoManifest);
  return posix.relative(project.root, manifest).startsWith('..') ? `{workspaceRoot}/${manifest}` : `{projectRoot}/${project.cargoManifest}`;
}

/**
 * What a build or test can read: the whole project folder but Cargo's build output, the Cargo files around it, and
 * what maturin takes from outside the folder (local crates, include globs). The whole folder rather than a list of
 * the sdist's parts: a crate's build.rs may compile any file there (C sources, vendored crates), and a missed input
 * hands back a stale wheel while an extra one only costs a rebuild.
 */
function projectSourceInputs(project: MaturinProjectOnDisk): string[] {
  return [
    '{projectRoot}/**/*',
    ...project.buildOutputFolders.map((folder) => `!{projectRoot}/${folder}/**/*`),
    project.cargoLockInput,
    ...project.cargoWorkspaceInputs,
    ...project.outsideSourceInputs,
  ];
}

/**
 * Besides the project's files, a build, test or smoke result depends on the tools that produced it: the files that
 * pin the Python-side tools (plugin option toolInputs) and, when the plugin is developed in this workspace, the
 * plugin's own code.
 */
function toolingInputs(options: NormalizedMaturinPluginOptions, pluginProject: PluginProject | undefined): (string | InputDefinition)[] {
  return [toolchainFingerprintInput(options.pythonVersions), ...options.toolInputs.map((file) => `{workspaceRoot}/${file}`), ...(pluginProject?.sources ?? [])];
}

/**
 * The default smoke commands. The compiled extension is always imported, since a package's `__init__.py` need not
 * load it (and may fall back to pure Python without it); a package with `__main__` also runs `python -m <package>
 * --help`; bin bindings run the installed binary with `--help` (and `python -m <package> --help` when they ship a
 * package with `__main__`); any other package's first console script, when it declares one, runs with `--help`.
 */
function smokeCommandOption(project: MaturinProjectOnDisk): { commands: string[][] } {
  const runExecutable = (name: string) => ['-c', RUN_INSTALLED_EXECUTABLE, name];
  const runMain = project.hasMainModule ? [['-m', project.importName, '--help']] : [];
  // A bin wheel may ship a Python package beside the binary (a launcher that finds it): its __main__ runs too.
  if (project.bindings === 'bin') return { commands: [...project.executables.slice(0, 1).map(runExecutable), ...runMain] };
  const extension = extensionModule(project);
  const importCommand = ['-c', extension === project.importName ? `import ${extension}` : `import ${project.importName}, ${extension}`];
  if (project.hasMainModule) return { commands: [...runMain, importCommand] };
  return { commands: [importCommand, ...project.executables.slice(0, 1).map(runExecutable)] };
}

/**
 * The dotted name the compiled extension installs as, by maturin's layout rules: a dotted module-name is that module;
 * beside a Python package of the same name it is `<name>.<name>`; a pure Rust module is the top-level module itself
 * (maturin generates its `__init__.py`, which imports the extension).
 */
function extensionModule(project: MaturinProjectOnDisk): string {
  if (project.moduleName.includes('.')) return project.moduleName;
  return project.pythonPackageDir === undefined ? project.moduleName : `${project.moduleName}.${project.moduleName}`;
}

/** Runs `<venv scripts>/<argv[1]> --help` with the venv's own Python, on any OS, and fails when it is missing. */
const RUN_INSTALLED_EXECUTABLE = [
  'import shutil, subprocess, sys, sysconfig',
  "scripts = sysconfig.get_path('scripts')",
  'executable = shutil.which(sys.argv[1], path=scripts)',
  "sys.exit(subprocess.call([executable, '--help']) if executable else f'{sys.argv[1]} is not installed in {scripts}')",
].join('\n');

/**
 * Every target states `continuous`: Nx otherwise resolves each target's executor and reads its schema while it
 * builds the project graph, on every command, only to learn that flag (for a plugin developed in the workspace it
 * also loads TypeScript to read the root tsconfig; about 0.3 s of `nx run recorder:build` here).
 */
export function createInferredTargets(
  project: MaturinProjectOnDisk,
  options: NormalizedMaturinPluginOptions,
  pluginProject: PluginProject | undefined,
): Record<string, TargetConfiguration> {
  const names = options.targetNames;
  const outputDir = posix.join(project.root, 'target', 'wheels');
  const tooling = [...toolingInputs(options, pluginProject), ...projectRustToolchainInputs(project.rustToolchainFolder)];
  const pythonVersions = options.pythonVersions;
  const overrides = options.projectTargetOptions[project.root || '.'] ?? {};
  // A plugin developed in this workspace is compiled before any task that runs its executors, so no task runs a
  // dist/ built from older sources.
  const pluginBuild = pluginProject ? [{ projects: [pluginProject.name], target: pluginProject.buildTarget }] : [];

  const publishTarget: TargetConfiguration = {
    executor: `${EXECUTORS}:pypi-upload`,
    options: { artefactDir: outputDir, repository: 'local', importName: project.importName, smokeScripts: project.smokeScripts, ...smokeCommandOption(project), ...overrides.publish },
    cache: false,
    continuous: false,
    dependsOn: [names.versionSync, names.smoke, ...pluginBuild],
    defaultConfiguration: 'local',
    configurations: {
      local: { repository: 'local' },
      testpypi: { repository: 'testpypi' },
      pypi: { repository: 'pypi' },
    },
    metadata: {
      technologies: TECHNOLOGIES,
      description: 'Upload the artefacts (local pypiserver by default; --configuration=testpypi|pypi) and install them back',
      help: { command: `nx run <project>:${names.publish} --help`, example: { options: { dryRun: true } } },
    },
  };

  return {
    [names.versionSync]: {
      executor: `${EXECUTORS}:version-sync`,
      options: {},
      cache: true,
      continuous: false,
      dependsOn: [...pluginBuild],
      inputs: [...versionSourceInputs(project), ...(pluginProject?.sources ?? [])],
      outputs: [],
      metadata: {
        technologies: TECHNOLOGIES,
        description: 'Check that Cargo.toml, Cargo.lock, pyproject.toml, __version__, CHANGELOG and the release tag agree',
        help: { command: `nx run <project>:${names.versionSync} --help`, example: { options: { tag: 'recorder-v1.2.3' } } },
      },
    },
    // Writing changes files, so it is its own uncached target: a cache replay would report a write it never made.
    [names.versionWrite]: {
      executor: `${EXECUTORS}:version-sync`,
      options: {},
      cache: false,
      continuous: false,
      dependsOn: [...pluginBuild],
      metadata: {
        technologies: TECHNOLOGIES,
        description: 'Set one version in Cargo.toml, Cargo.lock, pyproject.toml and __version__ (SemVer or PEP 440 given)',
        help: { command: `nx run <project>:${names.versionWrite} --help`, example: { options: { write: '1.2.3-rc.1' } } },
      },
    },
    [names.build]: {
      executor: `${EXECUTORS}:maturin-build`,
      options: { pythonVersions, outputDir, ...overrides.build },
      cache: true,
      continuous: false,
      // The release policy (version-sync) guards publishing; a build runs it first only when the workspace asks.
      dependsOn: [...(options.versionSyncBeforeBuild ? [names.versionSync] : []), ...pluginBuild],
      inputs: [...projectSourceInputs(project), ...tooling, ...BUILD_ENVIRONMENT.map((env) => ({ env }))],
      outputs: ['{options.outputDir}'],
      metadata: {
        technologies: TECHNOLOGIES,
        description: `Build release wheels for CPython ${pythonVersions.join(', ')} and an sdist with maturin`,
        help: { command: `nx run <project>:${names.build} --help`, example: { options: { compatibility: 'pypi' } } },
      },
    },
    [names.test]: {
      executor: `${EXECUTORS}:maturin-test`,
      options: { pythonVersions, ...overrides.test },
      cache: true,
      continuous: false,
      dependsOn: [...pluginBuild],
      inputs: [...projectSourceInputs(project), ...tooling, ...BUILD_ENVIRONMENT.map((env) => ({ env }))],
      outputs: [],
      metadata: {
        technologies: TECHNOLOGIES,
        description: `Run the Rust tests (cargo nextest) and pytest against a development build on CPython ${pythonVersions.join(', ')}`,
      },
    },
    [names.smoke]: {
      executor: `${EXECUTORS}:wheel-smoke`,
      options: { pythonVersions, artefactDir: outputDir, importName: project.importName, smokeScripts: project.smokeScripts, ...smokeCommandOption(project), ...(project.pythonPackageDir === undefined ? { pythonPackage: false } : {}), ...overrides.smoke },
      cache: true,
      continuous: false,
      dependsOn: [names.build, ...pluginBuild],
      inputs: [{ dependentTasksOutputFiles: '**/*', transitive: false }, '{projectRoot}/scripts/smoke*', ...tooling],
      outputs: [],
      metadata: {
        technologies: TECHNOLOGIES,
        description: 'Install the wheels and the sdist into fresh virtual environments and run the smoke checks',
      },
    },
    [names.publish]: publishTarget,
    // `nx release publish` runs a target of exactly this name; it is the same publish, so the same preflight,
    // upload and install-back apply to a release. A copy, so that Nx's merging of one never touches the other.
    'nx-release-publish': structuredClone(publishTarget),
    [names.serveIndex]: {
      executor: `${EXECUTORS}:serve-index`,
      options: {},
      continuous: true,
      cache: false,
      metadata: {
        technologies: ['python'],
        description: 'Run the embedded local package index (pypiserver on 127.0.0.1) until stopped, and print its URL',
      },
    },
  };
}
