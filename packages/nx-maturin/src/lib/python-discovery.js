// @ts-check
// Finds the CPython interpreters every part of the workspace uses. Plain CommonJS with JSDoc types and only Node's
// own modules, on purpose: the plugin compiles it with its TypeScript (allowJs, checkJs), and the workspace's
// bootstrap loads this same file from the source tree before `npm ci` has installed anything, so the tools venv can
// be made while npm is still installing. One discovery, two callers.
'use strict';

const { execFile } = require('node:child_process');
const { existsSync, readdirSync, realpathSync } = require('node:fs');
const { homedir } = require('node:os');
const { delimiter, join, sep } = require('node:path');

/**
 * A CPython interpreter that was found and actually ran.
 * @typedef {object} PythonInterpreter
 * @property {string} requested The `major.minor` that was asked for, e.g. `3.12`.
 * @property {string} version The full version the interpreter reported, e.g. `3.12.1`.
 * @property {string} executable
 * @property {'PATH' | 'pyenv' | 'uv'} source
 */

/**
 * @typedef {object} PythonDiscoveryOptions
 * @property {NodeJS.ProcessEnv} [env] Environment to search; defaults to `process.env`. PATH, PYENV_ROOT and HOME are
 *   read from it.
 * @property {string | null} [uvExecutable] The uv executable to ask (`uv python find`); `null` skips uv. Defaults to
 *   `uv` on the searched PATH.
 */

/**
 * One place that was searched and what was found there, for the error message.
 * @typedef {{ place: string, outcome: string }} SearchRecord
 */

/** @typedef {{ executable: string, place: string }} Candidate */

/**
 * @typedef {{ kind: 'cpython', version: string, description: string } | { kind: 'other', description: string }} ProbeResult
 */

class PythonNotFoundError extends Error {
  /**
   * @param {string} requested
   * @param {SearchRecord[]} searched
   */
  constructor(requested, searched) {
    const places = searched.map((record) => `  - ${record.place}: ${record.outcome}`).join('\n');
    super(
      `CPython ${requested} was not found. Searched:\n${places}\n` +
        `Install CPython ${requested} (for example \`pyenv install ${requested}\`) or put python${requested} on PATH.`,
    );
    this.name = 'PythonNotFoundError';
    /** @readonly */
    this.requested = requested;
    /** @readonly */
    this.searched = searched;
  }

  /** The same facts on one line, for tools that report one line per problem. */
  get summary() {
    const places = this.searched.map((record) => `${record.place}: ${record.outcome}`).join('; ');
    return `CPython ${this.requested} not found (searched ${places}); install it, e.g. \`pyenv install ${this.requested}\``;
  }
}

const isWindows = process.platform === 'win32';
const PROBE_SCRIPT = 'import sys, platform; print(platform.python_implementation(), "%d.%d.%d" % sys.version_info[:3])';

/**
 * Finds CPython `major.minor` on PATH, then under pyenv's versions folder, then through `uv python find`.
 * Every candidate is run once to confirm its implementation and version, so pyenv shims that point at
 * another version, or a `python3` of the wrong minor, are never returned.
 * @param {string} requested
 * @param {PythonDiscoveryOptions} [options]
 * @returns {Promise<PythonInterpreter>}
 */
async function findPythonInterpreter(requested, options = {}) {
  if (!/^3\.\d+$/.test(requested)) {
    throw new Error(`Invalid Python version "${requested}": expected major.minor such as "3.12".`);
  }
  const env = options.env ?? process.env;
  /** @type {SearchRecord[]} */
  const searched = [];

  const fromPath = await firstConfirmed(requested, pathCandidates(requested, env), 'PATH', searched);
  if (fromPath) return fromPath;
  searched.push({ place: `PATH (${pathDirectories(env).join(delimiter) || 'empty'})`, outcome: `no CPython ${requested} as python${requested}, python3 or python` });

  const fromPyenv = await firstConfirmed(requested, pyenvCandidates(requested, env, searched), 'pyenv', searched);
  if (fromPyenv) return fromPyenv;

  const fromUv = await findWithUv(requested, options.uvExecutable === undefined ? 'uv' : options.uvExecutable, env, searched);
  if (fromUv) return fromUv;

  throw new PythonNotFoundError(requested, searched);
}

/**
 * Finds every requested version, failing with one error that names all that are missing.
 * @param {readonly string[]} requested
 * @param {PythonDiscoveryOptions} [options]
 * @returns {Promise<PythonInterpreter[]>}
 */
