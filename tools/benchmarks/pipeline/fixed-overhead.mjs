import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { profileBreakdown } from '../lib/cpu-profile.mjs';
import { markdownTable } from '../lib/markdown.mjs';
import { progress, runTimed } from '../lib/process.mjs';
import { formatSeconds, summarize, verdict } from '../lib/stats.mjs';
import { INTERPRETERS, LOG_DIR, NX_BIN, nxEnvironment, pluginModule, REPOSITORY_ROOT } from '../lib/workspace.mjs';

const LOG = join(LOG_DIR, 'fixed-overhead.log');
export const TARGET_FIXED_SECONDS = 0.5;
const TARGET_FINGERPRINT_SECONDS = 0.1;

const cachedBuildArgs = (withDependencies) => [NX_BIN, 'run', 'recorder:build', '--outputStyle=stream', ...(withDependencies ? [] : ['--excludeTaskDependencies'])];

/**
 * How a workspace that installed the plugin from npm resolves it: Node keeps the path of
 * node_modules/@codetracer/nx-maturin instead of following the npm-workspace link into packages/, so Nx takes the
 * plugin for an installed package and skips the project-configuration pass it makes for a plugin developed in the
 * workspace (nx/src/project-graph/plugins/resolve-plugin.js). The files loaded are the same compiled dist/ the
 * packed tarball holds.
 */
const AS_INSTALLED = { NODE_PRESERVE_SYMLINKS: '1' };

/** Runs of `nx run recorder:build` answered from the cache, alternating with `node -e 0` so both see the same load. */
async function timeCachedBuild({ repeat, withDependencies, daemon, extraEnv = {} }) {
  const env = nxEnvironment({ ...(daemon ? { NX_DAEMON: 'true' } : {}), ...extraEnv });
  const args = cachedBuildArgs(withDependencies);
  // Not counted: fills the cache (and starts the daemon) so the counted runs are answered from it.
  await runTimed(process.execPath, args, { cwd: REPOSITORY_ROOT, env, logFile: LOG });
  const nxTimes = [];
  const nodeTimes = [];
  let tasks = 0;
  for (let run = 1; run <= repeat; run++) {
    const cached = await runTimed(process.execPath, args, { cwd: REPOSITORY_ROOT, env, logFile: LOG });
    const headers = [...cached.output.matchAll(/^> nx run (\S+)(.*)$/gm)];
    // An entry that Nx recorded through its pseudo-terminal holds Nx's own `> nx run <task>` line too (this workspace's
    // .env keeps tasks off it, but a cache shared with other checkouts can hold older entries), so a replay can print
    // a second, unmarked header for a task answered from the cache: every task needs one cache-marked header.
    const fromCache = new Set(headers.filter(([, , rest]) => /local cache|existing outputs match the cache/.test(rest)).map(([, task]) => task));
    if (fromCache.size === 0 || headers.some(([, task]) => !fromCache.has(task))) {
      throw new Error(`fixed overhead: run ${run} of recorder:build was not answered from the cache (see ${LOG}); the fixed cost cannot be measured.`);
    }
    tasks = fromCache.size;
    nxTimes.push(cached.seconds);
    nodeTimes.push((await runTimed(process.execPath, ['-e', '0'], { cwd: REPOSITORY_ROOT, env: process.env, logFile: LOG })).seconds);
  }
  if (daemon) await runTimed(process.execPath, [NX_BIN, 'daemon', '--stop'], { cwd: REPOSITORY_ROOT, env, logFile: LOG });
  return { nx: summarize(nxTimes), node: summarize(nodeTimes), tasks };
}

/** Nx's own performance measures (those NX_PERF_LOGGING prints) that say where a cache-hit run goes, with who owns each. */
const PHASES = [
  ['code-loading', "Nx: loading its command modules, from its local start to the command's handler"],
  ['Load Nx Plugin: @codetracer/nx-maturin', 'this plugin: loading it (Nx first lists the workspace projects to find a plugin developed in the workspace)'],
  ['@codetracer/nx-maturin:createNodes', "this plugin: inference"],
  ['build-project-configs', 'Nx: project configurations from all plugins (each pass)'],
  ['createProjectGraphAsync', 'Nx: the whole project graph'],
  ['@codetracer/nx-maturin:preTasksExecution', 'this plugin: toolchain fingerprint hook'],
  ['hashMultipleTasks', 'Nx: hashing the tasks (with the runtime input command)'],
  ['task-execution', 'Nx: replaying the task from the cache'],
];

