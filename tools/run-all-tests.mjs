#!/usr/bin/env node
// The whole test suite: lint, typecheck and test for every project through Nx (so caching and the task graph
// apply), streamed live, then one table of what each test runner reported and a closing "N passed, N failed" line.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { fileURLToPath } from 'node:url';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const nxArgs = ['run-many', '-t', 'lint', 'typecheck', 'test', '--outputStyle=stream', '--parallel=1', ...process.argv.slice(2)];

/** Closing lines of the runners Nx drives; each match yields counts for the summary. */
const RUNNER_PATTERNS = [
  { runner: 'jest', pattern: /^(?:.*\s)?Tests:\s+(.*\d+ total)\s*$/, parse: countsFromList },
  { runner: 'cargo nextest', pattern: /Summary \[[^\]]*\]\s+(\d+) tests? run: (.*)$/, parse: (match) => countsFromList(match[2]) },
  { runner: 'pytest', pattern: /={2,} (.*(?:passed|failed|error|skipped).*) in [\d.]+s.* ={2,}/, parse: countsFromList },
  // node --test closes with one counter per line; `pass` opens the row and the following counters fill it in. The
  // tap reporter marks them `#`, the spec reporter (Node 23+'s default when not on a terminal too) `ℹ`.
  { runner: 'node --test', pattern: /[#ℹ] pass (\d+)\s*$/, parse: (match) => ({ passed: Number(match[1]), failed: 0, skipped: 0 }) },
  { runner: 'node --test', pattern: /[#ℹ] (fail|skipped) (\d+)\s*$/, amendsLast: true },
];

function countsFromList(text) {
  const source = typeof text === 'string' ? text : text[1];
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(source)?.[1] ?? 0);
  return { passed: count('passed'), failed: count('failed') + count('errors?'), skipped: count('skipped') };
}

const results = [];
let currentProject = '';
let pending = '';

function scan(text) {
  pending += text;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const raw of lines) {
    const line = stripVTControlCharacters(raw);
    const task = /> nx run ([\w@/.-]+:[\w-]+)/.exec(line);
    if (task) currentProject = task[1];
    for (const { runner, pattern, parse, amendsLast } of RUNNER_PATTERNS) {
      const match = pattern.exec(line);
      if (!match) continue;
      const last = results.at(-1);
      if (amendsLast && last?.runner === runner) last[match[1] === 'fail' ? 'failed' : 'skipped'] = Number(match[2]);
      else if (!amendsLast) results.push({ task: currentProject, runner, ...parse(match) });
    }
  }
}

const nx = spawn(process.execPath, [join(workspaceRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...nxArgs], {
  cwd: workspaceRoot,
  stdio: ['ignore', 'pipe', 'pipe'],
});
nx.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  scan(chunk.toString());
});
nx.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  scan(chunk.toString());
});
nx.on('close', (code) => {
  scan('\n');
  const total = results.reduce((sum, row) => ({ passed: sum.passed + row.passed, failed: sum.failed + row.failed, skipped: sum.skipped + row.skipped }), { passed: 0, failed: 0, skipped: 0 });
  const rows = results.map((row) => [row.task, row.runner, String(row.passed), String(row.failed), String(row.skipped)]);
  const headers = ['task', 'runner', 'passed', 'failed', 'skipped'];
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  const format = (cells) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  console.log('\nTest summary');
  console.log(format(headers));
  console.log(format(widths.map((width) => '-'.repeat(width))));
  rows.forEach((row) => console.log(format(row)));
  if (code !== 0 && total.failed === 0) console.log(`nx exited with code ${code}: a lint, typecheck or build step failed (see above).`);
  console.log(`${total.passed} passed, ${total.failed + (code !== 0 && total.failed === 0 ? 1 : 0)} failed, ${total.skipped} skipped`);
  process.exit(code ?? 1);
});
