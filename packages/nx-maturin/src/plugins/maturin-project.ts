import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { TomlFileError, TomlTable, tomlPath, tomlString } from '../lib/toml-file';
import { findRustToolchainFolder } from '../lib/toolchain-fingerprint-project';
import { findLocalCrates, type LocalCratesMemo } from './local-crates';

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
  /** maturin's module name: `[tool.maturin].module-name`, else Cargo's `[lib].name`, else the distribution name. */
  moduleName: string;
  /** `[tool.maturin].include` globs that reach the sdist, relative to `root` (`/`-separated). */
  includeGlobs: string[];
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
   * root).
   */
  cargoWorkspaceInputs: string[];
  /**
   * The folder (relative to the workspace root) of the rust-toolchain file that applies to the crate, when it lies
   * below the workspace root: its compiler becomes a runtime cache input (see projectRustToolchainInput).
   */
  rustToolchainFolder: string | undefined;
  /**
   * Nx inputs for what maturin builds from outside the project folder: local crates (see {@link findLocalCrates}),
   * the crate itself or the Python source when they lie outside, and `[tool.maturin].include` globs reaching out.
   */
  outsideSourceInputs: string[];
  /** Folders under the project, relative to `root`, that hold Cargo's build output (`target/` of the Cargo workspace). */
  buildOutputFolders: string[];
}

/** Where maturin finds the Cargo manifest and the Python source of one project, both relative to pyproject's folder. */
export interface MaturinPaths {
  cargoManifest: string;
  /** '' when the Python package (if any) sits beside pyproject. */
  pythonSource: string;
}

/**
 * The paths maturin resolves for a project, by maturin's own rules (`project_layout.rs`):
 * - the manifest is `[tool.maturin].manifest-path`; without it, `rust/Cargo.toml` when that file exists and either
 *   `python-source` is set or the automatic src layout applies; else `Cargo.toml` beside pyproject;
 * - the Python source is `python-source`; without it, `src` when the automatic src layout applies; else pyproject's
 *   folder.
 * The automatic src layout: `[project].name` is set, `rust/Cargo.toml` exists, and `src/<name with - as _>/__init__.py`
 * (or `src/<entry of python-packages>/__init__.py`) exists. Inference, cache inputs, version-sync, build and test all
 * ask this one function; `projectDirectory` is pyproject's folder on disk.
 */
export function maturinPaths(pyproject: TomlTable, projectDirectory: string): MaturinPaths {
  const configuredManifest = tomlPath(pyproject, ['tool', 'maturin', 'manifest-path']);
  if (configuredManifest !== undefined && (typeof configuredManifest !== 'string' || configuredManifest.trim() === '')) {
    throw new Error(`[tool.maturin].manifest-path is ${JSON.stringify(configuredManifest)}; expected a path to a Cargo.toml relative to pyproject.toml, e.g. "rust/Cargo.toml"`);
  }
  const configuredSource = tomlPath(pyproject, ['tool', 'maturin', 'python-source']);
  if (configuredSource !== undefined && typeof configuredSource !== 'string') {
    throw new Error(`[tool.maturin].python-source is ${JSON.stringify(configuredSource)}; expected a folder relative to pyproject.toml, e.g. "python"`);
  }
  const rustManifestExists = isFile(join(projectDirectory, 'rust', 'Cargo.toml'));
  const srcLayout = configuredSource === undefined && rustManifestExists && hasSrcLayoutPackage(pyproject, projectDirectory);
  const cargoManifest =
    typeof configuredManifest === 'string'
      ? posix.normalize(configuredManifest.split('\\').join('/'))
      : rustManifestExists && (configuredSource !== undefined || srcLayout) ? 'rust/Cargo.toml' : 'Cargo.toml';
  const pythonSource = configuredSource !== undefined ? configuredSource.split('\\').join('/') : srcLayout ? 'src' : '';
  return { cargoManifest, pythonSource };
}

/** The Cargo manifest maturin builds, relative to pyproject's folder (see {@link maturinPaths}). */
export function cargoManifestPath(pyproject: TomlTable, projectDirectory: string): string {
  return maturinPaths(pyproject, projectDirectory).cargoManifest;
}