/** The phase measures of one run's output, `[name, [milliseconds of each time it was measured]]`. */
export function phaseTimes(output) {
  const plain = stripVTControlCharacters(output);
  return PHASES.map(([name, owner]) => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const times = [...plain.matchAll(new RegExp(`Time taken for '${escaped}' (\\d+(?:\\.\\d+)?)ms`, 'g'))].map((match) => Number(match[1]));
    return { name, owner, times };
  });
}

const PRINT_MEASURES = fileURLToPath(new URL('../lib/print-performance-measures.cjs', import.meta.url));

/** One more cache-hit run, daemon off, printing Nx's performance measures at exit: where the fixed cost goes. */
async function measurePhases(extraEnv) {
  const run = await runTimed(process.execPath, ['--require', PRINT_MEASURES, ...cachedBuildArgs(false)], { cwd: REPOSITORY_ROOT, env: nxEnvironment(extraEnv), logFile: LOG });
  return { seconds: run.seconds, phases: phaseTimes(run.output) };
}

/**
 * The installed-plugin row is only true if Nx really skipped its local-plugin pass: then it builds the project
 * configurations once instead of twice.
 */
async function assertInstalledResolution(extraEnv) {
  const passes = (await measurePhases({ ...extraEnv, ...AS_INSTALLED })).phases.find((phase) => phase.name === 'build-project-configs').times.length;
  if (passes !== 1) {
    throw new Error(`fixed overhead: with ${JSON.stringify(AS_INSTALLED)} Nx built the project configurations ${passes} times (expected 1: the plugin resolved as an installed package); see ${LOG}`);
  }
}

/**
 * Where one cache-hit run's main thread spends its time, by a V8 CPU profile (sampled every 0.2 ms): unlike wall
 * clock, the shares hold under load. Node's own start-up comes before the profiler and is the `node -e 0` row.
 */
