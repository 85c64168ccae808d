import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable } from '../lib/markdown.mjs';
import { progress, runTimed } from '../lib/process.mjs';
import { formatRatio, formatSeconds, summarize, verdict } from '../lib/stats.mjs';
import { LOG_DIR, NX_BIN, nxEnvironment, RECORDER_ROOT, REPOSITORY_ROOT, TOOLS_BIN } from '../lib/workspace.mjs';

const TARGET_OVERHEAD = 0.03;
// Both sides compile the same crates each run; runs further apart than this mean the machine was busy elsewhere.
const NOISY_SPREAD = 1.25;
const LOG = join(LOG_DIR, 'build-overhead.log');

/** `a "b c" d` -> ['a', 'b c', 'd']: run-process prints arguments with whitespace JSON-quoted. */
export function parseCommandLine(line) {
  return [...line.matchAll(/"(?:[^"\\]|\\.)*"|\S+/g)].map(([token]) => (token.startsWith('"') ? JSON.parse(token) : token));
}

const UNPACKED = /^maturin-build: building the wheels from (\S+) unpacked in (.+)$/;

/**
 * What the maturin-build executor ran, in order, from its output: the `$ .../maturin sdist|build ...` command lines
 * as argument arrays with the folder each ran in, and the unpacking of the sdist the wheels were built from.
 * Commands before the unpacking ran in the project folder, the builds after it in the unpacked sdist.
 */
export function maturinSteps(nxOutput, projectRoot) {
  const steps = [];
  let cwd = projectRoot;
  let sdistOut;
  for (const line of nxOutput.split('\n').map((text) => text.replace(/^\S+:\s/, '').trim())) {
    const unpacked = UNPACKED.exec(line);
    if (unpacked) {
      if (sdistOut === undefined) throw new Error(`"${line}" follows no \`maturin sdist --out ...\` command line`);
      cwd = unpacked[2];
      steps.push({ unpack: join(sdistOut, unpacked[1]), into: dirname(cwd) });
    } else if (/^\$ \S*maturin(\.exe)? (build|sdist) /.test(line)) {
      const argv = parseCommandLine(line.slice(2));
      if (argv[1] === 'sdist') sdistOut = argv[argv.indexOf('--out') + 1];
      steps.push({ argv, cwd });
    }
  }
  return steps;
}

const STEP_TIME = /^maturin-build: .+ took (\d+(?:\.\d+)?) s$/;

/**
 * The seconds the executor spent inside its steps (each `maturin sdist`, the unpacking, each `maturin build`), from
 * the `maturin-build: <step> took <n> s` lines it prints: the same steps the direct side times. The rest of the Nx
 * side's time is what Nx and the executor do beyond the tools.
 */
export function executorStepSeconds(nxOutput) {
  const times = nxOutput
    .split('\n')
    .map((line) => STEP_TIME.exec(line.replace(/^\S+:\s/, '').trim()))
    .filter(Boolean)
    .map((match) => Number(match[1]));
  if (times.length === 0) throw new Error('the maturin-build executor printed no "maturin-build: <step> took <n> s" line; cannot tell its steps from its overhead');
  return times.reduce((sum, seconds) => sum + seconds, 0);
}

/**
 * The crates Cargo compiled, in the order it reported them (`Compiling pyo3 v0.30.1`, paths dropped): the two sides
 * did the same work only when these lists are equal, whatever their times.
 */
export function compiledCrates(output) {
  return [...output.matchAll(/^(?:\S+:\s+)?\s*Compiling (\S+ v\S+)/gm)].map((match) => match[1]);
}

const CHILDREN_CPU = fileURLToPath(new URL('../lib/children-cpu.py', import.meta.url));
const RECORD_CPU_USAGE = fileURLToPath(new URL('../lib/record-cpu-usage.cjs', import.meta.url));
const RUN_STEPS = fileURLToPath(new URL('./run-maturin-steps.mjs', import.meta.url));

/**
 * Runs a command through children-cpu.py and returns what runTimed does plus `cpu`, the CPU seconds (user + system)
 * of the command's whole process tree: deterministic enough to tell whether the two sides made the tools do the same
 * work, where the wall clock also counts the waits that other work on the machine causes.
 */
async function runWithCpu(file, args, options, scratch) {
  const cpuFile = join(scratch, 'cpu.json');
  rmSync(cpuFile, { force: true });
  const run = await runTimed(join(TOOLS_BIN, 'python'), [CHILDREN_CPU, cpuFile, file, ...args], options);
  const { user, system } = JSON.parse(readFileSync(cpuFile, 'utf8'));
  return { ...run, cpu: user + system };
}

