import type { PreTasksExecution, TargetConfiguration } from '@nx/devkit';
import { toolchainFingerprint } from '../lib/toolchain-fingerprint';
import { normalizePluginOptions, type MaturinPluginOptions } from './plugin-options';

type InputDefinition = Exclude<NonNullable<TargetConfiguration['inputs']>[number], string>;

/**
 * The environment variable that carries the toolchain fingerprint for one set of Python versions, e.g.
 * `NX_MATURIN_TOOLCHAIN_3_12_3_13`. Two plugin entries asking for the same versions share it.
 */
export function toolchainEnvironmentVariable(pythonVersions: readonly string[]): string {
  return `NX_MATURIN_TOOLCHAIN_${pythonVersions.map((version) => version.replace(/[^A-Za-z0-9]/g, '_')).join('_')}`;
}

/**
 * The runtime cache input that stands for the toolchain (OS, CPU, libc, rustc, maturin, each interpreter's version).
 *
 * Nx runs a runtime input through `sh -c` (`cmd /C` on Windows) on every hash, and starting node for it costs more
 * than the whole 0.1 s budget. So `preTasksExecution` below computes the fingerprint inside the Nx process (or the
 * daemon) before any task is hashed, and the command only prints that variable. Where no hook ran (a tool that
 * hashes tasks without Nx's task runner), the command computes the same value with node, so the cache key is the
 * same either way and never lacks the toolchain.
 */
export function toolchainFingerprintInput(pythonVersions: readonly string[], platform: NodeJS.Platform = process.platform): InputDefinition {
  const variable = toolchainEnvironmentVariable(pythonVersions);
  const compute = `node node_modules/@codetracer/nx-maturin/bin/toolchain-fingerprint.js ${pythonVersions.join(' ')}`;
  if (platform === 'win32') return { runtime: `if defined ${variable} (echo %${variable}%) else (${compute})` };
  return { runtime: `echo "\${${variable}:-$(${compute})}"` };
}

/**
 * Nx calls this before it hashes and runs the tasks of `nx run`, `run-many`, `affected` and `release publish`,
 * and copies the variables it sets into the environment the tasks are hashed with. A toolchain that cannot be
 * described (an interpreter missing) leaves the variable unset: the runtime input then reports the problem itself,
 * and commands that run no maturin target are not stopped by it.
 */
export const preTasksExecution: PreTasksExecution<MaturinPluginOptions> = async (rawOptions, context) => {
  const { pythonVersions } = normalizePluginOptions(rawOptions);
  try {
    process.env[toolchainEnvironmentVariable(pythonVersions)] = await toolchainFingerprint(context.workspaceRoot, pythonVersions, process.env);
  } catch {
    delete process.env[toolchainEnvironmentVariable(pythonVersions)];
  }
};
