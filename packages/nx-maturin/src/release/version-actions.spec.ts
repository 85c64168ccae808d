import type { Tree } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MaturinVersionActions from './version-actions';

describe('MaturinVersionActions.readCurrentVersionFromRegistry', () => {
  let root: string;
  let server: Server;
  let registry: string;
  const requested: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requested.push(request.url ?? '');
      response.writeHead(404);
      response.end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-maturin-version-actions-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('asks the index for the distribution maturin publishes (the crate, without [project]), not the renamed Nx project', async () => {
    mkdirSync(join(root, 'libs', 'rj'), { recursive: true });
    writeFileSync(join(root, 'libs', 'rj', 'pyproject.toml'), '[build-system]\nbuild-backend = "maturin"\n');
    writeFileSync(join(root, 'libs', 'rj', 'Cargo.toml'), '[package]\nname = "rj-core"\nversion = "0.1.0"\n');
    const node = { name: 'rj', type: 'lib', data: { root: 'libs/rj' } } as ConstructorParameters<typeof MaturinVersionActions>[1];
    const actions = new MaturinVersionActions({} as ConstructorParameters<typeof MaturinVersionActions>[0], node, {} as ConstructorParameters<typeof MaturinVersionActions>[2]);
    await expect(actions.readCurrentVersionFromRegistry({ root } as Tree, { registry })).resolves.toMatchObject({ currentVersion: null });
    expect(requested).toEqual(['/simple/rj-core/']);
  });
});
