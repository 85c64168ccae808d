import { isAbsolute, join } from 'node:path';
import { normalizePythonVersions } from '../../../plugins/plugin-options';
import type { MaturinBuildExecutorSchema } from '../schema';

export interface NormalizedMaturinBuildOptions {
  pythonVersions: string[];
  /** Absolute. */
  outputDir: string;
  profile: string;
  target: string | undefined;
  compatibility: string | undefined;
  zig: boolean;
  features: string[];
  sdist: boolean;
  locked: boolean;
  /** Build with the project's [build-system].requires in an isolated environment (PEP 517) rather than the workspace's maturin. */
  buildIsolation: boolean;
}

export interface BuildEnvironment {
  workspaceRoot: string;
  projectRoot: string;
  platform: NodeJS.Platform;
}

export function normalizeOptions(options: MaturinBuildExecutorSchema, environment: BuildEnvironment): NormalizedMaturinBuildOptions {
  const onLinux = environment.platform === 'linux';
  // maturin's own default policy applies unless the project asks for one: manylinux2014 via zig is a choice.
  const compatibility = options.compatibility;
  const outputDir = options.outputDir ?? join(environment.projectRoot, 'target', 'wheels');
  return {
    pythonVersions: normalizePythonVersions(options.pythonVersions),
    outputDir: isAbsolute(outputDir) ? outputDir : join(environment.workspaceRoot, outputDir),
    profile: options.profile ?? 'release',
    target: options.target,
    compatibility,
    zig: options.zig ?? (onLinux && compatibility !== undefined && compatibility.startsWith('manylinux')),
    features: options.features ?? [],
    sdist: options.sdist ?? true,
    locked: options.locked ?? true,
    buildIsolation: options.buildIsolation ?? true,
  };
}

/** The `maturin build` arguments shared by every interpreter's invocation. */
export function maturinBuildArguments(options: NormalizedMaturinBuildOptions, outDir: string): string[] {
  return ['build', '--out', outDir, ...(options.locked ? ['--locked'] : []), ...maturinCompileArguments(options)];
}

/**
 * The arguments that decide how Cargo compiles: the profile, the target triple, the features, and with zig the C
 * compiler and linker for the platform policy (zig's target names the glibc version). Another maturin build given
 * the same ones (wheel-smoke's build of the sdist) finds the dependencies this build compiled up to date.
 */
export function maturinCompileArguments(options: Pick<NormalizedMaturinBuildOptions, 'profile' | 'target' | 'compatibility' | 'zig' | 'features'>): string[] {
  // `--profile release` rather than `--release`: the same build, and the one spelling `maturin pep517 build-wheel` takes.
  const args = ['--profile', options.profile];
  if (options.target) args.push('--target', options.target);
  if (options.compatibility) args.push('--compatibility', options.compatibility);
  if (options.zig) args.push('--zig');
  if (options.features.length > 0) args.push('--features', options.features.join(','));
  return args;
}
