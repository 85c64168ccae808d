// What Nx prints for a tool that writes partial lines (as cargo and maturin do under load), run through the
// plugin's process runner in an Nx executor: whole lines, in order, no colour codes off a terminal, and the same
// again when Nx replays the task from its cache. A second executor spawning the tool with inherited output shows
// the breakage this guards against, so the test cannot pass by Nx happening to read whole chunks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const runProcess = join(workspaceRoot, 'packages', 'nx-maturin', 'dist', 'lib', 'run-process.js');

/** Writes like cargo and maturin: a status word, then the rest of the line in a later write; colour codes too. */
const TOOL = `
const pieces = ['   \\u001b[1;32mCompiling\\u001b[0m', ' proc-macro2 v1.0.107\\n', '🐍 Found ', 'CPython 3.13 at /usr/bin/python3.13\\n', '3', '.', '13\\n', 'From \`cargo ', 'package --list\`:\\n'];
(async () => {
  for (const piece of pieces) await new Promise((done) => process.stderr.write(piece, () => setTimeout(done, 40)));
  process.stderr.write('done\\n');
})();
`;
const EXPECTED = ['   Compiling proc-macro2 v1.0.107', '🐍 Found CPython 3.13 at /usr/bin/python3.13', '3.13', 'From `cargo package --list`:', 'done'];

describe('tool output through Nx', () => {
  let dir;
  let cacheDir;

  function nx(...args) {
    const env = { ...process.env, NX_DAEMON: 'false', NX_CACHE_DIRECTORY: cacheDir, NX_SKIP_NX_CACHE: '', NX_TUI: 'false', NX_NO_CLOUD: 'true', CI: 'true' };
    // The probe is any workspace, with Nx's own task runner: not this repository's choice (its root .env, which Nx
    // hands to the tasks it runs here, this test's among them).
    delete env.NX_NATIVE_COMMAND_RUNNER;
    const result = spawnSync(process.execPath, [join(dir, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], { cwd: dir, encoding: 'utf8', env });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    return `${result.stdout}${result.stderr}`;
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nx-output-'));
    cacheDir = mkdtempSync(join(tmpdir(), 'nx-output-cache-'));
    symlinkSync(join(workspaceRoot, 'node_modules'), join(dir, 'node_modules'));
    const write = (file, text) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    write('package.json', JSON.stringify({ name: 'nx-output-probe', private: true }));
    write('nx.json', JSON.stringify({ neverConnectToCloud: true }));
    write('tool.js', TOOL);
    write('executors/package.json', JSON.stringify({ name: 'probe-executors', executors: './executors.json' }));
    write('executors/schema.json', JSON.stringify({ type: 'object', properties: {} }));
    write(
      'executors/executors.json',
      JSON.stringify({ executors: { whole: { implementation: './whole.js', schema: './schema.json' }, inherited: { implementation: './inherited.js', schema: './schema.json' } } }),
    );
    write(
      'executors/whole.js',
      `const { runStreaming } = require(${JSON.stringify(runProcess)});
module.exports = async (_options, context) => { await runStreaming(process.execPath, ['tool.js'], { cwd: context.root }); return { success: true }; };`,
    );
    write(
      'executors/inherited.js',
      `const { spawnSync } = require('node:child_process');
module.exports = async (_options, context) => ({ success: spawnSync(process.execPath, ['tool.js'], { cwd: context.root, stdio: 'inherit' }).status === 0 });`,
    );
    const target = (executor) => ({ executor, cache: true, inputs: ['{workspaceRoot}/tool.js'], outputs: [] });
    write('probe/project.json', JSON.stringify({ name: 'probe', root: 'probe', targets: { whole: target('./executors:whole'), inherited: target('./executors:inherited') } }));
  });

  after(() => {
    for (const folder of [dir, cacheDir]) if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const toolLines = (output) => output.split('\n').filter((line) => EXPECTED.includes(line));

  test('a tool spawned with inherited output is cut at every partial write (the breakage)', () => {
    const output = nx('run', 'probe:inherited');
    assert.match(output, /^ {3}.*Compiling.*$\n^ proc-macro2 v1\.0\.107$/m);
    assert.match(output, /^3$\n^\.$\n^13$/m);
  });

  test('the process runner gives Nx whole lines without colour codes, and the cache replays the same', () => {
    const first = nx('run', 'probe:whole');
    for (const line of EXPECTED) assert.match(first, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&')}$`, 'm'));
    assert.ok(!first.includes('\u001b[1;32m'), 'no colour codes off a terminal');
    assert.doesNotMatch(first, /^ proc-macro2|^\.$|^13$/m);
    const replay = nx('run', 'probe:whole');
    assert.match(replay, /existing outputs match the cache|local cache/);
    assert.deepEqual(toolLines(first), EXPECTED);
    assert.deepEqual(toolLines(replay), EXPECTED);
  });
});
