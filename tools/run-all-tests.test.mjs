// The test command ends with one table of every runner's counts; CI reads its closing line. This runs the real
// script against a stand-in for nx that prints each runner's closing lines, so the parsing is what is tested.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), 'run-all-tests.mjs');

function runWithFakeNx(output, exitCode) {
  const root = mkdtempSync(join(tmpdir(), 'run-all-tests-'));
  try {
    mkdirSync(join(root, 'tools'));
    cpSync(script, join(root, 'tools', 'run-all-tests.mjs'));
    mkdirSync(join(root, 'node_modules', 'nx', 'dist', 'bin'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), `process.stdout.write(${JSON.stringify(output)}); process.exit(${exitCode});\n`);
    return spawnSync(process.execPath, [join(root, 'tools', 'run-all-tests.mjs')], { encoding: 'utf8' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const NX_OUTPUT = [
  '> nx run nx-maturin:test',
  'nx-maturin: Tests:       2 failed, 113 passed, 115 total',
  '> nx run recorder:test',
  'recorder:      Summary [   0.231s] 13 tests run: 13 passed, 0 skipped',
  'recorder: ============ 1 failed, 42 passed, 1 skipped in 1.14s ============',
  '> nx run workspace-tools:test',
  'workspace-tools: # pass 3',
  'workspace-tools: # fail 0',
  'workspace-tools: # skipped 1',
  '',
].join('\n');

test('adds up every runner and closes with "N passed, N failed, N skipped"', () => {
  const result = runWithFakeNx(NX_OUTPUT, 1);
  assert.equal(result.status, 1);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.at(-1), '171 passed, 3 failed, 2 skipped');
  assert.match(result.stdout, /nx-maturin:test\s+jest\s+113\s+2\s+0/);
  assert.match(result.stdout, /recorder:test\s+cargo nextest\s+13\s+0\s+0/);
  assert.match(result.stdout, /recorder:test\s+pytest\s+42\s+1\s+1/);
  assert.match(result.stdout, /workspace-tools:test\s+node --test\s+3\s+0\s+1/);
});

test("reads node --test's spec reporter (Node 24's default) as well as its tap reporter", () => {
  const specOutput = ['> nx run workflows:test', 'workflows: \u001b[34mℹ pass 40\u001b[39m', 'workflows: \u001b[34mℹ fail 2\u001b[39m', 'workflows: ℹ skipped 1', ''].join('\n');
  const result = runWithFakeNx(specOutput, 1);
  assert.match(result.stdout, /workflows:test\s+node --test\s+40\s+2\s+1/);
  assert.equal(result.stdout.trim().split('\n').at(-1), '40 passed, 2 failed, 1 skipped');
});

test('counts a failed lint or typecheck as a failure even when every test passed', () => {
  const result = runWithFakeNx('> nx run nx-maturin:lint\nnx-maturin: 1 error\n', 1);
  assert.equal(result.status, 1);
  assert.equal(result.stdout.trim().split('\n').at(-1), '0 passed, 1 failed, 0 skipped');
});
