import { dirname } from 'node:path';
import type { PythonInterpreter } from '../python-discovery';
import { forDisplay, runCaptured, type RunOptions } from '../run-process';
import { findToolExecutable, venvExecutable } from '../workspace-tools';

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
  return findToolExecutable(workspaceRoot, 'uv');
}

/** A new virtual environment for `interpreter` at `directory`: `uv venv` when the workspace has uv, else `-m venv`. */
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
  /**
   * The project's own wheel or sdist: installed from this file (never from an index), while `indexUrl` or
   * `findLinks` supply its dependencies and, for an sdist, its build requirements.
   */
  artefactFile?: string;
  /** Install only from this folder (no index). */
  findLinks?: string;
  /** Install only from this index (no other index), unless `dependencyIndexUrl` is given. */
  indexUrl?: string;
  /**
   * Where dependencies that `indexUrl` does not have come from (e.g. PyPI behind the embedded local index). The
   * distribution itself still comes only from `indexUrl`: uv asks the indexes in order and takes a name from the
   * first that has it.
   */
  dependencyIndexUrl?: string;
  /** `binary`: wheels only; `source`: build the requirement from its sdist. */
  format?: 'binary' | 'source';
  /** The distribution name the `format` rule applies to. */
  distribution: string;
  secrets?: readonly string[];
  /** Variables for the build of an sdist (e.g. CARGO_TARGET_DIR, MATURIN_PEP517_ARGS), on top of the installer's environment. */
  buildEnvironment?: Readonly<Record<string, string>>;
}

/**
 * Installs into a fresh venv. An sdist is built in an isolated build environment from its own
 * [build-system].requires, fetched from the same index (or folder) as the dependencies.
 */
export async function installIntoVenv(venv: FreshVenv, request: InstallRequest): Promise<void> {
  const uv = venv.installer === 'uv' ? uvExecutable(request.workspaceRoot) : undefined;
  const source = indexArguments(request, uv ? 'uv' : 'pip');
  const format =
    request.format === 'binary'
      ? ['--only-binary', request.distribution]
      : request.format === 'source'
        ? ['--no-binary', request.distribution]
        : [];
  const install = async (args: string[], { freshProject }: { freshProject: boolean }) => {
    const options = { cwd: venv.directory, env: { ...installerEnvironment(), ...request.buildEnvironment }, secrets: request.secrets ?? [] };
    if (uv) {
      // uv's cache serves dependencies and build requirements; the project itself is unpacked or built anew.
      const refresh = freshProject ? ['--refresh-package', request.distribution] : [];
      await runLogged(uv, ['pip', 'install', '--no-config', ...refresh, '--python', venv.python, ...args], options);
      return;
    }
    await runLogged(venv.python, ['-m', 'pip', 'install', '--no-cache-dir', '--disable-pip-version-check', ...args], options);
  };
  if (request.artefactFile === undefined) {
    await install([...source, ...format, request.requirement], { freshProject: true });
    return;
  }
  if (request.format === 'source') {
    // The sdist by path: it cannot come from anywhere else; its build requirements and dependencies come from `source`.
    await install([...source, ...format, request.artefactFile], { freshProject: true });
    return;
  }
  // A wheel by name from its folder alone, so the installer still picks the one whose tags fit this interpreter;
  // then the dependencies from `source`, with the project already installed at the exact version.
  await install(['--no-index', '--find-links', dirname(request.artefactFile), '--no-deps', ...format, request.requirement], { freshProject: true });
  await install([...source, request.requirement], { freshProject: false });
}

/** Where packages come from: a folder only, one index only, or one index first with a fallback for dependencies. */
function indexArguments(request: InstallRequest, installer: 'uv' | 'pip'): string[] {
  if (request.findLinks) return ['--no-index', '--find-links', request.findLinks];
  const indexUrl = request.indexUrl ?? '';
  if (!request.dependencyIndexUrl) return ['--index-url', indexUrl];
  if (installer === 'uv') return ['--index', indexUrl, '--default-index', request.dependencyIndexUrl, '--index-strategy', 'first-index'];
  // pip has no index order: the dependency index can only sit beside the distribution's own.
  return ['--index-url', indexUrl, '--extra-index-url', request.dependencyIndexUrl];
}

/** Captured rather than streamed so that a failed install's own explanation ends up in the error message. */
async function runLogged(file: string, args: string[], options: RunOptions): Promise<void> {
  const { stdout, stderr } = await runCaptured(file, args, options);
  const output = `${stderr}\n${stdout}`.trim();
  if (output) console.log(forDisplay(output));
}
