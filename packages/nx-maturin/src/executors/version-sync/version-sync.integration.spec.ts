import { createTempWorkspace, type TempWorkspace } from '../../test-support/temp-workspace';

jest.setTimeout(5 * 60_000);

describe('version-sync executor', () => {
  let ws: TempWorkspace;
  const original: Record<string, string> = {};
  const files = ['Cargo.toml', 'Cargo.lock', 'pyproject.toml', 'CHANGELOG.md'];
  const edit = (path: string, from: string | RegExp, to: string) => ws.write(`libs/hello/${path}`, ws.read(`libs/hello/${path}`).replace(from, to));
  const restore = () => files.forEach((path) => ws.write(`libs/hello/${path}`, original[path] ?? ''));

  beforeAll(() => {
    ws = createTempWorkspace({ pluginOptions: { projectNames: { 'libs/hello': 'hello' } } });
    ws.addFixture('hello-maturin', 'libs/hello');
    for (const path of files) original[path] = ws.read(`libs/hello/${path}`);
  });
  afterAll(() => ws.remove());
  afterEach(restore);

  it('passes when every source agrees, prints the table, and is served from the cache the second time', async () => {
    const first = await ws.nx(['run', 'hello:version-sync']);
    expect(first.exitCode).toBe(0);
    expect(first.all).toContain('All 4 version sources of hello agree on 0.2.0 (PEP 440 0.2.0).');
    expect(first.all).toMatch(/✓\s+Cargo.lock \[\[package\]\].version\s+libs\/hello\/Cargo.lock\s+0.2.0/);
    const second = await ws.nx(['run', 'hello:version-sync']);
    expect(second.exitCode).toBe(0);
    expect(second.all).toMatch(/\[local cache\]|existing outputs match the cache/);
  });

  it.each([
    ['Cargo.toml against pyproject.toml', 'Cargo.toml', 'version = "0.2.0"', 'version = "0.2.1"', /✗\s+pyproject.toml \[project\].version\s+libs\/hello\/pyproject.toml\s+0.2.0/],
    ['Cargo.lock', 'Cargo.lock', /name = "hello-maturin"\nversion = "0.2.0"/, 'name = "hello-maturin"\nversion = "0.1.9"', /✗\s+Cargo.lock \[\[package\]\].version\s+libs\/hello\/Cargo.lock\s+0.1.9/],
    ['the CHANGELOG heading', 'CHANGELOG.md', '## [0.2.0]', '## [Unreleased]\n\n## [0.3.0]', /✗\s+CHANGELOG.md newest heading\s+libs\/hello\/CHANGELOG.md\s+0.3.0/],
  ])('fails with the table when %s disagrees', async (_, path, from, to, row) => {
    edit(path, from, to);
    const run = await ws.nx(['run', 'hello:version-sync']);
    expect(run.exitCode).not.toBe(0);
    expect(run.all).toContain('The version sources of hello do not agree:');
    expect(run.all).toMatch(row);
  });

  it('fails when the tag in GITHUB_REF names another version, and passes for the right tag', async () => {
    const wrong = await ws.nx(['run', 'hello:version-sync'], { GITHUB_REF: 'refs/tags/hello-v0.2.1' });
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.all).toMatch(/✗\s+release tag \(\{projectName\}-v\{version\}\)\s+tag hello-v0.2.1\s+0.2.1/);
    const right = await ws.nx(['run', 'hello:version-sync'], { GITHUB_REF: 'refs/tags/hello-v0.2.0' });
    expect(right.exitCode).toBe(0);
  });

  it('writes a pre-release everywhere with version-write, SemVer in Cargo and PEP 440 in pyproject, and refuses --write on the cached check', async () => {
    edit('CHANGELOG.md', '## [0.2.0]', '## 0.3.0-rc.1\n\n## [0.2.0]');
    const refused = await ws.nx(['run', 'hello:version-sync', '--write=0.3.0-rc.1']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.all).toContain('run it on the uncached target: nx run hello:version-write --write=0.3.0-rc.1');
    expect(ws.read('libs/hello/Cargo.toml')).toContain('version = "0.2.0"');
    const run = await ws.nx(['run', 'hello:version-write', '--write=0.3.0-rc.1']);
    expect(run.all).toContain('Wrote 0.3.0-rc.1 (PEP 440 0.3.0rc1) to libs/hello/Cargo.toml, libs/hello/Cargo.lock, libs/hello/pyproject.toml.');
    expect(run.exitCode).toBe(0);
    expect(ws.read('libs/hello/pyproject.toml')).toContain('version = "0.3.0rc1"');
    expect(ws.read('libs/hello/Cargo.toml')).toContain('version = "0.3.0-rc.1"');
    expect(ws.read('libs/hello/Cargo.lock')).toContain('name = "hello-maturin"\nversion = "0.3.0-rc.1"');
    expect((await ws.nx(['run', 'hello:version-sync'])).exitCode).toBe(0);
  });

  it('leaves out a CHANGELOG the project no longer keeps with --changelog=false', async () => {
    edit('CHANGELOG.md', '## [0.2.0]', 'Release notes moved elsewhere.\n\n## [0.1.0]');
    expect((await ws.nx(['run', 'hello:version-sync'])).exitCode).not.toBe(0);
    const run = await ws.nx(['run', 'hello:version-sync', '--changelog=false']);
    expect(run.exitCode === 0 ? '' : run.all).toBe('');
    expect(run.all).toContain('All 3 version sources of hello agree on 0.2.0 (PEP 440 0.2.0).');
  });
});
