#!/usr/bin/env node
// Checks a downloaded release folder against the manifest hash the `collect` job handed over as a job output
// (which travels through GitHub's job outputs, not through the artefact storage a file could be swapped in):
// artefacts.json must hash to it, every file it lists must have its size and sha256, and nothing else may lie in
// the folder but the manifest and `<listed file>.publish.attestation`. Optionally writes a pip requirements file
// pinning the release to those hashes (`--requirements=<file>`), for installing it back with --require-hashes.
//   node .github/scripts/verify-dist.mjs <folder> <manifest sha256> [--requirements=<file>]
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const MANIFEST_FILE = 'artefacts.json';
const ATTESTATION_SUFFIX = '.publish.attestation';
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { requirements: { type: 'string' } } });
  const [folder, expected] = positionals;
  if (!folder) throw new Error('usage: verify-dist.mjs <folder> <manifest sha256> [--requirements=<file>]');
  if (!/^[0-9a-f]{64}$/.test(expected ?? '')) {
    throw new Error(`the expected manifest sha256 is "${expected ?? ''}"; expected 64 hex digits (the collect job's manifest-sha256 output)`);
  }
  const manifestPath = join(folder, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} does not exist; expected the manifest that collect wrote`);
  const manifestBytes = readFileSync(manifestPath);
  const actual = sha256(manifestBytes);
  if (actual !== expected) {
    throw new Error(`${manifestPath} has sha256 ${actual}, but collect handed over ${expected}: the manifest changed between jobs; nothing is published`);
  }
  const manifest = JSON.parse(manifestBytes.toString('utf8'));
  const listed = new Set([MANIFEST_FILE]);
  for (const entry of manifest.artefacts) {
    const path = join(folder, entry.file);
    if (!existsSync(path)) throw new Error(`${path} is listed in ${manifestPath} but missing`);
    const size = statSync(path).size;
    const hash = sha256(readFileSync(path));
    if (size !== entry.size || hash !== entry.sha256) {
      throw new Error(`${path}: sha256 ${hash} (${size} bytes) differs from ${manifestPath} (${entry.sha256}, ${entry.size} bytes): the file changed between jobs; nothing is published`);
    }
    listed.add(entry.file).add(entry.file + ATTESTATION_SUFFIX);
  }
  const unlisted = readdirSync(folder).filter((name) => !listed.has(name));
  if (unlisted.length > 0) {
    throw new Error(`${folder} holds ${unlisted.join(', ')}, which ${manifestPath} does not list: only the built files, their attestations and the manifest may be published`);
  }
  if (values.requirements) {
    const hashes = manifest.artefacts.map((entry) => `    --hash=sha256:${entry.sha256}`).join(' \\\n');
    writeFileSync(values.requirements, `${manifest.distribution}==${manifest.version} \\\n${hashes}\n`);
  }
  console.log(`verify-dist: ${manifest.artefacts.length} files of ${manifest.distribution} ${manifest.version} in ${folder} match manifest ${expected}${values.requirements ? `; ${values.requirements} pins them` : ''}`);
}

try {
  main();
} catch (error) {
  console.error(`verify-dist: ${error.message}`);
  process.exit(1);
}
