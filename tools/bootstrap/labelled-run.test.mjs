// Two tools writing at once through runLabelled: every line arrives whole, behind its own tool's label, in the order
// that tool wrote it, even when a tool writes half a line, waits, and writes the rest.
import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { runLabelled } from './labelled-run.mjs';

function collector() {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, chunks };
}

// Writes `lines`, each in two pieces with a pause between them, so the other tool's output lands in the gap.
const slowWriter = (name) => `
  const pause = () => new Promise((resolve) => setTimeout(resolve, 40));
  (async () => {
    for (let index = 1; index <= 3; index += 1) {
      process.stdout.write('${name} line ' + index + ' first half, ');
      await pause();
      process.stdout.write('second half\\n');
      await pause();
    }
    process.stderr.write('${name} warning without a newline');
  })();`;

test('lines of tools running side by side come out whole, each behind its label', async () => {
  const stdout = collector();
  const stderr = collector();
  const streams = { stdout: stdout.stream, stderr: stderr.stream };
  const outcomes = await Promise.all(['npm', 'python'].map((label) => runLabelled(label, process.execPath, ['-e', slowWriter(label)], { cwd: process.cwd(), streams })));
  assert.deepEqual(outcomes, [{ status: 0, signal: null }, { status: 0, signal: null }]);
  for (const chunk of [...stdout.chunks, ...stderr.chunks]) assert.match(chunk, /^(npm|python) \| [^\n]*\n$/);
  for (const label of ['npm', 'python']) {
    const own = stdout.chunks.filter((chunk) => chunk.startsWith(`${label} |`));
    assert.deepEqual(own, [1, 2, 3].map((index) => `${label} | ${label} line ${index} first half, second half\n`));
    assert.ok(stderr.chunks.includes(`${label} | ${label} warning without a newline\n`));
  }
});

test('a tool run with a niceness runs at that lower priority', async () => {
  const stdout = collector();
  const streams = { stdout: stdout.stream, stderr: collector().stream };
  // The tool reports its own priority; a short wait first, so the priority is set before it looks.
  const script = 'setTimeout(() => process.stdout.write(require("node:os").getPriority() + "\\n"), 300)';
  const outcome = await runLabelled('python', process.execPath, ['-e', script], { cwd: process.cwd(), niceness: 10, streams });
  assert.deepEqual(outcome, { status: 0, signal: null });
  assert.deepEqual(stdout.chunks, [`python | ${Math.min(19, getPriority() + 10)}\n`]);
});

test('a tool that fails reports its exit code; one that cannot start reports why', async () => {
  const stdout = collector();
  const stderr = collector();
  const streams = { stdout: stdout.stream, stderr: stderr.stream };
  const failed = await runLabelled('cargo', process.execPath, ['-e', 'console.error("no crates"); process.exit(3)'], { cwd: process.cwd(), streams });
  assert.deepEqual(failed, { status: 3, signal: null });
  assert.deepEqual(stderr.chunks, ['cargo | no crates\n']);
  const missing = await runLabelled('cargo', 'no-such-tool-for-the-bootstrap', [], { cwd: process.cwd(), streams });
  assert.match(missing.error.message, /ENOENT/);
});
