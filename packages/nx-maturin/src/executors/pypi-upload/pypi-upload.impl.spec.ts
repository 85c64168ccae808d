import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

interface RecordedUpload {
  file: string;
  /** The multipart form carried an `attestations` field. */
  attestations: boolean;
  /** The user name of the Basic authorization header (`__token__` for an API token). */
  user: string;
}

/**
 * Stands between uv and an index and records every upload: the file name, whether uv sent attestations, and the
 * user it authenticated as. `answerUploads` stands in for PyPI, which accepts an API token that pypiserver does not
 * know: the upload is answered 200 here instead of being forwarded; listings always go to the real index.
 */
async function recordingProxy(target: string, { answerUploads }: { answerUploads: boolean }): Promise<{ url: string; server: Server; uploads: RecordedUpload[] }> {
  const uploads: RecordedUpload[] = [];
  const upstream = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      if (incoming.method === 'POST') {
        const text = body.toString('latin1');
        const basic = /^Basic (.+)$/.exec(incoming.headers.authorization ?? '')?.[1];
        uploads.push({
          file: /name="content"; filename="([^"]+)"/.exec(text)?.[1] ?? '?',
          attestations: text.includes('name="attestations"'),
          user: basic ? Buffer.from(basic, 'base64').toString().split(':')[0]! : '',
        });
        if (answerUploads) {
          outgoing.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
          return;
        }
      }
      const forwarded = request(
        { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.end(body);
    });
  });
  const port = await findFreePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, server, uploads };
}

