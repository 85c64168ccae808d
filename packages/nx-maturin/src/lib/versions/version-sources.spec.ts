import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES } from '../../test-support/temp-workspace';
import { TomlFileError } from '../toml-file';
import { checkVersionSources, readVersionSources, VersionMismatchError, type VersionCheckInput } from './version-sources';

describe('version-sources', () => {
  let workspaceRoot: string;
  let input: VersionCheckInput;
  const file = (path: string) => join(workspaceRoot, 'libs/hello', path);
  const edit = (path: string, from: string | RegExp, to: string) => writeFileSync(file(path), readFileSync(file(path), 'utf8').replace(from, to));
  const savedGithubRef = process.env['GITHUB_REF'];

  beforeEach(() => {
    delete process.env['GITHUB_REF'];
    workspaceRoot = mkdtempSync(join(tmpdir(), 'version-sources-'));
    cpSync(join(FIXTURES, 'hello-maturin'), join(workspaceRoot, 'libs/hello'), { recursive: true });
    input = { workspaceRoot, projectRoot: 'libs/hello', projectName: 'hello' };
  });
  afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));
  afterAll(() => {
    if (savedGithubRef !== undefined) process.env['GITHUB_REF'] = savedGithubRef;
  });

  it('reads Cargo.toml, Cargo.lock, a static pyproject version and the CHANGELOG heading of the fixture', async () => {
    const sources = await readVersionSources(input);
    expect(sources.map(({ name, file, version, normalized }) => [name, file, version, normalized])).toEqual([
      ['Cargo.toml [package].version', 'libs/hello/Cargo.toml', '0.2.0', '0.2.0'],
      ['Cargo.lock [[package]].version', 'libs/hello/Cargo.lock', '0.2.0', '0.2.0'],
      ['pyproject.toml [project].version', 'libs/hello/pyproject.toml', '0.2.0', '0.2.0'],
      ['CHANGELOG.md newest heading', 'libs/hello/CHANGELOG.md', '0.2.0', '0.2.0'],
    ]);
    await expect(checkVersionSources(input)).resolves.toMatchObject({ version: '0.2.0', pep440: '0.2.0' });
  });

  it('maps a static PEP 440 pre-release in pyproject to its SemVer form', async () => {
    edit('Cargo.toml', 'version = "0.2.0"', 'version = "0.3.0-rc.1"');
    edit('Cargo.lock', /name = "hello-maturin"\nversion = "0.2.0"/, 'name = "hello-maturin"\nversion = "0.3.0-rc.1"');
    edit('pyproject.toml', 'version = "0.2.0"', 'version = "0.3.0rc1"');
    edit('CHANGELOG.md', '## [0.2.0]', '## 0.3.0-rc.1 (2026-11-25)\n\n## [0.2.0]');
    await expect(checkVersionSources(input)).resolves.toMatchObject({ version: '0.3.0-rc.1', pep440: '0.3.0rc1' });
  });

  it('takes a dynamic pyproject version from Cargo and says so', async () => {
    edit('pyproject.toml', 'version = "0.2.0"', 'dynamic = ["version"]');
    const pyproject = (await readVersionSources(input))[2];
    expect(pyproject).toEqual({
      name: 'pyproject.toml [project].version (dynamic: taken from Cargo)',
      file: 'libs/hello/pyproject.toml',
      version: '0.2.0',
      normalized: '0.2.0',
    });
  });

  it('follows version.workspace = true to [workspace.package] of the Cargo workspace root', async () => {
    edit('Cargo.toml', 'version = "0.2.0"', 'version.workspace = true');
    writeFileSync(join(workspaceRoot, 'Cargo.toml'), '[workspace]\nmembers = ["libs/hello"]\n\n[workspace.package]\nversion = "0.2.0"\n');
    const [cargo] = await readVersionSources(input);
    expect(cargo).toEqual({
      name: 'Cargo [workspace.package].version (inherited by libs/hello/Cargo.toml)',
      file: 'Cargo.toml',
      version: '0.2.0',
      normalized: '0.2.0',
    });
  });

  it('reads a __version__ literal and ignores a derived one', async () => {
    expect((await readVersionSources(input)).some((source) => source.name === '__version__')).toBe(false);
    writeFileSync(file('python/hello_maturin/__init__.py'), 'from hello_maturin._hello import greet\n\n__version__ = "0.2.0rc1"\n');
    const sources = await readVersionSources(input);
    expect(sources.find((source) => source.name === '__version__')).toEqual({
      name: '__version__',
      file: 'libs/hello/python/hello_maturin/__init__.py',
      version: '0.2.0rc1',
      normalized: '0.2.0-rc.1',
    });
  });

  it('names the file and field when a version is missing or not a string', async () => {
    edit('Cargo.toml', 'version = "0.2.0"\n', '');
    edit('pyproject.toml', 'version = "0.2.0"', 'version = 2');
    const [cargo, , pyproject] = await readVersionSources(input);
    expect(cargo?.problem).toBe('libs/hello/Cargo.toml has no [package].version string field; add `version = "X.Y.Z"` there');
    expect(pyproject?.problem).toBe(
      'libs/hello/pyproject.toml: [project].version is 2; expected a string such as "1.2.3", or leave it out and list "version" in [project].dynamic',
    );
  });

  it('refuses a [project] with neither a version nor "version" in dynamic, whose sdist uv refuses to build, naming the fix', async () => {
    edit('pyproject.toml', 'version = "0.2.0"\n', '');
    const pyproject = (await readVersionSources(input))[2];
    expect(pyproject).toEqual({
      name: 'pyproject.toml [project].version',
      file: 'libs/hello/pyproject.toml',
      version: null,
      normalized: null,
      problem:
        'libs/hello/pyproject.toml: [project] has no version and does not list "version" in [project].dynamic; expected one of the two. maturin builds it with Cargo\'s version (and a warning), ' +
        'but the sdist\'s pyproject.toml is then invalid under PEP 621 and uv refuses to build it. Next step: add `dynamic = ["version"]` to [project]',
    });
    await expect(checkVersionSources(input)).rejects.toThrow(/\[project\] has no version and does not list "version" in \[project\]\.dynamic/);
  });

  it('reports malformed TOML with the file and line', async () => {
    edit('pyproject.toml', '[project]\n', '[project]\nname = \n');
    const failure = readVersionSources(input);
    await expect(failure).rejects.toThrow(TomlFileError);
    await expect(readVersionSources(input)).rejects.toThrow(/libs\/hello\/pyproject\.toml:6: invalid TOML/);
  });

  it('names the crate when Cargo.lock has no entry for it', async () => {
    edit('Cargo.lock', 'name = "hello-maturin"', 'name = "someone-else"');
    const [, lock] = await readVersionSources(input);
    expect(lock?.problem).toMatch(/^libs\/hello\/Cargo.lock has no \[\[package\]\] named "hello-maturin"/);
  });

  it('throws a table of every source when they disagree', async () => {
    edit('pyproject.toml', 'version = "0.2.0"', 'version = "0.2.1"');
    const failure = await checkVersionSources({ ...input, tag: 'hello-v0.2.0' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(VersionMismatchError);
    const message = (failure as Error).message;
    expect(message).toContain('The version sources of hello do not agree:');
    expect(message).toMatch(/✓\s+Cargo.toml \[package\].version\s+libs\/hello\/Cargo.toml\s+0.2.0\s+0.2.0/);
    expect(message).toMatch(/✗\s+pyproject.toml \[project\].version\s+libs\/hello\/pyproject.toml\s+0.2.1\s+0.2.1/);
    expect(message).toMatch(/✓\s+release tag \(\{projectName\}-v\{version\}\)\s+tag hello-v0.2.0\s+0.2.0/);
    expect(message).toContain('nx run hello:version-write --write=<version>');
  });

  it('reads the tag from GITHUB_REF and checks it against the pattern', async () => {
    process.env['GITHUB_REF'] = 'refs/tags/hello-v0.2.1';
    await expect(checkVersionSources(input)).rejects.toThrow(/✗\s+release tag .*tag hello-v0.2.1\s+0.2.1\s+0.2.1/);
    const [tag] = (await readVersionSources({ ...input, tag: 'v0.2.0' })).slice(-1);
    expect(tag?.problem).toBe('the tag "v0.2.0" does not match the pattern "hello-v<version>"');
    await expect(checkVersionSources({ ...input, tag: 'v0.2.0', tagPattern: 'v{version}' })).resolves.toMatchObject({ version: '0.2.0' });
  });

  it('checks the Cargo.lock entries of the other workspace members inheriting the version', async () => {
    edit('Cargo.toml', 'version = "0.2.0"', 'version.workspace = true');
    writeFileSync(join(workspaceRoot, 'Cargo.toml'), '[workspace]\nmembers = ["libs/*"]\n\n[workspace.package]\nversion = "0.2.1"\n');
    mkdirSync(join(workspaceRoot, 'libs/core'));
    writeFileSync(join(workspaceRoot, 'libs/core/Cargo.toml'), '[package]\nname = "hello-core"\nversion.workspace = true\n');
    edit('pyproject.toml', 'version = "0.2.0"', 'version = "0.2.1"');
    edit('Cargo.lock', /name = "hello-maturin"\nversion = "0.2.0"/, 'name = "hello-maturin"\nversion = "0.2.1"');
    edit('Cargo.lock', '[[package]]\nname = "libc"', '[[package]]\nname = "hello-core"\nversion = "0.2.0"\n\n[[package]]\nname = "libc"');
    const failure = await checkVersionSources({ ...input, changelog: false }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(VersionMismatchError);
    expect((failure as Error).message).toMatch(/✗\s+Cargo.lock \[\[package\]\].version of the other members inheriting it \(hello-core\)\s+libs\/hello\/Cargo.lock\s+0.2.0/);
    edit('Cargo.lock', 'name = "hello-core"\nversion = "0.2.0"', 'name = "hello-core"\nversion = "0.2.1"');
    await expect(checkVersionSources({ ...input, changelog: false })).resolves.toMatchObject({ version: '0.2.1' });
  });

  it('reads a CHANGELOG whose release headings are underlined with dashes and link the version', async () => {
    writeFileSync(
      file('CHANGELOG.md'),
      'Changelog\n=========\n\n[0.2.0](https://example.invalid/releases/0.2.0) - 2026-10-14\n--------------------------------------\n\n- Fixed\n\n' +
        '[0.1.0](https://example.invalid/releases/0.1.0) - 2026-01-01\n--------------------------------------\n',
    );
    const sources = await readVersionSources(input);
    expect(sources.find((source) => source.name === 'CHANGELOG.md newest heading')).toMatchObject({ version: '0.2.0', normalized: '0.2.0' });
    writeFileSync(file('CHANGELOG.md'), 'Changelog\n=========\n\nRelease notes are on the releases page.\n');
    const none = (await readVersionSources(input)).find((source) => source.name === 'CHANGELOG.md newest heading');
    expect(none?.problem).toMatch(/has no "## X.Y.Z" release heading; .* set the version-sync option changelog to false/);
  });

  it("reads a CHANGELOG.rst in the project's folder when there is no CHANGELOG.md (python-bidi's reStructuredText history)", async () => {
    rmSync(file('CHANGELOG.md'));
    writeFileSync(file('CHANGELOG.rst'), 'Changelog\n==========\n\n.. :changelog:\n\n0.1.0\n-----\n\n* Older release first by mistake\n');
    const stale = await readVersionSources(input);
    expect(stale.find((source) => source.name === 'CHANGELOG.rst newest heading')).toMatchObject({ file: 'libs/hello/CHANGELOG.rst', version: '0.1.0' });
    await expect(checkVersionSources(input)).rejects.toThrow(/✗\s+CHANGELOG.rst newest heading/);
    writeFileSync(file('CHANGELOG.rst'), 'Changelog\n==========\n\n0.2.0\n-----\n\n* Added\n\n0.1.0\n-----\n');
    await expect(checkVersionSources(input)).resolves.toMatchObject({ version: '0.2.0' });
  });

  it("reads the crate folder's CHANGELOG when pyproject sits in a folder of its own below it (rust-just's pypi/)", async () => {
    // The crate and its history at libs/hello, the Python packaging in libs/hello/pypi with manifest-path = "../Cargo.toml".
    mkdirSync(file('pypi'));
    writeFileSync(file('pypi/pyproject.toml'), readFileSync(file('pyproject.toml'), 'utf8').replace('python-source = "python"', 'python-source = "../python"\nmanifest-path = "../Cargo.toml"'));
    const pypi = { ...input, projectRoot: 'libs/hello/pypi' };
    const sources = await readVersionSources(pypi);
    expect(sources.find((source) => source.name.endsWith('newest heading'))).toMatchObject({ file: 'libs/hello/CHANGELOG.md', version: '0.2.0' });
    writeFileSync(file('pypi/CHANGELOG.md'), '## 0.1.0\n');
    // The project's own folder comes first.
    expect((await readVersionSources(pypi)).find((source) => source.name.endsWith('newest heading'))).toMatchObject({ file: 'libs/hello/pypi/CHANGELOG.md', version: '0.1.0' });
  });

  it('leaves the CHANGELOG out with changelog: false and reads another file named by the option', async () => {
    edit('CHANGELOG.md', '## [0.2.0]', '## [0.1.0]');
    await expect(checkVersionSources(input)).rejects.toThrow(/✗\s+CHANGELOG.md newest heading/);
    const without = await readVersionSources({ ...input, changelog: false });
    expect(without.map((source) => source.name)).not.toContain('CHANGELOG.md newest heading');
    await expect(checkVersionSources({ ...input, changelog: false })).resolves.toMatchObject({ version: '0.2.0' });
    writeFileSync(file('HISTORY.md'), '# History\n\n## v0.2.0\n');
    await expect(checkVersionSources({ ...input, changelog: 'HISTORY.md' })).resolves.toMatchObject({ version: '0.2.0' });
    const missing = (await readVersionSources({ ...input, changelog: 'docs/NEWS.md' })).find((source) => source.file === 'libs/hello/docs/NEWS.md');
    expect(missing?.problem).toBe('libs/hello/docs/NEWS.md is the changelog option, but it does not exist; fix the path, or set changelog to false to leave it out');
  });

  it('follows one `from .module import __version__` step, or reads the versionFile option', async () => {
    writeFileSync(file('python/hello_maturin/__init__.py'), 'from hello_maturin._hello import greet\nfrom hello_maturin.__about__ import (\n    __version__,\n)\n');
    writeFileSync(file('python/hello_maturin/__about__.py'), '__version__ = "0.2.1"\n');
    await expect(checkVersionSources(input)).rejects.toThrow(/✗\s+__version__\s+libs\/hello\/python\/hello_maturin\/__about__.py\s+0.2.1/);
    writeFileSync(file('python/hello_maturin/__init__.py'), 'from ._hello import greet\nfrom .__about__ import __version__\n');
    writeFileSync(file('python/hello_maturin/__about__.py'), '__version__ = "0.2.0"\n');
    await expect(checkVersionSources(input)).resolves.toMatchObject({ version: '0.2.0' });
    writeFileSync(file('python/hello_maturin/meta.py'), 'VERSION = "0.2.0"\n');
    const [named] = (await readVersionSources({ ...input, versionFile: 'python/hello_maturin/meta.py' })).filter((source) => source.name === '__version__');
    expect(named?.problem).toBe('libs/hello/python/hello_maturin/meta.py is the versionFile option, but it has no `__version__ = "X.Y.Z"` literal; fix the option or the file');
  });

  it('with cargoVersion: independent, compares pyproject with the Python sources and not with Cargo', async () => {
    edit('Cargo.toml', 'version = "0.2.0"', 'version = "0.9.4"');
    edit('pyproject.toml', 'version = "0.2.0"', 'version = "2.0.0"');
    edit('CHANGELOG.md', '## [0.2.0]', '## [2.0.0]');
    await expect(checkVersionSources(input)).rejects.toThrow('If the Rust crates keep their own version on purpose, set the version-sync option `cargoVersion: "independent"`');
    const independent = await checkVersionSources({ ...input, cargoVersion: 'independent' });
    expect(independent.sources.map((source) => source.name)).toEqual(['pyproject.toml [project].version', 'CHANGELOG.md newest heading']);
    expect(independent.version).toBe('2.0.0');
    edit('pyproject.toml', 'version = "2.0.0"', 'dynamic = ["version"]');
    const [pyproject] = await readVersionSources({ ...input, cargoVersion: 'independent' });
    expect(pyproject?.problem).toMatch(/has no static \[project\].version string, but cargoVersion is "independent"/);
  });
});
