import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { PythonInterpreter } from '../python-discovery';
import { runCaptured, type RunOptions } from '../run-process';
import { TOOLS_VENV, toolsPathEnv, venvExecutable, workspaceTool } from '../workspace-tools';

export interface FreshVenv {
  directory: string;
  python: string;
  /** `uv` when uv created it (and installs into it), `pip` for `python -m venv`. */
  installer: 'uv' | 'pip';
}

/**
 * Environment variables that would point an installer at another index or at ambient credentials; installs into a
 * fresh venv must depend only on the arguments given here.
 */
const INSTALLER_SETTINGS = /^(UV_(INDEX|INDEX_URL|EXTRA_INDEX_URL|DEFAULT_INDEX|FIND_LINKS|PUBLISH_[A-Z_]+|NO_INDEX|OFFLINE)|PIP_[A-Z_]+)$/;

/** The environment with those settings unset; they are set to undefined because execa merges onto process.env. */
export function installerEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(base).map(([name, value]) => [name, INSTALLER_SETTINGS.test(name) ? undefined : value]));
}

function uvExecutable(workspaceRoot: string): string | undefined {
  const uv = workspaceTool(workspaceRoot, 'uv');
  return existsSync(uv) ? uv : undefined;
}

/** A new virtual environment for `interpreter` at `directory`: `uv venv` when the tools venv has uv, else `-m venv`. */
export async function createFreshVenv(workspaceRoot: string, interpreter: PythonInterpreter, directory: string): Promise<FreshVenv> {
  const uv = uvExecutable(workspaceRoot);
  const env = installerEnvironment();
  if (uv) {
    await runCaptured(uv, ['venv', '--quiet', '--no-config', '--python', interpreter.executable, directory], { cwd: workspaceRoot, env });
    return { directory, python: venvExecutable(directory, 'python'), installer: 'uv' };
  }
  await runCaptured(interpreter.executable, ['-m', 'venv', directory], { cwd: workspaceRoot, env });
  return { directory, python: venvExecutable(directory, 'python'), installer: 'pip' };
}

export interface InstallRequest {
  workspaceRoot: string;
  /** What to install, e.g. `hello-maturin==0.2.0`. */
  requirement: string;
  /** Install only from this folder (no index). */
  findLinks?: string;
  /** Install only from this index (no other index). */
  indexUrl?: string;
  /** `binary`: wheels only; `source`: build the requirement from its sdist. */
  format?: 'binary' | 'source';
  /** The distribution name the `format` rule applies to. */
  distribution: string;
  secrets?: readonly string[];
}

/**
 * Installs into a fresh venv. An sdist is built without build isolation against the tools venv's maturin (put on
 * PYTHONPATH and PATH just for this command), because an isolated build would download maturin from an index.
 */
export async function installIntoVenv(venv: FreshVenv, request: InstallRequest): Promise<void> {
  const source: string[] = request.findLinks ? ['--no-index', '--find-links', request.findLinks] : ['--index-url', request.indexUrl ?? ''];
  const format =
    request.format === 'binary'
      ? ['--only-binary', request.distribution]
      : request.format === 'source'
        ? ['--no-binary', request.distribution, '--no-build-isolation']
        : [];
  let env = installerEnvironment();
  if (request.format === 'source') env = withToolsBuildBackend(request.workspaceRoot, venv.directory, env);
  const uv = venv.installer === 'uv' ? uvExecutable(request.workspaceRoot) : undefined;
  if (uv) {
    const args = ['pip', 'install', '--no-config', '--no-cache', '--python', venv.python, ...source, ...format, request.requirement];
    await runLogged(uv, args, { cwd: venv.directory, env, secrets: request.secrets ?? [] });
    return;
  }
  const args = ['-m', 'pip', 'install', '--no-cache-dir', '--disable-pip-version-check', ...source, ...format, request.requirement];
  await runLogged(venv.python, args, { cwd: venv.directory, env, secrets: request.secrets ?? [] });
}

/** Captured rather than streamed so that a failed install's own explanation ends up in the error message. */
async function runLogged(file: string, args: string[], options: RunOptions): Promise<void> {
  const { stdout, stderr } = await runCaptured(file, args, options);
  const output = `${stderr}\n${stdout}`.trim();
  if (output) console.log(output);
}

/**
 * Makes only the `maturin` package of the tools venv importable (one symlink in a private folder), so the sdist
 * build sees maturin and nothing else the tools venv holds.
 */
function withToolsBuildBackend(workspaceRoot: string, venvDirectory: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const toolsVenv = join(workspaceRoot, TOOLS_VENV);
  const maturinPackage = findSitePackage(toolsVenv, 'maturin');
  if (!maturinPackage) {
    throw new Error(
      `${toolsVenv}: no maturin package found, which the sdist build needs as its build backend. ` +
        'Run `node tools/bootstrap/bootstrap.mjs` to create the tools venv.',
    );
  }
  const backendDir = join(venvDirectory, 'build-backend');
  mkdirSync(backendDir, { recursive: true });
  if (!existsSync(join(backendDir, 'maturin'))) symlinkSync(maturinPackage, join(backendDir, 'maturin'), 'dir');
  return { ...toolsPathEnv(workspaceRoot, env), PYTHONPATH: backendDir };
}

function findSitePackage(venvDir: string, name: string): string | undefined {
  const windowsPath = join(venvDir, 'Lib', 'site-packages', name);
  if (existsSync(windowsPath)) return windowsPath;
  const lib = join(venvDir, 'lib');
  if (!existsSync(lib)) return undefined;
  return readdirSync(lib)
    .map((entry) => join(lib, entry, 'site-packages', name))
    .find((candidate) => existsSync(candidate));
}
