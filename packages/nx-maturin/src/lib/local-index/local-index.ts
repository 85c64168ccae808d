import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitUntilAnswering } from '../index-client/index-client';
import { runCaptured } from '../run-process';
import { resolveTool, resolveToolPython } from '../workspace-tools';

/** Where uploaded packages are stored, relative to the workspace root (ignored by git through `/dist/`). */
export const LOCAL_INDEX_STORAGE = join('dist', 'local-index');
/**
 * Credentials live beside, never inside, the package folder: pypiserver serves every file of that folder.
 */
export const LOCAL_INDEX_AUTH = join('dist', 'local-index-auth');
export const LOCAL_INDEX_USERNAME = 'nx-maturin';

export interface LocalIndexOptions {
  workspaceRoot: string;
  /** Absolute folder for packages; default `<workspaceRoot>/dist/local-index`. */
  storageDir?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When false, anyone on loopback may upload (for manual experiments with `serve-index`). */
  authenticateUploads?: boolean;
  /** Lines of pypiserver's log go here; default: dropped, because its access log would drown the task output. */
  log?: (line: string) => void;
  /**
   * Who stops the server when this process gets SIGINT, SIGTERM or SIGHUP (Ctrl-C, Nx ending the task): by default
   * the index itself, which then lets the signal end the process; a caller that waits for signals says `caller`.
   */
  signals?: 'index' | 'caller';
}

export interface LocalIndex {
  /** Upload endpoint (pypiserver takes uploads at `/`). */
  uploadUrl: string;
  /** PEP 503 simple index to install from. */
  indexUrl: string;
  storageDir: string;
  /** Null when uploads are not authenticated. */
  credentials: { username: string; password: string; htpasswdFile: string; credentialsFile: string } | null;
  stop(): Promise<void>;
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Writes an htpasswd (bcrypt) with passlib from pypiserver's own environment. The password travels through the environment, so it
 * never shows in a process listing.
 */
async function writeHtpasswd(workspaceRoot: string, file: string, username: string, password: string): Promise<void> {
  const python = resolveToolPython(workspaceRoot, 'pypi-server');
  const script = [
    'import os, sys',
    'from passlib.apache import HtpasswdFile',
    "store = HtpasswdFile(sys.argv[1], new=True, default_scheme='bcrypt')",
    "store.set_password(sys.argv[2], os.environ['NX_MATURIN_INDEX_PASSWORD'])",
    'store.save()',
  ].join('\n');
  await runCaptured(python.file, [...python.args, '-c', script, file, username], {
    cwd: workspaceRoot,
    env: { ...process.env, NX_MATURIN_INDEX_PASSWORD: password },
    secrets: [password],
  });
}

/**
 * Starts pypiserver (the workspace's, or through `uv tool run` at the pinned version) on 127.0.0.1 and resolves once it answers. `--disable-fallback` keeps a
 * miss local instead of redirecting the installer to pypi.org.
 */
export async function startLocalIndex(options: LocalIndexOptions): Promise<LocalIndex> {
  const storageDir = options.storageDir ?? join(options.workspaceRoot, LOCAL_INDEX_STORAGE);
  mkdirSync(storageDir, { recursive: true });
  const port = options.port || (await findFreePort());
  const authenticate = options.authenticateUploads ?? true;

  let credentials: LocalIndex['credentials'] = null;
  const authArgs = ['-a', '.', '-P', '.'];
  if (authenticate) {
    const authDir = join(options.workspaceRoot, LOCAL_INDEX_AUTH);
    mkdirSync(authDir, { recursive: true, mode: 0o700 });
    const password = randomBytes(24).toString('base64url');
    const htpasswdFile = join(authDir, 'htpasswd');
    const credentialsFile = join(authDir, 'credentials.json');
    await writeHtpasswd(options.workspaceRoot, htpasswdFile, LOCAL_INDEX_USERNAME, password);
    writeFileSync(credentialsFile, `${JSON.stringify({ username: LOCAL_INDEX_USERNAME, password }, null, 2)}\n`, { mode: 0o600 });
    credentials = { username: LOCAL_INDEX_USERNAME, password, htpasswdFile, credentialsFile };
    // Only uploads need a password: listing and downloads stay open so installers need no credentials.
    authArgs.splice(0, authArgs.length, '-a', 'update', '-P', htpasswdFile);
  }

  const args = ['run', '-p', String(port), '-i', '127.0.0.1', ...authArgs, '--disable-fallback', '--health-endpoint', '/health', storageDir];
  const pypiServer = resolveTool(options.workspaceRoot, 'pypi-server');
  const server = spawn(pypiServer.file, [...pypiServer.args, ...args], {
    cwd: options.workspaceRoot,
    // Its own process group, so stop() takes down any worker it forks as well.
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 50) output.shift();
      options.log?.(line);
    }
  };
  server.stdout?.on('data', collect);
  server.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  server.once('error', (error) => (spawnError = error));
  // pypiserver runs in its own process group, so it outlives this process unless it is stopped on every way out:
  // a normal exit, and the signals that end a task without running `exit` listeners.
  const killOnExit = () => killGroup(server, 'SIGKILL');
  process.once('exit', killOnExit);
  const stopSignals = options.signals === 'caller' ? [] : (['SIGINT', 'SIGTERM', 'SIGHUP'] as const);
  const stopThenResignal = (signal: NodeJS.Signals) => {
    killGroup(server, 'SIGTERM');
    removeSignalHandlers();
    process.kill(process.pid, signal);
  };
  const removeSignalHandlers = () => stopSignals.forEach((signal) => process.removeListener(signal, stopThenResignal));
  stopSignals.forEach((signal) => process.once(signal, stopThenResignal));

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    removeSignalHandlers();
    await stopProcess(server);
  };
  try {
    await waitUntilAnswering(`${baseUrl}/health`, 30_000, () => server.exitCode === null && server.signalCode === null && !spawnError);
  } catch (error) {
    await stop();
    const reason = spawnError ? `${spawnError.message} (run \`node tools/bootstrap/bootstrap.mjs\` to install pypiserver)` : (error as Error).message;
    throw new Error(`pypiserver did not start on ${baseUrl}: ${reason}\n${output.join('\n')}`);
  }
  return { uploadUrl: `${baseUrl}/`, indexUrl: `${baseUrl}/simple/`, storageDir, credentials, stop };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // Already gone: the group exited between the check and the signal.
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const forced = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(forced);
}
