import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal server for Nx's self-hosted remote cache protocol (GET/PUT /v1/cache/{hash}, bearer token), kept in
 * memory: the local stand-in for the remote cache that machines of one platform share.
 */
export interface RemoteCacheServer {
  /** Environment that points an nx process at this server. */
  env: NodeJS.ProcessEnv;
  /** Hashes stored so far. */
  stored(): string[];
  close(): Promise<void>;
}

export async function startRemoteCacheServer(): Promise<RemoteCacheServer> {
  const token = `test-token-${process.pid}`;
  const entries = new Map<string, Buffer>();
  const server: Server = createServer((request, response) => {
    const hash = /^\/v1\/cache\/([\w-]+)$/.exec(request.url ?? '')?.[1];
    if (!hash) return void response.writeHead(404).end();
    if (request.headers.authorization !== `Bearer ${token}`) return void response.writeHead(403).end();
    if (request.method === 'GET') {
      const entry = entries.get(hash);
      if (!entry) return void response.writeHead(404).end();
      return void response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.length }).end(entry);
    }
    if (request.method === 'PUT') {
      if (entries.has(hash)) return void response.writeHead(409).end();
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        entries.set(hash, Buffer.concat(chunks));
        response.writeHead(200).end();
      });
      return;
    }
    response.writeHead(405).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: `http://127.0.0.1:${port}`, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token },
    stored: () => [...entries.keys()],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
