// A newcomer's first `npm run release:local` in a terminal must not stop at a question. Nx asks once per workspace
// whether to share usage data, on the first command in a terminal, unless nx.json already answers (`analytics`), and
// then writes the answer into the tracked nx.json. This asks Nx's own check, as on a terminal outside CI, against a
// copy of this workspace's nx.json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const analyticsPrompt = createRequire(join(workspaceRoot, 'package.json')).resolve('nx/src/utils/analytics-prompt');

test("nx.json answers Nx's usage-data question, so the first command in a terminal does not stop to ask", (t) => {
  const root = mkdtempSync(join(tmpdir(), 'first-run-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  copyFileSync(join(workspaceRoot, 'nx.json'), join(root, 'nx.json'));
  const before = readFileSync(join(root, 'nx.json'), 'utf8');
  const check = `require(${JSON.stringify(analyticsPrompt)}).ensureAnalyticsPreferenceSet(${JSON.stringify(root)}, true).then((answer) => console.log('answer=' + answer))`;
  // CI=false: Nx skips the question in CI, which would make this pass for the wrong reason. The timeout only ends a
  // prompt left waiting on a closed stdin.
  const result = spawnSync(process.execPath, ['-e', check], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'false' }, timeout: 30_000 });
  assert.doesNotMatch(result.stdout + result.stderr, /usage data/i, 'Nx asked whether to share usage data: set "analytics" in nx.json');
  assert.match(result.stdout, /^answer=no$/m, result.stdout + result.stderr);
  assert.equal(readFileSync(join(root, 'nx.json'), 'utf8'), before, 'Nx rewrote nx.json');
});
