import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepOutOfOuterWorkspace } from './sdist-workspace-root';

describe('keepOutOfOuterWorkspace', () => {
  let scratch: string;
  beforeEach(() => (scratch = mkdtempSync(join(tmpdir(), 'sdist-workspace-root-'))));
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  /** An unpacked sdist of a crate with no workspace, in a Cargo target folder that lies inside another workspace. */
  function unpackedInsideWorkspace(): string {
    writeFileSync(join(scratch, 'Cargo.toml'), '[workspace]\nmembers = ["cli"]\nresolver = "2"\n');
    const copy = join(scratch, 'target', 'nx-maturin-sdist', 'demo-1.0');
    mkdirSync(join(copy, 'src'), { recursive: true });
    writeFileSync(join(copy, 'pyproject.toml'), '[build-system]\nrequires = ["maturin>=1,<2"]\nbuild-backend = "maturin"\n');
    writeFileSync(join(copy, 'Cargo.toml'), '[package]\nname = "demo"\nversion = "1.0.0"\nedition = "2021"\n');
    writeFileSync(join(copy, 'src', 'lib.rs'), '');
    return copy;
  }
  const metadata = (copy: string) => execa('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], { cwd: copy, reject: false });

  it('makes the crate its own workspace, as in the temporary folder an installer builds in, when Cargo would take it for a member of a folder above', async () => {
    const copy = unpackedInsideWorkspace();
    expect((await metadata(copy)).stderr).toContain(`referenced by workspace at \`${join(scratch, 'Cargo.toml')}\``);

    expect(keepOutOfOuterWorkspace(copy)).toBe(join(copy, 'Cargo.toml'));
    const result = await metadata(copy);
    expect(result.stderr).not.toContain('error');
    expect(JSON.parse(result.stdout).workspace_root).toBe(copy);
  });

  it('leaves a copy alone that declares its own workspace, such as the rewritten one of a workspace member', () => {
    const copy = unpackedInsideWorkspace();
    writeFileSync(join(copy, 'Cargo.toml'), '[workspace]\nmembers = ["py"]\n');
    mkdirSync(join(copy, 'py'));
    writeFileSync(join(copy, 'py', 'Cargo.toml'), '[package]\nname = "demo"\nversion = "1.0.0"\n');
    writeFileSync(join(copy, 'pyproject.toml'), '[build-system]\nrequires = ["maturin>=1,<2"]\n[tool.maturin]\nmanifest-path = "py/Cargo.toml"\n');

    expect(keepOutOfOuterWorkspace(copy)).toBeUndefined();
    expect(readFileSync(join(copy, 'py', 'Cargo.toml'), 'utf8')).toBe('[package]\nname = "demo"\nversion = "1.0.0"\n');
  });
});
