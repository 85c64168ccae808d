import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';

const isWindows = process.platform === 'win32';

/** The plugin's package name, as nx.json's `plugins` lists it. */
const PLUGIN_NAME = '@codetracer/nx-maturin';

/**
 * The Python-side tools the executors run, each with the package (and pinned version) `uv tool run --from` installs
 * when the workspace has no copy of its own. The versions are the ones this plugin is tested with.
 */
export const PINNED_TOOLS: Readonly<Record<string, string>> = {
  maturin: 'maturin[zig]==1.16.0',
  twine: 'twine==7.0.0',
  'check-wheel-contents': 'check-wheel-contents==0.6.3',
  'pypi-server': 'pypiserver[passlib]==2.4.2',
  pytest: 'pytest==9.2.0',
};

/** How to get uv, the one tool that cannot be fetched through itself. */
const UV_INSTALL_HINT = 'install uv (https://docs.astral.sh/uv/getting-started/installation/, e.g. `pipx install uv`) or put it on PATH';

/** Path of an executable inside a virtual environment (`bin/` on POSIX, `Scripts\` on Windows). */
export function venvExecutable(venvDir: string, name: string): string {
  return isWindows ? join(venvDir, 'Scripts', `${name}.exe`) : join(venvDir, 'bin', name);
}

/** A command to run a tool: the executable and the arguments that come before the tool's own. */
export interface ToolCommand {
  file: string;
  args: string[];
  /** Where it was found, for messages: a folder, or `uv tool run <package>`. */
  origin: string;
}

/** A tool that is nowhere the plugin looks; the message says where it looked and how to get it, in one line. */
export class MissingToolError extends Error {
  constructor(name: string, looked: readonly string[], hint: string) {
    super(`${name} not found (looked in ${looked.join(', ')}): ${hint}`);
    this.name = 'MissingToolError';
  }
}

/** `toolsVenv` from the plugin's entry in nx.json, when the workspace names one. */
export function configuredToolsVenv(workspaceRoot: string): string | undefined {
  const nxJsonFile = join(workspaceRoot, 'nx.json');
  if (!existsSync(nxJsonFile)) return undefined;
  let plugins: unknown;
  try {
    plugins = (JSON.parse(readFileSync(nxJsonFile, 'utf8')) as { plugins?: unknown }).plugins;
  } catch {
    return undefined; // Nx itself reports a broken nx.json far more clearly than a tool lookup could.
  }
  if (!Array.isArray(plugins)) return undefined;
  for (const entry of plugins) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { plugin, options } = entry as { plugin?: unknown; options?: { toolsVenv?: unknown } };
    if (plugin === PLUGIN_NAME && typeof options?.toolsVenv === 'string') {
      return isAbsolute(options.toolsVenv) ? options.toolsVenv : join(workspaceRoot, options.toolsVenv);
    }
  }
  return undefined;
}

/** The folders searched for a tool, in order: the configured tools venv, the workspace's `.venv`, then PATH. */
export function toolSearchPath(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const venvs = [configuredToolsVenv(workspaceRoot), join(workspaceRoot, '.venv')].filter((dir): dir is string => dir !== undefined);
  const venvBins = venvs.map((venv) => dirname(venvExecutable(venv, 'python')));
  const pathDirs = (env['PATH'] ?? '').split(delimiter).filter((dir) => dir.length > 0);
  return [...venvBins, ...pathDirs];
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, isWindows ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The tool's executable from the tools venv, the workspace's `.venv` or PATH, or undefined. */
export function findToolExecutable(workspaceRoot: string, name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fileName = isWindows ? `${name}.exe` : name;
  return toolSearchPath(workspaceRoot, env)
    .map((dir) => join(dir, fileName))
    .find(isExecutable);
}

/**
 * The tool where the user has it; a pinned tool nobody installed runs through `uv tool run` (uv caches it, so only
 * the first run downloads). Throws a MissingToolError that says how to get it otherwise.
 */
export function resolveTool(workspaceRoot: string, name: string, env: NodeJS.ProcessEnv = process.env): ToolCommand {
  const found = findToolExecutable(workspaceRoot, name, env);
  if (found) return { file: found, args: [], origin: dirname(found) };
  const pinned = PINNED_TOOLS[name];
  const looked = ['the plugin option toolsVenv', '.venv', 'PATH'];
  const uv = findToolExecutable(workspaceRoot, 'uv', env);
  // --quiet keeps uv's own progress out of the tool's output, which error messages quote.
  if (pinned && uv) return { file: uv, args: ['tool', 'run', '--quiet', '--from', pinned, name], origin: `uv tool run --from ${pinned}` };
  if (pinned) throw new MissingToolError(name, looked, `install ${pinned} there, or ${UV_INSTALL_HINT} so the plugin runs it through \`uv tool run\``);
  throw new MissingToolError(name, looked, name === 'uv' ? UV_INSTALL_HINT : `install ${name} there`);
}

/**
 * A Python interpreter that can import a pinned tool's package: the one beside the tool's executable when it lives
 * in a virtual environment, else one that `uv tool run` provides with the package installed.
 */
export function resolveToolPython(workspaceRoot: string, tool: string, env: NodeJS.ProcessEnv = process.env): ToolCommand {
  const command = resolveTool(workspaceRoot, tool, env);
  if (command.args.length === 0) {
    const sibling = join(dirname(command.file), isWindows ? 'python.exe' : 'python');
    if (isExecutable(sibling) && existsSync(join(dirname(dirname(command.file)), 'pyvenv.cfg'))) {
      return { file: sibling, args: [], origin: command.origin };
    }
  }
  const uv = resolveTool(workspaceRoot, 'uv', env);
  return { file: uv.file, args: ['tool', 'run', '--quiet', '--from', PINNED_TOOLS[tool] ?? tool, 'python'], origin: `uv tool run --from ${PINNED_TOOLS[tool] ?? tool}` };
}

/**
 * The path of a tool the workspace has (tools venv, `.venv`, PATH), or its bare name so that a spawn error names it.
 * Prefer `resolveTool`, which also runs pinned tools through uv.
 */
export function workspaceTool(workspaceRoot: string, name: string): string {
  return findToolExecutable(workspaceRoot, name) ?? name;
}

/**
 * The environment for tools that find their helpers on PATH (maturin finds zig and uv there; an sdist build finds
 * maturin): the configured tools venv's and the workspace `.venv`'s bin folders go first.
 */
export function toolsPathEnv(workspaceRoot: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const venvs = [configuredToolsVenv(workspaceRoot), join(workspaceRoot, '.venv')].filter((dir): dir is string => dir !== undefined && existsSync(dir));
  const bins = venvs.map((venv) => dirname(venvExecutable(venv, 'python')));
  return { ...base, PATH: [...bins, base['PATH'] ?? ''].join(delimiter) };
}
