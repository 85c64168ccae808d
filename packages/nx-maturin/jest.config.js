const fs = require('node:fs');
const path = require('node:path');

// execa and its dependencies ship only as ES modules; Jest's module loader cannot require() them before
// Node 24.9, so they are transpiled to CommonJS like the sources. `typecheck` is the type gate.
const esmOnlyPackages = [
  'execa', '@sindresorhus', '@sec-ant', 'figures', 'get-stream', 'human-signals', 'is-plain-obj', 'is-stream',
  'is-unicode-supported', 'npm-run-path', 'parse-ms', 'path-key', 'pretty-ms', 'strip-final-newline',
  'unicorn-magic', 'yoctocolors',
];
// unicorn-magic exports only an `import` condition, which Jest's CommonJS resolver never matches.
const unicornMagicEntry = [__dirname, `${__dirname}/../..`]
  .map((base) => path.join(base, 'node_modules', 'unicorn-magic', 'node.js'))
  .find((candidate) => fs.existsSync(candidate));
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];

module.exports = {
  displayName: 'nx-maturin',
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.(ts|js|mjs)$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  moduleNameMapper: unicornMagicEntry ? { '^unicorn-magic$': unicornMagicEntry } : {},
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};
