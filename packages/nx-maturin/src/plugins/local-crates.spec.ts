import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findLocalCrates, type LocalCratesEntry, type LocalCratesMemo } from './local-crates';

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

  it('reuses a remembered result while every manifest it read, or found missing, is unchanged', () => {
    write('py/Cargo.toml', '[package]\nname = "py"\n[dependencies]\ncore = { path = "../core" }\n');
    write('core/Cargo.toml', '[package]\nname = "core"\n');
    const entries = new Map<string, LocalCratesEntry>();
    const memo: LocalCratesMemo = { getLocalCrates: (file) => entries.get(file), setLocalCrates: (file, entry) => entries.set(file, entry) };
    expect(findLocalCrates(root, 'py/Cargo.toml', memo).crates).toEqual(['core']);
    entries.get('py/Cargo.toml')!.result = { cargoWorkspaceDir: 'py', crates: ['served-from-memo'] };
    expect(findLocalCrates(root, 'py/Cargo.toml', memo).crates).toEqual(['served-from-memo']);
    // A dependency's manifest changes.
    write('core/Cargo.toml', '[package]\nname = "core"\n[build-dependencies]\ngen = { path = "../gen" }\n');
    expect(findLocalCrates(root, 'py/Cargo.toml', memo).crates).toEqual(['core', 'gen']);
    // A Cargo workspace appears above the crate, where there was no manifest before.
    write('Cargo.toml', '[workspace]\nmembers = ["py", "core"]\n[patch.crates-io]\nfork = { path = "fork" }\n');
    expect(findLocalCrates(root, 'py/Cargo.toml', memo)).toEqual({ cargoWorkspaceDir: '', crates: ['core', 'fork', 'gen'] });
  });
});
