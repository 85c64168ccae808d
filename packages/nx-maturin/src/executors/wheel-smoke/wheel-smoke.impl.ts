import type { ExecutorContext } from '@nx/devkit';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArtefactEntry, type ArtefactManifest, readManifest, verifyManifest } from '../../lib/artefact-manifest';
import { findPythonInterpreter, type PythonInterpreter } from '../../lib/python-discovery';
import { forDisplay, ProcessFailedError, runCaptured } from '../../lib/run-process';
import { createFreshVenv, type FreshVenv, installIntoVenv, installerEnvironment } from '../../lib/venv/venv';
import { resolveTool, toolsPathEnv } from '../../lib/workspace-tools';
import { interpreterMinor, missingHostWheelProblem, sdistContentProblems, wheelFitsPlatform, wheelServesInterpreter, wheelTagProblems } from './lib/artefact-rules';
import { reportTable } from '../../lib/summary-table';
import { type NormalizedWheelSmokeOptions, normalizeOptions } from './lib/normalize-options';
import type { WheelSmokeExecutorSchema } from './schema';
import { escapeRegExp } from '../../lib/escape-regexp';
import { withHeartbeat } from './lib/heartbeat';
import { cargoTargetDirectory } from '../../lib/cargo-target-directory';
import { cleanProjectCrates, hostTargetTriple } from './lib/clean-project-crates';
import { cachedEnvironmentMaturin, isolatedBuildRequirements } from '../maturin-build/lib/isolated-build';
import { readBuildEnvironmentFacts } from '../maturin-build/lib/build-interpreter';
import { basePythonBuildsTheSame, type BuildMaturin, chooseSdistInterpreter, ownBuildEnvironment, type ReusableBuild, reusableBuild, reuseEnvironment, type SdistBuildPlan } from './lib/sdist-build-plan';

type Status = 'ok' | 'FAIL' | '-';

/** One row of the summary: an artefact, or an artefact installed into one interpreter. */
interface SummaryRow {
  interpreter: string;
  artefact: string;
  checks: Record<'sha256' | 'twine' | 'contents' | 'tags', Status>;
  install: Status;
  smoke: Status;
}

export default async function wheelSmokeExecutor(options: WheelSmokeExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectName = context.projectName ?? 'project';
  const projectRoot = context.projectName ? context.projectsConfigurations?.projects[context.projectName]?.root : undefined;
  const normalized = normalizeOptions(options, context.root, projectName, projectRoot);
  const manifest = readManifest(normalized.artefactDir, normalized.buildTarget);
  const failures: string[] = [];
  const rows = new Map<string, SummaryRow>(
    manifest.artefacts.map((entry) => [
      entry.file,
      { interpreter: entry.interpreter ?? 'sdist', artefact: entry.file, checks: { sha256: 'ok', twine: 'ok', contents: 'ok', tags: '-' }, install: '-', smoke: '-' },
    ]),
  );
  const fail = (file: string | null, check: keyof SummaryRow['checks'] | 'install' | 'smoke', problem: string) => {
    failures.push(problem);
    const row = file === null ? undefined : rows.get(file);
    if (!row) return;
    if (check === 'install' || check === 'smoke') row[check] = 'FAIL';
    else row.checks[check] = 'FAIL';
  };

  await installAndRun(context, normalized, manifest, fail, rows);

  reportTable({
    title: `wheel-smoke summary for ${manifest.distribution} ${manifest.version}`,
    headers: ['interpreter', 'artefact', 'sha256', 'twine', 'contents', 'tags', 'install', 'smoke', 'result'],
    rows: [...rows.values()].map((row) => {
      const statuses = [...Object.values(row.checks), row.install, row.smoke];
      return [row.interpreter, row.artefact, ...statuses, statuses.includes('FAIL') ? 'FAIL' : 'ok'];
    }),
  });
  if (failures.length > 0) {
    console.error(`\nwheel-smoke found ${failures.length} problem(s) in ${normalized.artefactDir}:\n  - ${failures.join('\n  - ')}`);
    return { success: false };
  }
  return { success: true };
}

type Fail = (file: string | null, check: keyof SummaryRow['checks'] | 'install' | 'smoke', problem: string) => void;

