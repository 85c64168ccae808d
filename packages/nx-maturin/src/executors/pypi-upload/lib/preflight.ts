import { type ArtefactManifest, readManifest, verifyManifest } from '../../../lib/artefact-manifest';
import { displayUrl, type PublishedFiles } from '../../../lib/index-client/index-client';
import { runCaptured } from '../../../lib/run-process';
import { checkVersionSources } from '../../../lib/versions/version-sources';
import type { NormalizedPypiUploadOptions } from './normalize-options';
import { listPublishedFilesWithRetries } from './published-files';
import { platformTagsPypiRefuses } from './pypi-platform-tags';
import { checkVersionIsNewest } from './version-guard';

export interface PreflightResult {
  manifest: ArtefactManifest;
  pep440: string;
  /** What a remote index already holds for the distribution; null for the embedded index, which is not running yet. */
  published: PublishedFiles | null;
}

/**
 * Everything that can be known before one byte is sent: the artefacts are the ones built (hashes), they carry the
 * version every source agrees on, for PyPI the tree is committed and tagged, and on a remote index the version is
 * newer than what users already get. The embedded index is left out of the version check: it holds only this
 * workspace's own trial releases, where publishing the same version again after a rebuild is everyday work.
 */
export async function preflight(
  options: NormalizedPypiUploadOptions,
  workspaceRoot: string,
  projectName: string,
  projectRoot: string,
): Promise<PreflightResult> {
  const manifest = readManifest(options.artefactDir, options.buildTarget);
  await verifyManifest(options.artefactDir, manifest);
  if (manifest.artefacts.length === 0) {
    throw new Error(`${options.artefactDir}/artefacts.json lists no artefacts; rebuild with \`nx run ${options.buildTarget}\`.`);
  }
  const { version, pep440 } = await checkVersionSources({ workspaceRoot, projectRoot, projectName, tagPattern: options.tagPattern });
  if (manifest.version !== pep440) {
    throw new Error(
      `${options.artefactDir}/artefacts.json: field "version" is ${manifest.version}, but the version sources say ${pep440}; ` +
        `the artefacts are stale. Next step: \`nx run ${options.buildTarget}\`.`,
    );
  }
  if (options.repository.kind === 'pypi' || options.repository.kind === 'testpypi') {
    const refused = platformTagsPypiRefuses(manifest, options.artefactDir);
    if (refused.length > 0) {
      throw new Error(
        `Refusing to upload to ${options.repository.kind === 'pypi' ? 'PyPI' : 'TestPyPI'}, which accepts only manylinux_* or musllinux_* Linux wheels:\n  ${refused.join('\n  ')}\n` +
          `Next step: build with a manylinux policy (the build option compatibility, e.g. "manylinux2014", or [tool.maturin].compatibility = "pypi" ` +
          `instead of "linux"), then \`nx run ${options.buildTarget}\` again.`,
      );
    }
  }
  if (options.repository.kind === 'pypi') await checkReleaseState(options, workspaceRoot, projectName, version, pep440);
  if (options.repository.kind === 'local') return { manifest, pep440, published: null };
  // Last, because it is the one check that needs the network.
  const { indexUrl } = options.repository;
  const published = await listPublishedFilesWithRetries(indexUrl, manifest.distribution, { attempts: options.uploadAttempts, delayMs: options.retryDelayMs });
  checkVersionIsNewest({ manifest, version: pep440, indexUrl: displayUrl(indexUrl), published, projectName, allowOlderVersion: options.allowOlderVersion });
  return { manifest, pep440, published };
}

async function checkReleaseState(
  options: NormalizedPypiUploadOptions,
  workspaceRoot: string,
  projectName: string,
  semver: string,
  pep440: string,
): Promise<void> {
  if (!options.allowDirty) {
    const { stdout } = await runCaptured('git', ['status', '--porcelain'], { cwd: workspaceRoot });
    if (stdout.trim()) {
      const changes = stdout.trim().split('\n');
      throw new Error(
        `Refusing to publish to PyPI from a working tree with uncommitted changes (git status --porcelain in ${workspaceRoot}):\n  ` +
          `${changes.slice(0, 10).join('\n  ')}${changes.length > 10 ? `\n  ... ${changes.length - 10} more` : ''}\n` +
          'Next step: commit or stash them, or pass --allowDirty to publish anyway.',
      );
    }
  }
  if (!options.allowUntagged) {
    const expected = [...new Set([semver, pep440])].map((version) => options.tagPattern.replace('{projectName}', projectName).replace('{version}', version));
    const { stdout } = await runCaptured('git', ['tag', '--points-at', 'HEAD'], { cwd: workspaceRoot });
    const tags = stdout.split('\n').map((tag) => tag.trim()).filter(Boolean);
    if (!tags.some((tag) => expected.includes(tag))) {
      throw new Error(
        `Refusing to publish to PyPI: no tag ${expected.join(' or ')} points at HEAD (tags at HEAD: ${tags.join(', ') || 'none'}). ` +
          `Next step: \`git tag ${expected[0]}\` on the release commit, or pass --allowUntagged.`,
      );
    }
  }
}
