// Preloaded (`NODE_OPTIONS=--require`) into the Nx side of the build benchmark, so that every Node process of the run
// (Nx itself and the executor it forks) appends its own CPU seconds to the file named by NX_BENCH_CPU_USAGE_FILE when
// it exits: what Nx's processes burn while cargo compiles, apart from the tools they start.
const { appendFileSync } = require('node:fs');

const file = process.env.NX_BENCH_CPU_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    appendFileSync(file, `${JSON.stringify({ pid: process.pid, script: process.argv[1] ?? '', user: user / 1e6, system: system / 1e6 })}\n`);
  });
}
