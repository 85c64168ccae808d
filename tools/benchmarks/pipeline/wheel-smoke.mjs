import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { markdownTable } from '../lib/markdown.mjs';
import { progress, runTimed } from '../lib/process.mjs';
import { formatRatio, formatSeconds, summarize, verdict } from '../lib/stats.mjs';
import { INTERPRETERS, LOG_DIR, NX_BIN, nxEnvironment, pluginModule, REPOSITORY_ROOT } from '../lib/workspace.mjs';

const LOG = join(LOG_DIR, 'wheel-smoke.log');
const TARGET_SECONDS_WITH_UV = 3;

/** The recorder's smoke target options, normalised by the executor's own normalizeOptions. */
async function smokeOptions() {
  const { output } = await runTimed(process.execPath, [NX_BIN, 'show', 'project', 'recorder', '--json'], { cwd: REPOSITORY_ROOT, env: nxEnvironment(), logFile: LOG });
  const project = JSON.parse(output.slice(output.indexOf('{')));
  const { normalizeOptions } = pluginModule('executors/wheel-smoke/lib/normalize-options');
  return normalizeOptions(project.targets.smoke.options, REPOSITORY_ROOT, 'recorder');
}

/** The executors print installer output with console.log; during a measurement it goes to the log file instead. */
async function withConsoleInLog(action) {
  const original = console.log;
  console.log = (...args) => appendFileSync(LOG, `${format(...args)}\n`);
  try {
    return await action();
  } finally {
    console.log = original;
  }
}

/**
 * One interpreter's part of wheel-smoke, through the plugin's own functions: a fresh venv, the wheel installed from
 * the artefact folder only, then the smoke commands and scripts. `workspaceRoot` decides the installer, exactly as
 * in the executor: createFreshVenv uses the tools venv's uv when `<root>/.tools/venv/bin/uv` exists, and
 * `python -m venv` + pip otherwise.
 */
async function smokeOneInterpreter(workspaceRoot, interpreter, options, manifest, scratch) {
  const { createFreshVenv, installIntoVenv, installerEnvironment } = pluginModule('lib/venv/venv');
  const { runCaptured } = pluginModule('lib/run-process');
  const started = process.hrtime.bigint();
  const venvDirectory = mkdtempSync(join(scratch, `venv-${interpreter.requested}-`));
  const venv = await createFreshVenv(workspaceRoot, interpreter, join(venvDirectory, 'venv'));
  await installIntoVenv(venv, {
    workspaceRoot,
    requirement: `${manifest.distribution}==${manifest.version}`,
    findLinks: options.artefactDir,
    format: 'binary',
    distribution: manifest.distribution,
  });
  for (const args of [...options.commands, ...options.smokeScripts.map((script) => [script])]) {
    await runCaptured(venv.python, args, { cwd: venvDirectory, env: installerEnvironment() });
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, installer: venv.installer };
}

export async function benchmarkWheelSmoke({ repeat }) {
  mkdirSync(LOG_DIR, { recursive: true });
  const options = await smokeOptions();
  const manifestPath = join(options.artefactDir, 'artefacts.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`wheel-smoke benchmark: ${manifestPath} is missing; run \`npx nx run recorder:build\` first (the full benchmark runs it).`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const { findPythonInterpreter } = pluginModule('lib/python-discovery');
  // A workspace root without a tools venv: workspaceTool finds no uv there, so createFreshVenv falls back to pip.
  const withoutUv = mkdtempSync(join(tmpdir(), 'bench-no-uv-'));
  const scratch = mkdtempSync(join(tmpdir(), 'bench-wheel-smoke-'));
  const rows = [];
  const summaries = [];
  try {
    for (const version of INTERPRETERS) {
      const interpreter = await findPythonInterpreter(version);
      const times = { uv: [], pip: [] };
      for (let run = 1; run <= repeat; run++) {
        for (const [installer, root] of [['pip', withoutUv], ['uv', REPOSITORY_ROOT]]) {
          const result = await withConsoleInLog(() => smokeOneInterpreter(root, interpreter, options, manifest, scratch));
          if (result.installer !== installer) throw new Error(`wheel-smoke benchmark: expected the ${installer} path, the venv was made by ${result.installer}.`);
          times[installer].push(result.seconds);
        }
        progress(`wheel-smoke: CPython ${interpreter.version}, run ${run}/${repeat}: uv ${times.uv.at(-1).toFixed(2)} s, venv+pip ${times.pip.at(-1).toFixed(2)} s`);
      }
      const uv = summarize(times.uv);
      const pip = summarize(times.pip);
      const pass = uv.median <= TARGET_SECONDS_WITH_UV;
      rows.push([`CPython ${interpreter.version}`, formatSeconds(pip), formatSeconds(uv), formatRatio(uv.median / pip.median, 2), `<= ${TARGET_SECONDS_WITH_UV} s with uv`, verdict(pass)]);
      summaries.push([`wheel-smoke, CPython ${interpreter.version}, with uv`, `${uv.median.toFixed(2)} s (venv+pip ${pip.median.toFixed(2)} s)`, `<= ${TARGET_SECONDS_WITH_UV} s`, verdict(pass)]);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(withoutUv, { recursive: true, force: true });
  }
  return {
    id: 'smoke',
    title: 'wheel-smoke per interpreter: uv vs `python -m venv` + pip',
    method:
      `The per-interpreter part of the wheel-smoke executor, run through the compiled plugin's own functions ` +
      `(dist/lib/venv/venv.js: createFreshVenv, installIntoVenv; dist/lib/run-process.js): a fresh venv, ` +
      `\`${manifest.distribution}==${manifest.version}\` installed from target/wheels only (wheel, no index), then ` +
      `the smoke target's commands (\`python ${options.commands.map((command) => command.join(' ')).join('`, `python ')}\` and ` +
      `${options.smokeScripts.map((script) => script.replace(`${REPOSITORY_ROOT}/`, '')).join(', ')}). The uv side passes this ` +
      `repository as workspace root (its tools venv has uv); the pip side passes an empty folder, where the same code ` +
      `finds no uv and uses \`python -m venv\` + pip. Installer caches are off on both sides (\`--no-cache\` / ` +
      `\`--no-cache-dir\`, as the executor runs them). The checks that do not depend on the installer (twine, ` +
      `check-wheel-contents, the sdist build) are not part of this figure. The sides alternate, ${repeat} runs each.`,
    table: markdownTable(['interpreter', 'venv + pip (baseline)', 'uv', 'ratio', 'target', 'result'], rows),
    summaries,
    notes: [],
  };
}
