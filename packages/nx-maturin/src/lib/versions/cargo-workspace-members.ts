import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readTomlFile, tomlPath, tomlString, type TomlTable } from '../toml-file';

/**
 * The crate names of the Cargo workspace's members whose `[package].version` says `workspace = true`: each of them
 * has its own Cargo.lock entry carrying the shared version, so a version change must reach all of them or
 * `cargo --locked` refuses the lock file.
 */
export function membersInheritingWorkspaceVersion(workspaceManifestFile: string): string[] {
  return manifestsInheritingWorkspaceVersion(workspaceManifestFile).map(({ manifest }) => tomlString(manifest, ['package', 'name'])!);
}

/** The manifests of the members {@link membersInheritingWorkspaceVersion} names: each moves with the shared version. */
export function manifestsInheritingWorkspaceVersion(workspaceManifestFile: string): CargoWorkspaceManifest[] {
  return cargoWorkspaceMembers(workspaceManifestFile).filter(
    ({ manifest }) => tomlString(manifest, ['package', 'name']) !== undefined && tomlPath(manifest, ['package', 'version', 'workspace']) === true,
  );
}

/** One manifest of a Cargo workspace: its folder, its file and its parsed content. */
export interface CargoWorkspaceManifest {
  dir: string;
  file: string;
  manifest: TomlTable;
}

/**
 * The root manifest and every member's, found as Cargo finds members: the root's own `[package]`,
 * `[workspace].members` (with `*` and `?` globs) minus `[workspace].exclude`, and path dependencies of members that
 * lie inside the workspace folder.
 */
export function cargoWorkspaceMembers(workspaceManifestFile: string): CargoWorkspaceManifest[] {
  const rootDir = dirname(resolve(workspaceManifestFile));
  const root = readTomlFile(workspaceManifestFile);
  const excluded = new Set(stringList(tomlPath(root, ['workspace', 'exclude'])).map((path) => resolve(rootDir, path)));
  // A `{ workspace = true }` path dependency is declared in the root's [workspace.dependencies]; listing those
  // folders here covers members that use them. One that no member uses has no Cargo.lock entry and is skipped there.
  const workspaceDependencies = pathDependencyDirs(rootDir, { dependencies: tomlPath(root, ['workspace', 'dependencies']) });
  const pending = [
    rootDir,
    ...stringList(tomlPath(root, ['workspace', 'members'])).flatMap((pattern) => expandMemberPattern(rootDir, pattern)),
    ...workspaceDependencies.filter((path) => isInside(rootDir, path)),
  ];
  const seen = new Set<string>();
  const members: CargoWorkspaceManifest[] = [];
  for (let dir = pending.shift(); dir !== undefined; dir = pending.shift()) {
    const manifestFile = join(dir, 'Cargo.toml');
    if (seen.has(dir) || excluded.has(dir) || !existsSync(manifestFile)) continue;
    seen.add(dir);
    const manifest = dir === rootDir ? root : readTomlFile(manifestFile);
    members.push({ dir, file: manifestFile, manifest });
    pending.push(...pathDependencyDirs(dir, manifest).filter((path) => isInside(rootDir, path)));
  }
  return members;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function isInside(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);
}

/** The folders a member entry names; Cargo accepts glob patterns such as `crates/*`. */
function expandMemberPattern(rootDir: string, pattern: string): string[] {
  let dirs = [rootDir];
  for (const segment of pattern.split('/').filter((part) => part !== '' && part !== '.')) {
    if (!/[*?]/.test(segment)) {
      dirs = dirs.map((dir) => resolve(dir, segment));
      continue;
    }
    const matcher = new RegExp(`^${segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    dirs = dirs.flatMap((dir) =>
      existsSync(dir)
        ? readdirSync(dir)
            .filter((entry) => matcher.test(entry))
            .map((entry) => join(dir, entry))
            .filter((path) => statSync(path).isDirectory())
        : [],
    );
  }
  return dirs;
}

/** Folders of `path = "..."` dependencies in every dependency table of a manifest, target-specific ones included. */
function pathDependencyDirs(crateDir: string, manifest: TomlTable): string[] {
  const tables: unknown[] = ['dependencies', 'dev-dependencies', 'build-dependencies'].map((key) => manifest[key]);
  const targets = manifest['target'];
  if (typeof targets === 'object' && targets !== null) {
    for (const target of Object.values(targets as TomlTable)) {
      if (typeof target === 'object' && target !== null) tables.push(...['dependencies', 'dev-dependencies', 'build-dependencies'].map((key) => (target as TomlTable)[key]));
    }
  }
  return tables.flatMap((table) =>
    typeof table === 'object' && table !== null
      ? Object.values(table as TomlTable).flatMap((spec) => {
          const path = typeof spec === 'object' && spec !== null ? (spec as TomlTable)['path'] : undefined;
          return typeof path === 'string' ? [resolve(crateDir, path)] : [];
        })
      : [],
  );
}
