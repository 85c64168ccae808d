// Preloaded (`node --require`) into an Nx process by the fixed-overhead benchmark: prints every performance measure
// Nx took, in NX_PERF_LOGGING's format, when the process exits. NX_PERF_LOGGING alone loses them on a fast run,
// because Nx exits before its PerformanceObserver is called.
const { performance } = require('node:perf_hooks');

process.on('exit', () => {
  for (const entry of performance.getEntriesByType('measure')) {
    process.stderr.write(`Time taken for '${entry.name}' ${entry.duration}ms\n`);
  }
});
