// The hand-over of the release between jobs: merge-artefacts.mjs (collect) writes one manifest and hands its
// sha256 over as a job output; verify-dist.mjs (every later job) refuses a download that differs from it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const scripts = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function node(script, args, env = {}) {
  const result = spawnSync(process.execPath, [join(scripts, script), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

/** A folder as one build job uploads it: its files and the artefacts.json maturin-build wrote. */
function jobFolder(root, name, files) {
  const folder = join(root, name);
  mkdirSync(folder, { recursive: true });
  const artefacts = files.map(([file, kind]) => {
    const bytes = Buffer.from(`${file} built by ${name}`);
    writeFileSync(join(folder, file), bytes);
    return { file, kind, size: bytes.length, sha256: sha256(bytes) };
  });
  writeFileSync(join(folder, 'artefacts.json'), JSON.stringify({ distribution: 'codetracer-python-recorder', version: '1.2.0', artefacts }));
  return folder;
}

describe('release hand-over between jobs', () => {
  let root;
  let dist;
  let manifestSha256;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'release-dist-'));
    const linux = jobFolder(root, 'linux', [['codetracer_python_recorder-1.2.0-cp312-cp312-manylinux_2_17_x86_64.whl', 'wheel']]);
    const sdist = jobFolder(root, 'sdist', [['codetracer_python_recorder-1.2.0.tar.gz', 'sdist']]);
    dist = join(root, 'dist');
    const outputs = join(root, 'github-output');
    writeFileSync(outputs, '');
    const merged = node('merge-artefacts.mjs', [dist, linux, sdist], { GITHUB_OUTPUT: outputs });
    assert.equal(merged.status, 0, merged.stderr);
    manifestSha256 = /^manifest-sha256=([0-9a-f]{64})$/m.exec(readFileSync(outputs, 'utf8'))[1];
    assert.match(readFileSync(outputs, 'utf8'), /^version=1\.2\.0$/m);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('accepts the download collect made and writes a hash-pinned requirement', () => {
    const requirements = join(root, 'requirements.txt');
    const result = node('verify-dist.mjs', [dist, manifestSha256, `--requirements=${requirements}`]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `verify-dist: 2 files of codetracer-python-recorder 1.2.0 in ${dist} match manifest ${manifestSha256}; ${requirements} pins them`);
    const manifest = JSON.parse(readFileSync(join(dist, 'artefacts.json'), 'utf8'));
    assert.equal(readFileSync(requirements, 'utf8'), `codetracer-python-recorder==1.2.0 \\\n${manifest.artefacts.map((entry) => `    --hash=sha256:${entry.sha256}`).join(' \\\n')}\n`);
  });

  it('accepts the attestations made beside the files in the publish job', () => {
    writeFileSync(join(dist, 'codetracer_python_recorder-1.2.0.tar.gz.publish.attestation'), '{}');
    assert.equal(node('verify-dist.mjs', [dist, manifestSha256]).status, 0);
  });

  it('refuses a file changed between jobs, naming it', () => {
    const wheel = join(dist, 'codetracer_python_recorder-1.2.0-cp312-cp312-manylinux_2_17_x86_64.whl');
    writeFileSync(wheel, 'a tampered wheel');
    const result = node('verify-dist.mjs', [dist, manifestSha256]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`^verify-dist: ${wheel.replace(/[.\\]/g, '\\$&')}: sha256 [0-9a-f]{64} \\(16 bytes\\) differs from .*artefacts\\.json .*: the file changed between jobs; nothing is published$`));
  });

  it('refuses a file and manifest changed together, by the hash collect handed over', () => {
    const wheelName = 'codetracer_python_recorder-1.2.0-cp312-cp312-manylinux_2_17_x86_64.whl';
    writeFileSync(join(dist, wheelName), 'a tampered wheel');
    const manifest = JSON.parse(readFileSync(join(dist, 'artefacts.json'), 'utf8'));
    manifest.artefacts[0] = { ...manifest.artefacts[0], size: 16, sha256: sha256(Buffer.from('a tampered wheel')) };
    writeFileSync(join(dist, 'artefacts.json'), JSON.stringify(manifest));
    const result = node('verify-dist.mjs', [dist, manifestSha256]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`^verify-dist: .*artefacts\\.json has sha256 [0-9a-f]{64}, but collect handed over ${manifestSha256}: the manifest changed between jobs; nothing is published$`));
  });

  it('refuses a file the manifest does not list, and an empty hash hand-over', () => {
    writeFileSync(join(dist, 'extra-0.1-py3-none-any.whl'), 'smuggled');
    assert.match(node('verify-dist.mjs', [dist, manifestSha256]).stderr, /holds extra-0\.1-py3-none-any\.whl, which .*artefacts\.json does not list/);
    assert.equal(node('verify-dist.mjs', [dist, '']).stderr, 'verify-dist: the expected manifest sha256 is ""; expected 64 hex digits (the collect job\'s manifest-sha256 output)');
  });
});
