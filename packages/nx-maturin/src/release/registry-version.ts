import { listPublishedFiles, normalizeDistributionName, projectPageUrl } from '../lib/index-client/index-client';
import { pep440ToSemver } from '../lib/versions/pep440';

export interface IndexVersion {
  /** The newest release in SemVer form, or null when the index does not have the project. */
  version: string | null;
  logText: string;
}

/**
 * The newest version of a distribution on a package index. PyPI and TestPyPI answer on their JSON API
 * (`/pypi/<name>/json`); any other URL is treated as a simple index (pypiserver, devpi, ...) and asked for the
 * PEP 691 JSON form, falling back to the HTML links. Versions with no SemVer form are skipped: nx release could
 * not bump from them.
 */
export async function latestVersionOnIndex(indexUrl: string, distribution: string): Promise<IndexVersion> {
  const name = normalizeDistributionName(distribution);
  const base = indexUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/(test\.)?pypi\.org$/.test(base)) {
    const simpleIndex = base.endsWith('/simple') ? base : `${base}/simple`;
    const files = await listPublishedFiles(simpleIndex, distribution);
    const page = projectPageUrl(simpleIndex, distribution);
    if (files.size === 0) return { version: null, logText: `${distribution} is not on ${page}` };
    return describeNewest(versionsFromFileNames([...files.keys()], name), distribution, page);
  }
  const url = `${base}/pypi/${name}/json`;
  const response = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
  if (response.status === 404) return { version: null, logText: `${distribution} is not on ${url}` };
  if (!response.ok) {
    throw new Error(`Asking ${url} for ${distribution}'s versions failed with HTTP ${response.status} ${response.statusText}; check the registry URL.`);
  }
  return describeNewest(versionsFromJson((await response.json()) as unknown), distribution, url);
}

function describeNewest(candidates: string[], distribution: string, url: string): IndexVersion {
  const version = newestSemver(candidates);
  return { version, logText: version === null ? `no release of ${distribution} with a SemVer form on ${url}` : `from ${url}` };
}

function versionsFromJson(body: unknown): string[] {
  const record = (body ?? {}) as { info?: { version?: unknown }; releases?: Record<string, unknown> };
  if (record.releases && typeof record.releases === 'object') return Object.keys(record.releases);
  return typeof record.info?.version === 'string' ? [record.info.version] : [];
}

/** Wheels are `<name>-<version>-<tags>.whl` (name with `_`), sdists `<name>-<version>.tar.gz`; names compare normalised. */
function versionsFromFileNames(fileNames: string[], name: string): string[] {
  return fileNames.flatMap((fileName) => {
    let distribution: string;
    let version: string;
    if (fileName.endsWith('.whl')) {
      [distribution = '', version = ''] = fileName.split('-');
    } else if (fileName.endsWith('.tar.gz')) {
      const stem = fileName.slice(0, -'.tar.gz'.length);
      distribution = stem.slice(0, stem.lastIndexOf('-'));
      version = stem.slice(stem.lastIndexOf('-') + 1);
    } else {
      return [];
    }
    return normalizeDistributionName(distribution) === name && version ? [version] : [];
  });
}

const PHASE_RANK: Record<string, number> = { dev: 0, alpha: 1, beta: 2, rc: 3 };

/** PEP 440 order (dev < alpha < beta < rc < final), which is not SemVer's for `dev`, so it is compared here. */
function newestSemver(pep440Versions: string[]): string | null {
  const parsed = pep440Versions.flatMap((version) => {
    try {
      const semver = pep440ToSemver(version);
      const [release = '', prerelease] = semver.split('-');
      const [phase = '', number = '0'] = prerelease ? prerelease.split('.') : [];
      const key = [...release.split('.').map(Number), prerelease ? (PHASE_RANK[phase] ?? 0) : 4, Number(number)];
      return [{ semver, key }];
    } catch {
      return [];
    }
  });
  parsed.sort((left, right) => {
    for (let index = 0; index < left.key.length; index++) {
      const difference = (left.key[index] ?? 0) - (right.key[index] ?? 0);
      if (difference !== 0) return difference;
    }
    return 0;
  });
  return parsed.at(-1)?.semver ?? null;
}
