import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { FIXTURES } from '../../test-support/temp-workspace';
import { checkVersionSources, type VersionCheckInput } from './version-sources';
import { stagingPath, writeVersion } from './write-version';

describe('write-version', () => {
  let workspaceRoot: string;
  let input: VersionCheckInput;
  const file = (path: string) => join(workspaceRoot, 'libs/hello', path);
  const read = (path: string) => readFileSync(file(path), 'utf8');
  const edit = (path: string, from: string | RegExp, to: string) => writeFileSync(file(path), read(path).replace(from, to));
  const writable = ['Cargo.toml', 'Cargo.lock', 'pyproject.toml', 'python/hello_maturin/__init__.py'];

  beforeEach(() => {
    workspaceRoot = mkdtempSync(join(tmpdir(), 'write-version-'));
    cpSync(join(FIXTURES, 'hello-maturin'), join(workspaceRoot, 'libs/hello'), { recursive: true });
    writeFileSync(file('python/hello_maturin/__init__.py'), 'from hello_maturin._hello import greet\n\n__version__ = "0.2.0"  # kept in step by version-sync\n');
    writeFileSync(file('CHANGELOG.md'), '## 0.3.0-rc.1\n');
    input = { workspaceRoot, projectRoot: 'libs/hello', projectName: 'hello' };
  });
  afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

  it('sets the SemVer form in Cargo files and the PEP 440 form in Python files, keeping the rest of each file', async () => {
    const before = Object.fromEntries(writable.map((path) => [path, read(path)]));
    const result = await writeVersion(input, '0.3.0-rc.1');
    expect(result.changedFiles).toEqual(writable.map((path) => `libs/hello/${path}`));
    expect(read('Cargo.toml')).toBe(before['Cargo.toml']?.replace('version = "0.2.0"', 'version = "0.3.0-rc.1"'));
    expect(read('pyproject.toml')).toBe(before['pyproject.toml']?.replace('version = "0.2.0"', 'version = "0.3.0rc1"'));
    expect(read('Cargo.lock')).toBe(
      before['Cargo.lock']?.replace('name = "hello-maturin"\nversion = "0.2.0"', 'name = "hello-maturin"\nversion = "0.3.0-rc.1"'),
    );
    expect(read('python/hello_maturin/__init__.py')).toContain('__version__ = "0.3.0rc1"  # kept in step by version-sync');
    await expect(checkVersionSources(input)).resolves.toMatchObject({ version: '0.3.0-rc.1', pep440: '0.3.0rc1' });
  });

  it('leaves a dynamic pyproject alone and writes the workspace root for an inherited Cargo version', async () => {
    edit('pyproject.toml', 'version = "0.2.0"', 'dynamic = ["version"]');
    edit('Cargo.toml', 'version = "0.2.0"', 'version.workspace = true');
    writeFileSync(join(workspaceRoot, 'Cargo.toml'), '[workspace]\nmembers = ["libs/hello"]\n\n[workspace.package]\n# shared\nversion = "0.2.0"\n');
    const result = await writeVersion(input, '0.3.0-rc.1');
    expect(result.changedFiles).toEqual(['Cargo.toml', 'libs/hello/Cargo.lock', 'libs/hello/python/hello_maturin/__init__.py']);
    expect(readFileSync(join(workspaceRoot, 'Cargo.toml'), 'utf8')).toContain('# shared\nversion = "0.3.0-rc.1"\n');
    expect(read('Cargo.toml')).toContain('version.workspace = true');
  });

  it('moves every workspace member inheriting the version in Cargo.lock, so `cargo --locked` accepts it', async () => {
    // A Cargo workspace at the workspace root: the maturin crate and a core crate both inherit [workspace.package].version.
    edit('Cargo.toml', 'version = "0.2.0"', 'version.workspace = true');
    edit('Cargo.toml', /\[dependencies\][\s\S]*$/, '[dependencies]\nhello-core = { path = "../core" }\n');
    writeFileSync(join(workspaceRoot, 'Cargo.toml'), '[workspace]\nmembers = ["libs/*"]\nresolver = "2"\n\n[workspace.package]\nversion = "0.2.0"\n');
    mkdirSync(join(workspaceRoot, 'libs/core/src'), { recursive: true });
    writeFileSync(join(workspaceRoot, 'libs/core/Cargo.toml'), '[package]\nname = "hello-core"\nversion.workspace = true\nedition = "2021"\n');
    writeFileSync(join(workspaceRoot, 'libs/core/src/lib.rs'), '');
    rmSync(file('Cargo.lock'));
    execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: workspaceRoot, stdio: 'pipe' });
    const result = await writeVersion({ ...input, changelog: false }, '0.2.1');
    expect(result.changedFiles).toEqual(['Cargo.toml', 'Cargo.lock', 'libs/hello/pyproject.toml', 'libs/hello/python/hello_maturin/__init__.py']);
    const lock = readFileSync(join(workspaceRoot, 'Cargo.lock'), 'utf8');
    expect(lock).toContain('name = "hello-core"\nversion = "0.2.1"');
    expect(lock).toContain('name = "hello-maturin"\nversion = "0.2.1"');
    execFileSync('cargo', ['metadata', '--locked', '--offline', '--format-version', '1'], { cwd: workspaceRoot, stdio: 'pipe' });
    await expect(checkVersionSources({ ...input, changelog: false })).resolves.toMatchObject({ version: '0.2.1' });
  });

  it("moves other crates' { path, version } requirements on the crate, so a minor release leaves a workspace Cargo resolves", async () => {
    // The maturin crate in a Cargo workspace, required by version from [workspace.dependencies] (used by a CLI crate)
    // and from a [dependencies.<name>] section of a bench crate; an unrelated requirement with the same text stays.
    edit('Cargo.toml', /\[dependencies\][\s\S]*$/, '');
    writeFileSync(
      join(workspaceRoot, 'Cargo.toml'),
      '[workspace]\nmembers = ["libs/*"]\nresolver = "2"\n\n[workspace.dependencies]\nhello-maturin = { version = "0.2.0", path = "libs/hello" } # the extension\nother = { version = "0.2.0", path = "libs/other" }\n',
    );
    const crate = (dir: string, manifest: string) => {
      mkdirSync(join(workspaceRoot, dir, 'src'), { recursive: true });
      writeFileSync(join(workspaceRoot, dir, 'Cargo.toml'), manifest);
      writeFileSync(join(workspaceRoot, dir, 'src/lib.rs'), '');
    };
    crate('libs/cli', '[package]\nname = "cli"\nversion = "1.0.0"\nedition = "2021"\n\n[dependencies]\nhello-maturin = { workspace = true }\nother = { workspace = true }\n');
    crate('libs/bench', '[package]\nname = "bench"\nversion = "1.0.0"\nedition = "2021"\n\n[dependencies.hello-maturin]\npath = "../hello"\nversion = "=0.2.0"\n');
    crate('libs/other', '[package]\nname = "other"\nversion = "0.2.0"\nedition = "2021"\n');
    rmSync(file('Cargo.lock'));
    execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: workspaceRoot, stdio: 'pipe' });
    const result = await writeVersion({ ...input, changelog: false }, '0.3.0');
    expect(result.changedFiles).toEqual(expect.arrayContaining(['Cargo.toml', 'libs/bench/Cargo.toml', 'libs/hello/Cargo.toml', 'Cargo.lock']));
    const root = readFileSync(join(workspaceRoot, 'Cargo.toml'), 'utf8');
    expect(root).toContain('hello-maturin = { version = "0.3.0", path = "libs/hello" } # the extension\nother = { version = "0.2.0", path = "libs/other" }\n');
    expect(readFileSync(join(workspaceRoot, 'libs/bench/Cargo.toml'), 'utf8')).toContain('path = "../hello"\nversion = "=0.3.0"\n');
    execFileSync('cargo', ['metadata', '--locked', '--offline', '--format-version', '1'], { cwd: workspaceRoot, stdio: 'pipe' });
  });

  it("moves requirements on the other members sharing the workspace version, so a minor release leaves a workspace Cargo resolves", async () => {
    // The maturin crate and a core crate both inherit [workspace.package].version, and the core crate is required
    // by version from [workspace.dependencies]: the core crate moves with the release, so must its requirement.
    edit('Cargo.toml', 'version = "0.2.0"', 'version.workspace = true');
    edit('Cargo.toml', /\[dependencies\][\s\S]*$/, '[dependencies]\nhello-core.workspace = true\n');
    writeFileSync(
      join(workspaceRoot, 'Cargo.toml'),
      '[workspace]\nmembers = ["libs/*"]\nresolver = "2"\n\n[workspace.package]\nversion = "0.2.0"\n\n[workspace.dependencies]\nhello-core = { path = "libs/core", version = "0.2.0" }\n',
    );
    mkdirSync(join(workspaceRoot, 'libs/core/src'), { recursive: true });
    writeFileSync(join(workspaceRoot, 'libs/core/Cargo.toml'), '[package]\nname = "hello-core"\nversion.workspace = true\nedition = "2021"\n');
    writeFileSync(join(workspaceRoot, 'libs/core/src/lib.rs'), '');
    rmSync(file('Cargo.lock'));
    execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: workspaceRoot, stdio: 'pipe' });
    await writeVersion({ ...input, changelog: false }, '0.3.0');
    const root = readFileSync(join(workspaceRoot, 'Cargo.toml'), 'utf8');
    expect(root).toContain('[workspace.package]\nversion = "0.3.0"\n');
    expect(root).toContain('hello-core = { path = "libs/core", version = "0.3.0" }\n');
    execFileSync('cargo', ['metadata', '--locked', '--offline', '--format-version', '1'], { cwd: workspaceRoot, stdio: 'pipe' });
  });

  it('writes __version__ in the module __init__.py re-exports it from', async () => {
    writeFileSync(file('python/hello_maturin/__init__.py'), 'from ._hello import greet\nfrom .about import __version__\n');
    writeFileSync(file('python/hello_maturin/about.py'), '__version__ = "0.2.0"\n');
    const result = await writeVersion(input, '0.3.0-rc.1');
    expect(result.changedFiles).toContain('libs/hello/python/hello_maturin/about.py');
    expect(read('python/hello_maturin/about.py')).toBe('__version__ = "0.3.0rc1"\n');
    expect(read('python/hello_maturin/__init__.py')).toBe('from ._hello import greet\nfrom .about import __version__\n');
  });

  it('leaves Cargo files alone when the Cargo version is independent', async () => {
    const cargoBefore = [read('Cargo.toml'), read('Cargo.lock')];
    const result = await writeVersion({ ...input, cargoVersion: 'independent' }, '2.0.0');
    expect(result.changedFiles).toEqual(['libs/hello/pyproject.toml', 'libs/hello/python/hello_maturin/__init__.py']);
    expect([read('Cargo.toml'), read('Cargo.lock')]).toEqual(cargoBefore);
    expect(read('pyproject.toml')).toContain('version = "2.0.0"');
  });

  it('changes no file when one of the writes fails', async () => {
    const before = writable.map(read);
    // A directory where the last file's staging copy goes makes that write fail after the others succeeded.
    mkdirSync(stagingPath(file('python/hello_maturin/__init__.py')));
    await expect(writeVersion(input, '0.3.0')).rejects.toThrow(
      /^Writing the new version failed, and every file was put back as it was: .*__init__\.py: could not be replaced \(EISDIR\)/,
    );
    expect(writable.map(read)).toEqual(before);
    for (const path of writable.slice(0, 3)) expect(() => readFileSync(stagingPath(file(path)))).toThrow(/ENOENT/);
  });

  it('refuses a version with no PEP 440 form before touching any file', async () => {
    const before = writable.map(read);
    await expect(writeVersion(input, '0.3.0-preview.1')).rejects.toThrow('"0.3.0-preview.1" (from the requested version) cannot be used');
    expect(writable.map(read)).toEqual(before);
  });
});
