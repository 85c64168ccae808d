/** Summaries of repeated measurements: every figure the benchmarks report is a median of several runs. */

export function median(values) {
  if (values.length === 0) throw new Error('median of no values: the benchmark recorded no runs');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `{ median, min, max, runs }` of a list of numbers. */
export function summarize(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

/** `12.34 s (12.01-12.90)`: the median with the spread of the runs behind it. */
export function formatSeconds(summary, digits = 2) {
  return `${summary.median.toFixed(digits)} s (${summary.min.toFixed(digits)}-${summary.max.toFixed(digits)})`;
}

export function formatRatio(ratio, digits = 3) {
  return `${ratio.toFixed(digits)}x`;
}

export function verdict(pass) {
  return pass ? 'PASS' : 'MISS';
}
