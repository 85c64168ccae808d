import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'smol-toml';
import { maturinPaths } from './maturin-project';

describe('maturinPaths', () => {
  let root: string;
  const touch = (...paths: string[]) => {
    for (const path of paths) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), '');
    }
  };
  const pathsFor = (pyproject: string) => maturinPaths(parse(pyproject), root);
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-maturin-paths-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('takes rust/Cargo.toml and src/ only when the package sits in src/<name with _>/', () => {
    touch('rust/Cargo.toml', 'Cargo.toml');
    expect(pathsFor('[project]\nname = "my-pkg"\n')).toEqual({ cargoManifest: 'Cargo.toml', pythonSource: '' });
    touch('src/my_pkg/__init__.py');
    expect(pathsFor('[project]\nname = "my-pkg"\n')).toEqual({ cargoManifest: 'rust/Cargo.toml', pythonSource: 'src' });
    // Without [project].name maturin never looks for the src layout.
    expect(pathsFor('[tool.maturin]\nbindings = "pyo3"\n')).toEqual({ cargoManifest: 'Cargo.toml', pythonSource: '' });
  });

  it('counts a python-packages entry under src/, and python-source alone selects rust/Cargo.toml', () => {
    touch('rust/Cargo.toml', 'src/extra/__init__.py');
    expect(pathsFor('[project]\nname = "other"\n[tool.maturin]\npython-packages = ["extra"]\n')).toEqual({ cargoManifest: 'rust/Cargo.toml', pythonSource: 'src' });
    expect(pathsFor('[project]\nname = "other"\n[tool.maturin]\npython-source = "python"\n')).toEqual({ cargoManifest: 'rust/Cargo.toml', pythonSource: 'python' });
  });

  it('keeps manifest-path, yet finds the src layout beside it as maturin does', () => {
    touch('rust/Cargo.toml', 'src/pkg/__init__.py');
    expect(pathsFor('[project]\nname = "pkg"\n[tool.maturin]\nmanifest-path = "crates/py/Cargo.toml"\n')).toEqual({ cargoManifest: 'crates/py/Cargo.toml', pythonSource: 'src' });
  });

  it('names the field and what it expected for a python-source that is not a string', () => {
    expect(() => pathsFor('[tool.maturin]\npython-source = 1\n')).toThrow('[tool.maturin].python-source is 1; expected a folder relative to pyproject.toml, e.g. "python"');
  });
});
