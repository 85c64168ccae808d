/**
 * The one mapping between the SemVer versions Cargo and `nx release` use and the PEP 440 versions Python packaging
 * uses. Any valid PEP 440 spelling is read through its normalised form (`1.0.0-alpha1` is `1.0.0a1`); only the
 * normalised forms that survive a round trip unchanged are accepted:
 *
 *   SemVer         PEP 440
 *   1.2.3          1.2.3
 *   1.2.3-alpha.N  1.2.3aN
 *   1.2.3-beta.N   1.2.3bN
 *   1.2.3-rc.N     1.2.3rcN
 *   1.2.3-dev.N    1.2.3.devN
 *
 * Everything else is refused rather than guessed, because a guessed mapping is how the wheel on PyPI and the
 * crate end up claiming different versions.
 */

/** A version that has no faithful counterpart on the other side; the message names the version, its source and why. */
export class VersionMappingError extends Error {
  constructor(
    readonly version: string,
    readonly source: string | undefined,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(version)}${source ? ` (from ${source})` : ''} cannot be used: ${reason}`);
    this.name = 'VersionMappingError';
  }
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;
const SEMVER_PRERELEASE = /^(alpha|beta|rc|dev)\.(0|[1-9]\d*)$/;
const PEP440_CANONICAL = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:(a|b|rc)(0|[1-9]\d*)|\.dev(0|[1-9]\d*))?$/;

const SEMVER_TO_PEP440_PRERELEASE: Record<string, string> = { alpha: 'a', beta: 'b', rc: 'rc' };
const PEP440_TO_SEMVER_PRERELEASE: Record<string, string> = { a: 'alpha', b: 'beta', rc: 'rc' };

const ACCEPTED_SEMVER = 'X.Y.Z, X.Y.Z-alpha.N, X.Y.Z-beta.N, X.Y.Z-rc.N or X.Y.Z-dev.N';
const ACCEPTED_PEP440 = 'X.Y.Z, X.Y.ZaN, X.Y.ZbN, X.Y.ZrcN or X.Y.Z.devN';

export function semverToPep440(version: string, source?: string): string {
  const match = SEMVER.exec(version);
  if (!match) {
    throw new VersionMappingError(version, source, `it is not a SemVer version; expected ${ACCEPTED_SEMVER}`);
  }
  const [, major, minor, patch, prerelease, build] = match;
  if (build !== undefined) {
    throw new VersionMappingError(
      version,
      source,
      `build metadata "+${build}" has no PEP 440 counterpart (a PEP 440 local version cannot be uploaded to PyPI); drop it`,
    );
  }
  const release = `${major}.${minor}.${patch}`;
  if (prerelease === undefined) return release;
  const kind = SEMVER_PRERELEASE.exec(prerelease);
  if (!kind) {
    throw new VersionMappingError(
      version,
      source,
      `the pre-release "-${prerelease}" has no PEP 440 counterpart; use -alpha.N, -beta.N, -rc.N or -dev.N with a number N`,
    );
  }
  const [, label, number] = kind as unknown as [string, string, string];
  return label === 'dev' ? `${release}.dev${number}` : `${release}${SEMVER_TO_PEP440_PRERELEASE[label]}${number}`;
}

export function pep440ToSemver(version: string, source?: string): string {
  const canonical = normalizePep440(version, source);
  const match = PEP440_CANONICAL.exec(canonical);
  if (match) {
    const [, major, minor, patch, label, number, devNumber] = match;
    const release = `${major}.${minor}.${patch}`;
    if (label !== undefined) return `${release}-${PEP440_TO_SEMVER_PRERELEASE[label]}.${number}`;
    if (devNumber !== undefined) return `${release}-dev.${devNumber}`;
    return release;
  }
  throw new VersionMappingError(version, source, explainPep440Refusal(canonical, version));
}

/**
 * Any valid PEP 440 spelling, as packaging's version parser reads it: case-insensitive, an optional leading "v",
 * "-", "_" or "." (or nothing) around the pre/post/dev labels, alternative labels (alpha, beta, c, pre, preview,
 * rev, r) and omitted numbers (which mean 0).
 */
const PEP440_ANY_SPELLING =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(alpha|beta|preview|pre|a|b|c|rc)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/;

const PEP440_PRERELEASE_LABEL: Record<string, string> = { alpha: 'a', a: 'a', beta: 'b', b: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' };

/**
 * The normalised form (PEP 440 "Normalization") of any valid PEP 440 spelling, e.g. `1.0.0-alpha1` -> `1.0.0a1`,
 * `v1.0.0.RC.2` -> `1.0.0rc2`. Whether the result maps to SemVer is `pep440ToSemver`'s question, not this one's.
 */
export function normalizePep440(version: string, source?: string): string {
  const match = PEP440_ANY_SPELLING.exec(version.trim().toLowerCase());
  if (!match) {
    throw new VersionMappingError(version, source, `it is not a valid PEP 440 version; expected ${ACCEPTED_PEP440}`);
  }
  const [, epoch, release = '', preLabel, preNumber, implicitPost, postLabel, postNumber, devLabel, devNumber, local] = match;
  const number = (digits: string | undefined) => String(Number(digits ?? '0'));
  let canonical = epoch !== undefined ? `${number(epoch)}!` : '';
  canonical += release.split('.').map(number).join('.');
  if (preLabel !== undefined) canonical += `${PEP440_PRERELEASE_LABEL[preLabel]}${number(preNumber)}`;
  if (implicitPost !== undefined || postLabel !== undefined) canonical += `.post${number(implicitPost ?? postNumber)}`;
  if (devLabel !== undefined) canonical += `.dev${number(devNumber)}`;
  if (local !== undefined) canonical += `+${local.replace(/[-_]/g, '.')}`;
  return canonical;
}

/** Says which PEP 440 feature of a normalised version keeps it out of the mapping, so the fix is obvious. */
function explainPep440Refusal(canonical: string, asWritten: string): string {
  const spelled = canonical === asWritten.trim() ? '' : ` (normalised: ${canonical})`;
  if (/^\d+!/.test(canonical)) return `PEP 440 epochs ("N!") have no SemVer counterpart${spelled}`;
  if (canonical.includes('+')) return `PEP 440 local versions ("+...") have no SemVer counterpart and PyPI refuses them${spelled}`;
  if (canonical.includes('.post')) return `PEP 440 post-releases have no SemVer counterpart; release a new patch version instead${spelled}`;
  if (!/^\d+\.\d+\.\d+(?![.\d])/.test(canonical)) {
    return `the release must have exactly three numbers (X.Y.Z), as SemVer requires${spelled}`;
  }
  if (/(a|b|rc)\d+\.dev\d+$/.test(canonical)) return `a development release of a pre-release has no SemVer counterpart${spelled}`;
  return `it is not one of the accepted PEP 440 forms (${ACCEPTED_PEP440})${spelled}`;
}

/**
 * Reads a version a person typed, in either notation, and returns its SemVer form. SemVer is tried first, so
 * `1.2.3` is the same in both.
 */
export function parseAnyVersion(version: string, source?: string): string {
  const trimmed = version.trim();
  if (SEMVER.test(trimmed)) {
    try {
      semverToPep440(trimmed, source);
      return trimmed;
    } catch (semverRefusal) {
      // `1.0.0-alpha1` is SemVer in shape but only PEP 440 in meaning: let PEP 440 read it before refusing.
      if (!PEP440_ANY_SPELLING.test(trimmed.toLowerCase())) throw semverRefusal;
      try {
        return pep440ToSemver(trimmed, source);
      } catch {
        throw semverRefusal;
      }
    }
  }
  if (PEP440_ANY_SPELLING.test(trimmed.toLowerCase())) return pep440ToSemver(trimmed, source);
  throw new VersionMappingError(
    trimmed,
    source,
    `it is neither a SemVer version (${ACCEPTED_SEMVER}) nor a PEP 440 version (${ACCEPTED_PEP440})`,
  );
}
