import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace, type TempWorkspace } from '../../test-support/temp-workspace';
import { executorContext } from '../wheel-smoke/test-support/fixture-artefacts';
import serveIndexExecutor from './serve-index.impl';

jest.setTimeout(2 * 60_000);

describe('serve-index executor', () => {
  let ws: TempWorkspace;
  let output: string[];
  beforeEach(() => {
    ws = createTempWorkspace();
    output = [];
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void output.push(parts.join(' ')));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    ws.remove();
  });

  it('yields success once pypiserver answers, prints the URL and the credentials file but not the password, and stops it when ended', async () => {
    const running = serveIndexExecutor({}, executorContext(ws.root));
    const first = await running.next();
    expect(first.value).toEqual({ success: true, baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/simple\/$/) });
    const indexUrl = (first.value as { baseUrl: string }).baseUrl;
    const credentials = JSON.parse(readFileSync(join(ws.root, 'dist/local-index-auth/credentials.json'), 'utf8')) as { username: string; password: string };
    const printed = output.join('\n');
    expect(printed).toContain(`Local package index running at ${indexUrl} (packages in dist/local-index)`);
    expect(printed).toContain('the password is in dist/local-index-auth/credentials.json');
    expect(printed).not.toContain(credentials.password);

    // Downloads need no credentials; an upload with the stored ones lands in the storage folder.
    expect((await fetch(indexUrl)).status).toBe(200);
    const upload = async (password: string) => {
      const form = new FormData();
      form.set(':action', 'file_upload');
      form.set('name', 'tiny-pkg');
      form.set('version', '1.0');
      form.set('content', new Blob([Buffer.from('not really a tarball')]), 'tiny_pkg-1.0.tar.gz');
      const authorization = `Basic ${Buffer.from(`${credentials.username}:${password}`).toString('base64')}`;
      return (await fetch(indexUrl.replace('/simple/', '/'), { method: 'POST', body: form, headers: { authorization } })).status;
    };
    expect(await upload('wrong')).toBe(403);
    expect(await upload(credentials.password)).toBe(200);
    expect(readdirSync(join(ws.root, 'dist/local-index'))).toEqual(['tiny_pkg-1.0.tar.gz']);

    await running.return({ success: true });
    await expect(fetch(indexUrl)).rejects.toThrow();
  });

  it('runs as a continuous nx target until nx is stopped, and takes pypiserver down with it', async () => {
    ws.addFixture('hello-maturin', 'libs/hello');
    const nx = execa(process.execPath, [join(ws.root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'run', 'hello-maturin:serve-index', '--outputStyle=stream'], {
      cwd: ws.root,
      env: { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
      reject: false,
      all: true,
    });
    let seen = '';
    const indexUrl = await new Promise<string>((resolve, reject) => {
      nx.all?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /Local package index running at (\S+)/.exec(seen);
        if (match?.[1]) resolve(match[1]);
      });
      void nx.then(() => reject(new Error(`nx exited before the index was up:\n${seen}`)));
    });
    expect((await fetch(indexUrl)).status).toBe(200);
    nx.kill('SIGTERM');
    await nx;
    await expect(fetch(indexUrl)).rejects.toThrow();
  });
});
