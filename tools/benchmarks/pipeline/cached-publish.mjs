import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable } from '../lib/markdown.mjs';
import { progress, runTimed } from '../lib/process.mjs';
import { formatSeconds, summarize, verdict } from '../lib/stats.mjs';
import { LOG_DIR, NX_BIN, nxEnvironment, REPOSITORY_ROOT } from '../lib/workspace.mjs';

const LOG = join(LOG_DIR, 'cached-publish.log');
const TARGET_SECONDS = 3;

/** Per task of an `nx run` (stream output style): whether Nx restored it from a cache. */
export function taskCacheStatus(nxOutput) {
  return [...nxOutput.matchAll(/^> nx run (\S+)(.*)$/gm)].map(([, task, rest]) => ({
    task,
    fromCache: /\[(local cache|remote cache|existing outputs match the cache)/.test(rest),
  }));
}

async function cacheableTargets() {
  const { output } = await runTimed(process.execPath, [NX_BIN, 'show', 'project', 'recorder', '--json'], { cwd: REPOSITORY_ROOT, env: nxEnvironment(), logFile: LOG });
  const project = JSON.parse(output.slice(output.indexOf('{')));
  return new Set(Object.entries(project.targets).filter(([, target]) => target.cache === true).map(([name]) => `recorder:${name}`));
}

const publishArgs = [NX_BIN, 'run', 'recorder:publish', '--outputStyle=stream'];

export async function benchmarkCachedPublish({ repeat }) {
  const cacheable = await cacheableTargets();
  // The local index is this workspace's scratch stand-in for PyPI: emptied first, so that a wheel rebuilt since an
  // earlier publish (builds are not byte-for-byte reproducible) is not refused as "another build of the same version".
  rmSync(join(REPOSITORY_ROOT, 'dist', 'local-index'), { recursive: true, force: true });
  progress('cached publish: first `nx run recorder:publish` (fills the cache and the emptied local index; not counted)');
  const first = await runTimed(process.execPath, publishArgs, { cwd: REPOSITORY_ROOT, env: nxEnvironment(), logFile: LOG });
  progress(`cached publish: first run took ${first.seconds.toFixed(1)} s`);
  const times = [];
  const missedTasks = new Set();
  let counts;
  for (let run = 1; run <= repeat; run++) {
    const { seconds, output } = await runTimed(process.execPath, publishArgs, { cwd: REPOSITORY_ROOT, env: nxEnvironment(), logFile: LOG });
    const tasks = taskCacheStatus(output);
    const cacheableTasks = tasks.filter(({ task }) => cacheable.has(task));
    for (const { task, fromCache } of cacheableTasks) if (!fromCache) missedTasks.add(task);
    counts = { tasks: tasks.length, cacheable: cacheableTasks.length, hits: cacheableTasks.filter(({ fromCache }) => fromCache).length };
    times.push(seconds);
    progress(`cached publish: run ${run}/${repeat}: ${seconds.toFixed(2)} s, ${counts.hits}/${counts.cacheable} cacheable tasks from the cache (${counts.tasks} tasks)`);
  }
  const wall = summarize(times);
  const allHits = missedTasks.size === 0;
  const pass = wall.median <= TARGET_SECONDS && allHits;
  const notCacheable = taskCacheStatus(first.output)
    .map(({ task }) => task)
    .filter((task) => !cacheable.has(task));
  return {
    id: 'publish',
    title: 'Second `nx run recorder:publish` (local index), nothing changed',
    method:
      `\`nx run recorder:publish\` against the embedded local pypiserver (its storage, dist/local-index, emptied first), daemon off, once untimed (it may build, smoke ` +
      `and upload), then ${repeat} more times with nothing changed, each timed from process start to exit. Cache ` +
      `hits are read from Nx's task lines ("[local cache]", "[existing outputs match the cache, left as is]"). ` +
      `Not cacheable by design (so it runs every time): ${notCacheable.join(', ') || 'none'}; it starts the local ` +
      `index, finds the files already there and installs them back.`,
    table: markdownTable(
      ['measure', 'figure', 'target', 'result'],
      [
        ['wall time, median (min-max)', formatSeconds(wall), `<= ${TARGET_SECONDS} s`, verdict(wall.median <= TARGET_SECONDS)],
        ['cacheable tasks from the cache', `${counts.hits} of ${counts.cacheable} (${counts.tasks} tasks in all)`, 'all', verdict(allHits)],
      ],
    ),
    summary: ['Second publish, nothing changed', `${wall.median.toFixed(2)} s, ${counts.hits}/${counts.cacheable} cacheable tasks cached`, `<= ${TARGET_SECONDS} s, all cached`, verdict(pass)],
    notes: allHits ? [] : [`Tasks that missed the cache: ${[...missedTasks].join(', ')}.`],
  };
}
