import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseToml, tomlPath, type TomlTable } from '../lib/toml-file';

const DEPENDENCY_TABLES = ['dependencies', 'build-dependencies'];

/**
 * Folders of the local crates a crate is built from, relative to the Nx workspace root (`/`-separated, sorted, the
 * crate's own folder left out): its path dependencies, `{ workspace = true }` ones included (Cargo resolves them
 * through `[workspace.dependencies]` of the crate's Cargo workspace), theirs in turn, and the `[patch]` paths of the
 * crate's Cargo workspace. The crate's own dev-dependencies count (its tests compile them); those of the crates it
 * depends on never get compiled. Only manifests are read, so this costs no cargo process on a graph computation.
 * Crates outside the Nx workspace are left out: Nx cannot hash them. With a memo, a result is reused while every
 * manifest it was read from (and every one found missing) is unchanged, so a large Cargo workspace is parsed once.
 */
export function findLocalCrates(workspaceRoot: string, manifestFile: string, memo?: LocalCratesMemo): LocalCrates {
  const remembered = memo?.getLocalCrates(manifestFile);
  if (remembered !== undefined && fingerprint(remembered.files.map((file) => [file, readText(workspaceRoot, file)])) === remembered.fingerprint) {
    return remembered.result;
  }
  const manifests = new ManifestReader(workspaceRoot);
  const result = resolveLocalCrates(manifests, manifestFile);
  memo?.setLocalCrates(manifestFile, { files: [...manifests.texts.keys()], fingerprint: fingerprint([...manifests.texts]), result });
  return result;
}

/** A remembered {@link findLocalCrates} result and the manifests it came from. */
export interface LocalCratesEntry {
  files: string[];
  /** Hash of each file's name and text (or absence), in `files` order. */
  fingerprint: string;
  result: LocalCrates;
}

export interface LocalCratesMemo {
  getLocalCrates(manifestFile: string): LocalCratesEntry | undefined;
  setLocalCrates(manifestFile: string, entry: LocalCratesEntry): void;
}

function resolveLocalCrates(manifests: ManifestReader, manifestFile: string): LocalCrates {
  const crateDir = folderOf(manifestFile);
  const crateManifest = manifests.read(manifestFile);
  const cargoWorkspaceDir = (crateManifest && manifests.workspaceOf(crateDir, crateManifest)?.dir) ?? crateDir;
  const found = new Set<string>();
  const queue = [{ dir: crateDir, withDevDependencies: true }];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const manifest = manifests.read(posix.join(next.dir, 'Cargo.toml'));
    if (manifest === undefined) continue;
    const workspace = manifests.workspaceOf(next.dir, manifest);
    const dependencies = pathDependencies(next.dir, manifest, workspace, next.withDevDependencies);
    if (next.dir === crateDir && workspace !== undefined) dependencies.push(...patchPaths(workspace));
    for (const dependency of dependencies) {
      if (dependency === crateDir || dependency.startsWith('..') || found.has(dependency)) continue;
      found.add(dependency);
      queue.push({ dir: dependency, withDevDependencies: false });
    }
  }
  return { cargoWorkspaceDir, crates: [...found].sort() };
}

export interface LocalCrates {
  /** The root of the crate's Cargo workspace (the crate's own folder when it belongs to none): Cargo builds into its `target/`. */
  cargoWorkspaceDir: string;
  /** The local crates' folders. */
  crates: string[];
}

interface CargoWorkspace {
  dir: string;
  manifest: TomlTable;
}

