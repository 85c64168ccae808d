import { createServer, type Server } from 'node:http';
import { displayUrl, IndexUnreachableError, listPublishedFiles, normalizeDistributionName } from './index-client';

describe('index-client', () => {
  let server: Server;
  let baseUrl: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/json/hello-maturin/') {
        response.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
        response.end(JSON.stringify({ files: [{ filename: 'hello_maturin-0.2.0.tar.gz', hashes: { sha256: 'ab'.repeat(32) } }] }));
      } else if (request.url === '/html/hello-maturin/') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end(`<a href="/packages/hello_maturin-0.2.0.tar.gz#sha256=${'CD'.repeat(32)}">hello_maturin-0.2.0.tar.gz</a><br>`);
      } else if (request.url === '/yanked-json/hello-maturin/') {
        response.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
        response.end(JSON.stringify({ files: [{ filename: 'hello_maturin-0.2.0.tar.gz', yanked: 'broken' }, { filename: 'hello_maturin-0.1.0.tar.gz', yanked: false }] }));
      } else if (request.url === '/yanked-html/hello-maturin/') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<a href="/p/hello_maturin-0.2.0.tar.gz" data-yanked="">hello_maturin-0.2.0.tar.gz</a><a href="/p/hello_maturin-0.1.0.tar.gz">hello_maturin-0.1.0.tar.gz</a>');
      } else if (request.url === '/private/hello-maturin/') {
        const allowed = request.headers.authorization === `Basic ${Buffer.from('ci user:s3cret/+').toString('base64')}`;
        response.writeHead(allowed ? 200 : 401, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
        response.end(allowed ? JSON.stringify({ files: [{ filename: 'hello_maturin-0.2.0.tar.gz' }] }) : '');
      } else if (request.url?.startsWith('/broken/')) {
        response.writeHead(502).end();
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => server.close());

  it('normalises names the PEP 503 way', () => {
    expect(normalizeDistributionName('Hello_Maturin.Ext')).toBe('hello-maturin-ext');
  });

  it('reads files and sha256 from a PEP 691 JSON answer and from a PEP 503 HTML page', async () => {
    expect(await listPublishedFiles(`${baseUrl}/json/`, 'hello_maturin')).toEqual(new Map([['hello_maturin-0.2.0.tar.gz', 'ab'.repeat(32)]]));
    expect(await listPublishedFiles(`${baseUrl}/html`, 'hello-maturin')).toEqual(new Map([['hello_maturin-0.2.0.tar.gz', 'cd'.repeat(32)]]));
  });

  it('reads a 404 as "nothing published yet" and a 5xx as unreachable', async () => {
    expect(await listPublishedFiles(`${baseUrl}/json/`, 'other')).toEqual(new Map());
    await expect(listPublishedFiles(`${baseUrl}/broken/`, 'hello-maturin')).rejects.toBeInstanceOf(IndexUnreachableError);
  });

  it('marks the files an index says are yanked (PEP 592), in JSON and in HTML', async () => {
    for (const path of ['/yanked-json/', '/yanked-html/']) {
      const files = await listPublishedFiles(`${baseUrl}${path}`, 'hello-maturin');
      expect([...files.keys()].sort()).toEqual(['hello_maturin-0.1.0.tar.gz', 'hello_maturin-0.2.0.tar.gz']);
      expect(files.yanked).toEqual(new Set(['hello_maturin-0.2.0.tar.gz']));
    }
  });

  it('sends the credentials of an index URL (https://user:token@host/simple/) as a header and never names them in an error', async () => {
    const withCredentials = (path: string) => baseUrl.replace('http://', 'http://ci%20user:s3cret%2F%2B@') + path;
    expect(await listPublishedFiles(withCredentials('/private/'), 'hello-maturin')).toEqual(new Map([['hello_maturin-0.2.0.tar.gz', undefined]]));
    const failure = listPublishedFiles(withCredentials('/broken/'), 'hello-maturin');
    await expect(failure).rejects.toThrow(`GET ${baseUrl.replace('http://', 'http://***@')}/broken/hello-maturin/ answered 502`);
    await expect(failure).rejects.not.toThrow(/s3cret/);
    expect(displayUrl(withCredentials('/simple/'))).toBe(`${baseUrl.replace('http://', 'http://***@')}/simple/`);
  });
});
