import { AggregateCreateNodesError, type CreateNodesContext, type ProjectConfiguration } from '@nx/devkit';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FIXTURES, REPOSITORY_ROOT } from '../test-support/temp-workspace';
import { locateVersionFiles } from '../lib/versions/version-files';
import { projectRustToolchainInput } from '../lib/toolchain-fingerprint-project';
import { createNodes, findPluginProject } from './maturin-plugin';
import { toolchainFingerprintInput } from './toolchain-input';

const MATURIN_BACKEND = '[build-system]\nrequires = ["maturin>=1.9,<2"]\nbuild-backend = "maturin"\n';

type Projects = Record<string, ProjectConfiguration & { targets: Record<string, Record<string, unknown>> }>;

describe('nx-maturin createNodes', () => {
  let root: string;
  let context: CreateNodesContext;
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  // A minimal crate beside pyproject: without one maturin has nothing to build, and no project is inferred.
  const crate = (dir: string) => write(`${dir}/Cargo.toml`, `[package]\nname = "${dir}"\nversion = "0.1.0"\n`);
  const infer = (files: string[], options: Record<string, unknown> = {}) => createNodes[1](files, options, context);
  const inferOne = async (file: string, options: Record<string, unknown> = {}): Promise<Projects> => {
    const [[, result]] = (await infer([file], options)) as [[string, { projects: Projects }]];
    return result.projects;
  };
  const cacheFiles = () => readdirSync(join(root, '.nx', 'workspace-data')).filter((file) => file.startsWith('nx-maturin-'));

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-maturin-plugin-'));
    context = { workspaceRoot: root, nxJsonConfiguration: {} };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('infers the release targets of a mixed Rust/Python project with python-source, named from the options', async () => {
    write('rec/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "rec-dist"\nversion = "1.0.0"\n[tool.maturin]\npython-source = "python"\nmodule-name = "rec_pkg._native"\n`);
    write('rec/Cargo.toml', '[package]\nname = "rec"\nversion = "1.0.0"\n[lib]\nname = "_native"\ncrate-type = ["cdylib"]\n');
    write('rec/Cargo.lock', '');
    write('rec/python/rec_pkg/__init__.py', '');
    write('rec/python/rec_pkg/__main__.py', '');
    write('rec/scripts/smoke_trace.py', '');

    const project = (await inferOne('rec/pyproject.toml', { projectNames: { rec: 'recorder' }, toolInputs: ['tools/requirements.txt'] }))['rec']!;
    expect(project.name).toBe('recorder');
    expect(Object.keys(project.targets)).toEqual(['version-sync', 'version-write', 'build', 'test', 'smoke', 'publish', 'nx-release-publish', 'serve-index']);
    const { inputs, ...build } = project.targets['build']!;
    expect((inputs as unknown[]).filter((input) => typeof input === 'string')).toMatchInlineSnapshot(`
[
  "{projectRoot}/**/*",
  "!{projectRoot}/target/**/*",
  "{projectRoot}/Cargo.lock",
  "{workspaceRoot}/tools/requirements.txt",
]
`);
    expect(inputs).toEqual(expect.arrayContaining([{ env: 'RUSTFLAGS' }, { env: 'MATURIN_PEP517_ARGS' }, { env: 'PYO3_CONFIG_FILE' }]));
    expect(build).toMatchInlineSnapshot(`
{
  "cache": true,
  "continuous": false,
  "dependsOn": [],
  "executor": "@codetracer/nx-maturin:maturin-build",
  "metadata": {
    "description": "Build release wheels for CPython 3.12, 3.13 and an sdist with maturin",
    "help": {
      "command": "nx run <project>:build --help",
      "example": {
        "options": {
          "compatibility": "pypi",
        },
      },
    },
    "technologies": [
      "maturin",
      "rust",
      "python",
    ],
  },
  "options": {
    "outputDir": "rec/target/wheels",
    "pythonVersions": [
      "3.12",
      "3.13",
    ],
  },
  "outputs": [
    "{options.outputDir}",
  ],
}
`);
    expect(project.targets['smoke']).toMatchObject({
      dependsOn: ['build'],
      options: { importName: 'rec_pkg', smokeScripts: ['rec/scripts/smoke_trace.py'], artefactDir: 'rec/target/wheels' },
    });
    // A package with __main__ runs it with --help, and the extension is imported whatever __init__.py does.
    expect(project.targets['smoke']!['options']).toMatchObject({ commands: [['-m', 'rec_pkg', '--help'], ['-c', 'import rec_pkg, rec_pkg._native']] });
    expect(project.targets['publish']).toMatchObject({ dependsOn: ['version-sync', 'smoke'], cache: false, defaultConfiguration: 'local' });
    expect(project.targets['version-sync']!['inputs']).toContain('{projectRoot}/python/rec_pkg/**/*.py');
  });

  it('gives every target a help command that only prints help', async () => {
    write('p/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "p"\nversion = "0.1.0"\n`);
    crate('p');
    const targets = (await inferOne('p/pyproject.toml'))['p']!.targets;
    const helpCommands = Object.values(targets)
      .map((target) => (target['metadata'] as { help?: { command: string } }).help?.command)
      .filter((command): command is string => command !== undefined);
    expect(helpCommands.length).toBeGreaterThan(3);
    for (const command of helpCommands) expect(command).toMatch(/ --help$/);
  });

  it('states whether each target is continuous, so Nx never resolves an executor schema to learn it', async () => {
    write('p/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "p"\nversion = "0.1.0"\n`);
    crate('p');
    const targets = (await inferOne('p/pyproject.toml'))['p']!.targets;
    expect(Object.fromEntries(Object.entries(targets).map(([name, target]) => [name, target['continuous']]))).toEqual({
      'version-sync': false,
      'version-write': false,
      build: false,
      test: false,
      smoke: false,
      publish: false,
      'nx-release-publish': false,
      'serve-index': true,
    });
  });

  it('hashes build, test and smoke with the toolchain fingerprint the preTasksExecution hook exports', async () => {
    write('p/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "p"\nversion = "0.1.0"\n`);
    crate('p');
    const targets = (await inferOne('p/pyproject.toml', { pythonVersions: ['3.13'] }))['p']!.targets;
    for (const name of ['build', 'test', 'smoke']) {
      expect(targets[name]!['inputs']).toContainEqual(toolchainFingerprintInput(['3.13']));
    }
    expect(JSON.stringify(toolchainFingerprintInput(['3.13']))).toContain('NX_MATURIN_TOOLCHAIN_3_13');
  });

  it('runs version-sync before the build only when versionSyncBeforeBuild is set, and merges per-project executor options', async () => {
    write('p/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "p"\nversion = "0.1.0"\n`);
    crate('p');
    const options = { versionSyncBeforeBuild: true, projectTargetOptions: { p: { build: { zig: true, compatibility: 'manylinux2014' }, smoke: { checkWheelContentsIgnore: ['W005'] } } } };
    const targets = (await inferOne('p/pyproject.toml', options))['p']!.targets;
    expect(targets['build']).toMatchObject({ dependsOn: ['version-sync'], options: { zig: true, compatibility: 'manylinux2014' } });
    expect(targets['smoke']!['options']).toMatchObject({ checkWheelContentsIgnore: ['W005'] });
  });

  it('reads the fixture with manifest-path, python-source = "src" and the crate under rust/', async () => {
    cpSync(join(FIXTURES, 'layout-manifest-path'), join(root, 'mp'), { recursive: true });
    const project = (await inferOne('mp/pyproject.toml'))['mp']!;
    expect(project.name).toBe('layout-manifest-path');
    // The whole folder, but Cargo's output beside the crate under rust/.
    expect(project.targets['build']!['inputs']).toEqual(
      expect.arrayContaining(['{projectRoot}/**/*', '!{projectRoot}/target/**/*', '!{projectRoot}/rust/target/**/*', '{projectRoot}/rust/Cargo.lock']),
    );
    expect(project.targets['version-sync']!['inputs']).toEqual(expect.arrayContaining(['{projectRoot}/rust/Cargo.toml', '{projectRoot}/src/layout_manifest_path/**/*.py']));
    // No __main__: the default smoke imports the library and its extension.
    expect(project.targets['smoke']!['options']).toMatchObject({ importName: 'layout_manifest_path', commands: [['-c', 'import layout_manifest_path, layout_manifest_path._native']] });
  });

  it('reads the fixture without [project] in a Cargo workspace with an inherited version and a path dependency', async () => {
    cpSync(join(FIXTURES, 'layout-cargo-workspace'), join(root, 'cw'), { recursive: true });
    const project = (await inferOne('cw/py/pyproject.toml'))['cw/py']!;
    // maturin names the distribution after the crate when pyproject has no [project].
    expect(project.name).toBe('layout-cargo-workspace');
    const inputs = project.targets['build']!['inputs'] as unknown[];
    expect(inputs.filter((input) => typeof input === 'string' && input.startsWith('{workspaceRoot}'))).toMatchInlineSnapshot(`
[
  "{workspaceRoot}/cw/Cargo.lock",
  "{workspaceRoot}/cw/.cargo/config.toml",
  "{workspaceRoot}/cw/Cargo.toml",
  "{workspaceRoot}/cw/shared/**/*",
]
`);
  });

  it('reads the cffi fixture: a pure Rust module, smoked by importing it, with no Python package expected in the sdist', async () => {
    cpSync(join(FIXTURES, 'layout-cffi'), join(root, 'cffi'), { recursive: true });
    const project = (await inferOne('cffi/pyproject.toml'))['cffi']!;
    expect(project.name).toBe('layout-cffi');
    expect(project.targets['smoke']!['options']).toMatchObject({ importName: 'layout_cffi', commands: [['-c', 'import layout_cffi']], pythonPackage: false });
  });

  it('smokes bin bindings and console scripts by running them with --help', async () => {
    write('tool/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "tool"\nversion = "0.1.0"\n[tool.maturin]\nbindings = "bin"\n`);
    write('tool/Cargo.toml', '[package]\nname = "tool"\nversion = "0.1.0"\n[[bin]]\nname = "tool-cli"\npath = "src/main.rs"\n');
    write('lib/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "lib"\nversion = "0.1.0"\n[project.scripts]\nlib-cli = "lib.cli:main"\n`);
    crate('lib');
    const runs = (options: unknown) => ((options as { commands: string[][] }).commands ?? []).map((command) => (command[1]!.startsWith('import shutil') ? `run ${command[2]} --help` : command.join(' ')));
    expect(runs((await inferOne('tool/pyproject.toml'))['tool']!.targets['smoke']!['options'])).toEqual(['run tool-cli --help']);
    expect(runs((await inferOne('lib/pyproject.toml'))['lib']!.targets['smoke']!['options'])).toEqual(['-c import lib', 'run lib-cli --help']);
  });

  it('smokes a Python launcher package shipped beside a binary through its __main__ too', async () => {
    write('hook/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "hook"\nversion = "0.1.0"\n[tool.maturin]\nbindings = "bin"\npython-source = "python"\n`);
    write('hook/Cargo.toml', '[package]\nname = "hook"\nversion = "0.1.0"\n');
    write('hook/python/hook/__init__.py', '');
    write('hook/python/hook/__main__.py', '');
    const commands = ((await inferOne('hook/pyproject.toml'))['hook']!.targets['smoke']!['options'] as { commands: string[][] }).commands;
    expect(commands.map((command) => (command[1]!.startsWith('import shutil') ? `run ${command[2]} --help` : command.join(' ')))).toEqual(['run hook --help', '-m hook --help']);
  });

  it('smokes the first binary the build produces: a [[bin]] whose required-features are not enabled is skipped', async () => {
    write(
      'app/pyproject.toml',
      `${MATURIN_BACKEND}[project]\nname = "app"\nversion = "0.1.0"\n[tool.maturin]\nbindings = "bin"\nfeatures = ["tray"]\n`,
    );
    const cargo = (bins: string) => `[package]\nname = "app"\nversion = "0.1.0"\n[features]\ndefault = ["color"]\ncolor = ["fancy"]\nfancy = []\ntray = []\ngui = []\n${bins}`;
    const smoked = async () => ((await inferOne('app/pyproject.toml'))['app']!.targets['smoke']!['options'] as { commands: string[][] }).commands.map((command) => command[2]);
    write('app/Cargo.toml', cargo('[[bin]]\nname = "app-gui"\nrequired-features = ["gui"]\n'));
    expect(await smoked()).toEqual(['app']);
    // Enabled through [tool.maturin].features, or through Cargo's default features and what they enable.
    write('app/Cargo.toml', cargo('[[bin]]\nname = "app-gui"\nrequired-features = ["gui"]\n[[bin]]\nname = "app-tray"\nrequired-features = ["tray", "fancy"]\n'));
    expect(await smoked()).toEqual(['app-tray']);
  });

  it("hashes build, test and smoke with the compiler a project's own rust-toolchain file selects, a floating channel included", async () => {
    write('p/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "p"\nversion = "0.1.0"\n[tool.maturin]\nmanifest-path = "rust/Cargo.toml"\n`);
    write('p/rust/Cargo.toml', '[package]\nname = "p"\nversion = "0.1.0"\n');
    write('p/rust-toolchain.toml', '[toolchain]\nchannel = "stable"\n');
    write('rust-toolchain.toml', '[toolchain]\nchannel = "nightly"\n');
    write('q/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "q"\nversion = "0.1.0"\n`);
    crate('q');
    const results = (await infer(['p/pyproject.toml', 'q/pyproject.toml'])) as [string, { projects: Projects }][];
    const [first, second] = results.map(([, result]) => result);
    const runtimeInputs = (projects: Projects, name: string, target: string) =>
      (projects[name]!.targets[target]!['inputs'] as unknown[]).filter((input) => JSON.stringify(input).includes('RUSTUP_AUTO_INSTALL'));
    for (const target of ['build', 'test', 'smoke']) {
      // The nearest file wins (rustup's rule); the root's is the workspace fingerprint's, asked in the root.
      expect(runtimeInputs(first!.projects, 'p', target)).toEqual([projectRustToolchainInput('p')]);
      expect(runtimeInputs(second!.projects, 'q', target)).toEqual([]);
    }
  });

  it('hashes a Cargo manifest above the project (manifest-path = "../Cargo.toml") for version-sync from the workspace root', async () => {
    write('codec/Cargo.toml', '[package]\nname = "codec"\nversion = "1.0.0"\n[lib]\nname = "codec"\ncrate-type = ["cdylib"]\n');
    write('codec/variant/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "codec-variant"\ndynamic = ["version"]\n[tool.maturin]\nmanifest-path = "../Cargo.toml"\n`);
    const inputs = (await inferOne('codec/variant/pyproject.toml'))['codec/variant']!.targets['version-sync']!['inputs'] as unknown[];
    expect(inputs).toContain('{workspaceRoot}/codec/Cargo.toml');
    expect(inputs.filter((input) => typeof input === 'string' && input.includes('..'))).toEqual([]);
  });

  it('imports the compiled extension in the default smoke, wherever maturin installs it', async () => {
    // A dotted module-name deep inside the package: __init__.py need not import it.
    write('deep/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "deep"\nversion = "0.1.0"\n[tool.maturin]\npython-source = "src"\nmodule-name = "deep.bindings._rust"\n`);
    crate('deep');
    write('deep/src/deep/__init__.py', '');
    // No dot beside a package of the same name: maturin installs the extension as <name>.<name>.
    write('mixed/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "mixed"\nversion = "0.1.0"\n`);
    crate('mixed');
    write('mixed/mixed/__init__.py', '');
    // A pure Rust module: maturin's generated __init__.py imports the extension itself.
    write('pure/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "pure"\nversion = "0.1.0"\n`);
    crate('pure');
    const commands = async (name: string) => ((await inferOne(`${name}/pyproject.toml`))[name]!.targets['smoke']!['options'] as { commands: string[][] }).commands;
    expect(await commands('deep')).toEqual([['-c', 'import deep, deep.bindings._rust']]);
    expect(await commands('mixed')).toEqual([['-c', 'import mixed, mixed.mixed']]);
    expect(await commands('pure')).toEqual([['-c', 'import pure']]);
    expect((await inferOne('deep/pyproject.toml'))['deep']!.targets['publish']!['options']).toMatchObject({ commands: [['-c', 'import deep, deep.bindings._rust']] });
  });

  it("follows maturin's automatic layout: no Cargo.toml beside pyproject, the crate in rust/, the package in src/", async () => {
    write('auto/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "auto-layout"\nversion = "0.1.0"\n[tool.maturin]\nmodule-name = "auto_layout._native"\n`);
    write('auto/rust/Cargo.toml', '[package]\nname = "auto-layout"\nversion = "0.1.0"\n[lib]\nname = "_native"\ncrate-type = ["cdylib"]\n');
    write('auto/src/auto_layout/__init__.py', '');
    const targets = (await inferOne('auto/pyproject.toml'))['auto']!.targets;
    expect(targets['build']!['inputs']).toEqual(expect.arrayContaining(['{projectRoot}/**/*', '!{projectRoot}/rust/target/**/*', '{projectRoot}/rust/Cargo.lock']));
    expect(targets['version-sync']!['inputs']).toEqual(expect.arrayContaining(['{projectRoot}/rust/Cargo.toml', '{projectRoot}/src/auto_layout/**/*.py']));
    expect(targets['smoke']!['options']).not.toHaveProperty('pythonPackage');
    expect(targets['smoke']!['options']).toMatchObject({ importName: 'auto_layout', commands: [['-c', 'import auto_layout, auto_layout._native']] });
    // version-sync (and build, test) read the same manifest.
    expect(locateVersionFiles(root, 'auto')).toMatchObject({ cargoManifestFile: join(root, 'auto', 'rust', 'Cargo.toml'), pythonVersionFile: join(root, 'auto', 'src', 'auto_layout', '__init__.py') });
  });

  it('hashes every local crate the extension is built from, inside or outside the project, and include globs reaching out', async () => {
    write(
      'Cargo.toml',
      '[workspace]\nmembers = ["crates/*", "py/rust"]\n[workspace.dependencies]\ncore = { path = "crates/core" }\nutil = { path = "crates/util" }\ntestkit = { path = "crates/testkit" }\nserde = "1"\n',
    );
    write('Cargo.lock', '');
    write('crates/core/Cargo.toml', '[package]\nname = "core"\n[dependencies]\nutil = { workspace = true }\n[dev-dependencies]\ntestkit = { workspace = true }\n');
    write('crates/util/Cargo.toml', '[package]\nname = "util"\n[build-dependencies]\ngen = { path = "../gen" }\n');
    for (const crate of ['gen', 'testkit', 'unused', 'deep', 'bench']) write(`crates/${crate}/Cargo.toml`, `[package]\nname = "${crate}"\n`);
    write(
      'py/pyproject.toml',
      `${MATURIN_BACKEND}[project]\nname = "py"\nversion = "0.1.0"\n[tool.maturin]\nmanifest-path = "rust/Cargo.toml"\npython-source = "python"\n` +
        'include = ["../vendor/yy/**/*", { path = "c/**/*", format = "sdist" }, { path = "../wheel-only/*", format = "wheel" }]\n',
    );
    write(
      'py/rust/Cargo.toml',
      '[package]\nname = "py"\n[dependencies]\ncore = { workspace = true }\nlocal = { path = "../local" }\nserde = { workspace = true }\n[dev-dependencies]\nbench = { path = "../../crates/bench" }\n',
    );
    write('py/local/Cargo.toml', '[package]\nname = "local"\n[target.\'cfg(unix)\'.dependencies]\ndeep = { path = "../../crates/deep" }\n');
    const inputs = (await inferOne('py/pyproject.toml'))['py']!.targets['build']!['inputs'] as unknown[];
    // A crate's dev-dependencies count only for the crate itself (testkit is core's); py/local is inside the project.
    expect(inputs.filter((input) => typeof input === 'string')).toMatchInlineSnapshot(`
[
  "{projectRoot}/**/*",
  "!{projectRoot}/target/**/*",
  "{workspaceRoot}/Cargo.lock",
  "{workspaceRoot}/Cargo.toml",
  "{workspaceRoot}/crates/bench/**/*",
  "!{workspaceRoot}/crates/bench/target/**/*",
  "{workspaceRoot}/crates/core/**/*",
  "!{workspaceRoot}/crates/core/target/**/*",
  "{workspaceRoot}/crates/deep/**/*",
  "!{workspaceRoot}/crates/deep/target/**/*",
  "{workspaceRoot}/crates/gen/**/*",
  "!{workspaceRoot}/crates/gen/target/**/*",
  "{workspaceRoot}/crates/util/**/*",
  "!{workspaceRoot}/crates/util/target/**/*",
  "{workspaceRoot}/vendor/yy/**/*",
]
`);
    expect((await inferOne('py/pyproject.toml'))['py']!.targets['test']!['inputs']).toEqual(expect.arrayContaining(['{workspaceRoot}/crates/core/**/*', '{workspaceRoot}/crates/bench/**/*']));
  });

  it('names a pure Rust project after its distribution and finds the Cargo workspace lock file above it', async () => {
    write('Cargo.lock', '');
    write('crates/fast/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "fast-thing"\nversion = "0.1.0"\n`);
    write('crates/fast/Cargo.toml', '[package]\nname = "fast"\nversion.workspace = true\n');
    const project = (await inferOne('crates/fast/pyproject.toml'))['crates/fast']!;
    expect(project.name).toBe('fast-thing');
    expect(project.targets['build']!['inputs']).toContain('{workspaceRoot}/Cargo.lock');
  });

  it('makes the plugin a dependency of projects in the workspace that develops it, and depends on its build', async () => {
    const repositoryContext = { workspaceRoot: REPOSITORY_ROOT, nxJsonConfiguration: {} };
    const [[, result]] = (await createNodes[1](
      ['codetracer-python-recorder/pyproject.toml'],
      { projectNames: { 'codetracer-python-recorder': 'recorder' }, toolInputs: ['tools/python/requirements.txt'] },
      repositoryContext,
    )) as [[string, { projects: Projects }]];
    const recorder = result.projects['codetracer-python-recorder']!;
    expect(recorder.implicitDependencies).toEqual(['nx-maturin']);
    // python-source = "." puts the whole project folder in the sdist, tests and scripts included.
    expect(recorder.targets['build']!['inputs']).toEqual(
      expect.arrayContaining(['{projectRoot}/**/*', '!{projectRoot}/target/**/*', '{workspaceRoot}/packages/nx-maturin/src/**/*', '{workspaceRoot}/tools/python/requirements.txt']),
    );
    expect(recorder.targets['build']!['dependsOn']).toEqual([{ projects: ['nx-maturin'], target: 'build' }]);
  });

  it('does not take an installed copy under node_modules for a project of the workspace', () => {
    const installed = join(root, 'node_modules', '@codetracer', 'nx-maturin');
    mkdirSync(installed, { recursive: true });
    writeFileSync(join(installed, 'project.json'), JSON.stringify({ name: 'nx-maturin' }));
    expect(findPluginProject(root, installed)).toBeUndefined();
    expect(findPluginProject(REPOSITORY_ROOT)).toMatchObject({ name: 'nx-maturin', buildTarget: 'build' });
  });

  it('uses configured target names and interpreters', async () => {
    write('p/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "p"\nversion = "0.1.0"\n`);
    crate('p');
    const targets = (await inferOne('p/pyproject.toml', { buildTargetName: 'wheels', smokeTargetName: 'check-wheels', pythonVersions: ['3.13'] }))['p']!.targets;
    expect(targets['check-wheels']!['dependsOn']).toEqual(['wheels']);
    expect(targets['wheels']!['options']).toMatchObject({ pythonVersions: ['3.13'] });
  });

  it('ignores pyproject files of other build backends', async () => {
    write('py/pyproject.toml', '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "py"\n');
    expect(await infer(['py/pyproject.toml'])).toEqual([['py/pyproject.toml', {}]]);
  });

  it('ignores a maturin pyproject with no crate where maturin looks (a test fixture inside a project), so it owns no files', async () => {
    write('app/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "app"\nversion = "0.1.0"\n`);
    write('app/Cargo.toml', '[package]\nname = "app"\nversion = "0.1.0"\n');
    write('app/tests/example/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "example"\nversion = "0.0.1"\n[tool.maturin]\npython-source = "src"\n`);
    const results = await infer(['app/pyproject.toml', 'app/tests/example/pyproject.toml']);
    expect(results.map(([file, result]) => [file, Object.keys((result as { projects?: Projects }).projects ?? {})])).toEqual([
      ['app/pyproject.toml', ['app']],
      ['app/tests/example/pyproject.toml', []],
    ]);
  });

  it('keeps a project whose configured manifest-path is missing, so its build names the file', async () => {
    write('lib/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "lib"\nversion = "0.1.0"\n[tool.maturin]\nmanifest-path = "crate/Cargo.toml"\n`);
    expect(Object.keys(await inferOne('lib/pyproject.toml'))).toEqual(['lib']);
  });

  it('uses cached layouts when the manifests, the options and the plugin are unchanged', async () => {
    write('p/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "p"\nversion = "0.1.0"\n`);
    crate('p');
    await infer(['p/pyproject.toml']);
    const [cacheFile] = cacheFiles();
    const file = join(root, '.nx', 'workspace-data', cacheFile!);
    const entries = JSON.parse(readFileSync(file, 'utf8')) as { layouts: Record<string, { distributionName: string }>; localCrates: Record<string, unknown> };
    // The local crates are remembered with the manifests they were read from (see local-crates.spec.ts).
    expect(Object.keys(entries.localCrates)).toEqual(['p/Cargo.toml']);
    for (const entry of Object.values(entries.layouts)) entry.distributionName = 'served-from-cache';
    writeFileSync(file, JSON.stringify(entries));

    expect(Object.values(await inferOne('p/pyproject.toml'))[0]!.name).toBe('served-from-cache');
    // Other options are another cache file: nothing the old options computed is served.
    expect(Object.values(await inferOne('p/pyproject.toml', { pythonVersions: ['3.13'] }))[0]!.name).toBe('p');
    expect(cacheFiles()).toHaveLength(2);
  });

  it('reports each broken manifest as one error naming file and field, and still infers the others', async () => {
    write('bad/pyproject.toml', `${MATURIN_BACKEND}[project\nname = "bad"\n`);
    write('badpath/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "badpath"\n[tool.maturin]\nmanifest-path = 42\n`);
    write('badcargo/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "badcargo"\n`);
    write('badcargo/Cargo.toml', '[package\nname = "x"\n');
    write('badname/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = ["x"]\n`);
    crate('badname');
    write('badlib/pyproject.toml', `${MATURIN_BACKEND}[tool.maturin]\nmanifest-path = "rust/Cargo.toml"\n`);
    write('badlib/rust/Cargo.toml', '[package]\nname = "badlib"\nversion = "0.1.0"\n[lib]\nname = 7\n');
    write('good/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "good"\nversion = "0.1.0"\n`);
    crate('good');
    const files = ['bad/pyproject.toml', 'badpath/pyproject.toml', 'badcargo/pyproject.toml', 'badname/pyproject.toml', 'badlib/pyproject.toml', 'good/pyproject.toml'];
    const error = await Promise.resolve(infer(files)).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(AggregateCreateNodesError);
    const aggregate = error as AggregateCreateNodesError;
    expect(aggregate.errors.map(([file, cause]) => `${file}: ${(cause as Error).message}`)).toMatchInlineSnapshot(`
[
  "bad/pyproject.toml: bad/pyproject.toml:4: invalid TOML: Invalid TOML document: illegal character in key",
  "badpath/pyproject.toml: badpath/pyproject.toml: [tool.maturin].manifest-path is 42; expected a path to a Cargo.toml relative to pyproject.toml, e.g. "rust/Cargo.toml"",
  "badcargo/pyproject.toml: badcargo/Cargo.toml:1: invalid TOML: Invalid TOML document: illegal character in key",
  "badname/pyproject.toml: badname/pyproject.toml: [project].name is ["x"]; expected a string such as "my-package"",
  "badlib/pyproject.toml: badlib/rust/Cargo.toml: [lib].name is 7; expected a string such as "my_module"",
]
`);
    expect(aggregate.partialResults.map(([file, result]) => [file, Object.keys(result.projects ?? {})])).toEqual([['good/pyproject.toml', ['good']]]);
  });
});
