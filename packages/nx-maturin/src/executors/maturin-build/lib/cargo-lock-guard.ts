import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Each Cargo.lock Cargo could write for a crate (its folder and every one above it, up to the workspace root), with its text or `undefined` when absent. */
export type CargoLockSnapshot = Map<string, string | undefined>;

export function snapshotCargoLocks(crateDirectory: string, workspaceRoot: string): CargoLockSnapshot {
  const snapshot: CargoLockSnapshot = new Map();
  const root = resolve(workspaceRoot);
  for (let dir = resolve(crateDirectory); ; dir = dirname(dir)) {
    const file = join(dir, 'Cargo.lock');
    snapshot.set(file, existsSync(file) ? readFileSync(file, 'utf8') : undefined);
    if (dir === root || dirname(dir) === dir || relative(root, dir).startsWith('..')) return snapshot;
  }
}

/**
 * Puts back every lock file that differs from the snapshot (`maturin sdist` runs `cargo package`, which writes a
 * missing or out-of-date Cargo.lock into the project) and returns the ones it put back. The sdist keeps the lock it
 * was packed with; the project's files stay as committed, so a build never edits them and its cache key does not
 * change under it.
 */
export function restoreCargoLocks(snapshot: CargoLockSnapshot): string[] {
  const restored: string[] = [];
  for (const [file, before] of snapshot) {
    const after = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (after === before) continue;
    if (before === undefined) rmSync(file, { force: true });
    else writeFileSync(file, before);
    restored.push(file);
  }
  return restored;
}
