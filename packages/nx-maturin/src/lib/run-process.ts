import { execa } from 'execa';

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
 * Runs a long tool with its output streamed live to this process's stdout/stderr (so a person sees progress and Nx
 * records it), failing with the command named. Output is streamed line by line through redaction when secrets are
 * given, and inherited untouched otherwise.
 */
export async function runStreaming(file: string, args: readonly string[], options: RunOptions): Promise<void> {
  const secrets = options.secrets ?? [];
  const commandLine = describe(file, args, secrets);
  console.log(`$ ${commandLine}`);
  const redacting = secrets.some((secret) => secret.length > 0);
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    reject: false,
    stdin: 'ignore',
    stdout: redacting ? 'pipe' : 'inherit',
    stderr: redacting ? 'pipe' : 'inherit',
    all: redacting,
    buffer: false,
  });
  let tail = '';
  if (redacting) {
    for await (const line of subprocess.iterable({ from: 'all' })) {
      const safe = redact(String(line), secrets);
      console.log(safe);
      tail = `${tail}\n${safe}`.slice(-4000);
    }
  }
  const result = await subprocess;
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
