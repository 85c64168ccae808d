import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findLocalCrates } from './local-crates';

describe('findLocalCrates', () => {
  let root: string;
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-maturin-local-crates-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the Cargo workspace that [package].workspace names and its [patch] paths', () => {
    write('rust/Cargo.toml', '[workspace]\nmembers = ["../ext"]\n[workspace.dependencies]\nshared = { path = "shared" }\n[patch.crates-io]\nforked = { path = "../forks/forked" }\n');
    write('ext/Cargo.toml', '[package]\nname = "ext"\nworkspace = "../rust"\n[dependencies]\nshared.workspace = true\n');
    write('rust/shared/Cargo.toml', '[package]\nname = "shared"\n');
    write('forks/forked/Cargo.toml', '[package]\nname = "forked"\n');
    expect(findLocalCrates(root, 'ext/Cargo.toml')).toEqual({ cargoWorkspaceDir: 'rust', crates: ['forks/forked', 'rust/shared'] });
  });

  it('keeps a path dependency without a manifest, stops at cycles, and leaves out crates outside the Nx workspace', () => {
    write('a/Cargo.toml', '[package]\nname = "a"\n[dependencies]\nb = { path = "../b" }\ngone = { path = "../gone" }\nfar = { path = "../../far" }\n');
    write('b/Cargo.toml', '[package]\nname = "b"\n[dependencies]\na = { path = "../a" }\n');
    expect(findLocalCrates(root, 'a/Cargo.toml')).toEqual({ cargoWorkspaceDir: 'a', crates: ['b', 'gone'] });
  });
});
