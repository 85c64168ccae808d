import { dirname, join } from 'node:path';
import { maturinCompileArguments, normalizeOptions as normalizeBuildOptions, type NormalizedMaturinBuildOptions } from '../../maturin-build/lib/normalize-options';
import { readBuildEnvironmentFacts } from '../../maturin-build/lib/build-interpreter';
import type { ArtefactManifest } from '../../../lib/artefact-manifest';
import { interpreterMinor } from './artefact-rules';
import type { NormalizedWheelSmokeOptions } from './normalize-options';

export const MATURIN_BUILD_EXECUTOR = '@codetracer/nx-maturin:maturin-build';

/** The build target as the project configuration holds it (inferred options merged with nx.json's). */
export interface BuildTargetConfiguration {
  executor?: string;
  options?: Record<string, unknown>;
  configurations?: Record<string, Record<string, unknown> | undefined>;
  defaultConfiguration?: string;
}

/** The maturin that ran the build: its executable names the folder of zig's compiler wrappers. */
export interface BuildMaturin {
  file: string;
  /** Arguments before maturin's own (`uv tool run ...`): then the executable is uv's, not maturin's. */
  args: readonly string[];
}

/** How the smoke's sdist build compiles, and what to print about it. */
export interface SdistBuildPlan {
  /** Variables for the PEP 517 build, on top of the installer's environment. */
  environment: Record<string, string>;
  /** One line for the log: what is reused, or why nothing is. */
  explanation: string;
}

/** The build's options that decide compilation, and which interpreter it compiled with. */
export interface ReusableBuildOptions extends NormalizedMaturinBuildOptions {
  /**
   * True when the PEP 517 build compiles with the base interpreter, as the build did (see basePythonBuildsTheSame):
   * PyO3's build script reruns for any other path. False when the build imports its requirements (cffi bindings).
   */
  baseInterpreter: boolean;
}

/** The build's options that decide compilation, or why the sdist build cannot share what the build compiled. */
export type ReusableBuild = { options: ReusableBuildOptions } | { reason: string };

/**
 * Reads the build target's options the way Nx runs it before the smoke (the smoke's configuration when the build
 * has one of that name, else its default configuration) and decides whether the sdist build can reuse its Cargo
 * target folder: only a host build, and for zig only one run by a maturin at a known path (the workspace's, or the one
 * in uv's cached environment for an isolated build).
 */
export function reusableBuild(
  smoke: Pick<NormalizedWheelSmokeOptions, 'buildTarget'>,
  build: BuildTargetConfiguration | undefined,
  environment: { workspaceRoot: string; projectRoot: string; platform: NodeJS.Platform; configurationName?: string | undefined },
  maturin: BuildMaturin | undefined,
): ReusableBuild {
  if (build === undefined) return { reason: `the build target "${smoke.buildTarget}" is not in the project configuration` };
  if (build.executor !== MATURIN_BUILD_EXECUTOR) {
    return { reason: `the build target "${smoke.buildTarget}" runs ${build.executor === undefined ? 'no executor' : `"${build.executor}"`}, not ${MATURIN_BUILD_EXECUTOR}` };
  }
  const configurationName =
    environment.configurationName !== undefined && build.configurations?.[environment.configurationName] !== undefined ? environment.configurationName : build.defaultConfiguration;
  const raw = { ...build.options, ...(configurationName === undefined ? {} : build.configurations?.[configurationName]) };
  const options = normalizeBuildOptions(raw, environment);
  if (options.target !== undefined) {
    return { reason: `the build target "${smoke.buildTarget}" compiles for --target ${options.target}, and the sdist is built for this host's interpreter` };
  }
  // An isolated build's maturin is the one in uv's cached environment (see cachedEnvironmentMaturin), found later.
  if (options.zig && !options.buildIsolation && (maturin === undefined || maturin.args.length > 0)) {
    return { reason: `the build target "${smoke.buildTarget}" links with zig through ${maturin === undefined ? 'no maturin found in the workspace' : `\`${[maturin.file, ...maturin.args].join(' ')}\``}, whose path names zig's compiler wrappers; install maturin[zig] into the tools venv or .venv to share them` };
  }
  return { options: { ...options, baseInterpreter: basePythonBuildsTheSame(join(environment.workspaceRoot, environment.projectRoot)) } };
}

/**
 * Whether the sdist's PEP 517 build may compile with the base interpreter (see ownPythonReason, which maturin-build's
 * isolated build asks too). A project whose files cannot be read keeps the build environment's own python, which is
 * right in every case, only slower for PyO3.
 */
