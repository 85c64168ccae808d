import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The monorepo this package lives in: its node_modules and tools venv are lent to temporary workspaces. */
export const REPOSITORY_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const FIXTURES = join(__dirname, 'fixtures');

/**
 * One Cargo target folder for every integration test, so PyO3 and friends compile once per run instead of once
 * per temporary workspace.
 */
export const SHARED_CARGO_TARGET = join(REPOSITORY_ROOT, '.tools', 'cargo-target-tests');

/**
 * A folder holding hello-maturin as `libs/hello` and an nx.json that registers the plugin with this repository's
 * tools venv: for specs that call an executor directly, with no Nx run. The caller removes it.
 */
export function helloMaturinFolder(prefix: string): string {
  return fixtureFolder(prefix, 'hello-maturin', 'libs/hello');
}

/** As {@link helloMaturinFolder}, for any fixture, copied to `destination` inside the folder. */
export function fixtureFolder(prefix: string, fixture: string, destination: string): string {
  const workspace = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(workspace, 'nx.json'), JSON.stringify({ plugins: [{ plugin: '@codetracer/nx-maturin', options: { toolsVenv: join(REPOSITORY_ROOT, '.tools', 'venv') } }] }));
  cpSync(join(FIXTURES, fixture), join(workspace, destination), { recursive: true });
  return workspace;
}

export interface NxRun {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** stdout and stderr interleaved, for assertions on what a person would see. */
  all: string;
}

export interface TempWorkspace {
  root: string;
  /** Runs the workspace's nx (daemon off, no cloud) and resolves whatever the exit code. */
  nx(args: string[], env?: NodeJS.ProcessEnv): Promise<NxRun>;
  write(path: string, content: string): void;
  read(path: string): string;
  /** Copies a fixture folder from test-support/fixtures into the workspace. */
  addFixture(fixture: string, destination: string): void;
  git(args: string[]): Promise<string>;
  remove(): void;
}

export interface TempWorkspaceOptions {
  pluginOptions?: Record<string, unknown>;
  /** Nx cache folder; share one between two workspaces to model a remote cache. */
  cacheDirectory?: string;
  nxJson?: Record<string, unknown>;
}

export function createTempWorkspace(options: TempWorkspaceOptions = {}): TempWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'nx-maturin-ws-'));
  symlinkSync(join(REPOSITORY_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  mkdirSync(join(root, '.tools'));
  symlinkSync(join(REPOSITORY_ROOT, '.tools', 'venv'), join(root, '.tools', 'venv'), 'dir');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'temp-workspace', private: true }, null, 2));
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx/cache\n.nx/workspace-data\n.tools\ntarget\ndist\n');
  const nxJson = {
    neverConnectToCloud: true,
    // The repository's tools venv is lent through the plugin option a user would set for their own.
    plugins: [{ plugin: '@codetracer/nx-maturin', options: { toolsVenv: '.tools/venv', ...options.pluginOptions } }],
    ...(options.cacheDirectory ? { cacheDirectory: options.cacheDirectory } : {}),
    ...options.nxJson,
  };
  writeFileSync(join(root, 'nx.json'), JSON.stringify(nxJson, null, 2));

  const baseEnv = {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_SKIP_NX_CACHE: undefined,
    CARGO_TARGET_DIR: SHARED_CARGO_TARGET,
    CI: 'true',
  };

  const workspace: TempWorkspace = {
    root,
    async nx(args, env = {}) {
      const result = await execa(process.execPath, [join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], {
        cwd: root,
        env: { ...baseEnv, ...env },
        reject: false,
        all: true,
        stdin: 'ignore',
      });
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1, all: result.all ?? '' };
    },
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    read(path) {
      return readFileSync(join(root, path), 'utf8');
    },
    addFixture(fixture, destination) {
      cpSync(join(FIXTURES, fixture), join(root, destination), { recursive: true });
    },
    async git(args) {
      const result = await execa('git', args, {
        cwd: root,
        env: { GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.invalid' },
      });
      return result.stdout;
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  return workspace;
}
