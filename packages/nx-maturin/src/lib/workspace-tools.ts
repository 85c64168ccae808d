import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** The tools virtual environment the bootstrap creates from tools/python/requirements.txt. */
export const TOOLS_VENV = join('.tools', 'venv');

/** The pinned requirements that venv is made from, relative to the workspace root (`/`-separated). */
export const TOOLS_REQUIREMENTS = 'tools/python/requirements.txt';

const isWindows = process.platform === 'win32';

/** Path of an executable inside a virtual environment (`bin/` on POSIX, `Scripts\` on Windows). */
export function venvExecutable(venvDir: string, name: string): string {
  return isWindows ? join(venvDir, 'Scripts', `${name}.exe`) : join(venvDir, 'bin', name);
}

/**
 * A Python-side tool (maturin, uv, twine, pypiserver, ...) from the workspace's tools venv. Falls back to the bare
 * name, so a tool installed on PATH (as in CI images) still works; the spawn error then names the tool.
 */
export function workspaceTool(workspaceRoot: string, name: string): string {
  const pinned = venvExecutable(join(workspaceRoot, TOOLS_VENV), name);
  return existsSync(pinned) ? pinned : name;
}

/**
 * The environment for tools that find their helpers on PATH (maturin finds zig and uv there; an sdist build finds
 * maturin): the workspace tools venv's bin folder goes first.
 */
export function toolsPathEnv(workspaceRoot: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const toolsBin = dirname(venvExecutable(join(workspaceRoot, TOOLS_VENV), 'python'));
  return { ...base, PATH: [toolsBin, base['PATH'] ?? ''].join(delimiter) };
}
