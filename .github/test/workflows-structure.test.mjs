// Structure invariants of the workflows, read as a supply-chain reviewer reads them: which events start a release,
// the order of its jobs, where the publishing rights are, what every `uses:` is pinned to, and that no job whose
// artefacts are published reads a cache. The YAML is parsed (yaml); pins are checked on the raw lines, since the
// version comment is not part of the parsed document.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const githubDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (name) => readFileSync(join(githubDir, name), 'utf8');
const releaseText = read('workflows/recorder-release.yml');
const ciText = read('workflows/ci.yml');
const npmReleaseText = read('workflows/nx-maturin-release.yml');
const npmRelease = parse(npmReleaseText);
const release = parse(releaseText);
const ci = parse(ciText);
const jobs = release.jobs;
const PUBLISH_JOBS = ['testpypi', 'pypi'];
const CACHE_ACTIONS = ['actions/cache', 'Swatinem/rust-cache', 'astral-sh/setup-uv', 'mozilla-actions/sccache-action'];

const needsOf = (job) => [jobs[job].needs ?? []].flat();
function ancestors(job) {
  const seen = new Set();
  const visit = (name) => needsOf(name).forEach((parent) => (seen.has(parent) ? undefined : (seen.add(parent), visit(parent))));
  visit(job);
  return seen;
}
const actionOf = (step) => step.uses?.split('@')[0];
const runs = (job) => jobs[job].steps.filter((step) => step.run).map((step) => step.run);

/** A release workflow reads no cache: no cache action, no setup-node/setup-python cache, every Nx call skips Nx's cache. */
function assertReadsNoCache(workflow) {
  for (const key of ['NX_SKIP_NX_CACHE', 'NX_SKIP_REMOTE_CACHE', 'NX_NO_CLOUD']) assert.equal(workflow.env[key], 'true', key);
  for (const [name, job] of Object.entries(workflow.jobs)) {
    for (const step of job.steps) {
      assert.ok(!CACHE_ACTIONS.includes(actionOf(step)), `job ${name} uses ${step.uses}`);
      if (actionOf(step) === 'actions/setup-node') {
        assert.equal(step.with['package-manager-cache'], false, `job ${name}: setup-node without package-manager-cache: false`);
        assert.equal(step.with.cache, undefined, `job ${name}: setup-node with cache`);
      }
      if (actionOf(step) === 'actions/setup-python') assert.equal(step.with.cache, undefined, `job ${name}: setup-python with cache`);
      // A command continued over several lines (trailing backslash) is read whole.
      for (const nx of step.run?.match(/npx nx (?:run|run-many)[^\n]*(?:\\\n[^\n]*)*/g) ?? []) {
        assert.match(nx, /--skip-nx-cache/, `job ${name}: ${nx}`);
      }
    }
  }
}

