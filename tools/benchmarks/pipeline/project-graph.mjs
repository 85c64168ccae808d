import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdownTable } from '../lib/markdown.mjs';
import { progress, runTimed } from '../lib/process.mjs';
import { formatRatio, formatSeconds, summarize, verdict } from '../lib/stats.mjs';
import { LOG_DIR, nxEnvironment, REPOSITORY_ROOT } from '../lib/workspace.mjs';

const FIXTURE = join(REPOSITORY_ROOT, 'packages', 'nx-maturin', 'src', 'test-support', 'fixtures', 'hello-maturin');
const LOG = join(LOG_DIR, 'project-graph.log');
const TARGET_RATIO_AT_500 = 1.5;
// Growth counts as linear when the per-project cost between the two largest sizes is at most twice the cost
// between the two smallest (a quadratic step would multiply it by about the size ratio).
const LINEAR_SLOPE_FACTOR = 2;

/** A temporary Nx workspace lending this repository's node_modules, like test-support/temp-workspace.ts does. */
function createWorkspace(kind, nxJson) {
  const root = mkdtempSync(join(tmpdir(), `nx-maturin-bench-${kind}-`));
  symlinkSync(join(REPOSITORY_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: `bench-${kind}`, private: true }, null, 2));
  writeFileSync(join(root, 'nx.json'), JSON.stringify({ neverConnectToCloud: true, ...nxJson }, null, 2));
  return root;
}

/** Copies the hello-maturin fixture as `libs/pkg-<index>` with its own distribution and crate name. */
function addMaturinProject(root, index) {
  const projectRoot = join(root, 'libs', `pkg-${index}`);
  cpSync(FIXTURE, projectRoot, { recursive: true });
  for (const file of ['pyproject.toml', 'Cargo.toml']) {
    const path = join(projectRoot, file);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^name = "hello-maturin"/m, `name = "pkg-${index}"`));
  }
  return `libs/pkg-${index}`;
}

async function showProjects(root, { cold }) {
  if (cold) rmSync(join(root, '.nx', 'workspace-data'), { recursive: true, force: true });
  const { seconds, output } = await runTimed(process.execPath, [join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'show', 'projects'], {
    cwd: root,
    env: nxEnvironment(),
    logFile: LOG,
    stdoutFile: join(root, '.nx-show-projects.txt'),
  });
  return { seconds, projects: output.split('\n').filter((line) => /^pkg-\d+$/.test(line.trim())).length };
}

/**
 * The explicit twin of an inferred project: project.json with the targets the plugin inferred for it written out,
 * paths included, so both workspaces describe the same graph and only the way it is obtained differs.
 */
function explicitProjectJson(inferred, name, projectRoot) {
  const targets = JSON.parse(JSON.stringify(inferred.targets).replaceAll(inferred.root, projectRoot).replaceAll(inferred.name, name));
  return { name, root: projectRoot, projectType: 'library', targets };
}