async function checkArtefacts(
  workspaceRoot: string,
  options: NormalizedWheelSmokeOptions,
  manifest: ArtefactManifest,
  fail: Fail,
  rows: Map<string, SummaryRow>,
): Promise<void> {
  try {
    await verifyManifest(options.artefactDir, manifest);
  } catch (error) {
    for (const line of (error as Error).message.split('\n').slice(1)) {
      const file = manifest.artefacts.find((entry) => line.includes(entry.file))?.file ?? null;
      fail(file, 'sha256', `[sha256 rule] ${line.trim()}`);
    }
  }

  const paths = manifest.artefacts.map((entry) => join(options.artefactDir, entry.file));
  try {
    const twine = resolveTool(workspaceRoot, 'twine');
    await runCaptured(twine.file, [...twine.args, 'check', ...(options.twineStrict ? ['--strict'] : []), ...paths], { cwd: options.artefactDir });
  } catch (error) {
    const output = error instanceof ProcessFailedError ? error.output : (error as Error).message;
    const failing = manifest.artefacts.filter((entry) => new RegExp(`Checking .*${escapeRegExp(entry.file)}: (FAILED|PASSED with warnings)`).test(output));
    for (const entry of failing.length > 0 ? failing : manifest.artefacts) rows.get(entry.file)!.checks.twine = 'FAIL';
    fail(null, 'twine', `[metadata rule: twine check${options.twineStrict ? ' --strict' : ''}] ${output.trim()}${options.twineStrict ? '\n(metadata warnings PyPI accepts can be allowed with the wheel-smoke option twineStrict: false)' : ''}`);
  }

  const wheels = manifest.artefacts.filter((entry) => entry.kind === 'wheel');
  for (const wheel of wheels) {
    try {
      const checkWheelContents = resolveTool(workspaceRoot, 'check-wheel-contents');
      const ignore = options.checkWheelContentsIgnore.length > 0 ? ['--ignore', options.checkWheelContentsIgnore.join(',')] : [];
      const config = options.pyprojectFile !== undefined && existsSync(options.pyprojectFile) && /^\[tool\.check-wheel-contents\]/m.test(readFileSync(options.pyprojectFile, 'utf8')) ? ['--config', options.pyprojectFile] : [];
      await runCaptured(checkWheelContents.file, [...checkWheelContents.args, ...config, ...ignore, join(options.artefactDir, wheel.file)], { cwd: options.artefactDir });
    } catch (error) {
      const output = error instanceof ProcessFailedError ? error.output : (error as Error).message;
      fail(wheel.file, 'contents', `${wheel.file}: [wheel content rule: check-wheel-contents] ${output.trim()}`);
    }
    const row = rows.get(wheel.file)!;
    row.checks.tags = 'ok';
    for (const problem of wheelTagProblems(wheel.file, wheel.tags, interpreterMinor(wheel.interpreter))) fail(wheel.file, 'tags', problem);
    if (!wheelFitsPlatform(wheel.tags, process.platform)) {
      row.interpreter = `${row.interpreter} (other OS)`;
    }
  }

  for (const sdist of manifest.artefacts.filter((entry) => entry.kind === 'sdist')) {
    try {
      const entries = await listSdist(workspaceRoot, options.pythonVersions[0]!, join(options.artefactDir, sdist.file));
      for (const problem of sdistContentProblems(sdist.file, entries, options.importName, options.pythonPackage)) fail(sdist.file, 'contents', problem);
    } catch (error) {
      fail(sdist.file, 'contents', `${sdist.file}: [sdist content rule] cannot be read as a tar.gz: ${(error as Error).message}`);
    }
  }
  if (!manifest.artefacts.some((entry) => entry.kind === 'sdist')) {
    fail(null, 'contents', `${options.artefactDir}: [sdist rule] artefacts.json lists no sdist; build with \`maturin build --sdist\` (the build target does).`);
  }
}

/** Python's tarfile reads the sdist the way installers do, on every OS, with no extra Node dependency. */
async function listSdist(workspaceRoot: string, pythonVersion: string, path: string): Promise<string[]> {
  const python = (await findPythonInterpreter(pythonVersion)).executable;
  const script = 'import json, sys, tarfile\nwith tarfile.open(sys.argv[1]) as archive: print(json.dumps(archive.getnames()))';
  const { stdout } = await runCaptured(python, ['-c', script, path], { cwd: workspaceRoot });
  return JSON.parse(stdout) as string[];
}

