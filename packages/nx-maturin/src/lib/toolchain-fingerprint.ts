import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { findPythonInterpreters as FindPythonInterpreters, PythonInterpreter } from './python-discovery';
import { findToolExecutable, PINNED_TOOLS, toolsPathEnv } from './workspace-tools';

const isWindows = process.platform === 'win32';

/** What a probe of the toolchain found: the description that goes into cache keys, and the interpreters it ran. */
export interface ToolchainProbe {
  description: string;
  interpreters: PythonInterpreter[];
}

/**
 * One line per fact a wheel or test result depends on besides the sources. Paths are left out on purpose: two
 * checkouts of the same platform must share cache entries, and two platforms never may.
 */
export async function describeToolchain(workspaceRoot: string, pythonVersions: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return (await probeToolchain(workspaceRoot, pythonVersions, env)).description;
}

async function probeToolchain(workspaceRoot: string, pythonVersions: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolchainProbe> {
  // Loaded here, not at the top: they take ~0.1 s to load (execa), and a memoised call needs neither.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execa } = require('execa') as typeof import('execa');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { findPythonInterpreters } = require('./python-discovery') as { findPythonInterpreters: typeof FindPythonInterpreters };
  const toolVersion = async (executable: string, args: string[]): Promise<string> => {
    // In the workspace root, whatever folder Nx runs from: rustup picks the toolchain by the rust-toolchain file
    // nearest to the working folder, and the memo key watches the root's (a project's own: toolchain-fingerprint-project.ts).
    const result = await execa(executable, args, { reject: false, env, extendEnv: false, cwd: workspaceRoot });
    if (result.failed) return `${executable}: unavailable`;
    // rustc -vV lists host and LLVM too, which decide the wheels as much as the version does.
    return result.stdout.trim().split('\n').filter((line) => !line.startsWith('commit-date')).join(' | ');
  };
  // Without a maturin of its own the workspace builds with the plugin's pinned one through `uv tool run`, so the pin
  // is what the wheels depend on.
  const maturinExecutable = findToolExecutable(workspaceRoot, 'maturin', env);
  // A missing interpreter is reported only once the other probes have finished too, so that none outlives the call.
  const interpreters = findPythonInterpreters(pythonVersions, { env }).then(
    (found) => ({ found }),
    (error: unknown) => ({ error }),
  );
  const [rustc, maturin, discovery] = await Promise.all([
    // Cargo compiles with $RUSTC when it is set, so that is the compiler to describe.
    toolVersion(env['RUSTC'] || 'rustc', ['-vV']),
    maturinExecutable ? toolVersion(maturinExecutable, ['--version']) : Promise.resolve(`${PINNED_TOOLS['maturin']} through uv tool run`),
    interpreters,
  ]);
  if ('error' in discovery) throw discovery.error;
  const libc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    ?.glibcVersionRuntime;
  const description = [
    `platform ${process.platform} ${process.arch}${libc ? ` glibc ${libc}` : ''}`,
    rustc,
    maturin,
    ...discovery.found.map((interpreter) => `CPython ${interpreter.version}`),
  ].join('\n');
  return { description, interpreters: discovery.found };
}

/**
 * `describeToolchain`, answered from a memo while nothing it depends on has changed. Probing rustc, maturin and
 * every interpreter costs a few hundred milliseconds, and Nx asks on every hash of a build or test target; the memo
 * costs a few `stat` calls. It is keyed by what decides which tools are found and what they are: the search
 * folders (PATH, the tools venv, pyenv's and uv's Python folders, rustup's toolchains), the found executables and
 * the mtimes of all of these, so installing, removing or upgrading any of them misses the memo.
 */
export async function describeToolchainMemoised(
  workspaceRoot: string,
  pythonVersions: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return (await probeToolchainMemoised(workspaceRoot, pythonVersions, env)).description;
}

/**
 * The interpreters for `pythonVersions` from the same memo: the executors run right after Nx's hook has probed
 * them for the fingerprint, and probing them again (one process start per candidate) would only repeat that.
 */
export async function findPythonInterpretersMemoised(
  workspaceRoot: string,
  pythonVersions: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<PythonInterpreter[]> {
  return (await probeToolchainMemoised(workspaceRoot, pythonVersions, env)).interpreters;
}

async function probeToolchainMemoised(workspaceRoot: string, pythonVersions: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolchainProbe> {
  const key = toolchainMemoKey(workspaceRoot, pythonVersions, env);
  const memoFile = join(env['NX_WORKSPACE_DATA_DIRECTORY'] ?? join(workspaceRoot, '.nx', 'workspace-data'), 'nx-maturin-toolchain.json');
  const memo = readMemo(memoFile);
  const remembered = memo[key];
  if (isToolchainProbe(remembered)) return remembered;
  const probe = await probeToolchain(workspaceRoot, pythonVersions, env);
  // A few keys are kept (targets may ask for different Python versions); older ones only come back after a downgrade.
  const recent = Object.entries(memo).slice(-(MEMO_ENTRIES - 1));
  writeMemo(memoFile, Object.fromEntries([...recent, [key, probe]]));
  return probe;
}

/** A memo entry of this plugin version's shape; anything else (an older plugin's entry) is probed afresh. */
function isToolchainProbe(entry: unknown): entry is ToolchainProbe {
  const candidate = entry as Partial<ToolchainProbe> | undefined;
  return typeof candidate?.description === 'string' && Array.isArray(candidate.interpreters);
}

const MEMO_ENTRIES = 8;

/**
 * The toolchain as one short value for a cache key: a hash of the memoised description. It holds only hex digits,
 * so any shell can print it from an environment variable unquoted (see toolchain-input.ts).
 */
export async function toolchainFingerprint(workspaceRoot: string, pythonVersions: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const description = await describeToolchainMemoised(workspaceRoot, pythonVersions, env);
  return createHash('sha256').update(description).digest('hex');
}

/** The memo key: a hash over the searched folders and found executables with their mtimes (see above). */
export function toolchainMemoKey(workspaceRoot: string, pythonVersions: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const home = env['HOME'] ?? homedir();
  const rustupHome = env['RUSTUP_HOME'] ?? join(home, '.rustup');
  const pyenvVersions = join(env['PYENV_ROOT'] ?? join(home, '.pyenv'), 'versions');
  const uvPythons = env['UV_PYTHON_INSTALL_DIR'] ?? join(env['XDG_DATA_HOME'] ?? join(home, '.local', 'share'), 'uv', 'python');
  // The tools venv's bin folder first, then PATH: where maturin, rustc and the interpreters are looked for.
  const searchFolders = [...new Set((toolsPathEnv(workspaceRoot, env)['PATH'] ?? '').split(delimiter))].filter(Boolean);
  const watched = [
    ...searchFolders,
    join(rustupHome, 'settings.toml'),
    ...childPaths(join(rustupHome, 'toolchains')).map((toolchain) => join(toolchain, 'bin', 'rustc')),
    join(workspaceRoot, 'rust-toolchain.toml'),
    join(workspaceRoot, 'rust-toolchain'),
    pyenvVersions,
    ...childPaths(pyenvVersions).map((version) => join(version, 'bin')),
    uvPythons,
    // The interpreter files themselves: a folder's mtime moves only when an entry is added, removed or renamed.
    ...interpreterFileNames(pythonVersions).flatMap((name) => searchFolders.map((folder) => join(folder, name))),
    ...childPaths(pyenvVersions).flatMap((version) => interpreterFileNames(pythonVersions).map((name) => join(version, isWindows ? '' : 'bin', name))),
    // The maturin and rustc that will run: the first of each in the search folders, or $RUSTC.
    ...['maturin', 'rustc'].map((tool) => searchFolders.map((folder) => join(folder, isWindows ? `${tool}.exe` : tool)).find((file) => existsSync(file)) ?? `${tool}: not found`),
    ...(env['RUSTC'] ? [env['RUSTC']] : []),
    // Any shared library installed or upgraded (glibc included) rewrites the loader cache.
    '/etc/ld.so.cache',
  ];
  const hash = createHash('sha256');
  hash.update(JSON.stringify([process.platform, process.arch, pythonVersions, env['RUSTUP_TOOLCHAIN'] ?? '', env['RUSTC'] ?? '', env['VIRTUAL_ENV'] ?? '']));
  for (const path of watched) hash.update(`\n${path} ${modified(path)}`);
  return hash.digest('hex');
}

/** The executable names interpreter discovery tries (see python-discovery.ts). */
function interpreterFileNames(pythonVersions: readonly string[]): string[] {
  const names = [...pythonVersions.map((version) => `python${version}`), 'python3', 'python'];
  return isWindows ? names.map((name) => `${name}.exe`) : names;
}

function modified(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs} ${stat.size} ${stat.ino}`;
  } catch {
    return 'missing';
  }
}

function childPaths(folder: string): string[] {
  try {
    return readdirSync(folder)
      .sort()
      .map((name) => join(folder, name));
  } catch {
    return [];
  }
}

function readMemo(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function writeMemo(file: string, memo: Record<string, unknown>): void {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    // Written aside and renamed: Nx may hash several targets at once, and a reader must never see half a file.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(memo));
    renameSync(partial, file);
  } catch {
    // A memo that cannot be written only costs the next call a fresh probe.
  }
}