describe('recorder-release.yml', () => {
  it('starts only on a recorder-v* tag push or a manual run that can reach TestPyPI at most', () => {
    assert.deepEqual(Object.keys(release.on).sort(), ['push', 'workflow_dispatch']);
    assert.deepEqual(release.on.push, { tags: ['recorder-v*'] });
    assert.deepEqual(release.on.workflow_dispatch.inputs.mode.options, ['dry-run', 'testpypi']);
    assert.equal(jobs.pypi.if, "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/recorder-v')");
  });

  it('chains verify -> build -> collect -> testpypi -> verify-testpypi -> pypi -> verify-pypi', () => {
    assert.deepEqual(needsOf('build'), ['verify']);
    assert.deepEqual(needsOf('sdist'), ['verify']);
    assert.deepEqual(needsOf('collect').sort(), ['build', 'macos-x86_64', 'sdist']);
    assert.deepEqual(needsOf('testpypi'), ['collect']);
    assert.ok(needsOf('verify-testpypi').includes('testpypi'));
    assert.ok(needsOf('pypi').includes('verify-testpypi'));
    assert.ok(needsOf('verify-pypi').includes('pypi'));
    assert.deepEqual([...ancestors('pypi')].sort(), ['build', 'collect', 'macos-x86_64', 'sdist', 'testpypi', 'verify', 'verify-testpypi']);
  });

  it('publishes only from the testpypi and pypi environments', () => {
    const withEnvironment = Object.entries(jobs).filter(([, job]) => job.environment).map(([name, job]) => [name, job.environment.name]);
    assert.deepEqual(withEnvironment, [['testpypi', 'testpypi'], ['pypi', 'pypi']]);
  });

  it('grants nothing at the top and, per job, contents: read plus id-token: write in the two publish jobs only', () => {
    assert.deepEqual(release.permissions, {});
    for (const [name, job] of Object.entries(jobs)) {
      const expected = PUBLISH_JOBS.includes(name) ? { contents: 'read', 'id-token': 'write' } : { contents: 'read' };
      assert.deepEqual(job.permissions, expected, `job ${name}: permissions`);
    }
  });

  it('reads no cache in any job: no cache action, setup-node with package-manager-cache false, Nx cache skipped', () => {
    assertReadsNoCache(release);
  });

  it('runs the least code in the publish jobs: publish profile, hash check, attestations, upload without install-back', () => {
    for (const name of PUBLISH_JOBS) {
      const actions = jobs[name].steps.filter((step) => step.uses).map(actionOf);
      assert.deepEqual(actions, ['actions/checkout', 'actions/setup-node', 'actions/download-artifact', 'astral-sh/attest-action'], `job ${name}: actions`);
      const scripts = runs(name).join('\n');
      assert.match(scripts, /node tools\/bootstrap\/bootstrap\.mjs --profile=publish\n/);
      assert.doesNotMatch(scripts, /--profile=(test|release)|pip install|smoke-from-index/);
      assert.match(scripts, /node \.github\/scripts\/verify-dist\.mjs dist "\$MANIFEST_SHA256"/);
      assert.match(scripts, /--credentials="\$PUBLISH_CREDENTIALS" --attestations="\$attestations" --installBack=false/);
      assert.equal(jobs[name].env.PUBLISH_CREDENTIALS, "${{ vars.PUBLISH_CREDENTIALS || 'trusted-publishing' }}");
      const order = jobs[name].steps.map((step) => actionOf(step) ?? step.name);
      assert.ok(order.indexOf('Check dist/ against the manifest hash from collect') < order.indexOf('astral-sh/attest-action'), `job ${name}: hash check before attesting`);
    }
  });

  it('installs the release back from TestPyPI and PyPI only in unprivileged jobs, hash-pinned, on 3 OSes x 2 Pythons', () => {
    for (const name of ['verify-testpypi', 'verify-pypi']) {
      assert.deepEqual(jobs[name].permissions, { contents: 'read' });
      assert.match(runs(name).join('\n'), /verify-dist\.mjs dist "\$MANIFEST_SHA256" --requirements=release-requirements\.txt[\s\S]*smoke-from-index\.sh https:\/\/[\w./]+\/simple\/ release-requirements\.txt/);
      assert.deepEqual(jobs[name].strategy.matrix.python, ['3.12', '3.13']);
      for (const os of ['ubuntu-24.04', 'macos-15', 'macos-15-intel', 'windows-2022']) assert.ok(jobs[name].strategy.matrix.os.includes(os), `${name} on ${os}`);
    }
    assert.match(read('scripts/smoke-from-index.sh'), /--require-hashes/);
  });

  it('smokes the universal2 wheel on an x86_64 macOS runner before anything is collected', () => {
    const job = jobs['macos-x86_64'];
    assert.equal(job['runs-on'], 'macos-15-intel');
    assert.equal(job.steps.find((step) => actionOf(step) === 'actions/download-artifact').with.name, 'recorder-wheels-macos-universal2');
    assert.match(runs('macos-x86_64').join('\n'), /uname -m\)" = x86_64[\s\S]*npx nx run recorder:smoke/);
  });

  it('checks the release tag in verify, from a full clone, before anything is built', () => {
    const checkout = jobs.verify.steps.find((step) => actionOf(step) === 'actions/checkout');
    assert.equal(checkout.with['fetch-depth'], 0);
    const tagStep = jobs.verify.steps.find((step) => step.run?.includes('workflows:check-release-tag'));
    assert.equal(tagStep.if, "github.event_name == 'push'");
  });

  it('hands the manifest hash from collect to every later job that downloads the release', () => {
    assert.equal(jobs.collect.outputs['manifest-sha256'], '${{ steps.merge.outputs.manifest-sha256 }}');
    for (const name of ['testpypi', 'verify-testpypi', 'pypi', 'verify-pypi']) {
      assert.ok(needsOf(name).includes('collect'), `${name} needs collect`);
      const step = jobs[name].steps.find((candidate) => candidate.run?.includes('verify-dist.mjs'));
      assert.equal(step.env.MANIFEST_SHA256, '${{ needs.collect.outputs.manifest-sha256 }}', `${name}`);
    }
  });
});