async function profileCachedBuild(extraEnv) {
  const folder = mkdtempSync(join(tmpdir(), 'nx-fixed-profile-'));
  try {
    const run = await runTimed(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${folder}`, '--cpu-prof-interval=200', ...cachedBuildArgs(false)], {
      cwd: REPOSITORY_ROOT,
      env: nxEnvironment(extraEnv),
      logFile: LOG,
    });
    const profiles = readdirSync(folder).filter((file) => file.endsWith('.cpuprofile'));
    if (profiles.length !== 1) throw new Error(`fixed overhead: the profiled run wrote ${profiles.length} CPU profiles to ${folder} (expected 1, the Nx process)`);
    return { seconds: run.seconds, ...profileBreakdown(join(folder, profiles[0])) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * What the toolchain fingerprint costs a warm Nx command: the plugin's preTasksExecution hook (in the Nx process,
 * answered from the memo) plus the runtime input, which Nx runs through `sh -c` and which then only prints the
 * variable the hook set. Both are timed here exactly as Nx runs them.
 */
async function timeFingerprint(repeat) {
  const { preTasksExecution, toolchainEnvironmentVariable, toolchainFingerprintInput } = pluginModule('plugins/toolchain-input');
  const context = { id: 'bench', workspaceRoot: REPOSITORY_ROOT, nxJsonConfiguration: {}, argv: [] };
  // Plugin options as nx.json gives them; the hook reads only pythonVersions.
  const options = { pythonVersions: INTERPRETERS };
  const variable = toolchainEnvironmentVariable(INTERPRETERS);
  const { runtime } = toolchainFingerprintInput(INTERPRETERS);
  const shell = process.platform === 'win32' ? [process.env.COMSPEC ?? 'cmd.exe', ['/C', runtime]] : ['sh', ['-c', runtime]];
  await preTasksExecution(options, context);
  const hookTimes = [];
  const commandTimes = [];
  const totals = [];
  for (let run = 1; run <= repeat; run++) {
    const started = process.hrtime.bigint();
    await preTasksExecution(options, context);
    const hooked = process.hrtime.bigint();
    const printed = spawnSync(shell[0], shell[1], { cwd: REPOSITORY_ROOT, env: process.env, encoding: 'utf8' });
    const finished = process.hrtime.bigint();
    if (printed.status !== 0 || printed.stdout.trim() !== process.env[variable]) {
      throw new Error(`fingerprint: the runtime input printed ${JSON.stringify(printed.stdout + printed.stderr)} instead of ${variable}=${process.env[variable]}`);
    }
    hookTimes.push(Number(hooked - started) / 1e9);
    commandTimes.push(Number(finished - hooked) / 1e9);
    totals.push(Number(finished - started) / 1e9);
  }
  return { hook: summarize(hookTimes), command: summarize(commandTimes), total: summarize(totals) };
}

/**
 * What Nx costs on every `nx run recorder:build` whatever the build does: start-up, project graph, hashing (with the
 * toolchain fingerprint) and replaying the result, measured as runs answered from the local cache; and the
 * fingerprint alone.
 */
export async function measureFixedOverhead({ repeat, extraEnv = {} }) {
  progress('fixed overhead: recorder:build answered from the cache, daemon off (as CI), build task only');
  const alone = await timeCachedBuild({ repeat, withDependencies: false, daemon: false, extraEnv });
  progress('fixed overhead: the same with the tasks it depends on');
  const chain = await timeCachedBuild({ repeat, withDependencies: true, daemon: false, extraEnv });
  progress('fixed overhead: the same with the daemon (as a developer terminal)');
  const daemon = await timeCachedBuild({ repeat, withDependencies: true, daemon: true, extraEnv });
  progress('fixed overhead: build task only, daemon off, the plugin resolved as an installed package (what users of the plugin get)');
  await assertInstalledResolution(extraEnv);
  const installed = await timeCachedBuild({ repeat, withDependencies: false, daemon: false, extraEnv: { ...extraEnv, ...AS_INSTALLED } });
  progress('fixed overhead: toolchain fingerprint, warm');
  const fingerprint = await timeFingerprint(repeat * 4);
  progress("fixed overhead: one more run printing Nx's performance measures, for where the time goes");
  const phases = await measurePhases(extraEnv);
  progress('fixed overhead: one more run under the CPU profiler, for the shares of the time');
  const profile = await profileCachedBuild(extraEnv);
  progress(`fixed overhead: cache-hit runs ${alone.nx.median.toFixed(2)} s alone, ${chain.nx.median.toFixed(2)} s with dependencies, ${daemon.nx.median.toFixed(2)} s with the daemon, ${installed.nx.median.toFixed(2)} s with the plugin as installed`);
  return { alone, chain, daemon, installed, fingerprint, phases, profile };
}

export function fixedOverheadRows({ alone, chain, daemon, installed }) {
  const row = (label, result) => [`${label} (${result.tasks} task${result.tasks === 1 ? '' : 's'})`, formatSeconds(result.nx, 2), formatSeconds(result.node, 2), `<= ${TARGET_FIXED_SECONDS} s`, verdict(result.nx.median <= TARGET_FIXED_SECONDS)];
  return [
    row('recorder:build from the cache, daemon off, `--excludeTaskDependencies`', alone),
    row('recorder:build from the cache, daemon off, with the tasks it depends on', chain),
    row('recorder:build from the cache, daemon on, with the tasks it depends on', daemon),
    row('recorder:build from the cache, daemon off, `--excludeTaskDependencies`, the plugin resolved as an installed package', installed),
  ];
}

export function fingerprintRow({ fingerprint }) {
  const { hook, command, total } = fingerprint;
  return [
    'toolchain fingerprint, warm: preTasksExecution hook + runtime input command',
    `${formatSeconds(total, 3)} (hook ${hook.median.toFixed(3)} s, command ${command.median.toFixed(3)} s)`,
    '',
    `<= ${TARGET_FINGERPRINT_SECONDS} s`,
    verdict(total.median <= TARGET_FINGERPRINT_SECONDS),
  ];
}

const V8_CODE_CACHE = fileURLToPath(new URL('../lib/v8-code-cache.cjs', import.meta.url));

/**
 * `--v8-code-cache`: every Nx process of the section loads lib/v8-code-cache.cjs through NODE_OPTIONS, with the cache
 * in a new temporary folder that each row's uncounted first run fills. `restoredRuns` counts the Nx CLI runs that
 * took code from it, so a cache that silently did nothing fails the section instead of passing as a measurement.
 */
function v8CodeCacheSession() {
  if (typeof nodeModule.enableCompileCache === 'function') {
    throw new Error(
      `--v8-code-cache: Node ${process.version} has module.enableCompileCache, which Nx switches on itself; the hook measures what a code cache would save on Node 20 (add --node=<a Node 20 binary>).`,
    );
  }
  const folder = mkdtempSync(join(tmpdir(), 'nx-v8-code-cache-'));
  const report = join(folder, 'report.jsonl');
  return {
    env: { NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require=${V8_CODE_CACHE}`].filter(Boolean).join(' '), V8_CODE_CACHE_DIR: join(folder, 'cache'), V8_CODE_CACHE_REPORT: report },
    restoredRuns: () =>
      existsSync(report)
        ? readFileSync(report, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line))
            .filter((run) => run.entry === NX_BIN && run.restored > 0).length
        : 0,
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

