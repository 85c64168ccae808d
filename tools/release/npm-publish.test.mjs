// The npm side of `nx release publish`, run for real: verdaccio on 127.0.0.1, npm publish, a registry that is down.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startLocalRegistry } from './npm-publish.mjs';

const script = join(dirname(fileURLToPath(import.meta.url)), 'npm-publish.mjs');

function publish(args, env = {}) {
  return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: { ...process.env, NX_DRY_RUN: '', ...env } });
}

function probePackage(version, extra = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'npm-publish-probe-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@codetracer/release-probe', version, license: 'MIT', ...extra }));
  writeFileSync(join(dir, 'index.js'), 'module.exports = 1;\n');
  return dir;
}

/** A loopback port nothing listens on. */
async function closedPort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

describe('npm-publish against a local verdaccio', () => {
  let registry;
  let storage;
  const packages = [];
  before(async () => {
    storage = mkdtempSync(join(tmpdir(), 'npm-publish-storage-'));
    registry = await startLocalRegistry(storage);
  });
  after(() => {
    registry?.stop();
    for (const dir of [storage, ...packages]) rmSync(dir, { recursive: true, force: true });
  });

  test('publishes a new version and reads it back from the registry', () => {
    const dir = probePackage('1.0.0');
    packages.push(dir);
    const result = publish([`--package=${dir}`, `--registry=${registry.url}`]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /npm-publish: @codetracer\/release-probe@1\.0\.0 is on http:\/\/127\.0\.0\.1:\d+\//);
  });

  test('refuses a version the registry already has, in one line, and changes nothing', () => {
    const tarballs = () => readdirSync(join(storage, '@codetracer', 'release-probe')).filter((name) => name.endsWith('.tgz'));
    const before = tarballs();
    const dir = probePackage('1.0.0', { description: 'different content, same version' });
    packages.push(dir);
    const result = publish([`--package=${dir}`, `--registry=${registry.url}`]);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /^npm-publish: @codetracer\/release-probe@1\.0\.0 \(.*package\.json "version"\) is already published on http:\/\/127\.0\.0\.1:\d+\/: nothing was published/);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.doesNotMatch(result.stdout, /\$ npm publish/);
    assert.deepEqual(tarballs(), before);
  });

  test('a dry run sends nothing', () => {
    const dir = probePackage('1.1.0');
    packages.push(dir);
    const result = publish([`--package=${dir}`, `--registry=${registry.url}`], { NX_DRY_RUN: 'true' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout + result.stderr, /\(dry-run\)/);
    const document = spawnSync('npm', ['view', '@codetracer/release-probe', 'versions', '--json', '--registry', registry.url], { encoding: 'utf8' });
    assert.deepEqual([JSON.parse(document.stdout)].flat(), ['1.0.0']);
  });
});

test('a registry that is down fails after the bounded retries with the URL and the reason', async () => {
  const dir = probePackage('1.0.0');
  try {
    const url = `http://127.0.0.1:${await closedPort()}/`;
    const started = Date.now();
    const result = publish([`--package=${dir}`, `--registry=${url}`], { NPM_PUBLISH_ATTEMPTS: '3', NPM_PUBLISH_RETRY_DELAY_MS: '200' });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.equal(result.stderr, `npm-publish: npm registry ${url} is not answering (ECONNREFUSED) after 3 attempts 200 ms apart: nothing was published; check --registry or start the registry, then run nx release publish again\n`);
    assert.ok(Date.now() - started < 10_000, 'bounded: gives up within seconds');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a private package is refused before any registry is contacted', () => {
  const dir = probePackage('1.0.0', { private: true });
  try {
    const result = publish([`--package=${dir}`, '--registry=http://127.0.0.1:9/']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /package\.json has "private": true: npm refuses to publish it; remove the field to publish\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a package folder without package.json is named in the error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npm-publish-empty-'));
  mkdirSync(join(dir, 'sub'));
  try {
    const result = publish([`--package=${join(dir, 'sub')}`]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /sub\/package\.json not found: --package must name a folder with a package\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
