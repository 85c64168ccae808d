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
  const name = distribution.toLowerCase().replace(/[-_.]+/g, '-');
  const base = indexUrl.replace(/\/+$/, '');
  const url = /^https?:\/\/(test\.)?pypi\.org$/.test(base)
    ? `${base}/pypi/${name}/json`
    : `${base.endsWith('/simple') ? base : `${base}/simple`}/${name}/`;
  const response = await fetch(url, { headers: { Accept: 'application/vnd.pypi.simple.v1+json, application/json;q=0.9, text/html;q=0.1' } });
  if (response.status === 404) return { version: null, logText: `${distribution} is not on ${url}` };
  if (!response.ok) {
    throw new Error(`Asking ${url} for ${distribution}'s versions failed with HTTP ${response.status} ${response.statusText}; check the registry URL.`);
  }
  const body = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const candidates = contentType.includes('json') ? versionsFromJson(JSON.parse(body) as unknown, name) : versionsFromFileNames(linkTexts(body), name);
  const version = newestSemver(candidates);
  return { version, logText: version === null ? `no release of ${distribution} with a SemVer form on ${url}` : `from ${url}` };
}

function versionsFromJson(body: unknown, name: string): string[] {
  const record = (body ?? {}) as { info?: { version?: unknown }; releases?: Record<string, unknown>; versions?: unknown; files?: unknown };
  if (record.releases && typeof record.releases === 'object') return Object.keys(record.releases);
  if (Array.isArray(record.versions)) return record.versions.filter((version): version is string => typeof version === 'string');
  if (Array.isArray(record.files)) {
    return versionsFromFileNames(record.files.map((file) => String((file as { filename?: unknown }).filename ?? '')), name);
  }
  return typeof record.info?.version === 'string' ? [record.info.version] : [];
}

function linkTexts(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*>([^<]+)<\/a>/gi)].map((match) => (match[1] ?? '').trim());
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
    return distribution.toLowerCase().replace(/[-_.]+/g, '-') === name && version ? [version] : [];
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
