import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { TomlFileError, TomlTable, tomlPath, tomlString } from '../lib/toml-file';

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
  /** Folders of `path = "..."` dependencies in Cargo.toml, relative to `root` (`/`-separated). */
  pathDependencies: string[];
  /** `[tool.maturin].bindings` (`pyo3`, `cffi`, `bin`, `uniffi`), when set. */
  bindings: string | undefined;
  /** Executables the wheel installs: `[project.scripts]` names, or for bin bindings the Cargo binary. */
  executables: string[];
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
  /** True when the Python package has a `__main__` module, so `python -m <package> --help` is a fair smoke. */
  hasMainModule: boolean;
  /**
   * Cargo files outside the crate that change what it builds, as Nx inputs: the Cargo workspace root manifest,
   * `.cargo/config.toml`, `rust-toolchain.toml` (the crate's folder and each one above it, up to the Nx workspace
   * root), and path dependencies outside the project.
   */
  cargoWorkspaceInputs: string[];
}

/**
 * The Cargo manifest maturin builds, relative to the folder of pyproject.toml: `[tool.maturin].manifest-path`, else
 * `Cargo.toml` beside pyproject. Inference, cache inputs, version-sync, build and test all ask this one function.
 */
export function cargoManifestPath(pyproject: TomlTable): string {
  const configured = tomlPath(pyproject, ['tool', 'maturin', 'manifest-path']);
  if (configured === undefined) return 'Cargo.toml';
  if (typeof configured !== 'string' || configured.trim() === '') {
    throw new Error(`[tool.maturin].manifest-path is ${JSON.stringify(configured)}; expected a path to a Cargo.toml relative to pyproject.toml, e.g. "rust/Cargo.toml"`);
  }
  return posix.normalize(configured.split('\\').join('/'));
}

/** True when maturin takes the version from Cargo: `dynamic = ["version"]`, or no `[project]` table at all. */
export function versionComesFromCargo(pyproject: TomlTable): boolean {
  return tomlPath(pyproject, ['project']) === undefined || hasDynamicVersion(pyproject);
}

export function isMaturinPyproject(pyproject: TomlTable): boolean {
  const backend = tomlString(pyproject, ['build-system', 'build-backend']);
  return backend === 'maturin' || backend?.startsWith('maturin.') === true;
}

/**
 * Reads the layout maturin would use from the parsed manifests alone, so the result can be cached by their
 * content. `cargoToml` may be undefined when the manifest is missing: inference still names the project, and the
 * build reports the missing manifest. A field of the wrong type is an error that names the file and the field.
 */
export function describeMaturinProject(
  pyprojectFile: string,
  pyproject: TomlTable,
  cargoToml: TomlTable | undefined,
): MaturinProject {
  const root = dirname(pyprojectFile) === '.' ? '' : dirname(pyprojectFile).split('\\').join('/');
  let cargoManifest: string;
  try {
    cargoManifest = cargoManifestPath(pyproject);
  } catch (error) {
    throw new TomlFileError(pyprojectFile, undefined, (error as Error).message);
  }
  const cargoFile = posix.join(root, cargoManifest);
  const fromPyproject = (path: string[], example: string) => optionalString(pyproject, path, pyprojectFile, example);
  const fromCargo = (path: string[], example: string) => (cargoToml ? optionalString(cargoToml, path, cargoFile, example) : undefined);
  const distributionName = fromPyproject(['project', 'name'], 'my-package') ?? fromCargo(['package', 'name'], 'my-crate') ?? posix.basename(root);
  const moduleName = fromPyproject(['tool', 'maturin', 'module-name'], 'my_package._native') ?? fromCargo(['lib', 'name'], 'my_module') ?? distributionName.replace(/[-.]/g, '_');
  const importName = moduleName.split('.')[0] ?? moduleName;
  const pythonSource = fromPyproject(['tool', 'maturin', 'python-source'], 'python') ?? '';
  const crateDir = posix.dirname(cargoManifest);
  const pathDependencies = cargoToml ? readPathDependencies(cargoToml).map((path) => posix.normalize(posix.join(crateDir, path))) : [];
  const bindings = fromPyproject(['tool', 'maturin', 'bindings'], 'pyo3');
  const scripts = tomlPath(pyproject, ['project', 'scripts']);
  const executables =
    bindings === 'bin'
      ? [firstBinName(cargoToml) ?? fromCargo(['package', 'name'], 'my-crate') ?? distributionName]
      : typeof scripts === 'object' && scripts !== null ? Object.keys(scripts).sort() : [];
  return { root, distributionName, cargoManifest, pythonSource, importName, pathDependencies, bindings, executables };
}

