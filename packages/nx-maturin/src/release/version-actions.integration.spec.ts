import { createTempWorkspace, type TempWorkspace } from '../test-support/temp-workspace';
import { maturinReleaseConfig } from './release-config';

jest.setTimeout(5 * 60_000);

describe('nx release with maturin version actions', () => {
  let ws: TempWorkspace;
  const status = () => ws.git(['status', '--porcelain']);

  beforeEach(async () => {
    ws = createTempWorkspace({ pluginOptions: { projectNames: { 'libs/hello': 'hello' } }, nxJson: { release: maturinReleaseConfig(['hello']) } });
    ws.addFixture('hello-maturin', 'libs/hello');
    await ws.git(['init', '-q', '-b', 'main']);
    await ws.git(['config', 'user.name', 'Test']);
    await ws.git(['config', 'user.email', 'test@example.invalid']);
    await ws.git(['add', '.']);
    await ws.git(['commit', '-q', '-m', 'chore: initial workspace']);
    await ws.git(['tag', '-a', 'hello-v0.2.0', '-m', 'hello-v0.2.0']);
    ws.write('libs/hello/src/extra.rs', '// a fix\n');
    await ws.git(['add', '.']);
    await ws.git(['commit', '-q', '-m', 'fix(hello): greet without a trailing space']);
    ws.write('libs/hello/python/hello_maturin/extra.py', 'FEATURE = True\n');
    await ws.git(['add', '.']);
    await ws.git(['commit', '-q', '-m', 'feat(hello): a louder greeting']);
  });
  afterEach(() => ws.remove());

  it('bumps a patch release in every manifest, writes the changelog, commits and makes an annotated tag', async () => {
    const run = await ws.nx(['release', 'patch', '--skip-publish']);
    expect(run.exitCode === 0 ? '' : run.all).toBe('');
    expect(ws.read('libs/hello/Cargo.toml')).toContain('version = "0.2.1"');
    expect(ws.read('libs/hello/pyproject.toml')).toContain('version = "0.2.1"');
    expect(ws.read('libs/hello/Cargo.lock')).toContain('name = "hello-maturin"\nversion = "0.2.1"');
    const changelog = ws.read('libs/hello/CHANGELOG.md');
    expect(changelog).toMatch(/^## 0\.2\.1 \(\d{4}-\d{2}-\d{2}\)/);
    expect(changelog).toContain('### 🚀 Features');
    expect(changelog).toContain('a louder greeting');
    expect(changelog).toContain('### 🩹 Fixes');
    expect(changelog).toContain('greet without a trailing space');
    expect(changelog).toContain('## [0.2.0] - 2026-11-25');
    expect(await ws.git(['cat-file', '-t', 'hello-v0.2.1'])).toBe('tag');
    expect(await ws.git(['log', '-1', '--format=%s'])).toMatch(/^chore\(release\): publish/);
    expect(await status()).toBe('');
    expect((await ws.nx(['run', 'hello:version-sync', '--tag=hello-v0.2.1'])).exitCode).toBe(0);
  });

  it('runs step by step too: version writes and stages the manifests, changelog writes, commits and tags, publish accepts the configuration', async () => {
    const version = await ws.nx(['release', 'version', 'patch']);
    expect(version.exitCode === 0 ? '' : version.all).toBe('');
    expect(ws.read('libs/hello/pyproject.toml')).toContain('version = "0.2.1"');
    expect((await status()).split('\n')).toEqual(expect.arrayContaining(['M  libs/hello/Cargo.toml', 'M  libs/hello/pyproject.toml']));
    const changelog = await ws.nx(['release', 'changelog', '0.2.1']);
    expect(changelog.exitCode === 0 ? '' : changelog.all).toBe('');
    expect(ws.read('libs/hello/CHANGELOG.md')).toMatch(/^## 0\.2\.1 /);
    expect(await ws.git(['cat-file', '-t', 'hello-v0.2.1'])).toBe('tag');
    expect(await status()).toBe('');
    // The publish subcommand resolves the configuration as well (the upload itself is pypi-upload's, tested there).
    // Nx 23.2.1's `release publish --print-config` prints it and then exits 1 from its own result handling, so the
    // printed configuration is what is checked here: a refused configuration stops before it is printed.
    const publish = await ws.nx(['release', 'publish', '--print-config']);
    expect(publish.all).toContain('Resolved Nx Release Configuration');
    expect(publish.all).not.toContain('may not be used');
  });

  it('writes a SemVer pre-release as PEP 440 in pyproject', async () => {
    const run = await ws.nx(['release', '0.3.0-rc.1', '--skip-publish']);
    expect(run.exitCode).toBe(0);
    expect(run.all).toContain('New version 0.3.0rc1 written to libs/hello/pyproject.toml');
    expect(ws.read('libs/hello/pyproject.toml')).toContain('version = "0.3.0rc1"');
    expect(ws.read('libs/hello/Cargo.toml')).toContain('version = "0.3.0-rc.1"');
    expect(await ws.git(['cat-file', '-t', 'hello-v0.3.0-rc.1'])).toBe('tag');
  });

  it('changes nothing on a dry run', async () => {
    const head = await ws.git(['rev-parse', 'HEAD']);
    const run = await ws.nx(['release', 'patch', '--skip-publish', '--dry-run']);
    expect(run.exitCode).toBe(0);
    expect(run.all).toContain('0.2.1');
    expect(await status()).toBe('');
    expect(await ws.git(['rev-parse', 'HEAD'])).toBe(head);
    expect(await ws.git(['tag', '--list'])).toBe('hello-v0.2.0');
  });

  it.each([
    ['a version with no PEP 440 form', async () => undefined, ['release', '0.3.0-preview.1', '--skip-publish'], /"0.3.0-preview.1" \(from the version nx release chose for hello\) cannot be used/],
    ['uncommitted changes', async () => ws.write('libs/hello/README.md', 'changed\n'), ['release', 'patch', '--skip-publish'], /the git working tree has uncommitted changes:[\s\S]*M libs\/hello\/README.md/],
    ['an existing tag', async () => { await ws.git(['tag', '-a', 'hello-v0.2.1', '-m', 'earlier']); }, ['release', 'patch', '--skip-publish'], /the tag "hello-v0.2.1" already exists/],
  ])('refuses %s and writes nothing', async (_, prepare, args, message) => {
    await prepare();
    const before = await status();
    const head = await ws.git(['rev-parse', 'HEAD']);
    const run = await ws.nx(args as string[]);
    expect(run.exitCode).not.toBe(0);
    expect(run.all).toMatch(message);
    expect(await status()).toBe(before);
    expect(await ws.git(['rev-parse', 'HEAD'])).toBe(head);
    expect(ws.read('libs/hello/pyproject.toml')).toContain('version = "0.2.0"');
  });

  it('shows why the current version is unknown, which nx release would otherwise replace with its own message', async () => {
    ws.write('libs/hello/pyproject.toml', ws.read('libs/hello/pyproject.toml').replace('version = "0.2.0"', 'version = "0.2.5"'));
    await ws.git(['commit', '-q', '-am', 'chore: pyproject ahead of Cargo']);
    const run = await ws.nx(['release', 'version', 'patch', '--dry-run']);
    expect(run.exitCode).not.toBe(0);
    expect(run.all).toContain('hello: The version sources of hello do not agree, so its current version is unknown:');
    expect(run.all).toMatch(/✗\s+pyproject.toml \[project\].version\s+libs\/hello\/pyproject.toml\s+0.2.5/);
    expect(run.all).toContain('nx run hello:version-write --write=<current version>');
  });

  it('takes the version-sync options from the project: an independent Cargo version is neither compared nor written', async () => {
    ws.write('libs/hello/Cargo.toml', ws.read('libs/hello/Cargo.toml').replace('version = "0.2.0"', 'version = "0.9.0"'));
    ws.write('libs/hello/Cargo.lock', ws.read('libs/hello/Cargo.lock').replace('name = "hello-maturin"\nversion = "0.2.0"', 'name = "hello-maturin"\nversion = "0.9.0"'));
    const nxJson = JSON.parse(ws.read('nx.json')) as Record<string, unknown>;
    nxJson['targetDefaults'] = { ...(nxJson['targetDefaults'] as object), 'version-sync': { options: { cargoVersion: 'independent', changelog: false } } };
    ws.write('nx.json', JSON.stringify(nxJson, null, 2));
    await ws.git(['commit', '-q', '-am', 'chore: the crate keeps its own version']);
    const run = await ws.nx(['release', 'version', 'patch']);
    expect(run.exitCode === 0 ? '' : run.all).toBe('');
    expect(ws.read('libs/hello/pyproject.toml')).toContain('version = "0.2.1"');
    expect(ws.read('libs/hello/Cargo.toml')).toContain('version = "0.9.0"');
    expect(ws.read('libs/hello/Cargo.lock')).toContain('name = "hello-maturin"\nversion = "0.9.0"');
  });

  it('refuses a release whose changelog step would write a second changelog beside CHANGELOG.rst, and releases once told to leave it', async () => {
    const markdown = ws.read('libs/hello/CHANGELOG.md');
    ws.write('libs/hello/CHANGELOG.rst', `Changelog\n=========\n\n0.2.0\n-----\n\n${markdown.replace(/^#.*$/gm, '')}`);
    await ws.git(['rm', '-q', 'libs/hello/CHANGELOG.md']);
    await ws.git(['add', '.']);
    await ws.git(['commit', '-q', '-m', 'docs: the history in reStructuredText']);
    const refused = await ws.nx(['release', 'version', 'patch', '--dry-run']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.all).toContain(
      'Refusing to release hello 0.2.1: its changelog is libs/hello/CHANGELOG.rst, but nx release changelog writes libs/hello/CHANGELOG.md (release.changelog.projectChangelogs)',
    );
    expect(refused.all).toContain('set release.changelog.projectChangelogs to false in nx.json and add each release\'s heading to libs/hello/CHANGELOG.rst yourself');
    const nxJson = JSON.parse(ws.read('nx.json')) as { release: { changelog: Record<string, unknown> } };
    nxJson.release.changelog['projectChangelogs'] = false;
    ws.write('nx.json', JSON.stringify(nxJson, null, 2));
    await ws.git(['commit', '-q', '-am', 'chore: no generated changelog']);
    const run = await ws.nx(['release', 'version', 'patch']);
    expect(run.exitCode === 0 ? '' : run.all).toBe('');
    expect(ws.read('libs/hello/pyproject.toml')).toContain('version = "0.2.1"');
  });
});
