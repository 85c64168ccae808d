import type { ExecutorContext } from '@nx/devkit';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeArtefact, readManifest, writeManifest, type ArtefactEntry, type ArtefactManifest } from '../../lib/artefact-manifest';
import { projectRootOf } from '../../lib/executor-context';
import { cargoTargetDirectory } from '../../lib/cargo-target-directory';
import type { PythonInterpreter } from '../../lib/python-discovery';
import { runStreaming } from '../../lib/run-process';
import { reportTable } from '../../lib/summary-table';
import { resolveTool, toolsPathEnv, type ToolCommand } from '../../lib/workspace-tools';
import { readTomlFile } from '../../lib/toml-file';
import { findPythonInterpretersMemoised } from '../../lib/toolchain-fingerprint';
import { maturinBuildArguments, normalizeOptions, type NormalizedMaturinBuildOptions } from './lib/normalize-options';
import { buildOrder, recordIfAlreadyServed } from './lib/interpreter-coverage';
import { sdistSourceFolder, unpackSdist } from './lib/unpack-sdist';
import { restoreCargoLocks, snapshotCargoLocks } from './lib/cargo-lock-guard';
import { trimSdistLock } from './lib/sdist-lock';
import { keepOutOfOuterWorkspace } from './lib/sdist-workspace-root';
import { isolatedBuildRequirements, isolatedMaturinCommand } from './lib/isolated-build';
import { readBuildEnvironmentFacts } from './lib/build-interpreter';
import { cargoManifestPath } from '../../plugins/maturin-project';
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
    // console, not @nx/devkit's logger: loading @nx/devkit in the executor's process costs more than a tenth of a second.
    console.error(`maturin-build: ${(error as Error).message}`);
    return { success: false };
  }
}

/**
 * Builds into a staging folder and swaps it in only when every build succeeded, so the output folder always holds
 * exactly one complete build (no stale wheels of an older version, no half of a failed one).
 */
