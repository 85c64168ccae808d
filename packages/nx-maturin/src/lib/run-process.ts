import { execa } from 'execa';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Values (tokens, passwords) replaced by `***` in anything this module prints or puts in an error. */
  secrets?: readonly string[];
}

/** A tool that ran and failed; the message carries the command line and the tail of its output. */
export class ProcessFailedError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly output: string,
  ) {
    super(`\`${command}\` failed${exitCode === undefined ? '' : ` with exit code ${exitCode}`}${output ? `:\n${output}` : ''}`);
    this.name = 'ProcessFailedError';
  }
}

export function redact(text: string, secrets: readonly string[] = []): string {
  return secrets.filter((secret) => secret.length > 0).reduce((result, secret) => result.split(secret).join('***'), text);
}

function describe(file: string, args: readonly string[], secrets: readonly string[]): string {
  return redact([file, ...args].map((part) => (/\s/.test(part) ? JSON.stringify(part) : part)).join(' '), secrets);
}

/**
 * Collects a stream's text into whole lines: a tool's partial writes (cargo writes `   Compiling` and ` foo v1` in
 * two calls) are held until their newline arrives. A partial line still waiting after `idleFlushMs` is let out
 * as it is, so a tool that stops mid-line is not silenced. A `\r` inside a line keeps what a terminal would show:
 * the text after the last one.
 */
export class WholeLines {
  private pending = '';
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly idleFlushMs = 2000,
  ) {}

  push(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.emit(line);
    this.armIdleFlush();
  }

  end(): void {
    this.pending += this.decoder.end();
    if (this.pending !== '') this.emit(this.pending);
    this.pending = '';
    clearTimeout(this.idleTimer);
  }

  private emit(line: string): void {
    const withoutReturn = line.endsWith('\r') ? line.slice(0, -1) : line;
    this.onLine(withoutReturn.slice(withoutReturn.lastIndexOf('\r') + 1));
  }

  private armIdleFlush(): void {
    clearTimeout(this.idleTimer);
    if (this.pending === '') return;
    this.idleTimer = setTimeout(() => {
      this.emit(this.pending);
      this.pending = '';
    }, this.idleFlushMs);
    this.idleTimer.unref();
  }
}

/** Copies `from` to `to` one whole line per write, through `transform`; resolves when `from` ends. */
function forwardWholeLines(from: Readable, to: Writable, transform: (line: string) => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = new WholeLines((line) => to.write(`${transform(line)}\n`));
    from.on('data', (chunk: Buffer) => lines.push(chunk));
    from.on('error', reject);
    from.on('end', () => {
      lines.end();
      resolve();
    });
  });
}

/**
 * Runs a long tool with its output streamed live to this process's stdout/stderr (so a person sees progress and Nx
 * records it), failing with the command named.
 *
 * On a terminal (Nx gives an executor a pseudo-terminal when its own output is one) the tool writes straight to it:
 * colours, progress bars and partial lines are the terminal's business. Anywhere else the output goes through
 * whole lines with colour codes stripped, because Nx reads a forked executor's output through a pipe and makes a
 * line of every chunk it reads (`addPrefixTransformer`): a tool's partial write, which under load arrives as a
 * chunk of its own, would otherwise be cut into `   Compiling` / ` foo v1`. Secrets, when given, are redacted line by
 * line in either case.
 */
/**
 * A tool's output as it is shown: whole on a terminal; elsewhere without colour codes, which tools write through
 * a pipe too when asked to (Nx sets FORCE_COLOR for every task) and which a log or a cache replay cannot render.
 */
export function forDisplay(text: string): string {
  return process.stdout.isTTY === true ? text : stripVTControlCharacters(text);
}

export async function runStreaming(file: string, args: readonly string[], options: RunOptions): Promise<void> {
  const secrets = options.secrets ?? [];
  const commandLine = describe(file, args, secrets);
  console.log(`$ ${commandLine}`);
  const onTerminal = process.stdout.isTTY === true;
  const redacting = secrets.some((secret) => secret.length > 0);
  const passThrough = onTerminal && !redacting;
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    reject: false,
    stdin: 'ignore',
    stdout: passThrough ? 'inherit' : 'pipe',
    stderr: passThrough ? 'inherit' : 'pipe',
    buffer: false,
  });
  let tail = '';
  const shown = (line: string) => {
    const safe = redact(forDisplay(line), secrets);
    tail = `${tail}\n${safe}`.slice(-4000);
    return safe;
  };
  const forwarding =
    passThrough || !subprocess.stdout || !subprocess.stderr
      ? []
      : [forwardWholeLines(subprocess.stdout, process.stdout, shown), forwardWholeLines(subprocess.stderr, process.stderr, shown)];
  const [result] = await Promise.all([subprocess, ...forwarding]);
  if (result.failed) {
    const reason = result.code === 'ENOENT' ? `${file} is not installed or not on PATH` : tail.trim();
    throw new ProcessFailedError(commandLine, result.exitCode, reason);
  }
}

export interface CapturedOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs a short tool and returns its output; a non-zero exit is an error whose message includes stderr. */
export async function runCaptured(file: string, args: readonly string[], options: RunOptions): Promise<CapturedOutput> {
  const secrets = options.secrets ?? [];
  const result = await execa(file, args, { cwd: options.cwd, env: options.env, reject: false, stdin: 'ignore' });
  const stdout = redact(result.stdout, secrets);
  const stderr = redact(result.stderr, secrets);
  if (result.failed) {
    const reason = result.code === 'ENOENT' ? `${file} is not installed or not on PATH` : (stderr || stdout).trim();
    throw new ProcessFailedError(describe(file, args, secrets), result.exitCode, reason);
  }
  return { stdout, stderr, exitCode: result.exitCode ?? 0 };
}
