import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const HOOK = fileURLToPath(new URL('./v8-code-cache.cjs', import.meta.url));

describe('v8-code-cache.cjs', () => {
  let dir;
  let run = 0;

  /** Runs main.js with the hook; returns its stdout and what the hook reported at exit. */
  function runMain() {
    const report = join(dir, `report-${++run}.jsonl`);
    const result = spawnSync(process.execPath, [join(dir, 'main.js')], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: `--require=${HOOK}`, V8_CODE_CACHE_DIR: join(dir, 'cache'), V8_CODE_CACHE_REPORT: report },
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    return { stdout: result.stdout.trim(), counts: JSON.parse(readFileSync(report, 'utf8')) };
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'v8-code-cache-'));
    writeFileSync(join(dir, 'answer.js'), "#!/usr/bin/env node\nexports.answer = () => 'first';\n");
    writeFileSync(join(dir, 'lazy.js'), "module.exports = () => import('./esm.mjs').then((esm) => esm.value);\n");
    writeFileSync(join(dir, 'esm.mjs'), "export const value = 'from import()';\n");
    writeFileSync(
      join(dir, 'main.js'),
      "const { answer } = require('./answer.js');\nrequire('./lazy.js')().then((value) => console.log([answer(), value, require.resolve('./answer.js') === __dirname + '/answer.js'].join(' ')));\n",
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a second process restores the modules it compiled from the cache', () => {
    const first = runMain();
    assert.equal(first.stdout, 'first from import() true');
    assert.deepEqual({ restored: first.counts.restored, compiled: first.counts.compiled }, { restored: 0, compiled: 2 });
    const second = runMain();
    assert.equal(second.stdout, 'first from import() true');
    // main.js and answer.js; lazy.js holds `import(` and is always Node's to compile.
    assert.deepEqual({ restored: second.counts.restored, compiled: second.counts.compiled, left: second.counts.left }, { restored: 2, compiled: 0, left: 1 });
  });

  test('a changed module of the same length is compiled again, not taken from the cache', () => {
    writeFileSync(join(dir, 'answer.js'), "#!/usr/bin/env node\nexports.answer = () => 'again';\n");
    const changed = runMain();
    assert.equal(changed.stdout, 'again from import() true');
    assert.deepEqual({ restored: changed.counts.restored, compiled: changed.counts.compiled }, { restored: 1, compiled: 1 });
  });
});
