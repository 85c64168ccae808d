#!/usr/bin/env node
// Runtime cache input for maturin targets: prints the toolchain description for the given Python versions.
const { describeToolchain } = require('../dist/lib/toolchain-fingerprint');

describeToolchain(process.cwd(), process.argv.slice(2)).then(
  (description) => console.log(description),
  (error) => {
    console.error(error.message);
    process.exit(1);
  },
);
