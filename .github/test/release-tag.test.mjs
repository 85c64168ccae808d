// The release-tag check on real temporary git repositories: an "upstream" with main, a feature branch and tags,
// and a clone of it, as actions/checkout with fetch-depth: 0 leaves it (origin/main, tags as they are upstream).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'check-release-tag.mjs');
const identity = { GIT_AUTHOR_NAME: 'Release Manager', GIT_AUTHOR_EMAIL: 'rm@example.org', GIT_COMMITTER_NAME: 'Release Manager', GIT_COMMITTER_EMAIL: 'rm@example.org' };

function git(cwd, ...args) {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'tag.gpgSign=false', '-c', 'commit.gpgSign=false', ...args], {
    cwd,
    env: { ...process.env, ...identity },
    encoding: 'utf8',
  }).trim();
}

function writeProject(root, version) {
  const project = join(root, 'pkg');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'Cargo.toml'), `[package]\nname = "hello-tag"\nversion = "${version}"\nedition = "2021"\n\n[lib]\nname = "hello_tag"\ncrate-type = ["cdylib"]\n`);
  writeFileSync(join(project, 'Cargo.lock'), `version = 4\n\n[[package]]\nname = "hello-tag"\nversion = "${version}"\n`);
  writeFileSync(join(project, 'pyproject.toml'), `[build-system]\nrequires = ["maturin>=1,<2"]\nbuild-backend = "maturin"\n\n[project]\nname = "hello-tag"\nversion = "${version}"\n`);
  writeFileSync(join(project, 'src', 'lib.rs'), '');
}

function writeNpmPackage(root, version) {
  mkdirSync(join(root, 'plugin'), { recursive: true });
  writeFileSync(join(root, 'plugin', 'package.json'), `${JSON.stringify({ name: '@example/plugin', version }, null, 2)}\n`);
}

