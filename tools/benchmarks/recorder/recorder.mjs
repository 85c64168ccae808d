import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { progress, runTimed } from '../lib/process.mjs';
import { BENCH_DIR, LOG_DIR, NX_BIN, nxEnvironment, pluginModule, RECORDER_ROOT, REPOSITORY_ROOT, TOOLS_BIN } from '../lib/workspace.mjs';

const LOG = join(LOG_DIR, 'recorder.log');
const REQUIREMENTS = join(REPOSITORY_ROOT, 'tools', 'benchmarks', 'requirements.txt');
const BENCH_SCRIPT = join(RECORDER_ROOT, 'benchmarks', 'bench_recorder.py');
const UV = join(TOOLS_BIN, 'uv');

/** Installed without their dependencies: only their files are used (pyperformance's benchmark sources). */
const SOURCE_ONLY_PACKAGES = ['pyperformance'];

/**
 * A fresh venv under .tools/bench/venvs with `packages` installed, each pinned by requirements.txt, and `wheel`
 * (this recorder's build) installed on its own, since the pin of the 0.3.0 baseline must not apply to it.
 */
async function benchVenv(name, interpreter, packages, wheel) {
  const directory = join(BENCH_DIR, 'venvs', `${name}-${interpreter.requested}`);
  rmSync(directory, { recursive: true, force: true });
  await runTimed(UV, ['venv', '--quiet', '--no-config', '--python', interpreter.executable, directory], { cwd: REPOSITORY_ROOT, logFile: LOG });
  const python = join(directory, 'bin', 'python');
  await runTimed(UV, ['pip', 'install', '--quiet', '--no-config', '--python', python, '--constraint', REQUIREMENTS, ...packages], { cwd: REPOSITORY_ROOT, logFile: LOG });
  await runTimed(UV, ['pip', 'install', '--quiet', '--no-config', '--no-deps', '--python', python, '--constraint', REQUIREMENTS, ...SOURCE_ONLY_PACKAGES], { cwd: REPOSITORY_ROOT, logFile: LOG });
  if (wheel) await runTimed(UV, ['pip', 'install', '--quiet', '--no-config', '--no-index', '--python', python, wheel], { cwd: REPOSITORY_ROOT, logFile: LOG });
  return python;
}

/** The release wheel `nx run recorder:build` made for this interpreter (a cache hit when nothing changed). */
async function recorderWheel(interpreter) {
  progress('recorder: `nx run recorder:build` for the release wheel (restored from the cache when nothing changed)');
  await runTimed(process.execPath, [NX_BIN, 'run', 'recorder:build', '--outputStyle=stream'], { cwd: REPOSITORY_ROOT, env: nxEnvironment(), logFile: LOG });
  const wheelsDir = join(RECORDER_ROOT, 'target', 'wheels');
  const manifest = JSON.parse(readFileSync(join(wheelsDir, 'artefacts.json'), 'utf8'));
  const tag = `cp${interpreter.requested.replace('.', '')}`;
  const wheel = manifest.artefacts.find((entry) => entry.kind === 'wheel' && entry.file.includes(`-${tag}-`));
  if (!wheel) throw new Error(`recorder benchmark: ${wheelsDir}/artefacts.json lists no ${tag} wheel; add ${interpreter.requested} to the build's pythonVersions.`);
  return { path: join(wheelsDir, wheel.file), version: manifest.version };
}

/**
 * Whether codetracer-python-recorder 0.3.0 installs and records on an interpreter; the benchmark itself runs on
 * one interpreter to keep the whole run short, so the other is checked this way.
 */