/** The name of the first `[[bin]]` target, which maturin's bin bindings install as the wheel's script. */
function firstBinName(cargoToml: TomlTable | undefined): string | undefined {
  const bins = cargoToml?.['bin'];
  const first = Array.isArray(bins) ? (bins[0] as TomlTable | undefined) : undefined;
  return typeof first?.['name'] === 'string' ? first['name'] : undefined;
}

/** A string field, or undefined when absent; anything else is refused with the file, the field and an example. */
function optionalString(table: TomlTable, path: string[], file: string, example: string): string | undefined {
  const value = tomlPath(table, path);
  if (value === undefined || typeof value === 'string') return value;
  const field = `[${path.slice(0, -1).join('.')}].${path.at(-1)}`;
  throw new TomlFileError(file, undefined, `${field} is ${JSON.stringify(value)}; expected a string such as "${example}"`);
}

/** `path = "..."` entries of every dependency table (normal, dev, build, per target). */
function readPathDependencies(cargoToml: TomlTable): string[] {
  const tables: unknown[] = [cargoToml['dependencies'], cargoToml['build-dependencies'], cargoToml['dev-dependencies']];
  const targets = cargoToml['target'];
  if (typeof targets === 'object' && targets !== null) {
    for (const target of Object.values(targets as TomlTable)) {
      const table = target as TomlTable;
      tables.push(table['dependencies'], table['build-dependencies'], table['dev-dependencies']);
    }
  }
  const paths = new Set<string>();
  for (const table of tables) {
    if (typeof table !== 'object' || table === null) continue;
    for (const dependency of Object.values(table as TomlTable)) {
      const path = typeof dependency === 'object' && dependency !== null ? (dependency as TomlTable)['path'] : undefined;
      if (typeof path === 'string') paths.add(path.split('\\').join('/'));
    }
  }
  return [...paths].sort();
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
    hasMainModule: pythonPackageDir !== undefined && existsSync(join(workspaceRoot, project.root, pythonPackageDir, '__main__.py')),
    cargoWorkspaceInputs: findCargoWorkspaceInputs(workspaceRoot, project),
  };
}

const CARGO_CONFIG_FILES = ['.cargo/config.toml', '.cargo/config', 'rust-toolchain.toml', 'rust-toolchain'];

function findCargoWorkspaceInputs(workspaceRoot: string, project: MaturinProject): string[] {
  const crateDir = posix.normalize(posix.dirname(posix.join(project.root, project.cargoManifest)));
  const inputs: string[] = [];
  for (let dir = crateDir; ; dir = posix.dirname(dir)) {
    const here = dir === '.' ? '' : dir;
    for (const file of CARGO_CONFIG_FILES) {
      if (existsSync(join(workspaceRoot, here, file))) inputs.push(asInput(project.root, posix.join(here, file)));
    }
    const manifest = posix.join(here, 'Cargo.toml');
    if (here !== crateDir && existsSync(join(workspaceRoot, manifest)) && /^\s*\[workspace\]/m.test(readFileSync(join(workspaceRoot, manifest), 'utf8'))) {
      inputs.push(asInput(project.root, manifest));
    }
    if (here === '' || dir === '/') break;
  }
  for (const dependency of project.pathDependencies) {
    const folder = posix.join(project.root, dependency);
    if (!posix.relative(project.root, folder).startsWith('..')) continue; // inside the project: already an input
    inputs.push(asInput(project.root, posix.join(folder, 'Cargo.toml')), asInput(project.root, posix.join(folder, 'src')) + '/**/*');
    if (existsSync(join(workspaceRoot, folder, 'build.rs'))) inputs.push(asInput(project.root, posix.join(folder, 'build.rs')));
  }
  return inputs;
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
