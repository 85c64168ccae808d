#!/usr/bin/env node
// Joins the artefact folders that the release matrix uploaded (each with its own artefacts.json written by the
// maturin-build executor) into one folder with one manifest, so the smoke and publish targets can check every
// file against a single list. Usage:
//   node .github/scripts/merge-artefacts.mjs <outputDir> <inputDir>[:wheel|:sdist] ...
// A `:wheel` or `:sdist` suffix keeps only that kind from the folder. The script refuses folders that disagree on
// distribution or version, a file whose sha256 no longer matches its manifest, the same file name twice, and a
// result without exactly one sdist. With GITHUB_OUTPUT set it writes `version=<PEP 440 version>` and
// `manifest-sha256=<sha256 of the merged artefacts.json>` there; later jobs check their download against that hash.
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MANIFEST_FILE = 'artefacts.json';

function sha256OfFile(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function readFolder(spec) {
  const [, folder, kind] = /^(.+?)(?::(wheel|sdist))?$/.exec(spec);
  const manifestPath = join(folder, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw new Error(`${manifestPath} does not exist: the folder was not produced by the recorder:build target`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const artefacts = manifest.artefacts.filter((entry) => kind === undefined || entry.kind === kind);
  for (const entry of artefacts) {
    const actual = sha256OfFile(join(folder, entry.file));
    if (actual !== entry.sha256) {
      throw new Error(`${join(folder, entry.file)}: sha256 ${actual} differs from ${manifestPath} (${entry.sha256}); the file changed after the build`);
    }
  }
  return { folder, manifest, artefacts };
}

function main([outputDir, ...inputSpecs]) {
  if (!outputDir || inputSpecs.length === 0) {
    throw new Error('usage: merge-artefacts.mjs <outputDir> <inputDir>[:wheel|:sdist] ...');
  }
  const folders = inputSpecs.map(readFolder);
  const [{ manifest: first }] = folders;
  for (const { folder, manifest } of folders) {
    if (manifest.distribution !== first.distribution || manifest.version !== first.version) {
      throw new Error(`${folder}: ${manifest.distribution} ${manifest.version} does not match ${folders[0].folder}: ${first.distribution} ${first.version}; every job must build the same commit`);
    }
  }
  mkdirSync(outputDir, { recursive: true });
  const merged = [];
  for (const { folder, artefacts } of folders) {
    for (const entry of artefacts) {
      if (merged.some((existing) => existing.file === entry.file)) {
        throw new Error(`${entry.file} comes from more than one job (again in ${folder}); each wheel tag must be built once`);
      }
      copyFileSync(join(folder, entry.file), join(outputDir, entry.file));
      merged.push(entry);
    }
  }
  const sdists = merged.filter((entry) => entry.kind === 'sdist').length;
  if (sdists !== 1) {
    throw new Error(`expected exactly one sdist among the inputs, found ${sdists}; only the sdist job should contribute one`);
  }
  const mergedManifest = `${JSON.stringify({ distribution: first.distribution, version: first.version, artefacts: merged }, null, 2)}\n`;
  writeFileSync(join(outputDir, MANIFEST_FILE), mergedManifest);
  const manifestSha256 = createHash('sha256').update(mergedManifest).digest('hex');
  for (const entry of merged) console.log(`${entry.kind.padEnd(5)} ${entry.file} ${entry.sha256}`);
  console.log(`${merged.length} artefacts of ${first.distribution} ${first.version} in ${outputDir}; manifest sha256 ${manifestSha256}`);
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `version=${first.version}\nmanifest-sha256=${manifestSha256}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(`merge-artefacts: ${error.message}`);
  process.exit(1);
}
