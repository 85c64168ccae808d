#!/usr/bin/env node
// The toolchain fingerprint for the given Python versions (what the maturin targets' runtime input prints when
// Nx's preTasksExecution hook did not set it already); `--describe` prints the toolchain it stands for instead.
// Both come from the memo while no tool or search folder has changed (see describeToolchainMemoised).
const { describeToolchainMemoised, toolchainFingerprint } = require('../dist/lib/toolchain-fingerprint');

const args = process.argv.slice(2);
const describe = args.includes('--describe');
const pythonVersions = args.filter((arg) => arg !== '--describe');
(describe ? describeToolchainMemoised : toolchainFingerprint)(process.cwd(), pythonVersions).then(
  (output) => console.log(output),
  (error) => {
    console.error(error.message);
    process.exit(1);
  },
);
