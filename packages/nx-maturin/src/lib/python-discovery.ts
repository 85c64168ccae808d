import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, sep } from 'node:path';
import { execa } from 'execa';

/** A CPython interpreter that was found and actually ran. */
export interface PythonInterpreter {
  /** The `major.minor` that was asked for, e.g. `3.12`. */
  requested: string;
  /** The full version the interpreter reported, e.g. `3.12.1`. */
  version: string;
  executable: string;
  source: 'PATH' | 'pyenv' | 'uv';
}

export interface PythonDiscoveryOptions {
  /** Environment to search; defaults to `process.env`. PATH, PYENV_ROOT and HOME are read from it. */
  env?: NodeJS.ProcessEnv;
  /** The uv executable to ask (`uv python find`); `null` skips uv. Defaults to `uv` on the searched PATH. */
  uvExecutable?: string | null;
}

/** One place that was searched and what was found there, for the error message. */
interface SearchRecord {
  place: string;
  outcome: string;
}

export class PythonNotFoundError extends Error {
  constructor(
    readonly requested: string,
    readonly searched: SearchRecord[],
  ) {
    const places = searched.map((record) => `  - ${record.place}: ${record.outcome}`).join('\n');
    super(
      `CPython ${requested} was not found. Searched:\n${places}\n` +
        `Install CPython ${requested} (for example \`pyenv install ${requested}\`) or put python${requested} on PATH.`,
    );
    this.name = 'PythonNotFoundError';
  }

  /** The same facts on one line, for tools that report one line per problem. */
  get summary(): string {
    const places = this.searched.map((record) => `${record.place}: ${record.outcome}`).join('; ');
    return `CPython ${this.requested} not found (searched ${places}); install it, e.g. \`pyenv install ${this.requested}\``;
  }
}

const isWindows = process.platform === 'win32';
const PROBE_SCRIPT =
  'import sys, platform; print(platform.python_implementation(), "%d.%d.%d" % sys.version_info[:3])';

/**
 * Finds CPython `major.minor` on PATH, then under pyenv's versions folder, then through `uv python find`.
 * Every candidate is run once to confirm its implementation and version, so pyenv shims that point at
 * another version, or a `python3` of the wrong minor, are never returned.
 */
export async function findPythonInterpreter(
  requested: string,
  options: PythonDiscoveryOptions = {},
): Promise<PythonInterpreter> {
  if (!/^3\.\d+$/.test(requested)) {
    throw new Error(`Invalid Python version "${requested}": expected major.minor such as "3.12".`);
  }
  const env = options.env ?? process.env;
  const searched: SearchRecord[] = [];

  const fromPath = await firstConfirmed(requested, pathCandidates(requested, env), 'PATH', searched);
  if (fromPath) return fromPath;
  searched.push({ place: `PATH (${pathDirectories(env).join(delimiter) || 'empty'})`, outcome: `no CPython ${requested} as python${requested}, python3 or python` });

  const fromPyenv = await firstConfirmed(requested, pyenvCandidates(requested, env, searched), 'pyenv', searched);
  if (fromPyenv) return fromPyenv;

  const fromUv = await findWithUv(requested, options.uvExecutable === undefined ? 'uv' : options.uvExecutable, env, searched);
  if (fromUv) return fromUv;

  throw new PythonNotFoundError(requested, searched);
}

/** Finds every requested version, failing with one error that names all that are missing. */
export async function findPythonInterpreters(
  requested: readonly string[],
  options: PythonDiscoveryOptions = {},
): Promise<PythonInterpreter[]> {
  const results = await Promise.allSettled(requested.map((version) => findPythonInterpreter(version, options)));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as Error] : []));
  if (failures.length > 0) {
    throw new Error(failures.map((failure) => failure.message).join('\n'));
  }
  return results.map((result) => (result as PromiseFulfilledResult<PythonInterpreter>).value);
}

interface Candidate {
  executable: string;
  place: string;
}

function pathDirectories(env: NodeJS.ProcessEnv): string[] {
  return (env['PATH'] ?? env['Path'] ?? '').split(delimiter).filter(Boolean);
}

/**
 * PATH entries inside pyenv's root (its shims) are left to the pyenv step: a shim runs whichever version pyenv has
 * active, and asking each one costs a shell start-up, while the pyenv step reads the installed versions directly.
 */