export async function benchmarkProjectGraph({ repeat, sizes }) {
  const rows = [];
  const medians = {};
  for (const size of sizes) {
    progress(`project graph: generating ${size} maturin projects twice (inferred and project.json)`);
    const inferredRoot = createWorkspace('inferred', { plugins: [{ plugin: '@codetracer/nx-maturin', options: {} }] });
    const explicitRoot = createWorkspace('explicit', {});
    try {
      const roots = Array.from({ length: size }, (_, index) => addMaturinProject(inferredRoot, index));
      const sample = await runTimed(process.execPath, [join(inferredRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'show', 'project', 'pkg-0', '--json'], {
        cwd: inferredRoot,
        env: nxEnvironment(),
        logFile: LOG,
        stdoutFile: join(inferredRoot, '.nx-show-project.json'),
      });
      const inferred = JSON.parse(sample.output.slice(sample.output.indexOf('{')));
      roots.forEach((projectRoot, index) => {
        addMaturinProject(explicitRoot, index);
        writeFileSync(join(explicitRoot, projectRoot, 'project.json'), JSON.stringify(explicitProjectJson(inferred, `pkg-${index}`, projectRoot), null, 2));
      });
      const times = { inferred: { cold: [], warm: [] }, explicit: { cold: [], warm: [] } };
      for (let run = 1; run <= repeat; run++) {
        for (const [kind, root] of [['explicit', explicitRoot], ['inferred', inferredRoot]]) {
          for (const cold of [true, false]) {
            const { seconds, projects } = await showProjects(root, { cold });
            if (projects !== size) throw new Error(`project graph: ${kind} workspace at ${root} lists ${projects} projects, expected ${size} (see ${LOG}).`);
            times[kind][cold ? 'cold' : 'warm'].push(seconds);
          }
        }
        progress(`project graph: ${size} projects, run ${run}/${repeat}: cold inferred ${times.inferred.cold.at(-1).toFixed(2)} s vs explicit ${times.explicit.cold.at(-1).toFixed(2)} s`);
      }
      for (const cache of ['cold', 'warm']) {
        const explicit = summarize(times.explicit[cache]);
        const inferredTimes = summarize(times.inferred[cache]);
        medians[`${cache}-${size}`] = { explicit: explicit.median, inferred: inferredTimes.median };
        const ratio = inferredTimes.median / explicit.median;
        const judged = cache === 'cold' && size === 500;
        rows.push([
          size,
          cache,
          formatSeconds(explicit),
          formatSeconds(inferredTimes),
          formatRatio(ratio, 2),
          judged ? `<= ${TARGET_RATIO_AT_500}` : '',
          judged ? verdict(ratio <= TARGET_RATIO_AT_500) : '',
        ]);
      }
    } finally {
      rmSync(inferredRoot, { recursive: true, force: true });
      rmSync(explicitRoot, { recursive: true, force: true });
    }
  }

  const [small, middle, large] = sizes;
  const slope = (from, to) => (medians[`cold-${to}`].inferred - medians[`cold-${from}`].inferred) / (to - from);
  const slopes = sizes.length === 3 ? { first: slope(small, middle), second: slope(middle, large) } : undefined;
  const linear = slopes ? slopes.second <= LINEAR_SLOPE_FACTOR * Math.max(slopes.first, 0.0005) : undefined;
  const at500 = medians['cold-500'];
  const ratio500 = at500 ? at500.inferred / at500.explicit : undefined;
  return {
    id: 'graph',
    title: 'Project graph: inference plugin vs project.json (`nx show projects`)',
    method:
      `Generated workspaces of ${sizes.join(', ')} copies of the hello-maturin fixture (node_modules symlinked from this ` +
      `repository, as in test-support/temp-workspace.ts). "inferred": the plugin in nx.json, no project.json; ` +
      `"explicit": no plugin, each project has a project.json with the targets the plugin infers written out. ` +
      `\`NX_DAEMON=false nx show projects\`, timed from process start to exit; "cold" deletes .nx/workspace-data ` +
      `(project graph and inference caches) before the run, "warm" runs right after with it kept. ${repeat} runs each.`,
    table: markdownTable(['projects', 'cache', 'project.json (baseline)', 'inference plugin', 'ratio', 'target', 'result'], rows),
    summary: ratio500 === undefined ? undefined : [`Project graph, 500 projects, cold: plugin / project.json`, formatRatio(ratio500, 2), `<= ${TARGET_RATIO_AT_500}`, verdict(ratio500 <= TARGET_RATIO_AT_500)],
    extraSummary: slopes
      ? [
          'Project graph growth (cold, plugin)',
          `${(slopes.first * 1000).toFixed(1)} ms/project (${small}->${middle}), ${(slopes.second * 1000).toFixed(1)} ms/project (${middle}->${large})`,
          'roughly linear',
          verdict(linear),
        ]
      : undefined,
    notes: slopes
      ? [
          `Growth: the cold plugin run costs ${(slopes.first * 1000).toFixed(1)} ms per added project from ${small} to ${middle} projects and ` +
            `${(slopes.second * 1000).toFixed(1)} ms per added project from ${middle} to ${large}; counted as linear when the second is at most ` +
            `${LINEAR_SLOPE_FACTOR}x the first: ${verdict(linear)}.`,
        ]
      : [],
  };
}
