import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeArtefact, writeManifest, type ArtefactEntry } from '../../lib/artefact-manifest';
import { projectRootOf } from '../../lib/executor-context';
import { findPythonInterpreters } from '../../lib/python-discovery';
import { runStreaming } from '../../lib/run-process';
import { reportTable } from '../../lib/summary-table';
import { toolsPathEnv, workspaceTool } from '../../lib/workspace-tools';
import { maturinBuildArguments, normalizeOptions, type NormalizedMaturinBuildOptions } from './lib/normalize-options';
import type { MaturinBuildExecutorSchema } from './schema';

export default async function maturinBuildExecutor(
  options: MaturinBuildExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  try {
    const projectRoot = projectRootOf(context);
    const normalized = normalizeOptions(options, { workspaceRoot: context.root, projectRoot, platform: process.platform });
    const artefacts = await buildArtefacts(normalized, context.root, projectRoot);
    reportTable({
      title: `maturin-build: ${artefacts.length} artefacts in ${normalized.outputDir}`,
      headers: ['file', 'kind', 'interpreter', 'size', 'sha256'],
      rows: artefacts.map((entry) => [entry.file, entry.kind, entry.interpreter ?? '-', `${(entry.size / 1024).toFixed(1)} KiB`, entry.sha256.slice(0, 16)]),
    });
    return { success: true };
  } catch (error) {
    logger.error(`maturin-build: ${(error as Error).message}`);
    return { success: false };
  }
}

/**
 * Builds into a staging folder and swaps it in only when every build succeeded, so the output folder always holds
 * exactly one complete build (no stale wheels of an older version, no half of a failed one).
 */
async function buildArtefacts(options: NormalizedMaturinBuildOptions, workspaceRoot: string, projectRoot: string): Promise<ArtefactEntry[]> {
  const interpreters = await findPythonInterpreters(options.pythonVersions);
  const maturin = workspaceTool(workspaceRoot, 'maturin');
  const staging = `${options.outputDir}.staging`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });

  const entries: ArtefactEntry[] = [];
  try {
    for (const [index, interpreter] of interpreters.entries()) {
      const before = new Set(readdirSync(staging));
      const args = [...maturinBuildArguments(options, staging), '--interpreter', interpreter.executable];
      if (options.sdist && index === 0) args.push('--sdist');
      await runStreaming(maturin, args, { cwd: join(workspaceRoot, projectRoot), env: toolsPathEnv(workspaceRoot) });
      const produced = readdirSync(staging).filter((file) => !before.has(file));
      const wheels = produced.filter((file) => file.endsWith('.whl'));
      if (wheels.length !== 1) {
        throw new Error(`maturin built ${wheels.length} wheels for CPython ${interpreter.version} (expected 1): ${produced.join(', ') || 'none'}`);
      }
      for (const file of produced) {
        entries.push(await describeArtefact(staging, file, file.endsWith('.whl') ? `CPython ${interpreter.version}` : null));
      }
    }
    const { distribution, version } = distributionOf(entries);
    writeManifest(staging, { distribution, version, artefacts: entries });
    rmSync(options.outputDir, { recursive: true, force: true });
    renameSync(staging, options.outputDir);
    return entries;
  } finally {
    if (existsSync(staging)) rmSync(staging, { recursive: true, force: true });
  }
}

/** Distribution and version as maturin wrote them into the file names (the PEP 440 form). */
function distributionOf(entries: ArtefactEntry[]): { distribution: string; version: string } {
  const names = new Set(entries.map((entry) => entry.file.replace(/\.tar\.gz$|\.whl$/, '').split('-').slice(0, 2).join('-')));
  if (names.size !== 1) throw new Error(`artefacts disagree on name or version: ${[...names].join(', ')}`);
  const [distribution, version] = [...names][0]!.split('-') as [string, string];
  return { distribution, version };
}
