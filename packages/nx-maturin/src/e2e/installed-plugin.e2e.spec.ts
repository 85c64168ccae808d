import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { FIXTURES, REPOSITORY_ROOT, SHARED_CARGO_TARGET } from '../test-support/temp-workspace';

/**
 * The plugin as a third party gets it: `npm pack`, a real `npm install` of the tarball into a fresh Nx workspace
 * outside this repository, `nx g init`, then each layout fixture through build -> smoke -> publish to the embedded
 * index and back. Only `uv` is on PATH from this repository's tools: maturin, twine, check-wheel-contents and
 * pypiserver must come through `uv tool run` or the projects' own build requirements.
 */
const PACKAGE_ROOT = join(__dirname, '..', '..');
const NX_VERSION = (JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'node_modules', 'nx', 'package.json'), 'utf8')) as { version: string }).version;

/** layout fixture -> folder in the workspace -> the Nx project name inference gives it. */
const LAYOUTS = [
  { fixture: 'hello-maturin', folder: 'libs/hello', project: 'hello-maturin', layout: 'mixed, python-source = "python", __main__, static version' },
  { fixture: 'layout-manifest-path', folder: 'libs/manifest-path', project: 'layout-manifest-path', layout: 'manifest-path rust/, python-source = "src", dynamic version, runtime dependency, library' },
  { fixture: 'layout-cffi', folder: 'libs/cffi', project: 'layout-cffi', layout: 'cffi bindings, cffi in [build-system].requires (PEP 517), one py3-none wheel' },
  // The Cargo workspace root holds the lock file; the maturin project is its member `py/`.
  { fixture: 'layout-cargo-workspace', folder: 'libs/cargo-workspace', project: 'layout-cargo-workspace', layout: 'no [project], Cargo workspace, version.workspace, path dependency' },
];

describe('nx-maturin installed from its npm tarball', () => {
  let workspace: string;
  let env: NodeJS.ProcessEnv;
  const nx = async (args: string[]) => {
    const result = await execa(process.execPath, [join(workspace, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], { cwd: workspace, env, reject: false, all: true, stdin: 'ignore' });
    // Colour codes split phrases such as "ran target <bold>publish"; assertions read the plain text.
    return { exitCode: result.exitCode ?? -1, all: stripVTControlCharacters(result.all ?? '') };
  };

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'nx-maturin-e2e-'));
    const packDir = join(workspace, '.pack');
    mkdirSync(packDir);
    const packed = await execa('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: PACKAGE_ROOT });
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    writeFileSync(join(workspace, 'package.json'), JSON.stringify({ name: 'third-party-workspace', private: true }, null, 2));
    writeFileSync(join(workspace, 'nx.json'), JSON.stringify({ neverConnectToCloud: true }, null, 2));
    writeFileSync(join(workspace, '.gitignore'), 'node_modules\n.nx\ntarget\ndist\n');
    // A real install (a copy under node_modules, no workspace symlink); --prefer-offline reuses npm's cache.
    await execa(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', `nx@${NX_VERSION}`, `@nx/devkit@${NX_VERSION}`, join(packDir, filename)],
      { cwd: workspace, env: { ...process.env, npm_config_workspaces: undefined } },
    );
    for (const { fixture, folder } of LAYOUTS) cpSync(join(FIXTURES, fixture), join(workspace, folder), { recursive: true });
    // Only uv from this repository's tools; cargo, node and the interpreters from the usual places.
    const toolsBin = join(workspace, '.bin');
    mkdirSync(toolsBin);
    symlinkSync(join(REPOSITORY_ROOT, '.tools', 'venv', 'bin', 'uv'), join(toolsBin, 'uv'));
    const path = (process.env['PATH'] ?? '').split(delimiter).filter((dir) => !dir.startsWith(join(REPOSITORY_ROOT, '.tools')) && !dir.startsWith(join(REPOSITORY_ROOT, 'node_modules')));
    env = {
      ...process.env,
      PATH: [toolsBin, dirname(process.execPath), ...path].join(delimiter),
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      CI: 'true',
      CARGO_TARGET_DIR: SHARED_CARGO_TARGET,
      NX_SKIP_NX_CACHE: undefined,
      NX_ADD_PLUGINS: undefined,
    };
  }, 10 * 60_000);

  afterAll(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('packs compiled code, typings, executors.json, generators.json and schemas, but no specs, fixtures or test support', () => {
    const installed = join(workspace, 'node_modules', '@codetracer', 'nx-maturin');
    const files = listFiles(installed);
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'executors.json', 'generators.json', 'bin/toolchain-fingerprint.js', 'src/executors/wheel-smoke/schema.json', 'src/generators/init/schema.json', 'dist/generators/init/init.js']));
    expect(files.filter((file) => /\.spec\.|test-support|fixtures|\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { private?: boolean; peerDependencies: Record<string, string> };
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['@nx/devkit', 'nx']);
  });

  it('registers itself with the init generator and infers one project per layout, with no dependency on itself', async () => {
    const init = await nx(['g', '@codetracer/nx-maturin:init', '--pythonVersions=3.12', '--no-interactive']);
    expect(init.all).not.toMatch(/error/i);
    expect(init.exitCode).toBe(0);
    const nxJson = JSON.parse(readFileSync(join(workspace, 'nx.json'), 'utf8')) as { plugins: unknown[] };
    expect(nxJson.plugins).toEqual([{ plugin: '@codetracer/nx-maturin', options: { pythonVersions: ['3.12'] } }]);

    const projects = await nx(['show', 'projects', '--json']);
    expect(projects.exitCode).toBe(0);
    expect((JSON.parse(projects.all.slice(projects.all.indexOf('['))) as string[]).sort()).toEqual(LAYOUTS.map((layout) => layout.project).sort());
    const shown = await nx(['show', 'project', 'layout-manifest-path', '--json']);
    const project = JSON.parse(shown.all.slice(shown.all.indexOf('{'))) as { implicitDependencies?: string[] };
    expect(project.implicitDependencies ?? []).toEqual([]);
  }, 5 * 60_000);

  it.each(LAYOUTS)('takes $fixture ($layout) through build -> smoke -> publish and back, and serves the rerun from the cache', async ({ project }) => {
    const first = await nx(['run', `${project}:publish`]);
    if (first.exitCode !== 0) throw new Error(`nx run ${project}:publish failed:\n${first.all}`);
    expect(first.all).toMatch(/Successfully ran target publish/);
    expect(existsSync(join(workspace, 'dist', 'local-index'))).toBe(true);

    const second = await nx(['run-many', '-t', 'build', 'smoke', '--projects', project]);
    expect(second.exitCode).toBe(0);
    expect(second.all).toMatch(/Cache:\s+2\/2 hit|read the output from the cache instead of running the command for 2 out of 2 tasks/);
  }, 10 * 60_000);
});

function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(root, relative) : [relative];
  });
}
