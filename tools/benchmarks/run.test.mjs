// The benchmark command's choice of Node binary: `--node=<path>` must hand the whole run to that binary (so the lead
// can compare Node versions on an idle machine) and refuse a path that is not one, before any section runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), 'run.mjs');

test('--node re-runs the benchmark under that binary with the other options and its folder first on PATH', (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'bench-node-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  const record = join(folder, 'record.txt');
  // A stand-in node that answers --version and records how the benchmark started it.
  const fakeNode = join(folder, 'node');
  writeFileSync(fakeNode, `#!/bin/sh\nif [ "$1" = --version ]; then echo v99.0.0; exit 0; fi\nprintf '%s\\n' "$@" > '${record}'\necho "PATH=$PATH" >> '${record}'\nexit 3\n`);
  chmodSync(fakeNode, 0o755);
  const result = spawnSync(process.execPath, [script, '--only=fixed', `--node=${fakeNode}`, '--no-write'], { encoding: 'utf8' });
  assert.equal(result.status, 3, result.stderr);
  assert.match(result.stderr, /running again under .*node \(v99\.0\.0\)/);
  const [file, ...rest] = readFileSync(record, 'utf8').trim().split('\n');
  assert.equal(file, script);
  assert.deepEqual(rest.slice(0, -1), ['--only=fixed', '--no-write']);
  assert.ok(rest.at(-1).startsWith(`PATH=${folder}:`), rest.at(-1));
});

test('--node refuses a path that is not a node binary, naming it and what was expected', () => {
  const result = spawnSync(process.execPath, [script, '--node', '/nonexistent/node', '--only=fixed'], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /^--node: \/nonexistent\/node is not a node binary that runs \(no such file\); expected the path of a node executable/);
});