function pathCandidates(requested: string, env: NodeJS.ProcessEnv): Candidate[] {
  const names = isWindows ? [`python${requested}.exe`, 'python3.exe', 'python.exe'] : [`python${requested}`, 'python3', 'python'];
  const pyenvPrefix = pyenvRoot(env) + sep;
  return pathDirectories(env)
    .filter((directory) => !(directory + sep).startsWith(pyenvPrefix))
    .flatMap((directory) => names.map((name) => ({ executable: join(directory, name), place: `PATH ${directory}` })));
}

function pyenvRoot(env: NodeJS.ProcessEnv): string {
  return env['PYENV_ROOT'] ?? join(env['HOME'] ?? homedir(), '.pyenv');
}

function pyenvCandidates(requested: string, env: NodeJS.ProcessEnv, searched: SearchRecord[]): Candidate[] {
  const versionsDirectory = join(pyenvRoot(env), 'versions');
  if (!existsSync(versionsDirectory)) {
    searched.push({ place: `pyenv ${versionsDirectory}`, outcome: 'folder does not exist' });
    return [];
  }
  const matching = readdirSync(versionsDirectory)
    .filter((name) => new RegExp(`^${requested.replace('.', '\\.')}\\.\\d+$`).test(name))
    .sort(compareVersionsDescending);
  if (matching.length === 0) {
    searched.push({ place: `pyenv ${versionsDirectory}`, outcome: `no ${requested}.* version installed` });
  }
  return matching.map((name) => ({
    executable: isWindows ? join(versionsDirectory, name, 'python.exe') : join(versionsDirectory, name, 'bin', `python${requested}`),
    place: `pyenv ${join(versionsDirectory, name)}`,
  }));
}

async function findWithUv(
  requested: string,
  uvExecutable: string | null,
  env: NodeJS.ProcessEnv,
  searched: SearchRecord[],
): Promise<PythonInterpreter | undefined> {
  const place = `uv python find ${requested}`;
  if (uvExecutable === null) {
    searched.push({ place, outcome: 'skipped (uv disabled)' });
    return undefined;
  }
  const result = await execa(uvExecutable, ['python', 'find', '--no-python-downloads', requested], {
    env: { ...env, UV_NO_PROGRESS: '1' },
    extendEnv: false,
    reject: false,
  });
  if (result.failed) {
    const reason = result.code === 'ENOENT' ? 'uv is not installed' : oneLine(result.stderr) || `exit code ${result.exitCode}`;
    searched.push({ place, outcome: reason });
    return undefined;
  }
  return firstConfirmed(requested, [{ executable: result.stdout.trim(), place }], 'uv', searched);
}

async function firstConfirmed(
  requested: string,
  candidates: Candidate[],
  source: PythonInterpreter['source'],
  searched: SearchRecord[],
): Promise<PythonInterpreter | undefined> {
  const existing = uniqueExecutables(candidates.filter((candidate) => existsSync(candidate.executable)));
  // Probed all at once; the first in search order that fits wins, so the answer does not depend on timing.
  const probes = await Promise.all(existing.map((candidate) => probeVersion(candidate.executable)));
  for (const [index, candidate] of existing.entries()) {
    const version = probes[index]!;
    if (version.kind === 'cpython' && version.version.startsWith(`${requested}.`)) {
      return { requested, version: version.version, executable: candidate.executable, source };
    }
    searched.push({ place: `${candidate.place} (${candidate.executable})`, outcome: version.description });
  }
  return undefined;
}

/** `/bin/python3` and `/usr/bin/python3` are often one file: ask it once. */
function uniqueExecutables(candidates: Candidate[]): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    const target = realpathSync(candidate.executable);
    if (seen.has(target)) return false;
    seen.add(target);
    return true;
  });
}

type ProbeResult = { kind: 'cpython'; version: string; description: string } | { kind: 'other'; description: string };

async function probeVersion(executable: string): Promise<ProbeResult> {
  const result = await execa(executable, ['-c', PROBE_SCRIPT], { reject: false, timeout: 15_000 });
  if (result.failed) {
    return { kind: 'other', description: `does not run (${oneLine(result.stderr) || `exit code ${result.exitCode}`})` };
  }
  const [implementation, version] = result.stdout.trim().split(' ');
  if (implementation !== 'CPython' || version === undefined) {
    return { kind: 'other', description: `is ${result.stdout.trim()}, not CPython` };
  }
  return { kind: 'cpython', version, description: `is CPython ${version}` };
}

function compareVersionsDescending(left: string, right: string): number {
  const leftParts = left.split('.').map(Number);
  const rightParts = right.split('.').map(Number);
  for (let index = 0; index < Math.max(leftParts.length, rightParts.length); index += 1) {
    const difference = (rightParts[index] ?? 0) - (leftParts[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function oneLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
