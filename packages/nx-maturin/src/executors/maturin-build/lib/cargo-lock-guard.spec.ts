import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreCargoLocks, snapshotCargoLocks } from './cargo-lock-guard';

describe('cargo-lock-guard', () => {
  let workspace: string;
  const crate = () => join(workspace, 'libs', 'tiny');
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'cargo-lock-guard-'));
    mkdirSync(join(crate(), 'src'), { recursive: true });
    writeFileSync(join(crate(), 'Cargo.toml'), '[package]\nname = "tiny"\nversion = "0.1.0"\nedition = "2021"\ndescription = "t"\nlicense = "MIT"\n');
    writeFileSync(join(crate(), 'src', 'lib.rs'), '');
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  // `cargo package --list` is what `maturin sdist` runs; it rewrites an out-of-date lock.
  const cargoPackage = () => execFileSync('cargo', ['package', '--list', '--allow-dirty', '--offline'], { cwd: crate(), stdio: 'pipe' });

  it('puts back an out-of-date lock that cargo package rewrote', () => {
    const stale = 'version = 4\n\n[[package]]\nname = "tiny"\nversion = "0.1.0"\n\n[[package]]\nname = "unused"\nversion = "1.0.0"\n';
    writeFileSync(join(crate(), 'Cargo.lock'), stale);
    const snapshot = snapshotCargoLocks(crate(), workspace);
    cargoPackage();
    expect(readFileSync(join(crate(), 'Cargo.lock'), 'utf8')).not.toBe(stale);
    expect(restoreCargoLocks(snapshot)).toEqual([join(crate(), 'Cargo.lock')]);
    expect(readFileSync(join(crate(), 'Cargo.lock'), 'utf8')).toBe(stale);
  });

  it('removes a lock written where none was (as maturin sdist does for a project without one), and reports nothing when no lock changed', () => {
    const snapshot = snapshotCargoLocks(crate(), workspace);
    expect([...snapshot.keys()]).toEqual([join(crate(), 'Cargo.lock'), join(workspace, 'libs', 'Cargo.lock'), join(workspace, 'Cargo.lock')]);
    writeFileSync(join(crate(), 'Cargo.lock'), 'version = 4\n');
    expect(restoreCargoLocks(snapshot)).toEqual([join(crate(), 'Cargo.lock')]);
    expect(existsSync(join(crate(), 'Cargo.lock'))).toBe(false);
    expect(restoreCargoLocks(snapshot)).toEqual([]);
  });
});
