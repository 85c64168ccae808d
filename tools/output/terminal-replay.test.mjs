// A cache entry replays the same whoever wrote it: an `nx run` on a terminal (with Nx's terminal UI or without)
// stores what an `nx run` into a pipe stores, so a replay into a pipe shows one `> nx run <task>` line and lines
// ending in `\n` alone. Nx's pseudo-terminal recording broke both (design-docs/nx-terminal-output.md); this
// workspace's root .env keeps tasks off it, and Nx then captures executors with version-2 schemas, as the plugin's
// are, through pipes. The probe workspace takes both from this repository, so the test fails when either changes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pluginRoot = join(workspaceRoot, 'packages', 'nx-maturin');
const runProcess = join(pluginRoot, 'dist', 'lib', 'run-process.js');
const pluginExecutors = JSON.parse(readFileSync(join(pluginRoot, 'executors.json'), 'utf8')).executors;
const executorSchema = (name) => JSON.parse(readFileSync(join(pluginRoot, pluginExecutors[name].schema), 'utf8'));
// How Nx itself reads an executor's schema: `outputCapture` is `pipe` or `direct-nodejs` (the executor process writes
// the terminal itself, and Nx keeps only what Node code of that process wrote, stdout alone on success).
const { normalizeExecutorSchema } = createRequire(import.meta.url)(join(workspaceRoot, 'node_modules', 'nx', 'dist', 'src', 'command-line', 'run', 'executor-utils.js'));

/** A tool as the plugin runs them: lines to stdout and stderr, one of them written in two pieces. */
const TOOL = `
process.stdout.write('first line on stdout\\n');
process.stderr.write('   Compiling');
setTimeout(() => { process.stderr.write(' probe v1.0.0\\n'); process.stdout.write('last line on stdout\\n'); }, 50);
`;
const TOOL_LINES = ['first line on stdout', '   Compiling probe v1.0.0', 'last line on stdout'];
const HEADER = /^> nx run probe:tool\b/;

describe('cached task output replayed into a pipe', () => {
  let dir;
  const scratch = [];

  /**
   * This environment without the Nx settings the test process inherited (from this workspace's own .env) and without
   * the FORCE_COLOR an outer Nx gives its tasks, so every run decides colour from its own output.
   */
  function cleanEnvironment(extra) {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_') && name !== 'FORCE_COLOR'));
    return { ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...extra };
  }

  /** A cache of its own, with the database that indexes it: another test's entries are never a hit here. */
  function freshCache() {
    const cache = mkdtempSync(join(tmpdir(), 'nx-replay-cache-'));
    scratch.push(cache);
    return { NX_CACHE_DIRECTORY: join(cache, 'cache'), NX_WORKSPACE_DATA_DIRECTORY: join(cache, 'workspace-data') };
  }

  const nxArgs = ['node_modules/nx/dist/bin/nx.js', 'run', 'probe:tool'];

  function nxIntoPipe(cache) {
    const result = spawnSync(process.execPath, nxArgs, { cwd: dir, encoding: 'utf8', env: cleanEnvironment({ ...cache, NX_TUI: 'false' }) });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    return result.stdout + result.stderr;
  }

  /** `nx run` on a terminal: `script` gives it a pseudo-terminal of its own; with a size, Nx can start its terminal UI. */
  function nxOnTerminal(cache, { tui }) {
    const command = [...(tui ? ['stty cols 120 rows 40;'] : []), process.execPath, ...nxArgs].join(' ');
    const result = spawnSync('script', ['-qec', command, '/dev/null'], {
      cwd: dir,
      encoding: 'utf8',
      env: cleanEnvironment({ ...cache, NX_TUI: String(tui), CI: 'false' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    assert.equal(result.status, 0, `script -qec "${command}" exited with ${result.status ?? result.error?.message}:\n${result.stdout}${result.stderr}`);
    return result.stdout;
  }

  /** What a replay prints for the task: from its first `> nx run` line up to Nx's closing summary. */
  function taskOutput(replay) {
    assert.match(replay, /local cache|existing outputs match the cache/, `expected a replay from the cache:\n${replay}`);
    const lines = stripVTControlCharacters(replay).split('\n');
    const start = lines.findIndex((line) => HEADER.test(line));
    const end = lines.findIndex((line, index) => index > start && /Successfully ran target/.test(line));
    assert.ok(start >= 0 && end > start, `no task output between a \`> nx run probe:tool\` line and Nx's summary in:\n${replay}`);
    return lines.slice(start, end).join('\n').trimEnd();
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nx-replay-'));
    symlinkSync(join(workspaceRoot, 'node_modules'), join(dir, 'node_modules'));
    copyFileSync(join(workspaceRoot, '.env'), join(dir, '.env'));
    const write = (file, text) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    write('package.json', JSON.stringify({ name: 'nx-replay-probe', private: true }));
    write('nx.json', JSON.stringify({ neverConnectToCloud: true, analytics: false }));
    write('tool.js', TOOL);
    write('executors/package.json', JSON.stringify({ name: 'probe-executors', executors: './executors.json' }));
    // Captured as the plugin's own build executor is.
    const { version, outputCapture } = executorSchema('maturin-build');
    write('executors/schema.json', JSON.stringify({ version, outputCapture, type: 'object', properties: {} }));
    write('executors/executors.json', JSON.stringify({ executors: { tool: { implementation: './tool.js', schema: './schema.json' } } }));
    write(
      'executors/tool.js',
      `const { runStreaming } = require(${JSON.stringify(runProcess)});
module.exports = async (_options, context) => { await runStreaming(process.execPath, ['tool.js'], { cwd: context.root }); return { success: true }; };`,
    );
    write('probe/project.json', JSON.stringify({ name: 'probe', root: 'probe', targets: { tool: { executor: './executors:tool', cache: true, inputs: ['{workspaceRoot}/tool.js'], outputs: [] } } }));
  });

  after(() => {
    for (const folder of [dir, ...scratch]) if (folder) rmSync(folder, { recursive: true, force: true });
  });

  test('every executor of the plugin has Nx capture its output through pipes', () => {
    const captures = Object.fromEntries(Object.keys(pluginExecutors).map((name) => [name, normalizeExecutorSchema(executorSchema(name)).outputCapture]));
    assert.deepEqual(captures, Object.fromEntries(Object.keys(pluginExecutors).map((name) => [name, 'pipe'])));
  });

  let fromPipe;
  test('an entry written from a pipe replays the task once, in whole lines', () => {
    const cache = freshCache();
    nxIntoPipe(cache);
    fromPipe = taskOutput(nxIntoPipe(cache));
    assert.equal(fromPipe.split('\n').filter((line) => HEADER.test(line)).length, 1, fromPipe);
    assert.deepEqual(fromPipe.split('\n').filter((line) => TOOL_LINES.includes(line)), TOOL_LINES);
  });

  for (const tui of [false, true]) {
    test(`an entry written on a terminal ${tui ? 'with' : 'without'} Nx's terminal UI replays the same`, () => {
      assert.ok(fromPipe, 'the pipe-written entry (previous test) is the reference');
      const cache = freshCache();
      nxOnTerminal(cache, { tui });
      const replay = taskOutput(nxIntoPipe(cache));
      assert.ok(!replay.includes('\r'), `the replay has \\r line ends:\n${JSON.stringify(replay)}`);
      assert.equal(replay, fromPipe);
    });
  }
});
