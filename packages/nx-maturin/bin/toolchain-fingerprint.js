#!/usr/bin/env node
// Runtime cache input for maturin targets: prints the toolchain description for the given Python versions,
// from the memo while no tool or search folder has changed (see describeToolchainMemoised).
const { describeToolchainMemoised } = require('../dist/lib/toolchain-fingerprint');

describeToolchainMemoised(process.cwd(), process.argv.slice(2)).then(
  (description) => console.log(description),
  (error) => {
    console.error(error.message);
    process.exit(1);
  },
);
