import { eq, gt, inc } from '@renovatebot/pep440';
import type { ArtefactManifest } from '../../../lib/artefact-manifest';
import { normalizeDistributionName, type PublishedFiles } from '../../../lib/index-client/index-client';
import { newestFinalRelease, versionOfDistributionFile, versionsOnIndex } from './index-versions';

export interface VersionGuardInput {
  manifest: ArtefactManifest;
  /** The PEP 440 version being published. */
  version: string;
  indexUrl: string;
  published: PublishedFiles;
  projectName: string;
  allowOlderVersion: boolean;
}

/**
 * Refuses a release that users would never get: `pip install -U` keeps the newest final release on the index, so a
 * version that is not above it (a renamed or forked package, a typo in a bump) is published and then ignored. A
 * version the index already holds from another build is refused too, since an index never takes a file name twice.
 * A rerun of this same build (every file of the version on the index is one of ours, same sha256) goes on: it
 * finishes a release that was interrupted.
 */
export function checkVersionIsNewest(input: VersionGuardInput): void {
  const { manifest, version, indexUrl, published, projectName } = input;
  const pipName = normalizeDistributionName(manifest.distribution);
  const ours = new Map(manifest.artefacts.map((entry) => [entry.file, entry.sha256]));
  const filesOfThisVersion = [...published.keys()].filter((file) => {
    const fileVersion = versionOfDistributionFile(file, manifest.distribution);
    return fileVersion !== null && eq(fileVersion, version);
  });
  const fromThisBuild = (file: string) => ours.has(file) && [undefined, ours.get(file)].includes(published.get(file));
  if (filesOfThisVersion.length > 0 && filesOfThisVersion.every(fromThisBuild)) {
    console.log(`Version check: ${indexUrl} already holds ${filesOfThisVersion.length} file(s) of ${pipName} ${version} from this build (same names and sha256); continuing that release.`);
    return;
  }

  // pip skips yanked files, so a yanked release is not the one users keep; its file names stay taken (above).
  const versions = versionsOnIndex([...published.keys()].filter((file) => !published.yanked?.has(file)), manifest.distribution);
  const newestFinal = newestFinalRelease(versions);
  const bump = (above: string) =>
    `set the version above ${above} (e.g. \`npx nx release version ${inc(above, 'minor') ?? '<version>'} --projects=${projectName}\`), rebuild and publish again`;
  const optionHint = 'set the option allowOlderVersion: true (--allowOlderVersion)';

  if (filesOfThisVersion.length > 0) {
    const foreign = filesOfThisVersion.filter((file) => !fromThisBuild(file));
    const newer = newestFinal && gt(newestFinal, version) ? newestFinal : null;
    if (!input.allowOlderVersion) {
      throw new Error(
        `Refusing to publish ${pipName} ${version} (project ${projectName}) to ${indexUrl}: the index already has version ${version}, with ` +
          `${foreign.length} file(s) that are not this build's (other names or other sha256): ${listed(foreign)}` +
          `${newer ? `; its newest release is ${newer}` : ''}. An index never accepts a file name twice (PyPI refuses re-uploads, even of ` +
          `deleted files), so this release would fail or mix two builds. Nothing was uploaded. Next step: ${bump(newer ?? version)}; ` +
          `to add this build's other files to that existing release on purpose (e.g. a wheel for a new platform), ${optionHint}.`,
      );
    }
    console.log(`Version check: ${indexUrl} already has ${pipName} ${version}; adding this build's files to it (allowOlderVersion).`);
    return;
  }

  if (newestFinal && !gt(version, newestFinal)) {
    if (!input.allowOlderVersion) {
      throw new Error(
        `Refusing to publish ${pipName} ${version} (project ${projectName}) to ${indexUrl}: the newest release there is ${newestFinal}, and ${version} is ` +
          `not newer, so \`pip install -U ${pipName}\` would keep ${newestFinal} and users would never get this release. Nothing was uploaded. ` +
          `Next step: ${bump(newestFinal)}; for a deliberate release below the newest one (a backport such as a fix to an older line), ${optionHint}.`,
      );
    }
    console.log(`Version check: publishing ${pipName} ${version} below ${newestFinal} on ${indexUrl} on purpose (allowOlderVersion); \`pip install -U\` keeps ${newestFinal}.`);
    return;
  }
  console.log(
    newestFinal
      ? `Version check: ${pipName} ${version} is newer than ${newestFinal}, the newest release on ${indexUrl}.`
      : `Version check: ${indexUrl} has no release of ${pipName} yet${versions.length > 0 ? ` (only pre-releases: ${versions.join(', ')})` : ''}.`,
  );
}

/** A few names and a count: a release may hold dozens of wheels, and the first ones say enough. */
function listed(files: string[]): string {
  const shown = 3;
  return files.length <= shown ? files.join(', ') : `${files.slice(0, shown).join(', ')} and ${files.length - shown} more`;
}
