#!/usr/bin/env node
// Installs everything the workspace needs, and nothing twice: npm packages, the compiled Nx plugin, the Python
// tools venv and cargo-nextest. Each step keeps a fingerprint of its inputs in .tools/stamps.json and is skipped
// when the fingerprint still matches, so a second run with nothing changed takes about a second.
// Plain JavaScript on purpose: it must run before node_modules exists.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stampsFile = join(workspaceRoot, '.tools', 'stamps.json');
const isWindows = process.platform === 'win32';
const NODE_RANGE = '^20.19.0 || ^22.12.0 || >=24.0.0';
const RUST_MINIMUM = [1, 85];
const NEXTEST_VERSION = '0.9.148';
const TOOLS_PYTHON = '3.12';
const REQUIRED_PYTHONS = ['3.12', '3.13'];

class BootstrapError extends Error {}

const report = [];

function main() {
  const started = Date.now();
  checkNode();
  const stamps = readStamps();
  step(stamps, 'npm packages', fingerprintFiles(['package-lock.json']), join('node_modules', '.package-lock.json'), () => {
    run('npm', ['ci', '--no-audit', '--no-fund']);
  });
  step(stamps, 'nx-maturin plugin (compiled)', fingerprintTree('packages/nx-maturin', ['src', 'tsconfig.json', 'package.json']), join('packages', 'nx-maturin', 'dist', 'index.js'), () => {
    run(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-b', 'packages/nx-maturin/tsconfig.json']);
  });
  checkCargo();
  ensureCapnp();
  return findInterpreters().then((interpreters) => {
    const toolsPython = interpreters.find((interpreter) => interpreter.requested === TOOLS_PYTHON);
    const venv = join(workspaceRoot, '.tools', 'venv');
    step(stamps, 'python tools venv (.tools/venv)', fingerprintFiles(['tools/python/requirements.txt']) + toolsPython.version, relative(workspaceRoot, venvPath(venv, 'python')), () => {
      rmSync(venv, { recursive: true, force: true });
      run(toolsPython.executable, ['-m', 'venv', venv]);
      run(venvPath(venv, 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--require-hashes', '-r', join('tools', 'python', 'requirements.txt')]);
    });
    ensureNextest();
    writeStamps(stamps);
    printReport(interpreters, Date.now() - started);
  });
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
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', 'capnproto']);
    probe = spawnSync('capnp', ['--version'], { encoding: 'utf8' });
  }
  report.push(['capnp', probe.stdout.trim().replace(/^Cap'n Proto version /, ''), 'PATH']);
}

async function findInterpreters() {
  const discovery = await import(pathToFileURL(join(workspaceRoot, 'packages', 'nx-maturin', 'dist', 'lib', 'python-discovery.js')).href);
  const interpreters = [];
  const missing = [];
  for (const version of REQUIRED_PYTHONS) {
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

function ensureNextest() {
  const probe = spawnSync('cargo', ['nextest', '--version'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(`bootstrap: installing cargo-nextest ${NEXTEST_VERSION} (cargo install --locked; a few minutes the first time)`);
    run('cargo', ['install', '--locked', `cargo-nextest@${NEXTEST_VERSION}`]);
  }
  const installed = spawnSync('cargo', ['nextest', '--version'], { encoding: 'utf8' });
  report.push(['cargo-nextest', installed.stdout.trim().split(/\s+/)[1] ?? '?', 'cargo install']);
}

/** Runs `action` unless the inputs' fingerprint is the one recorded last time and what it made (`product`) exists. */
function step(stamps, name, fingerprint, product, action) {
  if (stamps[name] === fingerprint && existsSync(join(workspaceRoot, product))) {
    report.push([name, 'up to date', '']);
    return;
  }
  console.log(`bootstrap: ${name}: installing`);
  const started = Date.now();
  action();
  stamps[name] = fingerprint;
  writeStamps(stamps);
  report.push([name, `installed in ${((Date.now() - started) / 1000).toFixed(1)} s`, '']);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: workspaceRoot, stdio: 'inherit', shell: isWindows && command === 'npm' });
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

function printReport(interpreters, elapsedMs) {
  for (const interpreter of interpreters) {
    report.push([`CPython ${interpreter.requested}`, interpreter.version, `${interpreter.source}: ${relative(workspaceRoot, interpreter.executable).startsWith('..') ? interpreter.executable : relative(workspaceRoot, interpreter.executable)}`]);
  }
  const width = Math.max(...report.map(([name]) => name.length));
  console.log(`bootstrap: ready in ${(elapsedMs / 1000).toFixed(1)} s`);
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
