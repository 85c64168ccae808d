// Runs a tool whose output shares the terminal with other tools running at the same time (the bootstrap's npm,
// Python and cargo sides). Each line is written whole, as soon as it is complete, behind the label of the side that
// ran it, so a person sees progress and can tell npm's lines from pip's; a partial write waits for its newline.
import { spawn } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { StringDecoder } from 'node:string_decoder';

/**
 * Resolves with `{ status, signal }` when the tool has exited and its output is written, or `{ error }` when it could
 * not be started. `streams` defaults to this process's stdout and stderr. `niceness` (0-19) lowers the tool's CPU
 * priority, which its own child processes inherit (and on Linux its disk priority with it): a side with time to spare
 * then takes only what the side everything waits for leaves idle.
 */
export function runLabelled(label, command, args, { cwd, shell = false, niceness = 0, streams = { stdout: process.stdout, stderr: process.stderr } }) {
  const child = spawn(command, args, { cwd, shell, stdio: ['ignore', 'pipe', 'pipe'] });
  if (niceness > 0 && child.pid !== undefined) {
    try {
      setPriority(child.pid, Math.min(19, getPriority() + niceness));
    } catch {
      // Only an ordering preference: where the OS refuses it, the tool runs at normal priority.
    }
  }
  const written = [markLines(child.stdout, streams.stdout, label), markLines(child.stderr, streams.stderr, label)];
  return new Promise((resolve) => {
    child.on('error', (error) => resolve({ error }));
    child.on('close', (status, signal) => Promise.all(written).then(() => resolve({ status, signal })));
  });
}

function markLines(from, to, label) {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const writeWhole = (text) => {
    const lines = text.split('\n');
    pending = lines.pop();
    for (const line of lines) to.write(`${label} | ${line.replace(/\r$/, '')}\n`);
  };
  return new Promise((resolve) => {
    from.on('data', (chunk) => writeWhole(pending + decoder.write(chunk)));
    from.on('end', () => {
      const rest = pending + decoder.end();
      if (rest !== '') writeWhole(`${rest}\n`);
      resolve();
    });
  });
}
