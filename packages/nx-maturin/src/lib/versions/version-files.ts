import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { describeMaturinProject, locateOnDisk, maturinPaths, versionComesFromCargo, type MaturinPaths } from '../../plugins/maturin-project';
import { readTomlFile, tomlPath, tomlString, type TomlTable } from '../toml-file';
import { manifestsInheritingWorkspaceVersion } from './cargo-workspace-members';
import { findChangelog } from './changelog';

/** How a project's version files are chosen, from the version-sync options. */
export interface VersionFileOptions {
  /** `false` leaves the CHANGELOG out; a path (relative to the project root) names another file. Default: see findChangelog. */
  changelog?: false | string;
  /** The Python file (relative to the project root) holding `__version__ = "..."`; default: found from the package's `__init__.py`. */
  versionFile?: string;
  /** `independent`: the Cargo version is not the release version, so Cargo files are neither checked nor written. */
  cargoVersion?: CargoVersionPolicy;
}

export type CargoVersionPolicy = 'shared' | 'independent';

/**
 * The version-sync options that choose the version files, as written in a target's options; nx release's version
 * actions read them from the project's version-sync target too. The command line may pass `--changelog=false` as
 * a string, and `true` means the default.
 */
export function normalizeVersionFileOptions(options: { changelog?: unknown; versionFile?: unknown; cargoVersion?: unknown }): VersionFileOptions {
  const changelog = options.changelog === 'false' ? false : options.changelog === 'true' ? true : options.changelog;
  if (changelog !== undefined && typeof changelog !== 'boolean' && typeof changelog !== 'string') {
    throw new Error(`version-sync option "changelog" is ${JSON.stringify(changelog)}; expected false, true or a file path.`);
  }
  if (options.versionFile !== undefined && typeof options.versionFile !== 'string') {
    throw new Error(`version-sync option "versionFile" is ${JSON.stringify(options.versionFile)}; expected a file path.`);
  }
  if (options.cargoVersion !== undefined && options.cargoVersion !== 'shared' && options.cargoVersion !== 'independent') {
    throw new Error(`version-sync option "cargoVersion" is ${JSON.stringify(options.cargoVersion)}; expected "shared" or "independent".`);
  }
  return {
    ...(changelog === undefined || changelog === true ? {} : { changelog }),
    ...(options.versionFile === undefined ? {} : { versionFile: options.versionFile }),
    ...(options.cargoVersion === undefined ? {} : { cargoVersion: options.cargoVersion }),
  };
}

/** Where each file that states a maturin project's version lives; shared by the reader and the writer. */
export interface VersionFiles {
  workspaceRoot: string;
  pyprojectFile: string;
  pyproject: TomlTable;
  /**
   * True when maturin copies Cargo's version: `dynamic = ["version"]`, no `[project]` table, or a `[project]` table
   * without `version` (maturin then warns and takes Cargo's, as PyPI releases of real projects show).
   */
  pyprojectVersionIsDynamic: boolean;
  cargoManifestFile: string;
  crateName: string | undefined;
  /** The manifest and table whose `version` field Cargo uses for this crate. */
  cargoVersion: { file: string; table: readonly string[]; inherited: boolean };
  /** Other crates of the Cargo workspace whose version is inherited from the same `[workspace.package]`. */
  inheritingMembers: string[];
  /** Their manifests, in the same order: other crates' `{ path, version }` requirements on them move with the version too. */
  inheritingMemberManifests: string[];
  /** Whether Cargo's version is the release version (`shared`, the default) or kept apart on purpose. */
  cargoVersionPolicy: CargoVersionPolicy;
  cargoLockFile: string | undefined;
  /** The Python file holding the `__version__` literal, or the package's `__init__.py` when none is found. */
  pythonVersionFile: string | undefined;
  /** When set, `pythonVersionFile` was named by the `versionFile` option and must hold a literal. */
  pythonVersionFileRequired: boolean;
  /** The CHANGELOG to compare; `required` when the option named it, so a missing file is reported. */
  changelog: { file: string; required: boolean } | undefined;
}

export function displayPath(workspaceRoot: string, file: string): string {
  return relative(workspaceRoot, file).split('\\').join('/') || '.';
}

