import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Runs one command to completion and times it from spawn to exit. Its output is kept (for parsing) and appended to
 * `logFile` rather than printed, so the progress lines of the benchmark stay readable; `verbose` streams it too,
 * and `onStderr` receives the child's stderr as it comes (a child that reports its own progress there).
 * `stdoutFile` sends stdout to that file instead of a pipe: Nx may exit before a large output has drained
 * into a pipe, but writes to a file complete.
 */
export function runTimed(file, args, { cwd, env = process.env, logFile, verbose = false, allowFailure = false, onStderr, stdoutFile } = {}) {
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    appendFileSync(logFile, `\n$ ${[file, ...args].join(' ')}   (cwd ${cwd})\n`);
  }
  return new Promise((resolvePromise, rejectPromise) => {
    const started = process.hrtime.bigint();
    const stdoutFd = stdoutFile ? openSync(stdoutFile, 'w') : undefined;
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'] });
    if (stdoutFd !== undefined) closeSync(stdoutFd);
    const chunks = [];
    const collect = (stream) => (chunk) => {
      chunks.push(chunk);
      if (logFile) appendFileSync(logFile, chunk);
      if (verbose) stream.write(chunk);
    };
    child.stdout?.on('data', collect(process.stdout));
    child.stderr.on('data', collect(process.stderr));
    if (onStderr) child.stderr.on('data', (chunk) => onStderr(chunk.toString('utf8')));
    child.on('error', (error) => rejectPromise(new Error(`${file} could not be started (${error.message}); is it installed?`)));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const output = (stdoutFile ? readFileSync(stdoutFile, 'utf8') : '') + Buffer.concat(chunks).toString('utf8');
      if (code !== 0 && !allowFailure) {
        const where = logFile ? ` (full output in ${logFile})` : '';
        rejectPromise(new Error(`\`${[file, ...args].join(' ')}\` exited with ${code}${where}:\n${output.slice(-3000)}`));
        return;
      }
      resolvePromise({ code, seconds, output });
    });
  });
}

/** Progress goes to stderr so that stdout carries only the final tables. */
export function progress(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