function hasSrcLayoutPackage(pyproject: TomlTable, projectDirectory: string): boolean {
  const projectName = tomlPath(pyproject, ['project', 'name']);
  if (typeof projectName !== 'string') return false;
  const pythonPackages = tomlPath(pyproject, ['tool', 'maturin', 'python-packages']);
  const packages = [projectName.replace(/-/g, '_'), ...(Array.isArray(pythonPackages) ? pythonPackages.filter((entry): entry is string => typeof entry === 'string') : [])];
  return packages.some((name) => isFile(join(projectDirectory, 'src', name, '__init__.py')));
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
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
 * Reads the layout maturin would use from the parsed manifests and the paths {@link maturinPaths} resolved, so the
 * result can be cached by those. `cargoToml` may be undefined when the manifest is missing: inference still names the project, and the
 * build reports the missing manifest. A field of the wrong type is an error that names the file and the field.
 */
export function describeMaturinProject(
  pyprojectFile: string,
  pyproject: TomlTable,
  cargoToml: TomlTable | undefined,
  paths: MaturinPaths,
): MaturinProject {
  const root = dirname(pyprojectFile) === '.' ? '' : dirname(pyprojectFile).split('\\').join('/');
  const { cargoManifest, pythonSource } = paths;
  const cargoFile = posix.join(root, cargoManifest);
  const fromPyproject = (path: string[], example: string) => optionalString(pyproject, path, pyprojectFile, example);
  const fromCargo = (path: string[], example: string) => (cargoToml ? optionalString(cargoToml, path, cargoFile, example) : undefined);
  const distributionName = fromPyproject(['project', 'name'], 'my-package') ?? fromCargo(['package', 'name'], 'my-crate') ?? posix.basename(root);
  const moduleName = fromPyproject(['tool', 'maturin', 'module-name'], 'my_package._native') ?? fromCargo(['lib', 'name'], 'my_module') ?? distributionName.replace(/[-.]/g, '_');
  const importName = moduleName.split('.')[0] ?? moduleName;
  const includeGlobs = readIncludeGlobs(pyproject);
  const bindings = fromPyproject(['tool', 'maturin', 'bindings'], 'pyo3');
  const scripts = tomlPath(pyproject, ['project', 'scripts']);
  const executables =
    bindings === 'bin'
      ? [firstBuiltBinName(cargoToml, pyproject) ?? fromCargo(['package', 'name'], 'my-crate') ?? distributionName]
      : typeof scripts === 'object' && scripts !== null ? Object.keys(scripts).sort() : [];
  return { root, distributionName, cargoManifest, pythonSource, importName, moduleName, includeGlobs, bindings, executables };
}

/**
 * The name of the first `[[bin]]` target the build produces, which maturin's bin bindings install as a script. A
 * target whose `required-features` the build does not enable is skipped (Cargo does not build it, e.g. a
 * Windows-only launcher); without one, Cargo's implicit `src/main.rs` binary, named after the package, is the caller's fallback.
 */
function firstBuiltBinName(cargoToml: TomlTable | undefined, pyproject: TomlTable): string | undefined {
  const bins = cargoToml?.['bin'];
  if (!Array.isArray(bins)) return undefined;
  const enabled = enabledFeatures(cargoToml!, pyproject);
  const built = (bins as unknown[]).find((bin): bin is TomlTable => {
    if (typeof bin !== 'object' || bin === null || typeof (bin as TomlTable)['name'] !== 'string') return false;
    const required = (bin as TomlTable)['required-features'];
    return !Array.isArray(required) || required.every((feature) => enabled === 'all' || enabled.has(String(feature)));
  });
  return built?.['name'] as string | undefined;
}

/**
 * The crate's features a maturin build enables: `[tool.maturin].features` plus Cargo's `default` (unless
 * `no-default-features`), each with the features it enables in turn; `all-features` enables every one.
 */
function enabledFeatures(cargoToml: TomlTable, pyproject: TomlTable): Set<string> | 'all' {
  if (tomlPath(pyproject, ['tool', 'maturin', 'all-features']) === true) return 'all';
  const table = typeof cargoToml['features'] === 'object' && cargoToml['features'] !== null ? (cargoToml['features'] as TomlTable) : {};
  const requested = tomlPath(pyproject, ['tool', 'maturin', 'features']);
  const pending = [...(Array.isArray(requested) ? requested.map(String) : []), ...(tomlPath(pyproject, ['tool', 'maturin', 'no-default-features']) === true ? [] : ['default'])];
  const enabled = new Set<string>();
  for (let feature = pending.pop(); feature !== undefined; feature = pending.pop()) {
    if (enabled.has(feature)) continue;
    enabled.add(feature);
    const implied = table[feature];
    if (Array.isArray(implied)) pending.push(...implied.map(String));
  }
  return enabled;
}

/** A string field, or undefined when absent; anything else is refused with the file, the field and an example. */
function optionalString(table: TomlTable, path: string[], file: string, example: string): string | undefined {
  const value = tomlPath(table, path);
  if (value === undefined || typeof value === 'string') return value;
  const field = `[${path.slice(0, -1).join('.')}].${path.at(-1)}`;
  throw new TomlFileError(file, undefined, `${field} is ${JSON.stringify(value)}; expected a string such as "${example}"`);
}

/**
 * `[tool.maturin].include` globs that maturin applies to the sdist (a plain glob, or `{ path, format }` whose format
 * names the sdist or is missing); `from = "out-dir"` entries are build output, not sources.
 */
function readIncludeGlobs(pyproject: TomlTable): string[] {
  const include = tomlPath(pyproject, ['tool', 'maturin', 'include']);
  if (!Array.isArray(include)) return [];
  const globs: string[] = [];
  for (const entry of include as unknown[]) {
    if (typeof entry === 'string') {
      globs.push(entry);
    } else if (typeof entry === 'object' && entry !== null && !('from' in entry)) {
      const { path, format } = entry as TomlTable;
      const formats = Array.isArray(format) ? format : [format ?? 'sdist'];
      if (typeof path === 'string' && formats.includes('sdist')) globs.push(path);
    }
  }
  return globs.map((glob) => glob.split('\\').join('/'));
}

/** `memo` lets inference reuse the local crates found on an earlier graph computation (see {@link findLocalCrates}). */
export function locateOnDisk(workspaceRoot: string, project: MaturinProject, memo?: LocalCratesMemo): MaturinProjectOnDisk {
  const packageCandidate = posix.join(project.pythonSource, project.importName);
  const pythonPackageDir = existsSync(join(workspaceRoot, project.root, packageCandidate, '__init__.py')) ? packageCandidate : undefined;
  const cargoLockFile = findCargoLock(workspaceRoot, project);
  return {
    ...project,
    pythonPackageDir,
    cargoLockFile,
    cargoLockInput: asInput(project.root, cargoLockFile ?? posix.join(project.root, posix.dirname(project.cargoManifest), 'Cargo.lock')),
    smokeScripts: findSmokeScripts(workspaceRoot, project.root),
    hasMainModule: pythonPackageDir !== undefined && existsSync(join(workspaceRoot, project.root, pythonPackageDir, '__main__.py')),
    cargoWorkspaceInputs: findCargoWorkspaceInputs(workspaceRoot, project),
    rustToolchainFolder: findRustToolchainFolder(workspaceRoot, posix.dirname(posix.join(project.root, project.cargoManifest))),
    ...findOutsideSources(workspaceRoot, project, memo),
  };
}

/**
 * What the build reads beyond the project folder (which is an input as a whole), and where inside that folder Cargo
 * writes, so build output never counts as a source.
 */
function findOutsideSources(workspaceRoot: string, project: MaturinProject, memo: LocalCratesMemo | undefined): Pick<MaturinProjectOnDisk, 'outsideSourceInputs' | 'buildOutputFolders'> {
  const manifestFile = posix.join(project.root, project.cargoManifest);
  const { cargoWorkspaceDir, crates } = findLocalCrates(workspaceRoot, manifestFile, memo);
  const outside = (path: string) => posix.relative(project.root, path).startsWith('..');
  const folders = [posix.dirname(manifestFile), posix.join(project.root, project.pythonSource), ...crates].filter(outside);
  const outsideSourceInputs = [...new Set(folders)].flatMap((folder) => [`{workspaceRoot}/${folder}/**/*`, `!{workspaceRoot}/${folder}/target/**/*`]);
  for (const glob of project.includeGlobs) {
    const path = posix.normalize(posix.join(project.root, glob));
    if (outside(path)) outsideSourceInputs.push(`{workspaceRoot}/${path}`);
  }
  const targetFolder = posix.relative(project.root, posix.join(cargoWorkspaceDir, 'target'));
  const buildOutputFolders = ['target', ...(targetFolder.startsWith('..') || targetFolder === 'target' ? [] : [targetFolder])];
  return { outsideSourceInputs, buildOutputFolders };
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