describe('nx-maturin-release.yml', () => {
  const npmJobs = npmRelease.jobs;
  const npmNeeds = (job) => [npmJobs[job].needs ?? []].flat();
  const npmRuns = (job) => npmJobs[job].steps.filter((step) => step.run).map((step) => step.run);

  it('starts only on an nx-maturin-v* tag push, and publishes only for such a tag', () => {
    assert.deepEqual(Object.keys(npmRelease.on), ['push']);
    assert.deepEqual(npmRelease.on.push, { tags: ['nx-maturin-v*'] });
    assert.equal(npmJobs.npm.if, "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/nx-maturin-v')");
  });

  it('chains verify -> pack -> npm, and nothing else', () => {
    assert.deepEqual(Object.keys(npmJobs), ['verify', 'pack', 'npm']);
    assert.deepEqual(npmNeeds('verify'), []);
    assert.deepEqual(npmNeeds('pack'), ['verify']);
    assert.deepEqual(npmNeeds('npm'), ['pack']);
  });

  it('publishes only from the npm environment', () => {
    const withEnvironment = Object.entries(npmJobs).filter(([, job]) => job.environment).map(([name, job]) => [name, job.environment.name]);
    assert.deepEqual(withEnvironment, [['npm', 'npm']]);
  });

  it('grants nothing at the top, contents: read to verify and pack, and id-token: write alone to npm', () => {
    assert.deepEqual(npmRelease.permissions, {});
    assert.deepEqual(npmJobs.verify.permissions, { contents: 'read' });
    assert.deepEqual(npmJobs.pack.permissions, { contents: 'read' });
    assert.deepEqual(npmJobs.npm.permissions, { 'id-token': 'write' });
  });

  it('reads no cache in any job: no cache action, setup-node with package-manager-cache false, Nx cache skipped', () => {
    assertReadsNoCache(npmRelease);
  });

  it('verify checks the annotated tag against package.json from a full clone, then lints, type-checks and tests the plugin', () => {
    const checkout = npmJobs.verify.steps.find((step) => actionOf(step) === 'actions/checkout');
    assert.equal(checkout.with['fetch-depth'], 0);
    const scripts = npmRuns('verify').join('\n');
    assert.match(scripts, /npx nx run workflows:check-release-tag:nx-maturin --skip-nx-cache[\s\S]*npx nx run-many -t lint typecheck test -p nx-maturin --skip-nx-cache/);
  });

  it('pack builds from source, packs one tarball and hands its name and sha256 over as job outputs', () => {
    assert.deepEqual(npmJobs.pack.outputs, { tarball: '${{ steps.pack.outputs.tarball }}', 'tarball-sha256': '${{ steps.pack.outputs.tarball-sha256 }}' });
    const scripts = npmRuns('pack').join('\n');
    assert.match(scripts, /npx nx run nx-maturin:build --skip-nx-cache[\s\S]*npm pack \.\/packages\/nx-maturin --pack-destination npm-pack[\s\S]*sha256sum/);
    const upload = npmJobs.pack.steps.find((step) => actionOf(step) === 'actions/upload-artifact');
    assert.deepEqual([upload.with.name, upload.with.path], ['nx-maturin-tarball', 'npm-pack/']);
  });

  it('pins every action to a SHA already checked for recorder-release.yml (ADR 0006 table), with the same version comment', () => {
    const usesLines = (text) => text.split('\n').filter((line) => /^\s*(- )?uses:/.test(line)).map((line) => line.replace(/^\s*(- )?/, ''));
    const checked = new Set(usesLines(releaseText));
    for (const line of usesLines(npmReleaseText)) assert.ok(checked.has(line), `${line}: not a pin of recorder-release.yml`);
  });

  it('runs the least code in the npm job: Node, the download, the hash check, npm publish --provenance', () => {
    const job = npmJobs.npm;
    assert.deepEqual(job.steps.filter((step) => step.uses).map(actionOf), ['actions/setup-node', 'actions/download-artifact']);
    const setupNode = job.steps.find((step) => actionOf(step) === 'actions/setup-node');
    assert.equal(setupNode.with['registry-url'], 'https://registry.npmjs.org/');
    assert.equal(job.steps.find((step) => actionOf(step) === 'actions/download-artifact').with.name, 'nx-maturin-tarball');
    const order = job.steps.map((step) => actionOf(step) ?? step.name);
    assert.deepEqual(order, ['actions/setup-node', 'actions/download-artifact', 'Check the tarball against the sha256 from pack', 'Publish to npm']);
    const [check, publish] = job.steps.slice(2);
    assert.deepEqual(check.env, { TARBALL: '${{ needs.pack.outputs.tarball }}', TARBALL_SHA256: '${{ needs.pack.outputs.tarball-sha256 }}' });
    assert.match(check.run, /sha256sum --check --strict/);
    assert.equal(publish.run, 'npm publish "npm-pack/$TARBALL" --provenance --access public --registry https://registry.npmjs.org/');
    assert.deepEqual(publish.env, { TARBALL: '${{ needs.pack.outputs.tarball }}', NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' });
    assert.doesNotMatch(npmRuns('npm').join('\n'), /bootstrap|npm (ci|install)|npx /);
  });
});

describe('ci.yml', () => {
  it('runs nx affected lint and test on Linux, macOS and Windows for pull requests and main', () => {
    assert.deepEqual(Object.keys(ci.on).sort(), ['pull_request', 'push']);
    assert.deepEqual(ci.on.push.branches, ['main']);
    assert.deepEqual(ci.permissions, {});
    const job = ci.jobs.affected;
    assert.deepEqual(job.strategy.matrix.os, ['ubuntu-24.04', 'macos-15', 'windows-2022']);
    assert.equal(job['runs-on'], '${{ matrix.os }}');
    assert.match(job.steps.map((step) => step.run ?? '').join('\n'), /npx nx affected -t [\w -]*\blint\b[\w -]*\btest\b/);
    assert.ok(!Object.values(job.permissions).includes('write'));
  });
});

describe('every workflow', () => {
  for (const [file, text] of [['recorder-release.yml', releaseText], ['nx-maturin-release.yml', npmReleaseText], ['ci.yml', ciText]]) {
    it(`${file}: pins every action to a 40-hex commit with its version in a comment`, () => {
      const uses = text.split('\n').filter((line) => /^\s*(- )?uses:/.test(line));
      assert.ok(uses.length > 0);
      for (const line of uses) assert.match(line, /uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/, line.trim());
    });

    it(`${file}: never expands an expression inside a run: script, and checks out without persisted credentials`, () => {
      for (const [name, job] of Object.entries(parse(text).jobs)) {
        for (const step of job.steps) {
          if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `job ${name}, step ${step.name}`);
          if (actionOf(step) === 'actions/checkout') assert.equal(step.with['persist-credentials'], false, `job ${name}`);
        }
      }
    });
  }

  it('has Dependabot keep the action pins current', () => {
    const dependabot = parse(read('dependabot.yml'));
    assert.ok(dependabot.updates.some((update) => update['package-ecosystem'] === 'github-actions' && update.directory === '/'));
  });
});
