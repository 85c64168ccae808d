import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { findFreePort, type LocalIndex, startLocalIndex } from '../../lib/local-index/local-index';
import { createTempWorkspace, type TempWorkspace } from '../../test-support/temp-workspace';
import { buildFixtureArtefacts, copyArtefacts, executorContext, type FixtureArtefacts } from '../wheel-smoke/test-support/fixture-artefacts';
import pypiUploadExecutor from './pypi-upload.impl';

jest.setTimeout(10 * 60_000);

const ARTEFACT_DIR = 'libs/hello/target/wheels';
const SECRET_TOKEN = 'pypi-SECRET-do-not-print-0123456789abcdef';

/** A proxy in front of the real index that answers 503 to the first `failPosts` uploads and, optionally, 404 to the first listing. */
async function faultyProxy(target: string, faults: { failPosts?: number; hideFirstListing?: boolean }): Promise<{ url: string; server: Server; posts: number[] }> {
  const posts: number[] = [];
  let failuresLeft = faults.failPosts ?? 0;
  let hideListing = faults.hideFirstListing ?? false;
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    if (incoming.method === 'POST' && failuresLeft > 0) {
      failuresLeft -= 1;
      posts.push(503);
      incoming.resume();
      incoming.on('end', () => outgoing.writeHead(503, { 'content-type': 'text/plain' }).end('injected fault'));
      return;
    }
    if (incoming.method === 'GET' && incoming.url?.startsWith('/simple/') && hideListing) {
      hideListing = false;
      outgoing.writeHead(404).end();
      return;
    }
    if (incoming.method === 'POST') posts.push(0);
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(forwarded);
  });
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, server, posts };
}