export function basePythonBuildsTheSame(projectDirectory: string): boolean {
  try {
    return readBuildEnvironmentFacts(projectDirectory).ownPythonReason === undefined;
  } catch {
    return false;
  }
}

/**
 * The interpreter the sdist is built with: the one asked for; when the sdist build reuses the build's compilation,
 * the last one the build compiled for (its last wheel in artefacts.json), whose PyO3 configuration the build left in
 * the target folder, so PyO3's crates need not compile again; else the first of pythonVersions.
 */
export function chooseSdistInterpreter(options: Pick<NormalizedWheelSmokeOptions, 'sdistInterpreter' | 'pythonVersions'>, manifest: ArtefactManifest, reusesBuild: boolean): string {
  if (options.sdistInterpreter !== undefined) return options.sdistInterpreter;
  const lastCompiled = interpreterMinor(manifest.artefacts.filter((entry) => entry.kind === 'wheel').at(-1)?.interpreter ?? null);
  if (reusesBuild && lastCompiled !== null && options.pythonVersions.includes(lastCompiled)) return lastCompiled;
  return options.pythonVersions[0]!;
}

/**
 * The PEP 517 build environment that compiles exactly as the build did, so Cargo finds every dependency the build
 * compiled up to date in its target folder and compiles only the project's own crates, from the unpacked sdist:
 * - the build's profile, features and platform policy through MATURIN_PEP517_ARGS (maturin's backend reads them);
 * - the build's interpreter (`--interpreter`, the base interpreter) rather than the fresh venv's, because PyO3's
 *   build script runs again whenever the interpreter's path changes. A build that imports its requirements (cffi
 *   bindings, see ownPythonReason) keeps the PEP 517 environment's own interpreter, the one with them importable;
 * - with zig, the wrappers of the build's maturin: cargo-zigbuild names the folder of its cc/linker wrappers after
 *   the maturin executable running it, and a different CC or linker path makes Cargo rebuild every C build script
 *   and every crate linked for the target. CARGO_BIN_EXE_cargo-zigbuild is the name cargo-zigbuild reads that
 *   executable from before asking the OS; CARGO_ZIGBUILD_PYTHON_PATH is the python beside that maturin, which has
 *   the ziglang package maturin[zig] installs, because the isolated build environment has none.
 * Were this to change in maturin, the sdist build would still be right, only slower: Cargo rebuilds what differs.
 * `--out` keeps the wheel built from the sdist out of the target folder's wheels/, which is often the artefact
 * folder: maturin writes there by default, over the build's wheel of the same name.
 */
export function reuseEnvironment(
  options: ReusableBuildOptions,
  targetDirectory: string,
  interpreter: string,
  maturin: BuildMaturin | undefined,
  wheelDirectory: string,
): Record<string, string> {
  const args = [...maturinCompileArguments(options), ...(options.baseInterpreter ? ['--interpreter', interpreter] : []), '--out', wheelDirectory];
  return {
    MATURIN_PEP517_ARGS: args.map(shellQuote).join(' '),
    CARGO_TARGET_DIR: targetDirectory,
    ...(options.zig && maturin !== undefined
      ? { 'CARGO_BIN_EXE_cargo-zigbuild': maturin.file, CARGO_ZIGBUILD_PYTHON_PATH: join(dirname(maturin.file), process.platform === 'win32' ? 'python.exe' : 'python') }
      : {}),
  };
}

/**
 * The environment when nothing is shared (sdistReuseBuild false, or reuse impossible): the profile through
 * MATURIN_PEP517_ARGS and, when a Cargo target folder of the smoke's own is configured, that folder, with the base
 * interpreter when it builds the same wheel (`basePython`, see basePythonBuildsTheSame), because each fresh venv's own
 * python is a new path that PyO3's build script would recompile for.
 */
export function ownBuildEnvironment(options: Pick<NormalizedWheelSmokeOptions, 'sdistProfile' | 'sdistCargoTargetDir'>, basePython: boolean): Record<string, string> {
  return {
    ...(options.sdistProfile === 'release' ? {} : { MATURIN_PEP517_ARGS: `--profile ${shellQuote(options.sdistProfile)}` }),
    ...(options.sdistCargoTargetDir === undefined ? {} : { CARGO_TARGET_DIR: options.sdistCargoTargetDir, ...(basePython ? { MATURIN_PEP517_USE_BASE_PYTHON: '1' } : {}) }),
  };
}

/** Quoted for Python's shlex.split, which maturin's backend applies to MATURIN_PEP517_ARGS. */
function shellQuote(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'"'"'`)}'`;
}
