import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const RECORDER_ROOT = join(REPOSITORY_ROOT, 'codetracer-python-recorder');
export const BENCH_DIR = join(REPOSITORY_ROOT, '.tools', 'bench');
export const LOG_DIR = join(BENCH_DIR, 'logs');
export const TOOLS_BIN = join(REPOSITORY_ROOT, '.tools', 'venv', 'bin');
export const NX_BIN = join(REPOSITORY_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
export const INTERPRETERS = ['3.12', '3.13'];

const requireFromHere = createRequire(import.meta.url);

/**
 * A module of the compiled plugin (packages/nx-maturin/dist): the benchmarks call the same code the executors
 * run, so they measure it rather than a re-implementation.
 */
export function pluginModule(path) {
  return requireFromHere(join(REPOSITORY_ROOT, 'packages', 'nx-maturin', 'dist', path));
}

/** The environment Nx runs with here: no daemon, no cloud, plain output that can be parsed. */
export function nxEnvironment(extra = {}) {
  return { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: undefined, ...extra };
}