describe('pypi-upload executor', () => {
  let artefacts: FixtureArtefacts;
  let ws: TempWorkspace;
  let output: string[];
  const environment = { ...process.env };

  beforeAll(async () => {
    artefacts = await buildFixtureArtefacts(['3.12']);
  });
  beforeEach(() => {
    ws = createTempWorkspace();
    ws.addFixture('hello-maturin', 'libs/hello');
    copyArtefacts(artefacts, join(ws.root, ARTEFACT_DIR));
    output = [];
    // Tools colour their output when FORCE_COLOR is set; assertions are about the words a person reads.
    const record = (...parts: unknown[]) => void output.push(stripVTControlCharacters(parts.join(' ')));
    jest.spyOn(console, 'log').mockImplementation(record);
    jest.spyOn(console, 'error').mockImplementation(record);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
    Object.assign(process.env, environment);
    ws.remove();
  });

  const run = (options: Record<string, unknown> = {}) => pypiUploadExecutor({ artefactDir: ARTEFACT_DIR, retryDelayMs: 100, ...options }, executorContext(ws.root));
  const stored = () => (existsSync(join(ws.root, 'dist/local-index')) ? readdirSync(join(ws.root, 'dist/local-index')).sort() : []);
  const artefactFiles = () => artefacts.manifest.artefacts.map((entry) => entry.file).sort();

  it('uploads to the local index, installs the version back, and a second run answers "already published" without a duplicate', async () => {
    process.env['UV_PUBLISH_TOKEN'] = SECRET_TOKEN;
    await expect(run()).resolves.toEqual({ success: true });
    expect(stored()).toEqual(artefactFiles());
    const first = output.join('\n');
    expect(first).toMatch(/Installed 1 package[\s\S]*\+ hello-maturin==0\.2\.0/);
    expect(first).toContain('usage: hello-maturin');
    expect(first).toContain('npx nx run hello:serve-index --port=8765');
    expect(first).toContain('pip install --index-url http://127.0.0.1:8765/simple/ hello-maturin==0.2.0');
    expect(first).toMatch(/hello_maturin-0\.2\.0\.tar\.gz\s+\d+\s+[0-9a-f]{16}\.\.\.\s+uploaded/);

    output.length = 0;
    await expect(run()).resolves.toEqual({ success: true });
    const second = output.join('\n');
    expect(second).toContain('Already published: all 2 files of hello-maturin 0.2.0 are on');
    expect(second).toMatch(/already on the index/);
    expect(stored()).toEqual(artefactFiles());
    expect(`${first}\n${second}`).not.toContain(SECRET_TOKEN);
  });

  it('replaces an earlier build of the same version on the local index, which the workspace owns', async () => {
    await expect(run()).resolves.toEqual({ success: true });
    const wheel = artefacts.manifest.artefacts.find((entry) => entry.kind === 'wheel')!;
    const published = join(ws.root, 'dist/local-index', wheel.file);
    writeFileSync(published, Buffer.concat([readFileSync(published), Buffer.from('an earlier build')]));

    output.length = 0;
    await expect(run()).resolves.toEqual({ success: true });
    expect(output.join('\n')).toContain(`${wheel.file}: the local index held an earlier build of 0.2.0`);
    expect(createHash('sha256').update(readFileSync(published)).digest('hex')).toBe(wheel.sha256);
    expect(stored()).toEqual(artefactFiles());
  });

  it('refuses a wheel changed after the build and sends nothing', async () => {
    const wheel = artefacts.manifest.artefacts.find((entry) => entry.kind === 'wheel')!;
    const path = join(ws.root, ARTEFACT_DIR, wheel.file);
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from('tampered')]));
    await expect(run()).rejects.toThrow(new RegExp(`${wheel.file.replace(/\./g, '\\.')}: sha256 mismatch`));
    expect(stored()).toEqual([]);
  });

  it('names the build target when nothing was built', async () => {
    ws.remove();
    ws = createTempWorkspace();
    ws.addFixture('hello-maturin', 'libs/hello');
    await expect(run()).rejects.toThrow(/artefacts\.json does not exist: no artefacts have been built\. Run `nx run hello:build` first\./);
  });

  it('prints exactly what a dry run would send and sends nothing', async () => {
    process.env['NX_DRY_RUN'] = 'true';
    await expect(run()).resolves.toEqual({ success: true });
    const printed = output.join('\n');
    expect(printed).toContain('Dry run: nothing is sent. Would upload hello-maturin 0.2.0 to an embedded pypiserver on 127.0.0.1');
    for (const entry of artefacts.manifest.artefacts) expect(printed).toMatch(new RegExp(`${entry.file.replace(/\./g, '\\.')}\\s+${entry.size}\\s+${entry.sha256}\\s+upload`));
    expect(stored()).toEqual([]);
  });

  describe('against a running index', () => {
    let index: LocalIndex;
    beforeEach(async () => {
      index = await startLocalIndex({ workspaceRoot: ws.root, storageDir: join(ws.root, 'remote-index') });
    });
    afterEach(async () => index.stop());
    const remoteFiles = () => readdirSync(join(ws.root, 'remote-index')).sort();

    it('explains a 403 by the credential kind used and never prints the password', async () => {
      process.env['UV_PUBLISH_USERNAME'] = index.credentials!.username;
      process.env['UV_PUBLISH_PASSWORD'] = 'wrong-password-SECRET-4711';
      const failure = run({ repository: index.uploadUrl, indexUrl: index.indexUrl });
      await expect(failure).rejects.toThrow(/refused the credentials \(403\): username "nx-maturin" and password from UV_PUBLISH_USERNAME \/ UV_PUBLISH_PASSWORD was used/);
      await failure.catch((error: Error) => expect(error.message).not.toContain('wrong-password-SECRET-4711'));
      expect(output.join('\n')).not.toContain('wrong-password-SECRET-4711');
      expect(remoteFiles()).toEqual([]);
    });

    it('finishes on retry when the index answers 503 to the first uploads', async () => {
      const proxy = await faultyProxy(index.uploadUrl, { failPosts: 2 });
      try {
        process.env['UV_PUBLISH_USERNAME'] = index.credentials!.username;
        process.env['UV_PUBLISH_PASSWORD'] = index.credentials!.password;
        await expect(run({ repository: `${proxy.url}/`, indexUrl: `${proxy.url}/simple/` })).resolves.toEqual({ success: true });
      } finally {
        proxy.server.close();
      }
      const printed = output.join('\n');
      expect(printed).toMatch(/attempt 1 of 4 failed \(status code 503[^)]*\); retrying in 100 ms/);
      expect(printed).toMatch(/attempt 2 of 4 failed \(status code 503[^)]*\); retrying in 200 ms/);
      expect(printed).toMatch(/uploaded on retry/);
      expect(proxy.posts).toEqual([503, 503, 0, 0]);
      expect(remoteFiles()).toEqual(artefactFiles());
    });

    it('explains a 409 duplicate the listing did not show, and skips it with skipExisting', async () => {
      process.env['UV_PUBLISH_USERNAME'] = index.credentials!.username;
      process.env['UV_PUBLISH_PASSWORD'] = index.credentials!.password;
      await expect(run({ repository: index.uploadUrl, indexUrl: index.indexUrl })).resolves.toEqual({ success: true });

      const stale = await faultyProxy(index.uploadUrl, { hideFirstListing: true });
      try {
        await expect(run({ repository: `${stale.url}/`, indexUrl: `${stale.url}/simple/` })).rejects.toThrow(
          /answered that this file already exists \(409\/400 duplicate\)[\s\S]*rerun with --skipExisting/,
        );
      } finally {
        stale.server.close();
      }
      const staleAgain = await faultyProxy(index.uploadUrl, { hideFirstListing: true });
      try {
        await expect(run({ repository: `${staleAgain.url}/`, indexUrl: `${staleAgain.url}/simple/`, skipExisting: true })).resolves.toEqual({ success: true });
      } finally {
        staleAgain.server.close();
      }
      expect(output.join('\n')).toMatch(/already exists; skipped \(skipExisting\)/);
      expect(remoteFiles()).toEqual(artefactFiles());
    });
  });

  it('refuses pypi from a dirty tree or without a release tag at HEAD, and dry-runs once both are in order', async () => {
    const index = await startLocalIndex({ workspaceRoot: ws.root, storageDir: join(ws.root, 'remote-index') });
    try {
      process.env['UV_PUBLISH_TOKEN'] = SECRET_TOKEN;
      const pypi = () => run({ repository: 'pypi', indexUrl: index.indexUrl, dryRun: true });
      await ws.git(['init', '-q']);
      await ws.git(['add', '-A']);
      await ws.git(['commit', '-q', '-m', 'release']);
      ws.write('libs/hello/notes.txt', 'uncommitted\n');
      await expect(pypi()).rejects.toThrow(/uncommitted changes \(git status --porcelain[\s\S]*\?\? libs\/hello\/notes\.txt[\s\S]*--allowDirty/);
      await ws.git(['add', '-A']);
      await ws.git(['commit', '-q', '-m', 'notes']);
      await expect(pypi()).rejects.toThrow(/no tag hello-v0\.2\.0 points at HEAD \(tags at HEAD: none\)\. Next step: `git tag hello-v0\.2\.0`/);
      await ws.git(['tag', 'hello-v0.2.0']);
      await expect(pypi()).resolves.toEqual({ success: true });
      const printed = output.join('\n');
      expect(printed).toContain('Would upload hello-maturin 0.2.0 to https://upload.pypi.org/legacy/');
      expect(printed).toContain('using API token from UV_PUBLISH_TOKEN');
      expect(printed).not.toContain(SECRET_TOKEN);
      expect(readdirSync(join(ws.root, 'remote-index'))).toEqual([]);
    } finally {
      await index.stop();
    }
  });

  it('fails clearly after the retries when nothing listens at the index', async () => {
    const port = await findFreePort();
    process.env['UV_PUBLISH_TOKEN'] = SECRET_TOKEN;
    await expect(run({ repository: `http://127.0.0.1:${port}/`, indexUrl: `http://127.0.0.1:${port}/simple/`, uploadAttempts: 3 })).rejects.toThrow(
      /Nothing was uploaded: the index did not answer after 3 attempts with backoff \(GET http:\/\/127\.0\.0\.1:\d+\/simple\/hello-maturin\/ failed: ECONNREFUSED\)/,
    );
  });

  it('runs version-sync, build, smoke and publish through nx, and a second run ends green with the upload already present', async () => {
    ws.remove();
    ws = createTempWorkspace();
    ws.addFixture('hello-maturin', 'libs/hello');
    const first = await ws.nx(['run', 'hello-maturin:publish', '--outputStyle=static']);
    // maturin-build records the distribution as maturin names the files (hello_maturin).
    expect(first.all).toMatch(/Published hello[-_]maturin 0\.2\.0 to local/);
    expect(first.exitCode).toBe(0);
    expect(first.all).toMatch(/wheel-smoke summary for hello[-_]maturin 0\.2\.0/);
    const second = await ws.nx(['run', 'hello-maturin:publish', '--outputStyle=static']);
    expect(second.exitCode).toBe(0);
    // version-sync, build and smoke come from the cache; publish (cache: false) runs and finds the files present.
    expect(stripVTControlCharacters(second.all)).toContain('Nx read the output from the cache instead of running the command for 3 out of 4 tasks');
    expect(second.all).toMatch(/Already published: all 3 files of hello[-_]maturin 0\.2\.0 are on/);
    expect(readdirSync(join(ws.root, 'dist/local-index')).length).toBe(3);
  });

  it('keeps a token from the environment out of nx output and the .nx folder when publishing through nx', async () => {
    const result = await ws.nx(['run', 'hello-maturin:publish', '--excludeTaskDependencies', '--outputStyle=static'], { UV_PUBLISH_TOKEN: SECRET_TOKEN });
    expect(result.all).toContain('Published hello-maturin 0.2.0 to local');
    expect(result.exitCode).toBe(0);
    expect(result.all).not.toContain(SECRET_TOKEN);
    const grep = execSync(`grep -rl ${SECRET_TOKEN} ${join(ws.root, '.nx')} || true`).toString();
    expect(grep).toBe('');
  });
});