/** The shape of the PEP 740 attestation astral-sh/attest-action writes beside a distribution (content not checked by uv). */
function attest(directory: string, file: string): void {
  writeFileSync(join(directory, `${file}.publish.attestation`), JSON.stringify({ version: 1, verification_material: {}, envelope: {} }));
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
    expect(first).toMatch(/hello_maturin-0\.2\.0\.tar\.gz\s+\d+\s+[0-9a-f]{16}\.\.\.\s+-\s+uploaded/);

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
    for (const entry of artefacts.manifest.artefacts) expect(printed).toMatch(new RegExp(`${entry.file.replace(/\./g, '\\.')}\\s+${entry.size}\\s+${entry.sha256}\\s+-\\s+upload`));
    expect(stored()).toEqual([]);
  });

  describe('against a running index', () => {
    let index: LocalIndex;
    beforeEach(async () => {
      index = await startLocalIndex({ workspaceRoot: ws.root, storageDir: join(ws.root, 'remote-index') });
    });
    afterEach(async () => index.stop());
    const remoteFiles = () => readdirSync(join(ws.root, 'remote-index')).sort();

    it('refuses a version below the newest release on the index before sending anything, and sends it with allowOlderVersion', async () => {
      // What the index holds is what pypiserver finds in its folder; the listing reads only the names.
      writeFileSync(join(ws.root, 'remote-index', 'hello_maturin-0.3.0.tar.gz'), 'an earlier release line');
      process.env['UV_PUBLISH_USERNAME'] = index.credentials!.username;
      process.env['UV_PUBLISH_PASSWORD'] = index.credentials!.password;
      const options = { repository: index.uploadUrl, indexUrl: index.indexUrl, credentials: 'password', installBack: false };
      await expect(run(options)).rejects.toThrow(
        `Refusing to publish hello-maturin 0.2.0 (project hello) to ${index.indexUrl}: the newest release there is 0.3.0, and 0.2.0 is not newer, ` +
          'so `pip install -U hello-maturin` would keep 0.3.0 and users would never get this release. Nothing was uploaded. ' +
          'Next step: set the version above 0.3.0 (e.g. `npx nx release version 0.4.0 --projects=hello`)',
      );
      expect(remoteFiles()).toEqual(['hello_maturin-0.3.0.tar.gz']);

      await expect(run({ ...options, allowOlderVersion: true })).resolves.toEqual({ success: true });
      expect(output.join('\n')).toContain('publishing hello-maturin 0.2.0 below 0.3.0');
      expect(remoteFiles()).toEqual([...artefactFiles(), 'hello_maturin-0.3.0.tar.gz'].sort());
    });

    it('publishes a project the index has never seen, whatever other projects it holds', async () => {
      writeFileSync(join(ws.root, 'remote-index', 'other_project-9.0.tar.gz'), 'another project');
      process.env['UV_PUBLISH_USERNAME'] = index.credentials!.username;
      process.env['UV_PUBLISH_PASSWORD'] = index.credentials!.password;
      await expect(run({ repository: index.uploadUrl, indexUrl: index.indexUrl, credentials: 'password', installBack: false })).resolves.toEqual({ success: true });
      expect(output.join('\n')).toContain(`Version check: ${index.indexUrl} has no release of hello-maturin yet.`);
      expect(remoteFiles()).toEqual([...artefactFiles(), 'other_project-9.0.tar.gz'].sort());
    });

    it('explains a 403 by the credential kind used and never prints the password', async () => {
      process.env['UV_PUBLISH_USERNAME'] = index.credentials!.username;
      process.env['UV_PUBLISH_PASSWORD'] = 'wrong-password-SECRET-4711';
      const failure = run({ repository: index.uploadUrl, indexUrl: index.indexUrl, credentials: 'password' });
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
        await expect(run({ repository: `${proxy.url}/`, indexUrl: `${proxy.url}/simple/`, credentials: 'password' })).resolves.toEqual({ success: true });
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
      await expect(run({ repository: index.uploadUrl, indexUrl: index.indexUrl, credentials: 'password' })).resolves.toEqual({ success: true });

      const stale = await faultyProxy(index.uploadUrl, { hideFirstListing: true });
      try {
        await expect(run({ repository: `${stale.url}/`, indexUrl: `${stale.url}/simple/`, credentials: 'password' })).rejects.toThrow(
          /answered that this file already exists \(409\/400 duplicate\)[\s\S]*rerun with --skipExisting/,
        );
      } finally {
        stale.server.close();
      }
      const staleAgain = await faultyProxy(index.uploadUrl, { hideFirstListing: true });
      try {
        await expect(run({ repository: `${staleAgain.url}/`, indexUrl: `${staleAgain.url}/simple/`, credentials: 'password', skipExisting: true })).resolves.toEqual({
          success: true,
        });
      } finally {
        staleAgain.server.close();
      }
      expect(output.join('\n')).toMatch(/already exists; skipped \(skipExisting\)/);
      expect(remoteFiles()).toEqual(artefactFiles());
    });

    it('sends each distribution with the attestation lying beside it, through the command uv publish really runs', async () => {
      const directory = join(ws.root, ARTEFACT_DIR);
      for (const entry of artefacts.manifest.artefacts) attest(directory, entry.file);
      const proxy = await recordingProxy(index.uploadUrl, { answerUploads: false });
      try {
        process.env['UV_PUBLISH_USERNAME'] = index.credentials!.username;
        process.env['UV_PUBLISH_PASSWORD'] = index.credentials!.password;
        await expect(
          run({ repository: `${proxy.url}/`, indexUrl: `${proxy.url}/simple/`, credentials: 'password', attestations: 'required', installBack: false }),
        ).resolves.toEqual({ success: true });
      } finally {
        proxy.server.close();
      }
      expect(proxy.uploads.map(({ file, attestations }) => ({ file, attestations })).sort((a, b) => a.file.localeCompare(b.file))).toEqual(
        artefactFiles().map((file) => ({ file, attestations: true })),
      );
      const printed = output.join('\n');
      expect(printed).toContain(`using username "nx-maturin" and password from UV_PUBLISH_USERNAME / UV_PUBLISH_PASSWORD, 2 of 2 files with their PEP 740 attestation`);
      expect(printed).toContain('Install-back skipped (installBack is false)');
      expect(remoteFiles()).toEqual(artefactFiles());
    });

    it('stops before any upload when one distribution lacks its required attestation', async () => {
      const [first, second] = artefacts.manifest.artefacts;
      attest(join(ws.root, ARTEFACT_DIR), first!.file);
      const proxy = await recordingProxy(index.uploadUrl, { answerUploads: false });
      try {
        process.env['UV_PUBLISH_USERNAME'] = index.credentials!.username;
        process.env['UV_PUBLISH_PASSWORD'] = index.credentials!.password;
        await expect(run({ repository: `${proxy.url}/`, indexUrl: `${proxy.url}/simple/`, credentials: 'password', attestations: 'required' })).rejects.toThrow(
          `Nothing was uploaded: attestations are required, but ${join(ws.root, ARTEFACT_DIR, `${second!.file}.publish.attestation`)} does not exist (found 1 of 2).`,
        );
      } finally {
        proxy.server.close();
      }
      expect(proxy.uploads).toEqual([]);
      expect(remoteFiles()).toEqual([]);
    });
  });

  describe('credential modes', () => {
    let index: LocalIndex;
    beforeEach(async () => {
      index = await startLocalIndex({ workspaceRoot: ws.root, storageDir: join(ws.root, 'remote-index') });
      // What a job holding id-token: write always has; it must not decide the mode.
      process.env['GITHUB_ACTIONS'] = 'true';
      process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = 'http://127.0.0.1:9/oidc-not-used';
    });
    afterEach(async () => index.stop());

    it('uploads with the API token and without attestations in token mode, although an OIDC URL is in the environment', async () => {
      for (const entry of artefacts.manifest.artefacts) attest(join(ws.root, ARTEFACT_DIR), entry.file);
      process.env['UV_PUBLISH_TOKEN'] = SECRET_TOKEN;
      const pypi = await recordingProxy(index.uploadUrl, { answerUploads: true });
      try {
        await expect(run({ repository: `${pypi.url}/`, indexUrl: `${pypi.url}/simple/`, credentials: 'token', installBack: false })).resolves.toEqual({ success: true });
      } finally {
        pypi.server.close();
      }
      expect(pypi.uploads.map(({ file, attestations, user }) => ({ file, attestations, user })).sort((a, b) => a.file.localeCompare(b.file))).toEqual(
        artefactFiles().map((file) => ({ file, attestations: false, user: '__token__' })),
      );
      const printed = output.join('\n');
      expect(printed).toContain('using API token from UV_PUBLISH_TOKEN, without attestations (2 lying beside the files are not sent: PyPI refuses them with an API token)');
      expect(printed).not.toContain(SECRET_TOKEN);
    });

    it('refuses attestations required with a token before anything is sent', async () => {
      process.env['UV_PUBLISH_TOKEN'] = SECRET_TOKEN;
      await expect(run({ repository: index.uploadUrl, indexUrl: index.indexUrl, credentials: 'token', attestations: 'required' })).rejects.toThrow(
        /option "attestations" is "required" with credentials "token"; PyPI accepts PEP 740 attestations only from trusted publishing/,
      );
      expect(readdirSync(join(ws.root, 'remote-index'))).toEqual([]);
    });

    it('refuses trusted publishing outside a GitHub Actions job with an OIDC token, before anything is sent', async () => {
      delete process.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
      await expect(run({ repository: index.uploadUrl, indexUrl: index.indexUrl, credentials: 'trusted-publishing' })).rejects.toThrow(
        /credentials "trusted-publishing" for http:\/\/127\.0\.0\.1:\d+\/: trusted publishing needs a GitHub Actions job with `permissions: id-token: write`/,
      );
      expect(readdirSync(join(ws.root, 'remote-index'))).toEqual([]);
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

  it('refuses a wheel with a bare linux_<arch> platform tag for TestPyPI before anything is sent', async () => {
    // What maturin writes under `compatibility = "linux"`: the same wheel, named and listed with that platform tag.
    const manifestFile = join(ws.root, ARTEFACT_DIR, 'artefacts.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as typeof artefacts.manifest;
    const wheel = manifest.artefacts.find((entry) => entry.kind === 'wheel')!;
    const linuxFile = wheel.file.replace(/-[^-]+\.whl$/, '-linux_x86_64.whl');
    renameSync(join(ws.root, ARTEFACT_DIR, wheel.file), join(ws.root, ARTEFACT_DIR, linuxFile));
    Object.assign(wheel, { file: linuxFile, tags: wheel.tags.map((tag) => tag.replace(/-[^-]+$/, '-linux_x86_64')) });
    writeFileSync(manifestFile, JSON.stringify(manifest));
    process.env['UV_PUBLISH_TOKEN'] = SECRET_TOKEN;
    await expect(run({ repository: 'testpypi', dryRun: true })).rejects.toThrow(
      new RegExp(`Refusing to upload to TestPyPI, which accepts only manylinux_\\* or musllinux_\\* Linux wheels:\\n  \\S*${ARTEFACT_DIR}/${linuxFile.replace(/\./g, '\\.')}: platform tag linux_x86_64\\nNext step: build with a manylinux policy`),
    );
    expect(output.join('\n')).not.toContain('Would upload');
  });

  it('fails clearly after the retries when nothing listens at the index', async () => {
    const port = await findFreePort();
    process.env['UV_PUBLISH_TOKEN'] = SECRET_TOKEN;
    await expect(run({ repository: `http://127.0.0.1:${port}/`, indexUrl: `http://127.0.0.1:${port}/simple/`, uploadAttempts: 3 })).rejects.toThrow(
      /Nothing was uploaded: the index did not answer after 3 attempts with backoff \(GET http:\/\/127\.0\.0\.1:\d+\/simple\/hello-maturin\/ failed: ECONNREFUSED\), so neither the versions of hello-maturin it already has/,
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
