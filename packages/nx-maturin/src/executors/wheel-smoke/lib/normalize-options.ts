import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { readTomlFile, tomlPath } from '../../../lib/toml-file';
import type { WheelSmokeExecutorSchema } from '../schema';
import { normalizePythonVersions } from '../../../plugins/plugin-options';

export interface NormalizedWheelSmokeOptions {
  /** Absolute. */
  artefactDir: string;
  pythonVersions: string[];
  importName: string;
  /** Absolute. */
  smokeScripts: string[];
  commands: string[][];
  /** Undefined: chosen with the artefacts in hand (see `chooseSdistInterpreter`). */
  sdistInterpreter: string | undefined;
  buildTarget: string;
  /** False for a pure Rust extension module: no Python package folder is expected in the sdist. */
  pythonPackage: boolean;
  /** check-wheel-contents codes the project lives with, e.g. W005; W007 added for bin bindings. */
  checkWheelContentsIgnore: string[];
  /** `twine check --strict` (warnings fail) rather than `twine check` (only errors fail). */
  twineStrict: boolean;
  /** Where the project's dependencies come from (the project itself always comes from the artefact folder). */
  indexUrl: string;
  /** Dependencies only from the artefact folder (`--no-index --find-links`). */
  noIndex: boolean;
  /** The project's pyproject.toml (absolute), whose [tool.check-wheel-contents] applies; undefined outside a project. */
  pyprojectFile: string | undefined;
  /**
   * The sdist build compiles as the build target did, in its Cargo target folder, so only the project's own crates
   * compile again; where that is not possible it falls back to sdistProfile and sdistCargoTargetDir.
   */
  sdistReuseBuild: boolean;
  /** Cargo profile of the sdist build in the fresh venv when it does not reuse the build's. */
  sdistProfile: string;
  /** Absolute; undefined: the sdist build compiles in a folder of its own. */
  sdistCargoTargetDir: string | undefined;
  /** Seconds between the "still building" lines of the sdist build; 0 for none. */
  progressIntervalSeconds: number;
}

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple';