function checkNpm(repo, tag) {
  const result = spawnSync(process.execPath, [script, '--kind=npm', '--project=plugin', '--project-root=plugin', `--tag=${tag}`, `--repo=${repo}`], { encoding: 'utf8', env: { ...process.env, GITHUB_REF: '' } });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

function check(repo, tag) {
  const result = spawnSync(process.execPath, [script, '--project=hello', '--project-root=pkg', `--tag=${tag}`, `--repo=${repo}`], { encoding: 'utf8', env: { ...process.env, GITHUB_REF: '' } });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

describe('check-release-tag', () => {
  let scratch;
  let clone;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'release-tag-'));
    const upstream = join(scratch, 'upstream');
    mkdirSync(upstream);
    git(upstream, 'init', '-q');
    writeProject(upstream, '1.2.0');
    writeNpmPackage(upstream, '0.3.0');
    git(upstream, 'add', '-A');
    git(upstream, 'commit', '-q', '-m', 'release 1.2.0');
    git(upstream, 'tag', '-a', 'hello-v1.2.0', '-m', 'hello 1.2.0');
    git(upstream, 'tag', 'hello-v1.2.0-lightweight');
    git(upstream, 'tag', '-a', 'hello-v1.3.0', '-m', 'names a version the manifests do not state');
    git(upstream, 'tag', '-a', 'plugin-v0.3.0', '-m', 'plugin 0.3.0');
    git(upstream, 'tag', 'plugin-v0.3.0-lightweight');
    git(upstream, 'tag', '-a', 'plugin-v0.4.0', '-m', 'names a version package.json does not state');
    git(upstream, 'checkout', '-q', '-b', 'feature');
    writeProject(upstream, '1.4.0');
    writeNpmPackage(upstream, '0.5.0');
    git(upstream, 'commit', '-q', '-am', 'release 1.4.0 from a branch');
    git(upstream, 'tag', '-a', 'plugin-v0.5.0', '-m', 'plugin 0.5.0, never merged');
    git(upstream, 'tag', '-a', 'hello-v1.4.0', '-m', 'hello 1.4.0, never merged');
    git(upstream, 'checkout', '-q', 'main');
    clone = join(scratch, 'clone');
    git(scratch, 'clone', '-q', '--no-local', upstream, clone);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('accepts an annotated tag on main that names the version of every manifest', () => {
    const { status, output } = check(clone, 'hello-v1.2.0');
    assert.equal(output, `check-release-tag: hello-v1.2.0 is annotated, points at ${git(clone, 'rev-parse', 'main')} on main, and names hello 1.2.0 as every version source does.`);
    assert.equal(status, 0);
  });

  it('refuses a lightweight tag with one message', () => {
    const { status, output } = check(clone, 'hello-v1.2.0-lightweight');
    assert.equal(status, 1);
    assert.match(output, /^check-release-tag: tag hello-v1\.2\.0-lightweight is a lightweight tag \(it points straight at a commit\); expected an annotated tag\. Next step: git tag -d/);
    assert.equal(output.split('\n').length, 1);
  });

  it('refuses an annotated tag on a commit that is not on the default branch', () => {
    const { status, output } = check(clone, 'hello-v1.4.0');
    assert.equal(status, 1);
    const tagged = git(clone, 'rev-parse', 'hello-v1.4.0^{commit}');
    assert.equal(
      output,
      `check-release-tag: tag hello-v1.4.0 points at ${tagged}, which is not on the default branch main (refs/remotes/origin/main is at ${git(clone, 'rev-parse', 'origin/main')}); ` +
        'a release is tagged on a commit merged to the default branch. Next step: merge the release commit through a pull request and tag the merged commit.',
    );
  });

  it('refuses a tag whose version differs from the manifests, naming each source', () => {
    const { status, output } = check(clone, 'hello-v1.3.0');
    assert.equal(status, 1);
    assert.match(output, /^check-release-tag: The version sources of hello do not agree:/);
    assert.match(output, /1\.3\.0/);
    assert.match(output, /pkg\/Cargo\.toml/);
  });

  it('refuses a run that was not started by a tag', () => {
    const result = spawnSync(process.execPath, [script, '--project=hello', '--project-root=pkg', `--repo=${clone}`], { encoding: 'utf8', env: { ...process.env, GITHUB_REF: 'refs/heads/main' } });
    assert.equal(result.status, 1);
    assert.equal(result.stderr.trim(), 'check-release-tag: no release tag: --tag is not given and GITHUB_REF is "refs/heads/main"; expected refs/tags/hello-v<version>');
  });

  describe('--kind=npm (the nx-maturin plugin)', () => {
    it('accepts an annotated tag on main that names package.json\'s version', () => {
      const { status, output } = checkNpm(clone, 'plugin-v0.3.0');
      assert.equal(output, `check-release-tag: plugin-v0.3.0 is annotated, points at ${git(clone, 'rev-parse', 'main')} on main, and names plugin 0.3.0 as plugin/package.json does.`);
      assert.equal(status, 0);
    });

    it('refuses a lightweight tag', () => {
      const { status, output } = checkNpm(clone, 'plugin-v0.3.0-lightweight');
      assert.equal(status, 1);
      assert.match(output, /^check-release-tag: tag plugin-v0\.3\.0-lightweight is a lightweight tag/);
    });

    it('refuses an annotated tag that is not on the default branch', () => {
      const { status, output } = checkNpm(clone, 'plugin-v0.5.0');
      assert.equal(status, 1);
      assert.match(output, /^check-release-tag: tag plugin-v0\.5\.0 points at [0-9a-f]{40}, which is not on the default branch main/);
    });

    it('refuses a tag whose version differs from package.json, naming the file, the field and both versions', () => {
      const { status, output } = checkNpm(clone, 'plugin-v0.4.0');
      assert.equal(status, 1);
      const commit = git(clone, 'rev-parse', 'plugin-v0.4.0^{commit}');
      assert.equal(
        output,
        `check-release-tag: tag plugin-v0.4.0 names version 0.4.0, but plugin/package.json "version" is "0.3.0" at ${commit}; expected the same version. ` +
          'Next step: tag the commit whose package.json states 0.4.0, or release 0.3.0 with tag plugin-v0.3.0',
      );
    });

    it('refuses a tag of another project', () => {
      const { status, output } = checkNpm(clone, 'hello-v1.2.0');
      assert.equal(status, 1);
      assert.equal(output, 'check-release-tag: tag hello-v1.2.0 does not start with plugin-v: it is not a release tag of plugin (tag pattern {projectName}-v{version})');
    });
  });
});
