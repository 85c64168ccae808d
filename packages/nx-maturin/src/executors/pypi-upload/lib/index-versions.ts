import { clean, explain, rcompare, valid } from '@renovatebot/pep440';
import { normalizeDistributionName } from '../../../lib/index-client/index-client';

/** The archive suffixes of source distributions an index may still serve (PEP 625 allows only .tar.gz today). */
const SDIST_SUFFIXES = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tar'];

/**
 * The PEP 440 version (normalised) in the name of a wheel or sdist of `distribution`, or null for any other file.
 * The name part is matched after PEP 503 normalisation, because wheels spell `my-pkg` as `my_pkg` and old sdists
 * kept the project's own capitals and dots.
 */
export function versionOfDistributionFile(fileName: string, distribution: string): string | null {
  const isWheel = fileName.endsWith('.whl');
  const sdistSuffix = SDIST_SUFFIXES.find((suffix) => fileName.toLowerCase().endsWith(suffix));
  if (!isWheel && !sdistSuffix) return null;
  const parts = fileName.slice(0, fileName.length - (isWheel ? '.whl' : sdistSuffix!).length).split('-');
  const wanted = normalizeDistributionName(distribution);
  for (let nameParts = 1; nameParts < parts.length; nameParts += 1) {
    if (normalizeDistributionName(parts.slice(0, nameParts).join('-')) !== wanted) continue;
    // A wheel's version is one dash-free field (tags follow); an old sdist may spell a post release as `1.0-1`.
    const version = isWheel ? parts[nameParts]! : parts.slice(nameParts).join('-');
    return normalizedVersion(version);
  }
  return null;
}

/**
 * PEP 440 normal form, or null. The local part is normalised here because @renovatebot/pep440 4.2.4's `clean` joins
 * its segments with commas (`1.0+local.1` -> `1.0+local,1`), a string its own comparisons then crash on.
 */
function normalizedVersion(text: string): string | null {
  const [publicPart = '', local, ...rest] = text.split('+');
  const cleaned = clean(publicPart);
  if (rest.length > 0 || !cleaned || explain(cleaned)?.local) return null;
  if (local === undefined) return cleaned;
  const normalized = `${cleaned}+${local.toLowerCase().replace(/[-_]/g, '.')}`;
  return valid(normalized) ? normalized : null;
}

/** Every version of `distribution` found among an index's file names, newest first. */
export function versionsOnIndex(fileNames: Iterable<string>, distribution: string): string[] {
  const versions = new Set<string>();
  for (const fileName of fileNames) {
    const version = versionOfDistributionFile(fileName, distribution);
    if (version) versions.add(version);
  }
  return [...versions].sort(rcompare);
}

/** The newest version that is neither a pre-release nor a development release: the one `pip install -U` picks. */
export function newestFinalRelease(versions: string[]): string | null {
  return [...versions].sort(rcompare).find((version) => !explain(version)?.is_prerelease) ?? null;
}
