import { rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
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

/** The `$ .../maturin build ...` lines the maturin-build executor printed, in order, as argument arrays. */
export function maturinCommands(nxOutput) {
  return nxOutput
    .split('\n')
    .map((line) => line.replace(/^\S+:\s/, '').trim())
    .filter((line) => /^\$ \S*maturin(\.exe)? build /.test(line))
    .map((line) => parseCommandLine(line.slice(2)));
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
  const commands = maturinCommands(warmUp.output);
  if (commands.length === 0) {
    throw new Error(`build overhead: the maturin-build executor printed no "$ ... maturin build ..." line (see ${LOG}); cannot run the same commands directly.`);
  }
  progress(`build overhead: warm-up took ${warmUp.seconds.toFixed(1)} s; direct side runs ${commands.length} maturin command(s):\n  ${commands.map((command) => command.join(' ')).join('\n  ')}`);

  // The executor runs maturin from the project root with the tools venv first on PATH (zig and uv are found there).
  const directEnv = { ...process.env, PATH: `${TOOLS_BIN}:${process.env.PATH ?? ''}` };
  const nxTimes = [];
  const directTimes = [];
  // Interleaved, so a slow spell of the machine falls on both sides instead of on one.
  for (let run = 1; run <= repeat; run++) {
    touchCrate();
    const nx = await runTimed(process.execPath, nxBuildArgs, { cwd: REPOSITORY_ROOT, env: nxEnvironment(), logFile: LOG });
    nxTimes.push(nx.seconds);
    touchCrate();
    let direct = 0;
    for (const [file, ...args] of commands) direct += (await runTimed(file, args, { cwd: RECORDER_ROOT, env: directEnv, logFile: LOG })).seconds;
    directTimes.push(direct);
    progress(`build overhead: run ${run}/${repeat}: nx ${nx.seconds.toFixed(1)} s, maturin directly ${direct.toFixed(1)} s`);
  }
  const nx = summarize(nxTimes);
  const direct = summarize(directTimes);
  const overhead = nx.median / direct.median - 1;
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
  // A ratio of noisy runs proves nothing either way, so it cannot pass.
  const pass = overhead <= TARGET_OVERHEAD && !noisy;
  return {
    id: 'build',
    title: 'Build: `nx run recorder:build` vs `maturin build` directly',
    method:
      `Each run touches \`src/lib.rs\` first, so cargo rebuilds the recorder crate on both sides (same CARGO_TARGET_DIR). ` +
      `The first command's \`--sdist\` makes maturin build that wheel from the unpacked sdist in a fresh temporary folder, ` +
      `which recompiles the dependencies as well, the same crates every run on both sides (see the log). The Nx side is \`nx run recorder:build --skip-nx-cache ` +
      `--excludeTaskDependencies\` with the daemon off, timed from process start to exit; the direct side runs the ` +
      `exact \`maturin build\` command lines that executor printed in an untimed warm-up run, one after the other, from ` +
      `the project folder with the tools venv on PATH. The sides alternate, ${repeat} runs each.`,
    table: markdownTable(
      ['side', 'median (min-max)', 'ratio', 'target', 'result'],
      [
        ['maturin build directly (baseline)', formatSeconds(direct, 1), formatRatio(1), '', ''],
        ['nx run recorder:build', formatSeconds(nx, 1), formatRatio(nx.median / direct.median), 'overhead <= 3%', `${verdict(pass)} (${(overhead * 100).toFixed(1)}%${noisy ? ', noisy runs' : ''})`],
      ],
    ),
    summary: [`Build overhead of Nx over maturin`, `${(overhead * 100).toFixed(1)}% (${nx.median.toFixed(1)} s vs ${direct.median.toFixed(1)} s)`, '<= 3%', verdict(pass)],
    notes: [
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
