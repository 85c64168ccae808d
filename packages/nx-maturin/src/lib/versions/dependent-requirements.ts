import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { escapeRegExp } from '../escape-regexp';
import { parseToml, readTomlFile, tomlPath, type TomlTable } from '../toml-file';
import { cargoWorkspaceMembers } from './cargo-workspace-members';

/** A version requirement on a crate whose version moves, written beside a `path` that points at it. */
export interface DependentRequirement {
  file: string;
  /** TOML path of the dependency entry, e.g. `['workspace', 'dependencies', 'core']`. */
  entry: string[];
  requirement: string;
}

const DEPENDENCY_TABLES = ['dependencies', 'dev-dependencies', 'build-dependencies'];

/**
 * Every `{ path = "...", version = "..." }` dependency on one of the crates whose version moves (the released crate,
 * and the other members inheriting a shared `[workspace.package].version`) in their Cargo workspace: the root's
 * `[workspace.dependencies]` and each member's dependency tables, target-specific ones included. Cargo checks such a
 * requirement against the crate's own version even for a path dependency, so a release that moves the version
 * past it (`0.13.9` -> `0.14.0` against `"0.13.9"`) leaves a workspace Cargo refuses to resolve.
 */
export function findDependentRequirements(movedManifestFiles: readonly string[], stopAt: string): DependentRequirement[] {
  const [first] = movedManifestFiles;
  if (first === undefined) return [];
  const movedDirs = new Set(movedManifestFiles.map((file) => dirname(resolve(file))));
  const workspaceManifest = enclosingWorkspaceManifest(dirname(resolve(first)), resolve(stopAt));
  if (workspaceManifest === undefined) return [];
  const found: DependentRequirement[] = [];
  for (const { dir, file, manifest } of cargoWorkspaceMembers(workspaceManifest)) {
    for (const table of dependencyTablePaths(manifest)) {
      const entries = tomlPath(manifest, table);
      if (typeof entries !== 'object' || entries === null) continue;
      for (const [name, spec] of Object.entries(entries as TomlTable)) {
        if (typeof spec !== 'object' || spec === null) continue;
        const { path, version } = spec as TomlTable;
        if (typeof path === 'string' && typeof version === 'string' && movedDirs.has(resolve(dir, path))) {
          found.push({ file, entry: [...table, name], requirement: version });
        }
      }
    }
  }
  return found;
}

/**
 * The requirement moved to `newVersion`, keeping its operator (`=0.13.9` -> `=0.14.0`, `0.13` -> `0.14.0`); undefined
 * for a requirement this cannot rewrite faithfully (several comparators, wildcards), which is left as written.
 */
export function movedRequirement(requirement: string, newVersion: string): string | undefined {
  const match = /^\s*(=|\^|~|>=|<=|>|<)?\s*\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?\s*$/.exec(requirement);
  if (match === null) return undefined;
  return `${match[1] ?? ''}${newVersion}`;
}

/**
 * Rewrites one dependency's `version` in place, whether it sits in an inline table or a `[dependencies.name]`
 * section: each occurrence of the old requirement is tried, and the one whose edit changes exactly that entry (the
 * parsed file is compared) is kept, so comments, layout and look-alike entries of other crates stay as they were.
 */
export function replaceDependentRequirement(text: string, file: string, dependent: DependentRequirement, requirement: string): string {
  const parsed = parseToml(text, file);
  const expected = JSON.stringify(withValue(parsed, [...dependent.entry, 'version'], requirement));
  const pattern = new RegExp(`(\\bversion\\s*=\\s*)(["'])${escapeRegExp(dependent.requirement)}\\2`, 'g');
  for (const match of text.matchAll(pattern)) {
    const candidate = `${text.slice(0, match.index)}${match[1]}${match[2]}${requirement}${match[2]}${text.slice(match.index + match[0].length)}`;
    if (JSON.stringify(parseToml(candidate, file)) === expected) return candidate;
  }
  throw new Error(
    `${file}: cannot find [${dependent.entry.join('.')}].version ("${dependent.requirement}") written as a plain string to edit in place; ` +
      `set it to "${requirement}" by hand, or write it as \`version = "${dependent.requirement}"\`, and run again.`,
  );
}

function enclosingWorkspaceManifest(crateDir: string, stopAt: string): string | undefined {
  for (let dir = crateDir; ; dir = dirname(dir)) {
    const manifest = join(dir, 'Cargo.toml');
    if (existsSync(manifest) && tomlPath(readTomlFile(manifest), ['workspace']) !== undefined) return manifest;
    if (dir === stopAt || dirname(dir) === dir) return undefined;
  }
}

function dependencyTablePaths(manifest: TomlTable): string[][] {
  const paths = [['workspace', 'dependencies'], ...DEPENDENCY_TABLES.map((table) => [table])];
  const targets = manifest['target'];
  if (typeof targets === 'object' && targets !== null) {
    for (const target of Object.keys(targets as TomlTable)) paths.push(...DEPENDENCY_TABLES.map((table) => ['target', target, table]));
  }
  return paths;
}

function withValue(table: TomlTable, path: readonly string[], value: unknown): TomlTable {
  const copy = structuredClone(table);
  let cursor: TomlTable = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as TomlTable;
  cursor[path.at(-1)!] = value;
  return copy;
}