function pathDependencies(dir: string, manifest: TomlTable, workspace: CargoWorkspace | undefined, withDevDependencies: boolean): string[] {
  const names = withDevDependencies ? [...DEPENDENCY_TABLES, 'dev-dependencies'] : DEPENDENCY_TABLES;
  const tables = names.map((name) => manifest[name]);
  const targets = manifest['target'];
  if (isTable(targets)) {
    for (const target of Object.values(targets)) if (isTable(target)) tables.push(...names.map((name) => target[name]));
  }
  const workspaceDependencies = workspace === undefined ? undefined : tomlPath(workspace.manifest, ['workspace', 'dependencies']);
  const folders: string[] = [];
  for (const table of tables) {
    if (!isTable(table)) continue;
    for (const [name, dependency] of Object.entries(table)) {
      if (!isTable(dependency)) continue;
      if (typeof dependency['path'] === 'string') {
        folders.push(joinFolder(dir, dependency['path']));
      } else if (dependency['workspace'] === true && workspace !== undefined && isTable(workspaceDependencies)) {
        const inherited = workspaceDependencies[name];
        if (isTable(inherited) && typeof inherited['path'] === 'string') folders.push(joinFolder(workspace.dir, inherited['path']));
      }
    }
  }
  return folders;
}

/** `[patch.<registry>].<crate>.path`: a local crate standing in for a registry one anywhere in the build. */
function patchPaths(workspace: CargoWorkspace): string[] {
  const patches = workspace.manifest['patch'];
  if (!isTable(patches)) return [];
  return Object.values(patches)
    .filter(isTable)
    .flatMap((registry) => Object.values(registry))
    .filter(isTable)
    .flatMap((patch) => (typeof patch['path'] === 'string' ? [joinFolder(workspace.dir, patch['path'])] : []));
}

/**
 * Parses each manifest once per call and keeps the texts it read (undefined for a missing manifest, which Cargo
 * reports at build time).
 */
class ManifestReader {
  readonly texts = new Map<string, string | undefined>();
  private readonly parsed = new Map<string, TomlTable | undefined>();

  constructor(private readonly workspaceRoot: string) {}

  read(file: string): TomlTable | undefined {
    if (!this.parsed.has(file)) {
      const text = readText(this.workspaceRoot, file);
      this.texts.set(file, text);
      this.parsed.set(file, text === undefined ? undefined : parseToml(text, file));
    }
    return this.parsed.get(file);
  }

  /**
   * The Cargo workspace a crate belongs to, where Cargo looks for it: the crate itself when it declares
   * `[workspace]`, the folder `[package].workspace` names, else the nearest folder above with a `[workspace]`
   * manifest (searched up to the Nx workspace root).
   */
  workspaceOf(dir: string, manifest: TomlTable): CargoWorkspace | undefined {
    if (isTable(manifest['workspace'])) return { dir, manifest };
    const declared = tomlPath(manifest, ['package', 'workspace']);
    const candidates = typeof declared === 'string' ? [joinFolder(dir, declared)] : ancestors(dir);
    for (const candidate of candidates) {
      const candidateManifest = this.read(posix.join(candidate, 'Cargo.toml'));
      if (candidateManifest !== undefined && isTable(candidateManifest['workspace'])) return { dir: candidate, manifest: candidateManifest };
    }
    return undefined;
  }
}

function readText(workspaceRoot: string, file: string): string | undefined {
  try {
    return readFileSync(join(workspaceRoot, file), 'utf8');
  } catch {
    return undefined;
  }
}

function fingerprint(files: [string, string | undefined][]): string {
  const hash = createHash('sha256');
  for (const [file, text] of files) hash.update(`${file}\0${text === undefined ? 'missing' : `=${text}`}\0`);
  return hash.digest('hex');
}

/** The folders above `dir`, nearest first, up to the Nx workspace root (''). */
function ancestors(dir: string): string[] {
  const folders: string[] = [];
  for (let current = dir; current !== '' && !current.startsWith('..'); ) {
    current = folderOf(current);
    folders.push(current);
  }
  return folders;
}

/** The folder holding `path` ('' for the Nx workspace root). */
function folderOf(path: string): string {
  const dir = posix.dirname(path);
  return dir === '.' ? '' : dir;
}

function joinFolder(dir: string, path: string): string {
  const folder = posix.normalize(posix.join(dir, path.split('\\').join('/'))).replace(/\/$/, '');
  return folder === '.' ? '' : folder;
}

function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
