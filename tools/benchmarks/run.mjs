// The benchmark command (`npm run bench`): measures the release pipeline and the recorder, each against a baseline
// measured in the same run, prints Markdown tables and writes them to BENCHMARKS.md and the README performance
// sections. Usage: node tools/benchmarks/run.mjs [--quick] [--only=build,fixed,publish,graph,smoke,recorder] [--no-write]
// [--node=<path to a node binary>] [--v8-code-cache]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine, machineMarkdown } from './lib/machine.mjs';
import { markdownTable } from './lib/markdown.mjs';
import { progress } from './lib/process.mjs';
import { INTERPRETERS, LOG_DIR, RECORDER_ROOT, REPOSITORY_ROOT } from './lib/workspace.mjs';
import { benchmarkBuildOverhead } from './pipeline/build-overhead.mjs';
import { benchmarkCachedPublish } from './pipeline/cached-publish.mjs';
import { benchmarkFixedOverhead } from './pipeline/fixed-overhead.mjs';
import { benchmarkProjectGraph } from './pipeline/project-graph.mjs';
import { benchmarkWheelSmoke } from './pipeline/wheel-smoke.mjs';
import { benchmarkRecorder } from './recorder/recorder.mjs';

const SECTIONS = ['build', 'fixed', 'publish', 'graph', 'smoke', 'recorder'];
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    python: { type: 'string', default: '3.12' },
    node: { type: 'string' },
    'v8-code-cache': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    [
      'Usage: node tools/benchmarks/run.mjs [options]   (npm run bench -- [options] bootstraps first)',
      '  --quick              fewer repetitions and smaller workloads',
      '  --only=<sections>    comma-separated: build, fixed, publish, graph, smoke, recorder (default: all)',
      '  --no-write           print the tables only; BENCHMARKS.md and the READMEs are written only when every section ran',
      '  --python=<X.Y>       the interpreter of the recorder section (default 3.12)',
      '  --node=<path>        run every section under that node binary (its folder first on PATH), e.g. to compare Node 20, 22 and 24',
      '  --v8-code-cache      fixed section: Nx with tools/benchmarks/lib/v8-code-cache.cjs preloaded (Node 20 only; an experiment, see design-docs/node-versions.md)',
    ].join('\n'),
  );
  process.exit(0);
}
if (values.node !== undefined) rerunUnder(values.node);

/**
 * `--node=<path>`: the whole run again under that binary, its folder first on PATH. Every section starts Nx with
 * process.execPath and Nx's shell commands find `node` on PATH, so one re-run measures one Node everywhere and the
 * machine description names it.
 */
function rerunUnder(nodePath) {
  const resolved = existsSync(nodePath) ? realpathSync(nodePath) : undefined;
  if (resolved === realpathSync(process.execPath)) return;
  const probe = resolved && spawnSync(resolved, ['--version'], { encoding: 'utf8' });
  if (!probe || probe.status !== 0) {
    console.error(`--node: ${nodePath} is not a node binary that runs (${probe ? `\`${nodePath} --version\` exited with ${probe.status ?? probe.error?.message}` : 'no such file'}); expected the path of a node executable, e.g. --node=/opt/node-22/bin/node.`);
    process.exit(2);
  }
  const args = process.argv.slice(2).filter((arg, index, all) => !arg.startsWith('--node=') && arg !== '--node' && all[index - 1] !== '--node');
  const env = { ...process.env, PATH: `${dirname(resolved)}${delimiter}${process.env.PATH ?? ''}` };
  process.stderr.write(`[bench] --node: running again under ${resolved} (${probe.stdout.trim()})\n`);
  const rerun = spawnSync(resolved, [fileURLToPath(import.meta.url), ...args], { stdio: 'inherit', env });
  process.exit(rerun.status ?? 1);
}
const only = values.only ? values.only.split(',').map((name) => name.trim()) : SECTIONS;
const unknown = only.filter((name) => !SECTIONS.includes(name));
if (unknown.length > 0) {
  console.error(`--only: unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}.`);
  process.exit(2);
}
const quick = values.quick;
// Full mode: 3 release builds a side (about 2 minutes each here), 5 runs of everything cheaper.
const repeats = quick ? { build: 1, fixed: 5, publish: 3, graph: 3, smoke: 3, recorder: 3 } : { build: 3, fixed: 7, publish: 5, graph: 3, smoke: 5, recorder: 3 };

const runners = {
  build: () => benchmarkBuildOverhead({ repeat: repeats.build }),
  fixed: () => benchmarkFixedOverhead({ repeat: repeats.fixed, v8CodeCache: values['v8-code-cache'] }),
  publish: () => benchmarkCachedPublish({ repeat: repeats.publish }),
  graph: () => benchmarkProjectGraph({ repeat: repeats.graph, sizes: [10, 100, 500] }),
  smoke: () => benchmarkWheelSmoke({ repeat: repeats.smoke }),
  recorder: () =>
    benchmarkRecorder({ repeat: repeats.recorder, quick, pythonVersion: values.python, otherVersions: INTERPRETERS.filter((version) => version !== values.python) }),
};

const started = Date.now();
const machine = await describeMachine();
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
progress(`benchmarks: ${only.join(', ')}${quick ? ' (quick)' : ''}; tool output goes to ${LOG_DIR.replace(`${REPOSITORY_ROOT}/`, '')}/`);
const results = [];
for (const name of only) {
  const sectionStarted = Date.now();
  try {
    results.push(await runners[name]());
  } catch (error) {
    // One broken section must not throw away the others' figures; it is reported as failed instead.
    progress(`${name}: FAILED: ${error.message}`);
    results.push({ id: name, title: `${name}: failed`, method: 'The section stopped with this error:', table: `\`\`\`\n${error.message.slice(0, 3000)}\n\`\`\``, summary: [name, 'failed', '', 'MISS'], notes: [] });
  }
  progress(`${name}: done in ${((Date.now() - sectionStarted) / 1000).toFixed(0)} s`);
}
const minutes = ((Date.now() - started) / 60000).toFixed(1);