/**
 * The sdist's build compiles for seconds to minutes, mostly on one core at a time, while the artefact checks and the
 * wheels' installs and smokes need little CPU: so the sdist is built and installed first, in the background, and its
 * own smokes run after the wheels', so that no two interpreters' outputs are mixed.
 */
async function installAndRun(
  context: ExecutorContext,
  options: NormalizedWheelSmokeOptions,
  manifest: ArtefactManifest,
  fail: Fail,
  rows: Map<string, SummaryRow>,
): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'wheel-smoke-'));
  try {
    const sdistInstall = installSdist(context, options, manifest, fail, rows, scratch);
    // Whatever happens to the wheels, the sdist's build is waited for: the scratch folder it writes to is removed next.
    const [wheels, sdist] = await Promise.allSettled([checkAndInstallWheels(context.root, options, manifest, fail, rows, scratch), sdistInstall]);
    if (wheels.status === 'rejected') throw wheels.reason;
    if (sdist.status === 'rejected') throw sdist.reason;
    if (sdist.value) await runSmokes(options, sdist.value, fail);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function checkAndInstallWheels(
  workspaceRoot: string,
  options: NormalizedWheelSmokeOptions,
  manifest: ArtefactManifest,
  fail: Fail,
  rows: Map<string, SummaryRow>,
  scratch: string,
): Promise<void> {
  await checkArtefacts(workspaceRoot, options, manifest, fail, rows);
  const requirement = `${manifest.distribution}==${manifest.version}`;
  for (const version of options.pythonVersions) {
    let interpreter: PythonInterpreter;
    try {
      interpreter = await findPythonInterpreter(version);
    } catch (error) {
      fail(null, 'install', `CPython ${version}: [interpreter rule] ${(error as Error).message}`);
      continue;
    }
    const wheels = hostWheels(options, manifest, version);
    if ('problem' in wheels) {
      fail(null, 'install', wheels.problem);
      continue;
    }
    console.log(`\nInstalling ${requirement} (wheel) into a fresh CPython ${interpreter.version} venv`);
    const installed = await installOne(workspaceRoot, options, manifest, interpreter, join(scratch, `wheel-${version}`), 'binary', wheels.wheels, fail, rows);
    if (installed) await runSmokes(options, installed, fail);
  }
}

/** The wheels this host installs on CPython `version`, or why there are none. */
function hostWheels(options: NormalizedWheelSmokeOptions, manifest: ArtefactManifest, version: string): { wheels: ArtefactEntry[] } | { problem: string } {
  // A wheel built for this interpreter, or one built once for several (abi3; py3-none of cffi and bin bindings).
  const forInterpreter = manifest.artefacts.filter((entry) => entry.kind === 'wheel' && wheelServesInterpreter(entry.tags, version));
  if (forInterpreter.length === 0) {
    return { problem: `${options.artefactDir}: [wheel rule] artefacts.json lists no wheel built for CPython ${version}; add ${version} to the build's pythonVersions.` };
  }
  const wheels = forInterpreter.filter((entry) => wheelFitsPlatform(entry.tags, process.platform));
  if (wheels.length === 0) return { problem: missingHostWheelProblem(options.artefactDir, version, process.platform, forInterpreter.map((entry) => entry.file)) };
  return { wheels };
}

/** Builds the sdist in a fresh venv of the interpreter chosen for it and installs it there; undefined if it did not. */
async function installSdist(
  context: ExecutorContext,
  options: NormalizedWheelSmokeOptions,
  manifest: ArtefactManifest,
  fail: Fail,
  rows: Map<string, SummaryRow>,
  scratch: string,
): Promise<InstalledVenv | undefined> {
  const sdist = manifest.artefacts.find((entry) => entry.kind === 'sdist');
  if (!sdist) return undefined;
  const reuse = decideSdistReuse(context, options);
  const version = chooseSdistInterpreter(options, manifest, 'options' in reuse.reusable);
  let interpreter: PythonInterpreter;
  try {
    interpreter = await findPythonInterpreter(version);
  } catch {
    // The wheels' loop reports a missing interpreter of pythonVersions, which this one is.
    return undefined;
  }
  // As for a missing interpreter, the wheels' loop reports why; a run that already failed there is not made longer.
  if ('problem' in hostWheels(options, manifest, version)) return undefined;
  console.log(`\nBuilding and installing ${manifest.distribution}==${manifest.version} from ${sdist.file} into a fresh CPython ${interpreter.version} venv, beside the checks of the wheels (its smokes follow theirs)`);
  const plan = await planSdistBuild(context, options, reuse, interpreter, join(scratch, `sdist-wheel-${version}`));
  console.log(plan.explanation);
  return installOne(context.root, options, manifest, interpreter, join(scratch, `sdist-${version}`), 'source', [sdist], fail, rows, plan.environment);
}

/** A venv the artefacts were installed into, and what its smokes are about. */
interface InstalledVenv {
  venv: FreshVenv;
  interpreter: PythonInterpreter;
  artefacts: ArtefactEntry[];
  label: string;
  format: 'binary' | 'source';
}

async function installOne(
  workspaceRoot: string,
  options: NormalizedWheelSmokeOptions,
  manifest: ArtefactManifest,
  interpreter: PythonInterpreter,
  venvDirectory: string,
  format: 'binary' | 'source',
  artefacts: ArtefactEntry[],
  fail: Fail,
  rows: Map<string, SummaryRow>,
  buildEnvironment: Record<string, string> = {},
): Promise<InstalledVenv | undefined> {
  const label = `${artefacts.map((entry) => entry.file).join(', ')} on CPython ${interpreter.version}`;
  const mark = (field: 'install' | 'smoke', status: Status) => artefacts.forEach((entry) => (rows.get(entry.file)![field] = status));
  let venv: FreshVenv;
  try {
    const freshVenv = await createFreshVenv(workspaceRoot, interpreter, venvDirectory);
    venv = freshVenv;
    const install = () =>
      installIntoVenv(freshVenv, {
        workspaceRoot,
        requirement: `${manifest.distribution}==${manifest.version}`,
        // The project's own artefact is this file, never an index's copy; its dependencies come from the index.
        artefactFile: join(options.artefactDir, artefacts[0]!.file),
        ...(options.noIndex ? { findLinks: options.artefactDir } : { indexUrl: options.indexUrl }),
        format,
        distribution: manifest.distribution,
        buildEnvironment,
      });
    // uv prints nothing from an sdist's build until it ends (its backend's output only on failure): a sign of life.
    const stillBuilding = (seconds: number) => `wheel-smoke: still building ${artefacts[0]!.file} (${seconds} s)`;
    await (format === 'source' ? withHeartbeat(install, options.progressIntervalSeconds, stillBuilding) : install());
    mark('install', 'ok');
  } catch (error) {
    artefacts.forEach((entry) => fail(entry.file, 'install', `${label}: [install rule] installing the artefact from ${options.artefactDir} (dependencies from ${options.noIndex ? 'that folder only' : options.indexUrl}) failed: ${(error as Error).message}`));
    return undefined;
  }
  if (format === 'source') {
    // The sdist row reports the sdist's own install; its interpreter column says which one built it.
    artefacts.forEach((entry) => (rows.get(entry.file)!.interpreter = `sdist on ${interpreter.version}`));
  }
  mark('smoke', 'ok');
  return { venv, interpreter, artefacts, label, format };
}

/** The smoke commands and scripts, in a working folder of their own inside the venv's. */
async function runSmokes(options: NormalizedWheelSmokeOptions, installed: InstalledVenv, fail: Fail): Promise<void> {
  const { venv, interpreter, artefacts, label, format } = installed;
  // The sdist and the last wheel are often installed into the same interpreter: the line says which venv it is.
  const where = `CPython ${interpreter.version}${format === 'source' ? ', built from the sdist' : ''}`;
  const workingDirectory = mkdtempSync(join(venv.directory, 'cwd-'));
  const runs = [...options.commands.map((args) => ({ args, what: `python ${args.join(' ')}` })), ...options.smokeScripts.map((script) => ({ args: [script], what: script }))];
  for (const run of runs) {
    try {
      const { stdout, stderr } = await runCaptured(venv.python, run.args, { cwd: workingDirectory, env: installerEnvironment() });
      console.log(`$ ${run.what}  (${where})\n${forDisplay(`${stdout}\n${stderr}`.trim())}`);
    } catch (error) {
      artefacts.forEach((entry) => fail(entry.file, 'smoke', `${label}: [smoke rule] \`${run.what}\` failed: ${(error as Error).message}`));
    }
  }
}

/** Whether the sdist build can share the build target's compilation (see sdist-build-plan.ts), and with what. */
interface SdistReuse {
  reusable: ReusableBuild;
  maturin: BuildMaturin | undefined;
  projectRoot: string;
}

function decideSdistReuse(context: ExecutorContext, options: NormalizedWheelSmokeOptions): SdistReuse {
  const [buildProject = '', buildTargetName = '', buildConfiguration] = options.buildTarget.split(':');
  const project = context.projectsConfigurations?.projects[buildProject];
  const projectRoot = project?.root ?? '.';
  if (!options.sdistReuseBuild) {
    const own = options.sdistCargoTargetDir === undefined && options.sdistProfile === 'release' ? '' : ' (sdistProfile or sdistCargoTargetDir is set)';
    return { reusable: { reason: `option sdistReuseBuild is false${own}` }, maturin: undefined, projectRoot };
  }
  const maturin = findBuildMaturin(context.root);
  const environment = { workspaceRoot: context.root, projectRoot, platform: process.platform, configurationName: buildConfiguration ?? context.configurationName };
  return { reusable: reusableBuild(options, project?.targets?.[buildTargetName], environment, maturin), maturin, projectRoot };
}

/**
 * How the sdist build compiles: as the build target did, in its Cargo target folder with the project's own crates
 * cleaned there, when that can be shared; otherwise on its own, as sdistProfile and sdistCargoTargetDir say.
 */
async function planSdistBuild(
  context: ExecutorContext,
  options: NormalizedWheelSmokeOptions,
  reuse: SdistReuse,
  interpreter: PythonInterpreter,
  wheelDirectory: string,
): Promise<SdistBuildPlan> {
  const onItsOwn = (reason: string): SdistBuildPlan => ({
    environment: ownBuildEnvironment(options, basePythonBuildsTheSame(join(context.root, reuse.projectRoot))),
    explanation: `wheel-smoke: the sdist build compiles everything itself (profile ${options.sdistProfile}${options.sdistCargoTargetDir === undefined ? '' : `, Cargo target folder ${options.sdistCargoTargetDir}`}): ${reason}.`,
  });
  const { reusable } = reuse;
  if ('reason' in reusable) return onItsOwn(reusable.reason);
  const projectDirectory = join(context.root, reuse.projectRoot);
  const env = toolsPathEnv(context.root);
  let maturin = reuse.maturin;
  if (reusable.options.zig && reusable.options.buildIsolation) {
    try {
      // The maturin the build ran for this interpreter: its wrappers are the ones the target folder was built with.
      const requires = isolatedBuildRequirements(readBuildEnvironmentFacts(projectDirectory).requires, true);
      maturin = { file: await cachedEnvironmentMaturin(context.root, interpreter.executable, requires), args: [] };
    } catch (error) {
      return onItsOwn(`the maturin of the build's isolated environment could not be found: ${(error as Error).message}`);
    }
  }
  let targetDirectory: string;
  let ownCrates: string[];
  try {
    targetDirectory = await cargoTargetDirectory(projectDirectory, env);
    const targetTriple = reusable.options.zig ? await hostTargetTriple(env) : undefined;
    ownCrates = await cleanProjectCrates({ projectDirectory, targetDirectory, profile: reusable.options.profile, targetTriple, env });
  } catch (error) {
    return onItsOwn(`the build's Cargo target folder could not be prepared: ${(error as Error).message}`);
  }
  const environment = reuseEnvironment(reusable.options, targetDirectory, interpreter.executable, maturin, wheelDirectory);
  return {
    environment,
    explanation: `wheel-smoke: the sdist build compiles as ${options.buildTarget} did (MATURIN_PEP517_ARGS=${environment['MATURIN_PEP517_ARGS']}) in its Cargo target folder ${targetDirectory}: the dependencies it compiled are reused; the project's own crates (${ownCrates.join(', ')}) were cleaned there and compile from the unpacked sdist.`,
  };
}

/**
 * The maturin a build without isolation runs (maturin-build resolves it the same way), if the workspace has one, by
 * its real path: the OS reports that one as the running executable, which names zig's wrappers.
 */
function findBuildMaturin(workspaceRoot: string): BuildMaturin | undefined {
  try {
    const maturin = resolveTool(workspaceRoot, 'maturin');
    return maturin.args.length === 0 ? { file: realpathSync(maturin.file), args: [] } : maturin;
  } catch {
    return undefined;
  }
}
