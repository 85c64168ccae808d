import { normalizePep440, parseAnyVersion, pep440ToSemver, semverToPep440, VersionMappingError } from './pep440';
import { formatVersionTable } from './version-sources';

describe('pep440', () => {
  it.each([
    ['1.2.3', '1.2.3'],
    ['0.3.0-alpha.1', '0.3.0a1'],
    ['0.3.0-beta.2', '0.3.0b2'],
    ['0.3.0-rc.1', '0.3.0rc1'],
    ['0.3.0-dev.4', '0.3.0.dev4'],
    ['10.0.0-rc.0', '10.0.0rc0'],
  ])('maps SemVer %s to PEP 440 %s and back', (semver, pep440) => {
    expect(semverToPep440(semver)).toBe(pep440);
    expect(pep440ToSemver(pep440)).toBe(semver);
  });

  it.each([
    ['1.0.0-1', /pre-release "-1" has no PEP 440 counterpart/],
    ['1.0.0-alpha', /pre-release "-alpha" has no PEP 440 counterpart/],
    ['1.0.0-rc.1.2', /pre-release "-rc.1.2"/],
    ['1.0.0+build.5', /build metadata "\+build.5"/],
    ['1.0', /not a SemVer version/],
  ])('refuses SemVer %s and says why', (version, reason) => {
    expect(() => semverToPep440(version, 'Cargo.toml')).toThrow(VersionMappingError);
    expect(() => semverToPep440(version, 'Cargo.toml')).toThrow(reason);
    expect(() => semverToPep440(version, 'Cargo.toml')).toThrow(`"${version}" (from Cargo.toml) cannot be used`);
  });

  it.each([
    ['1!1.0.0', /epochs/],
    ['1.0.0.post1', /post-releases/],
    ['1.0.0-1', /post-releases/],
    ['1.0.0+local', /local versions/],
    ['1.0', /exactly three numbers/],
    ['1.0.0a1.dev2', /development release of a pre-release/],
    ['1.0.0-alpha1-dev2', /development release of a pre-release has no SemVer counterpart \(normalised: 1\.0\.0a1\.dev2\)/],
    ['1.0.0-r3', /post-releases .*\(normalised: 1\.0\.0\.post3\)/],
    ['1.0.0-foo', /not a valid PEP 440 version/],
  ])('refuses PEP 440 %s and says why', (version, reason) => {
    expect(() => pep440ToSemver(version, 'pyproject.toml')).toThrow(reason);
    expect(() => pep440ToSemver(version, 'pyproject.toml')).toThrow('(from pyproject.toml)');
  });

  it.each([
    ['1.0.0-alpha1', '1.0.0a1', '1.0.0-alpha.1'],
    ['1.0.0.ALPHA.1', '1.0.0a1', '1.0.0-alpha.1'],
    ['v1.0.0beta2', '1.0.0b2', '1.0.0-beta.2'],
    ['1.0.0-c3', '1.0.0rc3', '1.0.0-rc.3'],
    ['1.0.0pre', '1.0.0rc0', '1.0.0-rc.0'],
    ['1.0.0_preview_1', '1.0.0rc1', '1.0.0-rc.1'],
    ['1.0.0-rc.1', '1.0.0rc1', '1.0.0-rc.1'],
    ['1.0.0-dev', '1.0.0.dev0', '1.0.0-dev.0'],
    ['1.0.0dev7', '1.0.0.dev7', '1.0.0-dev.7'],
    ['01.002.0003', '1.2.3', '1.2.3'],
    [' 1.0.0RC01 ', '1.0.0rc1', '1.0.0-rc.1'],
  ])('accepts the PEP 440 spelling %s as %s (SemVer %s)', (written, canonical, semver) => {
    expect(normalizePep440(written)).toBe(canonical);
    expect(pep440ToSemver(written)).toBe(semver);
  });

  it.each([
    ['1.0.0-1', '1.0.0.post1'],
    ['1!2.0.0', '1!2.0.0'],
    ['1.0.0+Ubuntu-1', '1.0.0+ubuntu.1'],
  ])('normalises %s to %s before refusing it', (written, canonical) => {
    expect(normalizePep440(written)).toBe(canonical);
    expect(() => pep440ToSemver(written)).toThrow(VersionMappingError);
  });

  it('reads a typed version in either notation as SemVer', () => {
    expect(parseAnyVersion('0.3.0-rc.1')).toBe('0.3.0-rc.1');
    expect(parseAnyVersion('0.3.0rc1')).toBe('0.3.0-rc.1');
    expect(parseAnyVersion('0.3.0-alpha1')).toBe('0.3.0-alpha.1');
    expect(parseAnyVersion('0.3.0-preview')).toBe('0.3.0-rc.0');
    expect(() => parseAnyVersion('1.0.0-1')).toThrow(/pre-release "-1" has no PEP 440 counterpart/);
    expect(parseAnyVersion(' 2.0.0 ')).toBe('2.0.0');
    expect(() => parseAnyVersion('0.3.0-snapshot', '--write')).toThrow('"0.3.0-snapshot" (from --write) cannot be used');
    expect(() => parseAnyVersion('banana', '--write')).toThrow(/neither a SemVer version/);
  });

  it('shows a non-canonical PEP 440 spelling with its canonical form in the version table', () => {
    const table = formatVersionTable([
      { name: 'Cargo.toml [package].version', file: 'Cargo.toml', version: '1.0.0-alpha.1', normalized: '1.0.0-alpha.1' },
      { name: 'pyproject.toml [project].version', file: 'pyproject.toml', version: '1.0.0-alpha1', normalized: pep440ToSemver('1.0.0-alpha1') },
      { name: '__version__', file: '__init__.py', version: '1.0.0a1', normalized: pep440ToSemver('1.0.0a1') },
    ]);
    expect(table).toMatch(/✓\s+pyproject\.toml \[project\]\.version\s+pyproject\.toml\s+1\.0\.0-alpha1 -> 1\.0\.0a1\s+1\.0\.0-alpha\.1/);
    expect(table).toMatch(/✓\s+__version__\s+__init__\.py\s+1\.0\.0a1\s+1\.0\.0-alpha\.1$/m);
    expect(table).toMatch(/✓\s+Cargo\.toml \[package\]\.version\s+Cargo\.toml\s+1\.0\.0-alpha\.1\s+1\.0\.0-alpha\.1$/m);
  });
});
