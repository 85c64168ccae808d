#!/usr/bin/env node
// The release tag a workflow run was started for is one a release manager made on purpose: an annotated tag (a
// lightweight one carries no tagger, date or message), on a commit of the default branch (so it went through a
// reviewed pull request), naming the version every manifest of the project states (checked by the plugin's
// version-sources, the same code as the version-sync target). Nothing is uploaded by a run that fails here.
// With --kind=npm the project is an npm package (the nx-maturin plugin): the one version source is the "version"
// of <project-root>/package.json, which must equal the tag's version exactly (npm versions have one spelling).
//
// Usage (the `workflows:check-release-tag` target runs it with the recorder's values):
//   node .github/scripts/check-release-tag.mjs --project=recorder --project-root=codetracer-python-recorder
//     [--tag=recorder-v1.2.0] [--default-branch=main] [--branch-ref=refs/remotes/origin/main] [--repo=<git folder>]
//   node .github/scripts/check-release-tag.mjs --kind=npm --project=nx-maturin --project-root=packages/nx-maturin
// --tag defaults to the tag in GITHUB_REF; --branch-ref to refs/remotes/origin/<default branch>, which a checkout
// with fetch-depth: 0 provides (it also fetches annotated tags as they are, where a depth-1 checkout of a tag
// writes a lightweight one).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const versionSourcesModule = join(workspaceRoot, 'packages', 'nx-maturin', 'dist', 'lib', 'versions', 'version-sources.js');

function git(repo, args) {
  const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (result.error) throw new Error(`git could not be started: ${result.error.message}`);
  return { ok: result.status === 0, out: result.stdout.trim(), err: result.stderr.trim() };
}

async function main() {
  const { values } = parseArgs({
    options: {
      tag: { type: 'string' },
      project: { type: 'string' },
      kind: { type: 'string', default: 'maturin' },
      'project-root': { type: 'string' },
      'tag-pattern': { type: 'string', default: '{projectName}-v{version}' },
      'default-branch': { type: 'string', default: 'main' },
      'branch-ref': { type: 'string' },
      repo: { type: 'string', default: process.cwd() },
    },
  });
  if (!values.project || !values['project-root']) throw new Error('--project and --project-root are required (e.g. --project=recorder --project-root=codetracer-python-recorder)');
  if (!['maturin', 'npm'].includes(values.kind)) throw new Error(`--kind is "${values.kind}"; expected maturin (a Python package built with maturin) or npm (an npm package)`);
  const repo = resolve(values.repo);
  const githubRef = process.env.GITHUB_REF;
  const tag = values.tag ?? (githubRef?.startsWith('refs/tags/') ? githubRef.slice('refs/tags/'.length) : undefined);
  if (!tag) {
    throw new Error(`no release tag: --tag is not given and GITHUB_REF is ${githubRef ? `"${githubRef}"` : 'not set'}; expected refs/tags/${values['tag-pattern'].replace('{projectName}', values.project).replace('{version}', '<version>')}`);
  }

  const type = git(repo, ['cat-file', '-t', `refs/tags/${tag}`]);
  if (!type.ok) throw new Error(`tag ${tag} does not exist in ${repo} (git cat-file -t refs/tags/${tag}: ${type.err})`);
  if (type.out !== 'tag') {
    throw new Error(
      `tag ${tag} is a lightweight tag (it points straight at a ${type.out}); expected an annotated tag. Next step: ` +
        `git tag -d ${tag} && git push origin :refs/tags/${tag}, then git tag -a ${tag} -m "<release notes>" <commit> && git push origin ${tag}`,
    );
  }

  const commit = git(repo, ['rev-parse', `refs/tags/${tag}^{commit}`]).out;
  const branchRef = values['branch-ref'] ?? `refs/remotes/origin/${values['default-branch']}`;
  const branchHead = git(repo, ['rev-parse', '--verify', '--quiet', `${branchRef}^{commit}`]);
  if (!branchHead.ok) {
    throw new Error(`${branchRef} does not exist in ${repo}, so tag ${tag} cannot be checked against the default branch ${values['default-branch']}; the checkout needs fetch-depth: 0`);
  }
  if (!git(repo, ['merge-base', '--is-ancestor', commit, branchHead.out]).ok) {
    throw new Error(
      `tag ${tag} points at ${commit}, which is not on the default branch ${values['default-branch']} (${branchRef} is at ${branchHead.out}); ` +
        'a release is tagged on a commit merged to the default branch. Next step: merge the release commit through a pull request and tag the merged commit.',
    );
  }

  if (values.kind === 'npm') {
    const expectedPrefix = values['tag-pattern'].replace('{projectName}', values.project).split('{version}')[0];
    if (!tag.startsWith(expectedPrefix)) throw new Error(`tag ${tag} does not start with ${expectedPrefix}: it is not a release tag of ${values.project} (tag pattern ${values['tag-pattern']})`);
    const tagVersion = tag.slice(expectedPrefix.length);
    const manifestPath = join(values['project-root'], 'package.json');
    const shown = git(repo, ['show', `${commit}:${manifestPath}`]);
    if (!shown.ok) throw new Error(`${manifestPath} does not exist at ${commit} (the commit of tag ${tag}): expected the npm package's manifest there`);
    let version;
    try {
      version = JSON.parse(shown.out).version;
    } catch (error) {
      throw new Error(`${manifestPath} at ${commit} is not valid JSON: ${error.message}`);
    }
    if (version !== tagVersion) {
      throw new Error(`tag ${tag} names version ${tagVersion}, but ${manifestPath} "version" is ${JSON.stringify(version)} at ${commit}; expected the same version. Next step: tag the commit whose package.json states ${tagVersion}, or release ${version} with tag ${expectedPrefix}${version}`);
    }
    console.log(`check-release-tag: ${tag} is annotated, points at ${commit} on ${values['default-branch']}, and names ${values.project} ${version} as ${manifestPath} does.`);
    return;
  }

  if (!existsSync(versionSourcesModule)) {
    throw new Error(`${versionSourcesModule} does not exist: the plugin is not compiled. Next step: node tools/bootstrap/bootstrap.mjs (or npx nx run nx-maturin:build)`);
  }
  const { checkVersionSources } = await import(pathToFileURL(versionSourcesModule).href);
  const { pep440 } = await checkVersionSources({ workspaceRoot: repo, projectRoot: values['project-root'], projectName: values.project, tag, tagPattern: values['tag-pattern'] });
  console.log(`check-release-tag: ${tag} is annotated, points at ${commit} on ${values['default-branch']}, and names ${values.project} ${pep440} as every version source does.`);
}

try {
  await main();
} catch (error) {
  console.error(`check-release-tag: ${error.message}`);
  process.exit(1);
}
