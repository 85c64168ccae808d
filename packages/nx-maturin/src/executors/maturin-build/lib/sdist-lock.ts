import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { cargoManifestPath } from '../../../plugins/maturin-project';
import { runCaptured } from '../../../lib/run-process';
import { parseToml, readTomlFile, type TomlTable } from '../../../lib/toml-file';

/**
 * maturin packs a Cargo workspace's Cargo.lock whole but only the members the crate is built from, and rewrites the
 * workspace's member list to those. The lock then also pins the packages of the members left out (a CLI crate beside
 * the Python bindings, say), and `cargo build --locked` refuses to drop them: "cannot update the lock file ... because
 * --locked was passed". So before the wheels are built `--locked` from the unpacked sdist, Cargo resolves that copy
 * once without `--locked` and the result is checked: only packages may have gone. A package it had to add or move
 * to another version means the lock is out of date with the packed manifests, which is what `--locked` is there to
 * refuse; the copy is put back and the build stops with the same verdict. The sdist itself keeps the lock maturin
 * packed (installers build it without `--locked`).
 * Returns the packages dropped (`name version`), empty when the lock already matched.
 */
export async function trimSdistLock(sourceDirectory: string, sdistFile: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const manifest = join(sourceDirectory, cargoManifestPath(readTomlFile(join(sourceDirectory, 'pyproject.toml')), sourceDirectory));
  const lockFile = findLockFile(dirname(manifest), sourceDirectory);
  if (lockFile === undefined) return [];
  const before = readFileSync(lockFile, 'utf8');
  await runCaptured('cargo', ['metadata', '--format-version', '1', '--manifest-path', manifest], { cwd: sourceDirectory, env });
  const after = readFileSync(lockFile, 'utf8');
  if (after === before) return [];
  const kept = lockedPackages(before, lockFile);
  const resolved = lockedPackages(after, lockFile);
  const added = [...resolved].filter((entry) => !kept.has(entry));
  if (added.length > 0) {
    writeFileSync(lockFile, before);
    throw new Error(
      `${sdistFile}: ${relative(sourceDirectory, lockFile)} is out of date with the Cargo manifests packed beside it: Cargo would add or change ${added.map(describe).join(', ')}; ` +
        'expected a lock that pins every package the packed crates need (the wheels are built --locked). Next step: run `cargo update --workspace` in the project and commit Cargo.lock.',
    );
  }
  return [...kept].filter((entry) => !resolved.has(entry)).map(describe);
}

/** The Cargo.lock Cargo uses for a crate: beside it or in a folder above, inside the unpacked sdist. */
function findLockFile(crateDirectory: string, sourceDirectory: string): string | undefined {
  for (let folder = crateDirectory; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'Cargo.lock'))) return join(folder, 'Cargo.lock');
    if (folder === sourceDirectory || relative(sourceDirectory, folder).startsWith('..') || dirname(folder) === folder) return undefined;
  }
}

/** Each `[[package]]` of a lock as `name\tversion\tsource`: a change of any of the three is a different package. */
function lockedPackages(text: string, lockFile: string): Set<string> {
  const packages = parseToml(text, lockFile)['package'];
  if (!Array.isArray(packages)) return new Set();
  return new Set((packages as TomlTable[]).map((entry) => `${String(entry['name'])}\t${String(entry['version'])}\t${String(entry['source'] ?? '')}`));
}

function describe(entry: string): string {
  const [name, version] = entry.split('\t');
  return `${name} ${version}`;
}