async function checkBaselineRuns(interpreter) {
  try {
    const python = await benchVenv('baseline-check', interpreter, ['codetracer-python-recorder']);
    const traceDir = join(BENCH_DIR, 'baseline-check-trace');
    rmSync(traceDir, { recursive: true, force: true });
    mkdirSync(traceDir, { recursive: true });
    const script = join(traceDir, 'program.py');
    await runTimed(python, ['-c', `open(${JSON.stringify(script)}, "w").write("print(sum(range(10)))\\n")`], { cwd: traceDir, logFile: LOG });
    await runTimed(python, ['-m', 'codetracer_python_recorder', '--trace-dir', join(traceDir, 'out'), '--format', 'json', script], { cwd: traceDir, logFile: LOG });
    const ok = existsSync(join(traceDir, 'out', 'trace.json'));
    return `codetracer-python-recorder 0.3.0 on CPython ${interpreter.version}: ${ok ? 'installs and records (checked with a small program)' : 'ran but wrote no trace.json'}.`;
  } catch (error) {
    return `codetracer-python-recorder 0.3.0 on CPython ${interpreter.version}: does not work here: ${error.message.split('\n').slice(0, 4).join(' ')}`;
  }
}

export async function benchmarkRecorder({ repeat, quick, pythonVersion, otherVersions }) {
  const { findPythonInterpreter } = pluginModule('lib/python-discovery');
  const interpreter = await findPythonInterpreter(pythonVersion);
  const wheel = await recorderWheel(interpreter);
  progress(`recorder: venvs on CPython ${interpreter.version}: this recorder (${wheel.path.split('/').pop()}), 0.3.0, viztracer`);
  const ours = await benchVenv('this-recorder', interpreter, ['sortedcontainers'], wheel.path);
  const baseline = await benchVenv('recorder-0.3.0', interpreter, ['codetracer-python-recorder', 'sortedcontainers']);
  const viztracer = await benchVenv('viztracer', interpreter, ['viztracer', 'sortedcontainers']);
  const markdownOut = join(BENCH_DIR, 'recorder-results.md');
  const summaryOut = join(BENCH_DIR, 'recorder-summary.json');
  progress(`recorder: running ${BENCH_SCRIPT.replace(`${REPOSITORY_ROOT}/`, '')} (${repeat} runs per row)`);
  await runTimed(
    ours,
    [BENCH_SCRIPT, '--repeat', String(repeat), ...(quick ? ['--quick'] : []), '--python', ours, '--baseline-python', baseline, '--viztracer-python', viztracer,
      '--markdown-out', markdownOut, '--summary-out', summaryOut],
    { cwd: BENCH_DIR, logFile: LOG, verbose: false, onStderr: (text) => process.stderr.write(text) },
  );
  const notes = [];
  for (const version of otherVersions) notes.push(await checkBaselineRuns(await findPythonInterpreter(version)));
  return {
    id: 'recorder',
    title: `Recorder: this recorder (${wheel.version}, release wheel) vs untraced, codetracer-python-recorder 0.3.0 and viztracer`,
    method:
      `\`codetracer-python-recorder/benchmarks/bench_recorder.py\`, run by the benchmark command in three venvs made with uv on ` +
      `CPython ${interpreter.version} under .tools/bench/venvs: this recorder's release wheel from \`nx run recorder:build\`, ` +
      `\`codetracer-python-recorder==0.3.0\` from PyPI, and \`viztracer==1.1.1\` (pins in tools/benchmarks/requirements.txt; ` +
      `\`sortedcontainers==2.4.0\` and, without its dependencies, \`pyperformance==1.14.0\` for its richards and nbody sources in each). Both recorders run through their CLI (\`python -m codetracer_python_recorder ` +
      `--trace-dir D --format json|binary script args\`, the same in 0.3.0), viztracer through \`python -m viztracer --quiet -o ` +
      `result.json script args\`. viztracer records function entries and exits only (no lines, no values), so its event ` +
      `counts are not comparable with the recorders'. This recorder skips the standard library by default, 0.3.0 records it: the first three workloads run no Python-level standard-library code, so both record the same code there; in the sortedcontainers workload 0.3.0 also records \`random\`, so compare the event counts. This recorder runs with \`--max-trace-bytes 0\` (no size limit, like 0.3.0), with its default IO capture and globals. A comparison tracer that runs out of memory is reported as "did not finish". Trace size is the event file (trace.json / trace.bin / result.json).`,
    table: readFileSync(markdownOut, 'utf8').trim(),
    summaries: JSON.parse(readFileSync(summaryOut, 'utf8')),
    notes,
  };
}
