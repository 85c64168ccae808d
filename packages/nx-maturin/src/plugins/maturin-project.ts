import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { TomlTable, tomlPath, tomlString } from '../lib/toml-file';

/** What inference needs to know about one maturin project, read from its pyproject.toml and Cargo.toml. */
export interface MaturinProject {
  /** Folder of pyproject.toml, relative to the workspace root, `/`-separated ('' for the root). */
  root: string;
  distributionName: string;
  /** Cargo.toml relative to `root`. */
  cargoManifest: string;
  /** The folder holding the Python package relative to `root` ('' when the package sits beside pyproject). */
  pythonSource: string;
  /** The importable top-level package or module, e.g. `codetracer_python_recorder`. */
  importName: string;
}

/** A maturin project as found on disk now: the parsed layout plus what depends on other files existing. */
export interface MaturinProjectOnDisk extends MaturinProject {
  /** The Python package folder relative to `root`, when the project ships Python code beside the extension. */
  pythonPackageDir: string | undefined;
  /** The Cargo.lock that pins this crate, relative to the workspace root, when there is one. */
  cargoLockFile: string | undefined;
  /** The same file as an Nx input path (`{projectRoot}/...` or `{workspaceRoot}/...`); where it would be when missing. */
  cargoLockInput: string;
  /** `scripts/smoke*.py` beside pyproject, relative to the workspace root: run by the smoke target. */
  smokeScripts: string[];
}

export function isMaturinPyproject(pyproject: TomlTable): boolean {
  const backend = tomlString(pyproject, ['build-system', 'build-backend']);
  return backend === 'maturin' || backend?.startsWith('maturin.') === true;
}

/**
 * Reads the layout maturin would use from the parsed manifests alone, so the result can be cached by their
 * content. `cargoToml` may be undefined when the manifest is missing: inference still names the project, and the
 * build reports the missing manifest.
 */
export function describeMaturinProject(
  pyprojectFile: string,
  pyproject: TomlTable,
  cargoToml: TomlTable | undefined,
): MaturinProject {
  const root = dirname(pyprojectFile) === '.' ? '' : dirname(pyprojectFile).split('\\').join('/');
  const cargoManifest = tomlString(pyproject, ['tool', 'maturin', 'manifest-path']) ?? 'Cargo.toml';
  const distributionName =
    tomlString(pyproject, ['project', 'name']) ?? (cargoToml && tomlString(cargoToml, ['package', 'name'])) ?? posix.basename(root);
  const moduleName =
    tomlString(pyproject, ['tool', 'maturin', 'module-name']) ??
    (cargoToml && tomlString(cargoToml, ['lib', 'name'])) ??
    distributionName.replace(/[-.]/g, '_');
  const importName = moduleName.split('.')[0] ?? moduleName;
  const explicitPythonSource = tomlString(pyproject, ['tool', 'maturin', 'python-source']);
  const pythonSource = explicitPythonSource ?? '';
  return { root, distributionName, cargoManifest, pythonSource, importName };
}

export function locateOnDisk(workspaceRoot: string, project: MaturinProject): MaturinProjectOnDisk {
  const packageCandidate = posix.join(project.pythonSource, project.importName);
  const pythonPackageDir = existsSync(join(workspaceRoot, project.root, packageCandidate, '__init__.py')) ? packageCandidate : undefined;
  const cargoLockFile = findCargoLock(workspaceRoot, project);
  return {
    ...project,
    pythonPackageDir,
    cargoLockFile,
    cargoLockInput: cargoLockFile === undefined ? `{projectRoot}/${posix.join(posix.dirname(project.cargoManifest), 'Cargo.lock')}` : asInput(project.root, cargoLockFile),
    smokeScripts: findSmokeScripts(workspaceRoot, project.root),
  };
}

function findSmokeScripts(workspaceRoot: string, root: string): string[] {
  const scriptsDir = posix.join(root, 'scripts');
  if (!existsSync(join(workspaceRoot, scriptsDir))) return [];
  return readdirSync(join(workspaceRoot, scriptsDir))
    .filter((file) => /^smoke.*\.py$/.test(file))
    .sort()
    .map((file) => posix.join(scriptsDir, file));
}

/**
 * Cargo.lock sits beside the crate, or at the root of the Cargo workspace the crate belongs to; the search stops at
 * the Nx workspace root, so version-sync checks the same file the build hashes.
 */
function findCargoLock(workspaceRoot: string, project: MaturinProject): string | undefined {
  const crateDir = posix.dirname(posix.join(project.root, project.cargoManifest));
  for (let dir = crateDir; ; dir = posix.dirname(dir)) {
    const lockFile = posix.join(dir, 'Cargo.lock');
    if (existsSync(join(workspaceRoot, lockFile))) return lockFile;
    if (dir === '.' || dir === '' || dir === '/') return undefined;
  }
}

function asInput(projectRoot: string, workspaceFile: string): string {
  const relative = posix.relative(projectRoot, workspaceFile);
  return relative.startsWith('..') ? `{workspaceRoot}/${workspaceFile}` : `{projectRoot}/${relative}`;
}

/** True when pyproject takes its version from Cargo (`dynamic = ["version"]`). */
export function hasDynamicVersion(pyproject: TomlTable): boolean {
  const dynamic = tomlPath(pyproject, ['project', 'dynamic']);
  return Array.isArray(dynamic) && dynamic.includes('version');
}