export function locateVersionFiles(workspaceRoot: string, projectRoot: string, options: VersionFileOptions = {}): VersionFiles {
  const projectDir = resolve(workspaceRoot, projectRoot);
  const pyprojectFile = join(projectDir, 'pyproject.toml');
  const pyproject = readTomlFile(pyprojectFile);
  const paths = maturinPathsOf(pyprojectFile, pyproject, projectDir);
  const cargoManifestFile = join(projectDir, paths.cargoManifest);
  const cargoToml = readTomlFile(cargoManifestFile);
  const layout = locateOnDisk(workspaceRoot, describeMaturinProject(displayPath(workspaceRoot, pyprojectFile), pyproject, cargoToml, paths));
  const cargoVersion = locateCargoVersion(cargoManifestFile, cargoToml);
  const crateName = tomlString(cargoToml, ['package', 'name']);
  const inheriting = cargoVersion.inherited
    ? manifestsInheritingWorkspaceVersion(cargoVersion.file).filter(({ manifest }) => tomlString(manifest, ['package', 'name']) !== crateName)
    : [];
  const initFile = layout.pythonPackageDir ? join(projectDir, layout.pythonPackageDir, '__init__.py') : undefined;
  return {
    workspaceRoot,
    pyprojectFile,
    pyproject,
    pyprojectVersionIsDynamic: versionComesFromCargo(pyproject) || tomlPath(pyproject, ['project', 'version']) === undefined,
    cargoManifestFile,
    crateName,
    cargoVersion,
    inheritingMembers: inheriting.map(({ manifest }) => tomlString(manifest, ['package', 'name'])!),
    inheritingMemberManifests: inheriting.map(({ file }) => file),
    cargoVersionPolicy: options.cargoVersion ?? 'shared',
    cargoLockFile: layout.cargoLockFile === undefined ? undefined : join(workspaceRoot, layout.cargoLockFile),
    pythonVersionFile: options.versionFile !== undefined ? join(projectDir, options.versionFile) : initFile && followVersionImport(initFile),
    pythonVersionFileRequired: options.versionFile !== undefined,
    changelog: locateChangelog(workspaceRoot, projectDir, dirname(cargoManifestFile), options.changelog),
  };
}

function locateChangelog(workspaceRoot: string, projectDir: string, crateDir: string, option: false | string | undefined): VersionFiles['changelog'] {
  if (option === false) return undefined;
  if (option !== undefined) return { file: join(projectDir, option), required: true };
  const file = findChangelog(resolve(workspaceRoot), projectDir, crateDir);
  return file === undefined ? undefined : { file, required: false };
}

/**
 * A package often keeps `__version__` in a module of its own (`__about__.py`, `_version.py`) and re-exports it from
 * `__init__.py`; one `from .module import __version__` (or `from <package>.module import ...`) step is followed to
 * the file holding the literal. A re-export from the compiled extension has no literal and leaves `__init__.py`.
 */
function followVersionImport(initFile: string): string {
  const text = readTextIfPresent(initFile);
  if (text === undefined || VERSION_LITERAL.test(text)) return initFile;
  const packageDir = dirname(initFile);
  const packageName = basename(packageDir);
  for (const match of text.matchAll(VERSION_IMPORT)) {
    const module = match[1] ?? '';
    const relativeModule = module.startsWith('.') ? module.slice(1) : module.startsWith(`${packageName}.`) ? module.slice(packageName.length + 1) : undefined;
    if (relativeModule === undefined || relativeModule === '' || relativeModule.startsWith('.')) continue;
    const base = join(packageDir, ...relativeModule.split('.'));
    const candidate = [`${base}.py`, join(base, '__init__.py')].find((file) => VERSION_LITERAL.test(readTextIfPresent(file) ?? ''));
    if (candidate !== undefined) return candidate;
  }
  return initFile;
}

/** `from .x import __version__` or `from pkg.x import a, __version__ as v, b` (parenthesised lists included). */
const VERSION_IMPORT = /^from\s+([.\w]+)\s+import\s+(?:\([^)]*|[^\n]*)\b__version__\b/gm;

function maturinPathsOf(pyprojectFile: string, pyproject: TomlTable, projectDir: string): MaturinPaths {
  try {
    return maturinPaths(pyproject, projectDir);
  } catch (error) {
    throw new Error(`${pyprojectFile}: ${(error as Error).message}`);
  }
}

/**
 * `version.workspace = true` hands the field to `[workspace.package]` of the nearest enclosing Cargo.toml that
 * declares `[workspace]`, which is where Cargo itself looks.
 */
function locateCargoVersion(manifestFile: string, cargoToml: TomlTable): VersionFiles['cargoVersion'] {
  if (tomlPath(cargoToml, ['package', 'version', 'workspace']) !== true) {
    return { file: manifestFile, table: ['package'], inherited: false };
  }
  if (tomlPath(cargoToml, ['workspace']) !== undefined) {
    return { file: manifestFile, table: ['workspace', 'package'], inherited: true };
  }
  for (let dir = dirname(dirname(manifestFile)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'Cargo.toml');
    if (existsSync(candidate) && tomlPath(readTomlFile(candidate), ['workspace']) !== undefined) {
      return { file: candidate, table: ['workspace', 'package'], inherited: true };
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(
    `${manifestFile}: [package].version says \`workspace = true\`, but no enclosing Cargo.toml declares [workspace]; ` +
      'write the version in [package] or add the Cargo workspace root.',
  );
}

/** `__version__ = "1.2.3"` written as a literal (optionally annotated); a derived `__version__` is not a source. */
export const VERSION_LITERAL = /^(__version__\s*(?::\s*str\s*)?=\s*)(["'])([^"'\n]*)\2/m;

export function readTextIfPresent(file: string | undefined): string | undefined {
  return file !== undefined && existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