async function buildArtefacts(options: NormalizedMaturinBuildOptions, workspaceRoot: string, projectRoot: string): Promise<ArtefactEntry[]> {
  const interpreters = await findPythonInterpretersMemoised(workspaceRoot, options.pythonVersions);
  const projectDirectory = join(workspaceRoot, projectRoot);
  const facts = options.buildIsolation ? readBuildEnvironmentFacts(projectDirectory) : undefined;
  const buildRequires = facts === undefined ? [] : isolatedBuildRequirements(facts.requires, options.zig);
  const buildEnvironmentPython = facts?.ownPythonReason !== undefined;
  const staging = `${options.outputDir}.staging`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });

  const entries: ArtefactEntry[] = [];
  try {
    const source = options.sdist ? await buildSdistSource(workspaceRoot, projectDirectory, staging, interpreters[0]!, buildRequires, options.locked) : { directory: projectDirectory, targetDirectoryArgs: [] };
    if ('sdist' in source) entries.push(source.sdist);
    for (const interpreter of buildOrder(interpreters, previousManifest(options.outputDir))) {
      if (recordIfAlreadyServed(entries, interpreter)) continue;
      const before = new Set(readdirSync(staging));
      const maturin = maturinCommand(workspaceRoot, interpreter.executable, buildRequires);
      // In the isolated environment `python` is that environment's interpreter, with the build requirements
      // importable (see ownPythonReason); every other build keeps one interpreter path from build to build.
      const args = [...maturin.args, ...maturinBuildArguments(options, staging), ...source.targetDirectoryArgs, '--interpreter', buildEnvironmentPython ? 'python' : interpreter.executable];
      await timed(`maturin build for CPython ${interpreter.version}`, () => runStreaming(maturin.file, args, { cwd: source.directory, env: toolsPathEnv(workspaceRoot) }));
      const produced = readdirSync(staging).filter((file) => !before.has(file));
      const wheels = produced.filter((file) => file.endsWith('.whl'));
      if (wheels.length !== 1) {
        throw new Error(`maturin built ${wheels.length} wheels for CPython ${interpreter.version} (expected 1): ${produced.join(', ') || 'none'}`);
      }
      for (const file of produced) {
        entries.push(await describeArtefact(staging, file, `CPython ${interpreter.version}`));
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

/**
 * `maturin sdist`, then the sdist unpacked: every wheel is built from exactly what the sdist holds (as `maturin
 * build --sdist` does for its one wheel), but in the project's own Cargo target folder rather than a new temporary
 * one, so the dependencies compile once for all interpreters and stay compiled for the next build.
 */
async function buildSdistSource(
  workspaceRoot: string,
  projectDirectory: string,
  staging: string,
  interpreter: PythonInterpreter,
  buildRequires: readonly string[],
  locked: boolean,
): Promise<{ sdist: ArtefactEntry; directory: string; targetDirectoryArgs: string[] }> {
  const maturin = maturinCommand(workspaceRoot, interpreter.executable, buildRequires);
  const env = toolsPathEnv(workspaceRoot);
  // Asked while maturin packs the sdist: the answer is needed only after it, and the wait would add to every build.
  const targetDirectoryAnswer = cargoTargetDirectory(projectDirectory, env);
  targetDirectoryAnswer.catch(() => undefined); // Reported by the await below, after the sdist's own errors.
  const locks = snapshotCargoLocks(dirname(join(projectDirectory, cargoManifestPath(readTomlFile(join(projectDirectory, 'pyproject.toml')), projectDirectory))), workspaceRoot);
  await timed('maturin sdist', () => runStreaming(maturin.file, [...maturin.args, 'sdist', '--out', staging], { cwd: projectDirectory, env })).finally(() => {
    for (const file of restoreCargoLocks(locks)) {
      console.warn(
        `maturin-build: maturin sdist wrote ${file} (missing, or out of date with the Cargo manifests); the file was put back as it was, and the sdist and wheels use the lock it wrote. ` +
          'Next step: run `cargo generate-lockfile` (missing) or `cargo update --workspace` (out of date) there and commit Cargo.lock, so the build is locked to what the repository holds.',
      );
    }
  });
  const sdists = readdirSync(staging).filter((file) => file.endsWith('.tar.gz'));
  if (sdists.length !== 1) throw new Error(`maturin sdist wrote ${sdists.length} .tar.gz files to ${staging} (expected 1): ${readdirSync(staging).join(', ') || 'none'}`);
  const sdist = sdists[0]!;
  const targetDirectory = await targetDirectoryAnswer;
  const directory = await timed(`unpacking ${sdist}`, () => unpackSdist(interpreter.executable, join(staging, sdist), sdistSourceFolder(targetDirectory, projectDirectory, sdist)));
  keepOutOfOuterWorkspace(directory);
  const dropped = locked ? await timed(`checking the Cargo.lock of ${sdist}`, () => trimSdistLock(directory, sdist, env)) : [];
  if (dropped.length > 0) {
    console.log(`maturin-build: ${sdist} holds the whole Cargo workspace's lock; the packages of members it does not pack were dropped from the unpacked copy (${dropped.join(', ')}), and the wheels build --locked against the rest`);
  }
  console.log(`maturin-build: building the wheels from ${sdist} unpacked in ${directory}`);
  return { sdist: await describeArtefact(staging, sdist, null), directory, targetDirectoryArgs: ['--target-dir', targetDirectory] };
}

/**
 * Runs one step of the build and says how long it took, so a person sees where a slow build spends its time (and
 * the build benchmark tells the tools' time from the executor's own).
 */
async function timed<T>(step: string, run: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await run();
  console.log(`maturin-build: ${step} took ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)} s`);
  return result;
}

/** maturin from the project's own build environment (see isolatedMaturinCommand), or the workspace's maturin when isolation is switched off. */
function maturinCommand(workspaceRoot: string, interpreter: string, buildRequires: readonly string[]): ToolCommand {
  return buildRequires.length === 0 ? resolveTool(workspaceRoot, 'maturin') : isolatedMaturinCommand(workspaceRoot, interpreter, buildRequires);
}

/** The manifest of the build before this one, if its output folder holds a readable one (see buildOrder). */
function previousManifest(outputDir: string): ArtefactManifest | undefined {
  try {
    return readManifest(outputDir, 'build');
  } catch {
    return undefined;
  }
}

/** Distribution and version as maturin wrote them into the file names (the PEP 440 form). */
function distributionOf(entries: ArtefactEntry[]): { distribution: string; version: string } {
  const names = new Set(entries.map((entry) => entry.file.replace(/\.tar\.gz$|\.whl$/, '').split('-').slice(0, 2).join('-')));
  if (names.size !== 1) throw new Error(`artefacts disagree on name or version: ${[...names].join(', ')}`);
  const [distribution, version] = [...names][0]!.split('-') as [string, string];
  return { distribution, version };
}