const summaryRows = results.flatMap((result) => [result.summary, ...(result.summaries ?? []), result.extraSummary].filter(Boolean));
const summaryTable = markdownTable(['benchmark', 'figure (median)', 'target', 'result'], summaryRows);
const header = [
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`${command}\`${quick ? ' (quick mode: fewer repetitions, smaller workloads)' : ''}, in ${minutes} minutes, on:`,
  '',
  machineMarkdown(machine),
].join('\n');
const sectionsMarkdown = results
  .map((result) =>
    [`## ${result.title}`, result.method, result.table, ...(result.notes.length > 0 ? [result.notes.map((note) => `- ${note}`).join('\n')] : [])].join('\n\n'),
  )
  .join('\n\n');

const benchmarksFile = [
  '# Benchmarks',
  'Written by `npm run bench` (`node tools/benchmarks/run.mjs`; `--quick` for fewer repetitions, `--only=build,fixed,publish,graph,smoke,recorder` for some sections, `--node=<path>` to run every section under another Node.js binary, `--help` for all options). ' +
    'Every figure is the median of several runs, with min-max in parentheses; every comparison is a ratio against a baseline measured in the same run on the same machine. ' +
    'Commit this file together with changes that move its figures.',
  header,
  '## Summary',
  summaryTable,
  sectionsMarkdown,
].join('\n\n');

console.log(`\n${header}\n\n${summaryTable}\n\n${sectionsMarkdown}\n`);

/** Replaces what lies between the benchmark markers of a README; a README without them is left alone. */
function replaceBetweenMarkers(path, content) {
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const pattern = /(<!-- benchmarks:start -->\n)[\s\S]*?(<!-- benchmarks:end -->)/;
  if (!pattern.test(text)) {
    progress(`${path}: no <!-- benchmarks:start --> / <!-- benchmarks:end --> markers, left unchanged`);
    return;
  }
  writeFileSync(path, text.replace(pattern, (_, start, end) => `${start}${content}\n${end}`));
}

if (values['no-write'] || values['v8-code-cache'] || only.length !== SECTIONS.length) {
  const why = values['no-write'] ? '--no-write' : values['v8-code-cache'] ? '--v8-code-cache measures an experiment, not the workspace as it is' : 'only some sections ran';
  progress(`results not written (${why}); the tables are above`);
} else {
  writeFileSync(join(REPOSITORY_ROOT, 'BENCHMARKS.md'), `${benchmarksFile}\n`);
  replaceBetweenMarkers(join(REPOSITORY_ROOT, 'README.md'), `${header}\n\n${summaryTable}\n`);
  const recorder = results.find((result) => result.id === 'recorder');
  if (recorder) replaceBetweenMarkers(join(RECORDER_ROOT, 'README.md'), `${header}\n\n${recorder.method}\n\n${recorder.table}\n`);
  progress('wrote BENCHMARKS.md and the README performance sections');
}