export function normalizeOptions(options: WheelSmokeExecutorSchema, workspaceRoot: string, projectName: string, projectRoot?: string): NormalizedWheelSmokeOptions {
  if (!options.artefactDir) {
    throw new Error(`wheel-smoke for ${projectName}: option "artefactDir" is missing; set it to the build's output folder (e.g. <projectRoot>/target/wheels).`);
  }
  if (!options.importName) {
    throw new Error(`wheel-smoke for ${projectName}: option "importName" is missing; set it to the package's import name (e.g. hello_maturin).`);
  }
  const pythonVersions = normalizePythonVersions(options.pythonVersions);
  if (pythonVersions.length === 0) {
    throw new Error(`wheel-smoke for ${projectName}: option "pythonVersions" is empty; list at least one CPython version such as "3.12".`);
  }
  const sdistInterpreter = options.sdistInterpreter;
  if (sdistInterpreter !== undefined && !pythonVersions.includes(sdistInterpreter)) {
    throw new Error(
      `wheel-smoke for ${projectName}: option "sdistInterpreter" is "${sdistInterpreter}", which is not one of pythonVersions (${pythonVersions.join(', ')}); pick one of them.`,
    );
  }
  const pyprojectFile = projectRoot === undefined ? undefined : join(workspaceRoot, projectRoot, 'pyproject.toml');
  const absolute = (path: string) => (isAbsolute(path) ? path : join(workspaceRoot, path));
  const configuredTarget = options.sdistCargoTargetDir;
  const sdistCargoTargetDir = configuredTarget === undefined ? undefined : absolute(configuredTarget);
  if (configuredTarget !== undefined && join(absolute(configuredTarget), 'wheels') === absolute(options.artefactDir)) {
    throw new Error(
      `wheel-smoke for ${projectName}: option "sdistCargoTargetDir" is "${configuredTarget}", and maturin writes the wheel it builds from the sdist to its wheels/ folder, which is artefactDir "${options.artefactDir}"; pick a folder of its own, e.g. "${join(configuredTarget, 'sdist-smoke')}".`,
    );
  }
  const ownSdistBuild = [options.sdistProfile === undefined ? undefined : 'sdistProfile', configuredTarget === undefined ? undefined : 'sdistCargoTargetDir'].filter((name) => name !== undefined);
  if (options.sdistReuseBuild === true && ownSdistBuild.length > 0) {
    throw new Error(
      `wheel-smoke for ${projectName}: option "sdistReuseBuild" is true, and ${ownSdistBuild.map((name) => `"${name}"`).join(' and ')} ${ownSdistBuild.length > 1 ? 'are' : 'is'} set, which only apply to an sdist build that compiles on its own; remove ${ownSdistBuild.length > 1 ? 'them' : 'it'} to reuse the build's compiled dependencies, or set sdistReuseBuild to false.`,
    );
  }
  const progressIntervalSeconds = options.progressIntervalSeconds ?? 15;
  if (!Number.isFinite(progressIntervalSeconds) || progressIntervalSeconds < 0) {
    throw new Error(`wheel-smoke for ${projectName}: option "progressIntervalSeconds" is ${JSON.stringify(options.progressIntervalSeconds)}; expected a number of seconds >= 0 (0 prints no progress lines).`);
  }
  return {
    artefactDir: absolute(options.artefactDir),
    pythonVersions,
    importName: options.importName,
    smokeScripts: (options.smokeScripts ?? []).map(absolute),
    commands: options.commands ?? [['-m', options.importName, '--help']],
    pythonPackage: options.pythonPackage ?? true,
    checkWheelContentsIgnore: withBinWheelCodes(normalizeCodes(options.checkWheelContentsIgnore), pyprojectFile),
    twineStrict: options.twineStrict ?? declaresLongDescription(pyprojectFile),
    indexUrl: options.indexUrl ?? DEFAULT_INDEX_URL,
    noIndex: options.noIndex ?? false,
    pyprojectFile,
    sdistInterpreter,
    sdistReuseBuild: options.sdistReuseBuild ?? ownSdistBuild.length === 0,
    sdistProfile: options.sdistProfile ?? 'release',
    sdistCargoTargetDir,
    progressIntervalSeconds,
    buildTarget: options.buildTarget ?? `${projectName}:build`,
  };
}

/** Codes as a list from nx.json or a comma-separated string from the command line, upper-cased like the tool prints them. */
function normalizeCodes(raw: string[] | string | undefined): string[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : raw.split(',');
  return list.map((code) => code.trim().toUpperCase()).filter((code) => code.length > 0);
}

/**
 * A maturin bin wheel (`[tool.maturin].bindings = "bin"`) holds only the executable under `.data/scripts/`, so
 * check-wheel-contents always reports W007 (library is empty) for it: that is the wheel's shape, not a mistake.
 */
function withBinWheelCodes(codes: string[], pyprojectFile: string | undefined): string[] {
  if (pyprojectFile === undefined || !existsSync(pyprojectFile) || codes.includes('W007')) return codes;
  return tomlPath(readTomlFile(pyprojectFile), ['tool', 'maturin', 'bindings']) === 'bin' ? [...codes, 'W007'] : codes;
}

/**
 * Whether the project's metadata is meant to carry a long description, which decides twineStrict's default: the
 * only warnings `twine check` gives are a missing long description or content type, so `--strict` catches a readme
 * that did not make it into the artefacts, and fails a project that has none (PyPI accepts that). A `[project]`
 * table without `readme` (static or dynamic) has none; without a `[project]` table maturin takes the readme from
 * Cargo.toml, so strict stays on.
 */
function declaresLongDescription(pyprojectFile: string | undefined): boolean {
  if (pyprojectFile === undefined || !existsSync(pyprojectFile)) return true;
  const project = tomlPath(readTomlFile(pyprojectFile), ['project']);
  if (project === undefined || typeof project !== 'object' || project === null) return true;
  const fields = project as Record<string, unknown>;
  return fields['readme'] !== undefined || (Array.isArray(fields['dynamic']) && fields['dynamic'].includes('readme'));
}
