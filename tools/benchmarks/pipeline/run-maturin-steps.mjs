// The direct side of the build benchmark, run as one child process so that the CPU seconds of everything it starts
// (maturin, cargo, rustc, the sdist unpacking) can be counted as one tree, as the Nx side's are. Usage:
// node run-maturin-steps.mjs <steps.json>; the steps are those `maturinSteps` read from the executor's output. The
// tools write straight to this process's stdout/stderr; the last line says how long the steps took.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pluginModule, TOOLS_BIN } from '../lib/workspace.mjs';

const { unpackSdist } = pluginModule(join('executors', 'maturin-build', 'lib', 'unpack-sdist.js'));
// The executor runs maturin with the tools venv first on PATH (zig and uv are found there).
const env = { ...process.env, PATH: `${TOOLS_BIN}:${process.env.PATH ?? ''}` };

function run(file, args, cwd) {
  return new Promise((resolvePromise, rejectPromise) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (error) => rejectPromise(new Error(`${file} could not be started (${error.message})`)));
    child.on('close', (code) => (code === 0 ? resolvePromise() : rejectPromise(new Error(`\`${[file, ...args].join(' ')}\` exited with ${code}`))));
  });
}

let nanoseconds = 0n;
for (const step of JSON.parse(readFileSync(process.argv[2], 'utf8'))) {
  const started = process.hrtime.bigint();
  if (step.argv) await run(step.argv[0], step.argv.slice(1), step.cwd);
  else await unpackSdist(join(TOOLS_BIN, 'python'), step.unpack, step.into);
  nanoseconds += process.hrtime.bigint() - started;
}
console.log(`direct maturin steps took ${(Number(nanoseconds) / 1e9).toFixed(3)} s`);
