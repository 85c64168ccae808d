import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { latestVersionOnIndex } from './registry-version';

describe('registry-version', () => {
  let server: Server;
  let baseUrl: string;
  const requests: { url: string; accept: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push({ url: request.url ?? '', accept: String(request.headers.accept) });
      if (request.url === '/json-index/simple/hello-maturin/') {
        response.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
        response.end(JSON.stringify({ name: 'hello-maturin', files: [
          { filename: 'hello_maturin-0.2.0-cp312-cp312-manylinux_2_17_x86_64.whl' },
          { filename: 'hello_maturin-0.3.0rc1.tar.gz' },
          { filename: 'hello_maturin-0.3.0.dev2.tar.gz' },
          { filename: 'other_package-9.0.0.tar.gz' },
        ] }));
      } else if (request.url === '/simple/hello-maturin/') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html><body><a href="/packages/hello_maturin-0.2.0.tar.gz#sha256=00">hello_maturin-0.2.0.tar.gz</a>\n' +
          '<a href="/packages/hello_maturin-0.2.1-cp313-cp313-linux_x86_64.whl">hello_maturin-0.2.1-cp313-cp313-linux_x86_64.whl</a>\n' +
          '<a href="/packages/hello_maturin-0.2.1.post1.tar.gz">hello_maturin-0.2.1.post1.tar.gz</a></body></html>');
      } else {
        response.writeHead(404);
        response.end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the PEP 691 JSON simple API and orders releases the PEP 440 way', async () => {
    await expect(latestVersionOnIndex(`${baseUrl}/json-index`, 'Hello_Maturin')).resolves.toEqual({
      version: '0.3.0-rc.1',
      logText: `from ${baseUrl}/json-index/simple/hello-maturin/`,
    });
    expect(requests.at(-1)?.accept).toContain('application/vnd.pypi.simple.v1+json');
  });

  it('falls back to the HTML links of a simple index and skips versions with no SemVer form', async () => {
    await expect(latestVersionOnIndex(`${baseUrl}/simple/`, 'hello-maturin')).resolves.toMatchObject({ version: '0.2.1' });
  });

  it('returns null when the index does not have the project', async () => {
    await expect(latestVersionOnIndex(baseUrl, 'not-there')).resolves.toEqual({
      version: null,
      logText: `not-there is not on ${baseUrl}/simple/not-there/`,
    });
  });
});
