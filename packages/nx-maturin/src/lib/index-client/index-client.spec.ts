import { createServer, type Server } from 'node:http';
import { IndexUnreachableError, listPublishedFiles, normalizeDistributionName } from './index-client';

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
});