async function findPythonInterpreters(requested, options = {}) {
  const results = await Promise.allSettled(requested.map((version) => findPythonInterpreter(version, options)));
  /** @type {PythonInterpreter[]} */
  const found = [];
  /** @type {string[]} */
  const failures = [];
  for (const result of results) {
    if (result.status === 'fulfilled') found.push(result.value);
    else failures.push(/** @type {Error} */ (result.reason).message);
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
  return found;
}

/** @param {NodeJS.ProcessEnv} env */
function pathDirectories(env) {
  return (env['PATH'] ?? env['Path'] ?? '').split(delimiter).filter(Boolean);
}

/**
 * PATH entries inside pyenv's root (its shims) are left to the pyenv step: a shim runs whichever version pyenv has
 * active, and asking each one costs a shell start-up, while the pyenv step reads the installed versions directly.
 * @param {string} requested
 * @param {NodeJS.ProcessEnv} env
 * @returns {Candidate[]}
 */
function pathCandidates(requested, env) {
  const names = isWindows ? [`python${requested}.exe`, 'python3.exe', 'python.exe'] : [`python${requested}`, 'python3', 'python'];
  const pyenvPrefix = pyenvRoot(env) + sep;
  return pathDirectories(env)
    .filter((directory) => !(directory + sep).startsWith(pyenvPrefix))
    .flatMap((directory) => names.map((name) => ({ executable: join(directory, name), place: `PATH ${directory}` })));
}

/** @param {NodeJS.ProcessEnv} env */
function pyenvRoot(env) {
  return env['PYENV_ROOT'] ?? join(env['HOME'] ?? homedir(), '.pyenv');
}

/**
 * @param {string} requested
 * @param {NodeJS.ProcessEnv} env
 * @param {SearchRecord[]} searched
 * @returns {Candidate[]}
 */
function pyenvCandidates(requested, env, searched) {
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

/**
 * @param {string} requested
 * @param {string | null} uvExecutable
 * @param {NodeJS.ProcessEnv} env
 * @param {SearchRecord[]} searched
 * @returns {Promise<PythonInterpreter | undefined>}
 */
async function findWithUv(requested, uvExecutable, env, searched) {
  const place = `uv python find ${requested}`;
  if (uvExecutable === null) {
    searched.push({ place, outcome: 'skipped (uv disabled)' });
    return undefined;
  }
  const result = await runQuietly(uvExecutable, ['python', 'find', '--no-python-downloads', requested], { env: { ...env, UV_NO_PROGRESS: '1' } });
  if (result.failure !== undefined) {
    searched.push({ place, outcome: result.notInstalled ? 'uv is not installed' : result.failure });
    return undefined;
  }
  return firstConfirmed(requested, [{ executable: result.stdout.trim(), place }], 'uv', searched);
}

/**
 * @param {string} requested
 * @param {Candidate[]} candidates
 * @param {PythonInterpreter['source']} source
 * @param {SearchRecord[]} searched
 * @returns {Promise<PythonInterpreter | undefined>}
 */
async function firstConfirmed(requested, candidates, source, searched) {
  const existing = uniqueExecutables(candidates.filter((candidate) => existsSync(candidate.executable)));
  // Probed all at once; the first in search order that fits wins, so the answer does not depend on timing.
  const probes = await Promise.all(existing.map((candidate) => probeVersion(candidate.executable)));
  for (const [index, candidate] of existing.entries()) {
    const version = /** @type {ProbeResult} */ (probes[index]);
    if (version.kind === 'cpython' && version.version.startsWith(`${requested}.`)) {
      return { requested, version: version.version, executable: candidate.executable, source };
    }
    searched.push({ place: `${candidate.place} (${candidate.executable})`, outcome: version.description });
  }
  return undefined;
}

/**
 * `/bin/python3` and `/usr/bin/python3` are often one file: ask it once.
 * @param {Candidate[]} candidates
 */
function uniqueExecutables(candidates) {
  const seen = new Set();
  return candidates.filter((candidate) => {
    const target = realpathSync(candidate.executable);
    if (seen.has(target)) return false;
    seen.add(target);
    return true;
  });
}

/**
 * @param {string} executable
 * @returns {Promise<ProbeResult>}
 */
async function probeVersion(executable) {
  const result = await runQuietly(executable, ['-c', PROBE_SCRIPT], { timeout: 15_000 });
  if (result.failure !== undefined) return { kind: 'other', description: `does not run (${result.failure})` };
  const [implementation, version] = result.stdout.trim().split(' ');
  if (implementation !== 'CPython' || version === undefined) {
    return { kind: 'other', description: `is ${result.stdout.trim()}, not CPython` };
  }
  return { kind: 'cpython', version, description: `is CPython ${version}` };
}

/**
 * Runs a short probe and never throws: `failure` is set, to the first line of stderr or the exit status, when it did
 * not start or did not succeed.
 * @param {string} file
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, timeout?: number }} options
 * @returns {Promise<{ stdout: string, failure?: string, notInstalled?: boolean }>}
 */
function runQuietly(file, args, options) {
  return new Promise((resolve) => {
    const child = execFile(file, args, { encoding: 'utf8', env: options.env ?? process.env, timeout: options.timeout ?? 0, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ stdout });
        return;
      }
      const code = /** @type {NodeJS.ErrnoException} */ (error).code;
      const status = typeof code === 'number' ? `exit code ${code}` : error.killed ? `timed out after ${options.timeout} ms` : error.message;
      resolve({ stdout, failure: oneLine(stderr) || status, notInstalled: code === 'ENOENT' });
    });
    child.stdin?.end();
  });
}

/**
 * @param {string} left
 * @param {string} right
 */
function compareVersionsDescending(left, right) {
  const leftParts = left.split('.').map(Number);
  const rightParts = right.split('.').map(Number);
  for (let index = 0; index < Math.max(leftParts.length, rightParts.length); index += 1) {
    const difference = (rightParts[index] ?? 0) - (leftParts[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** @param {string} text */
function oneLine(text) {
  return text.trim().split('\n')[0] ?? '';
}

module.exports = { findPythonInterpreter, findPythonInterpreters, PythonNotFoundError };