async function measureWithV8CodeCache({ repeat }) {
  const session = v8CodeCacheSession();
  try {
    const fixed = await measureFixedOverhead({ repeat, extraEnv: session.env });
    const restored = session.restoredRuns();
    if (restored < 4 * repeat) {
      throw new Error(`--v8-code-cache: ${restored} of the ${4 * repeat} counted Nx runs restored code from the cache (see ${LOG} and ${V8_CODE_CACHE}); the figures would not be of a cached run.`);
    }
    return fixed;
  } finally {
    session.remove();
  }
}

/** The `fixed` section of the benchmark command: the fixed costs without the builds of the `build` section. */
export async function benchmarkFixedOverhead({ repeat, v8CodeCache = false }) {
  const fixed = v8CodeCache ? await measureWithV8CodeCache({ repeat }) : await measureFixedOverhead({ repeat });
  return {
    id: 'fixed',
    title: `Fixed Nx cost of \`nx run recorder:build\` and the toolchain fingerprint${v8CodeCache ? ' (Nx with lib/v8-code-cache.cjs)' : ''}`,
    method:
      (v8CodeCache ? 'Every Nx process loads tools/benchmarks/lib/v8-code-cache.cjs (`--v8-code-cache`), with a cache that the uncounted first run of each row fills. ' : '') +
      `Runs answered from the local cache, timed from process start to exit, alternating with \`node -e 0\` (process start, for scale); ` +
      `${repeat} runs each after an uncounted one. The fingerprint is timed in this process as Nx runs it: the plugin's ` +
      `preTasksExecution hook (memo hit) followed by the target's runtime input command through the shell.`,
    table: markdownTable(['measure', 'median (min-max)', '`node -e 0` alongside', 'target', 'result'], [...fixedOverheadRows(fixed), fingerprintRow(fixed)]),
    summary: [
      `Fixed Nx overhead on recorder:build (cache hit: daemon off ${fixed.alone.tasks} task / ${fixed.chain.tasks} tasks / daemon on)`,
      `${fixed.alone.nx.median.toFixed(2)} s / ${fixed.chain.nx.median.toFixed(2)} s / ${fixed.daemon.nx.median.toFixed(2)} s (\`node -e 0\` ${fixed.alone.node.median.toFixed(2)} s); ` +
        `${fixed.installed.nx.median.toFixed(2)} s for 1 task with the plugin resolved as an installed package`,
      `<= ${TARGET_FIXED_SECONDS} s`,
      verdict(fixed.alone.nx.median <= TARGET_FIXED_SECONDS && fixed.chain.nx.median <= TARGET_FIXED_SECONDS),
    ],
    extraSummary: [
      'Toolchain fingerprint, warm (hook + runtime command)',
      `${fixed.fingerprint.total.median.toFixed(3)} s`,
      `<= ${TARGET_FINGERPRINT_SECONDS} s`,
      verdict(fixed.fingerprint.total.median <= TARGET_FINGERPRINT_SECONDS),
    ],
    notes: [
      `Where one more cache-hit run (daemon off, 1 task, ${fixed.phases.seconds.toFixed(2)} s) went, by Nx's own performance measures ` +
        `(printed at exit by tools/benchmarks/lib/print-performance-measures.cjs; phases overlap, the graph contains the plugin's phases): ` +
        fixed.phases.phases
          .filter((phase) => phase.times.length > 0)
          .map((phase) => `${phase.name} ${phase.times.map((ms) => `${Math.round(ms)} ms`).join(' + ')} (${phase.owner})`)
          .join('; ') +
        '.',
      `Where one more cache-hit run's main thread went (daemon off, 1 task, ${fixed.profile.seconds.toFixed(2)} s wall, ${Math.round(fixed.profile.totalMs)} ms profiled; ` +
        `V8 CPU profile, each sample in the first category its stack matches, tools/benchmarks/lib/cpu-profile.mjs): ` +
        fixed.profile.categories.map((category) => `${category.label} ${Math.round(category.ms)} ms (${Math.round((100 * category.ms) / fixed.profile.totalMs)}%)`).join('; ') +
        '.',
    ],
  };
}