/**
 * Runs the steps directly (no Nx), in one child process (run-maturin-steps.mjs) so their CPU seconds are counted as
 * one tree; the sdist is unpacked by the executor's own code, so both sides do the same. The seconds are those of
 * the steps alone, as the child timed them.
 */
async function runStepsDirectly(steps, scratch) {
  const stepsFile = join(scratch, 'steps.json');
  writeFileSync(stepsFile, JSON.stringify(steps));
  const run = await runWithCpu(process.execPath, [RUN_STEPS, stepsFile], { cwd: REPOSITORY_ROOT, env: process.env, logFile: LOG }, scratch);
  const timed = /^direct maturin steps took (\d+(?:\.\d+)?) s$/m.exec(run.output);
  if (!timed) throw new Error(`build overhead: ${RUN_STEPS} printed no "direct maturin steps took <n> s" line (see ${LOG})`);
  return { seconds: Number(timed[1]), output: run.output, cpu: run.cpu };
}

/**
 * `nx run recorder:build` with its whole tree's CPU seconds, and those of its own Node processes (Nx and the executor
 * it forks), which record-cpu-usage.cjs appends to a file as each exits.
 */
async function runNxBuild(scratch) {
  const nodeCpuFile = join(scratch, 'node-cpu.jsonl');
  rmSync(nodeCpuFile, { force: true });
  const env = nxEnvironment({
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require ${JSON.stringify(RECORD_CPU_USAGE)}`].filter(Boolean).join(' '),
    NX_BENCH_CPU_USAGE_FILE: nodeCpuFile,
  });
  const run = await runWithCpu(process.execPath, nxBuildArgs, { cwd: REPOSITORY_ROOT, env, logFile: LOG }, scratch);
  const nodeProcesses = readFileSync(nodeCpuFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  return { ...run, nodeCpu: nodeProcesses.reduce((sum, entry) => sum + entry.user + entry.system, 0), nodeProcesses: nodeProcesses.length };
}

/**
 * Makes cargo rebuild the recorder crate (and nothing it depends on) on the next build: cargo compares the
 * sources' modification times with its fingerprint, so a newer mtime on lib.rs is enough.
 */
function touchCrate() {
  const now = new Date();
  utimesSync(join(RECORDER_ROOT, 'src', 'lib.rs'), now, now);
  rmSync(join(RECORDER_ROOT, 'target', 'wheels.staging'), { recursive: true, force: true });
}

const nxBuildArgs = [NX_BIN, 'run', 'recorder:build', '--skip-nx-cache', '--excludeTaskDependencies', '--outputStyle=stream'];

export async function benchmarkBuildOverhead({ repeat }) {
  progress(`build overhead: warm-up \`nx run recorder:build\` (learns the maturin commands, compiles dependencies; not counted)`);
  touchCrate();
  const warmUp = await runTimed(process.execPath, nxBuildArgs, { cwd: REPOSITORY_ROOT, env: nxEnvironment(), logFile: LOG });
  const steps = maturinSteps(warmUp.output, RECORDER_ROOT);
  const commands = steps.filter((step) => step.argv).map((step) => step.argv);
  if (!commands.some((argv) => argv[1] === 'build')) {
    throw new Error(`build overhead: the maturin-build executor printed no "$ ... maturin build ..." line (see ${LOG}); cannot run the same commands directly.`);
  }
  progress(`build overhead: warm-up took ${warmUp.seconds.toFixed(1)} s; direct side runs ${commands.length} maturin command(s):\n  ${commands.map((command) => command.join(' ')).join('\n  ')}`);

  const scratch = mkdtempSync(join(tmpdir(), 'nx-build-overhead-'));
  const nxTimes = [];
  const nxCpu = [];
  const nxNodeCpu = [];
  const directCpu = [];
  const nxStepTimes = [];
  const directTimes = [];
  const differentCrates = [];
  // Interleaved, so a slow spell of the machine falls on both sides instead of on one.
  const runNx = () => (touchCrate(), runNxBuild(scratch));
  const runDirect = () => (touchCrate(), runStepsDirectly(steps, scratch));
  for (let run = 1; run <= repeat; run++) {
    // The sides take turns going first (nx, direct; direct, nx; ...): a machine that gets busier or quieter during
    // the benchmark then weighs on both sides alike instead of always on the second.
    const [nx, direct] = run % 2 === 1 ? [await runNx(), await runDirect()] : await runDirect().then(async (first) => [await runNx(), first]);
    nxTimes.push(nx.seconds);
    nxStepTimes.push(executorStepSeconds(nx.output));
    nxCpu.push(nx.cpu);
    nxNodeCpu.push(nx.nodeCpu);
    directTimes.push(direct.seconds);
    directCpu.push(direct.cpu);
    const [nxCrates, directCrates] = [compiledCrates(nx.output), compiledCrates(direct.output)];
    if ([...nxCrates].sort().join() !== [...directCrates].sort().join()) differentCrates.push(`run ${run}: nx compiled ${nxCrates.join(', ')}; directly ${directCrates.join(', ')}`);
    progress(
      `build overhead: run ${run}/${repeat}: nx ${nx.seconds.toFixed(1)} s (its steps ${nxStepTimes.at(-1).toFixed(1)} s), maturin directly ${direct.seconds.toFixed(1)} s; ` +
        `compiled ${nxCrates.length} / ${directCrates.length} crates; CPU ${nx.cpu.toFixed(1)} s (Nx's ${nx.nodeProcesses} Node processes ${nx.nodeCpu.toFixed(2)} s) / ${direct.cpu.toFixed(1)} s`,
    );
  }
  rmSync(scratch, { recursive: true, force: true });
  const cpu = { nx: summarize(nxCpu), nxNode: summarize(nxNodeCpu), nxTools: summarize(nxCpu.map((seconds, index) => seconds - nxNodeCpu[index])), direct: summarize(directCpu) };
  const nx = summarize(nxTimes);
  const direct = summarize(directTimes);
  const nxSteps = summarize(nxStepTimes);
  const beyondSteps = summarize(nxTimes.map((seconds, index) => seconds - nxStepTimes[index]));
  const overhead = nx.median / direct.median - 1;
  // What Nx and the executor add around the tools, against the whole build: unlike the wall-clock ratio, it does
  // not move with how long the machine's other work made each compile take.
  const beyondShare = beyondSteps.median / direct.median;
  const sameWork = differentCrates.length === 0;
  // Why the ratio may reflect the machine's other work rather than Nx: runs of one side far apart, one run a side
  // (no spread to judge), or Nx "faster" than the same maturin commands alone.
  const noiseReasons = [
    ...(nx.max / nx.min > NOISY_SPREAD || direct.max / direct.min > NOISY_SPREAD
      ? [`the runs of one side differ by more than ${Math.round((NOISY_SPREAD - 1) * 100)}% (nx ${nx.min.toFixed(1)}-${nx.max.toFixed(1)} s, direct ${direct.min.toFixed(1)}-${direct.max.toFixed(1)} s)`]
      : []),
    ...(repeat < 2 ? ['one run a side shows no spread to judge the noise by'] : []),
    ...(nx.median * NOISY_SPREAD < direct.median ? [`Nx took ${nx.median.toFixed(1)} s for what maturin alone took ${direct.median.toFixed(1)} s`] : []),
  ];
  const noisy = noiseReasons.length > 0;
  // A wall-clock ratio of noisy runs proves nothing either way; the time beyond the steps counts only when both sides
  // compiled the same crates, since otherwise the step times would hide work one side made Cargo do.
  const wallPass = overhead <= TARGET_OVERHEAD && !noisy;
  const beyondPass = beyondShare <= TARGET_OVERHEAD && sameWork;
  // The wall clock decides when its runs can be trusted: the same maturin commands may also run slower under the
  // executor, which the time beyond the steps does not see. Only noisy runs fall back to that time.
  const pass = noisy ? beyondPass : wallPass;
  return {
    id: 'build',
    title: 'Build: `nx run recorder:build` vs `maturin build` directly',
    method:
      `Each run touches \`src/lib.rs\` first; the executor makes the sdist with \`maturin sdist\`, unpacks it (fresh mtimes) ` +
      `and builds every wheel from it in the project's Cargo target folder, so cargo rebuilds the recorder crate on both ` +
      `sides and reuses the compiled dependencies on both. The Nx side is \`nx run recorder:build --skip-nx-cache ` +
      `--excludeTaskDependencies\` with the daemon off, timed from process start to exit; the direct side runs the ` +
      `exact \`maturin sdist\` / \`maturin build\` command lines that executor printed in an untimed warm-up run, one after ` +
      `the other, in the folders it ran them in, with the sdist unpacked by the executor's own function, and the tools ` +
      `venv on PATH, all in one child process (run-maturin-steps.mjs) that times the steps alone. The sides take turns going first. Each side runs under a small ` +
      `CPU-counting wrapper (children-cpu.py); the Nx side's wall clock includes that wrapper's Python start, the direct side's does not. The sides alternate, ${repeat} runs each. PASS when the wall-clock overhead is within the target; ` +
      `when the runs are too noisy to judge by the wall clock, when the time Nx adds beyond the steps is, with the same ` +
      `crates compiled on both sides.`,
    table: markdownTable(
      ['side', 'median (min-max)', 'ratio', 'target', 'result'],
      [
        ['maturin build directly (baseline)', formatSeconds(direct, 1), formatRatio(1), '', ''],
        ['nx run recorder:build', formatSeconds(nx, 1), formatRatio(nx.median / direct.median), 'overhead <= 3%', `${verdict(wallPass)} (${(overhead * 100).toFixed(1)}%${noisy ? ', noisy runs' : ''})`],
        ['  of which the same steps, as the executor timed them', formatSeconds(nxSteps, 1), formatRatio(nxSteps.median / direct.median), '', ''],
        [
          '  of which Nx and the executor beyond the steps',
          formatSeconds(beyondSteps, 2),
          `${(beyondShare * 100).toFixed(1)}% of the direct build`,
          '<= 3%',
          `${verdict(beyondPass)}${sameWork ? ' (same crates compiled on both sides)' : ' (the sides compiled different crates)'}`,
        ],
        ['CPU seconds, maturin directly: its whole process tree', formatSeconds(cpu.direct, 1), formatRatio(1), '', ''],
        ['CPU seconds, nx run recorder:build: its whole process tree', formatSeconds(cpu.nx, 1), formatRatio(cpu.nx.median / cpu.direct.median), '', ''],
        ["  of which Nx's Node processes (nx, the executor)", formatSeconds(cpu.nxNode, 2), `${((100 * cpu.nxNode.median) / cpu.direct.median).toFixed(1)}% of the direct tree`, '', ''],
        ['  of which the tools it ran (maturin, cargo, rustc, cargo metadata, the unpacking)', formatSeconds(cpu.nxTools, 1), formatRatio(cpu.nxTools.median / cpu.direct.median), '', ''],
      ],
    ),
    summary: [
      `Build overhead of Nx over maturin`,
      `${(beyondShare * 100).toFixed(1)}% beyond the maturin steps (${beyondSteps.median.toFixed(2)} s of ${direct.median.toFixed(1)} s); wall clock ${(overhead * 100).toFixed(1)}% (${nx.median.toFixed(1)} s vs ${direct.median.toFixed(1)} s)`,
      '<= 3%',
      verdict(pass),
    ],
    notes: [
      `CPU seconds are user + system of each side's whole process tree (tools/benchmarks/lib/children-cpu.py), and of Nx's own ` +
        `Node processes as each reported at exit (tools/benchmarks/lib/record-cpu-usage.cjs, preloaded through NODE_OPTIONS on the Nx side only): ` +
        `unlike the wall clock they do not count the time a process waited for a core while the machine ran other work, so equal tool ` +
        `CPU on both sides means Nx made the tools do no extra work, and Nx's Node CPU is all it competed with the compile for. ` +
        `A busy machine still makes each CPU second do less (shared caches), so compare runs taken under similar load.`,
      `Nx's time beyond the steps is each Nx run's wall clock minus the steps its executor timed (\`maturin-build: <step> took <n> s\`): ` +
        `Nx start-up, project graph, hashing, the executor's process and its own work (interpreter lookup, cargo metadata, manifest). ` +
        `The compile inside the steps varies with the machine's other work by seconds between runs, as much on one side as on the other.`,
      ...(sameWork ? [] : [`The sides compiled different crates, so the time beyond the steps is not comparable: ${differentCrates.join('; ')}.`]),
      ...(noisy
        ? [
            `Both sides compile the same crates, yet ${noiseReasons.join('; ')}: the machine was busy with other work, so this ` +
              `ratio is noise, not Nx overhead. Rerun on an idle machine${repeat < 2 ? ' without --quick' : ''}.`,
          ]
        : []),
      ...commands.map((command) => `\`${command.map((part) => part.replace(REPOSITORY_ROOT, '.')).join(' ')}\``),
    ],
  };
}
