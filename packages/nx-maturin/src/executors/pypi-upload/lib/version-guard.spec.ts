import type { ArtefactManifest } from '../../../lib/artefact-manifest';
import { checkVersionIsNewest, type VersionGuardInput } from './version-guard';

const INDEX = 'https://pypi.org/simple/';
const SHA = 'ab'.repeat(32);

function manifestOf(version: string): ArtefactManifest {
  return {
    distribution: 'codetracer_python_recorder',
    version,
    artefacts: [
      { file: `codetracer_python_recorder-${version}-cp312-cp312-manylinux_2_17_x86_64.whl`, size: 1, sha256: SHA, kind: 'wheel', tags: [], interpreter: 'CPython 3.12' },
      { file: `codetracer_python_recorder-${version}.tar.gz`, size: 1, sha256: SHA, kind: 'sdist', tags: [], interpreter: null },
    ],
  } as ArtefactManifest;
}

function guard(version: string, published: Record<string, string | undefined>, allowOlderVersion = false): void {
  const input: VersionGuardInput = { manifest: manifestOf(version), version, indexUrl: INDEX, published: new Map(Object.entries(published)), projectName: 'recorder', allowOlderVersion };
  checkVersionIsNewest(input);
}

describe('checkVersionIsNewest', () => {
  let printed: string[];
  beforeEach(() => {
    printed = [];
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void printed.push(parts.join(' ')));
  });
  afterEach(() => jest.restoreAllMocks());

  it('refuses a version below the newest final release, naming the project, both versions, the index, the bump and the option', () => {
    expect(() => guard('0.1.0', { 'codetracer_python_recorder-0.3.0.tar.gz': undefined, 'codetracer_python_recorder-0.4.0rc1.tar.gz': undefined })).toThrow(
      'Refusing to publish codetracer-python-recorder 0.1.0 (project recorder) to https://pypi.org/simple/: the newest release there is 0.3.0, and 0.1.0 is ' +
        'not newer, so `pip install -U codetracer-python-recorder` would keep 0.3.0 and users would never get this release. Nothing was uploaded. ' +
        'Next step: set the version above 0.3.0 (e.g. `npx nx release version 0.4.0 --projects=recorder`), rebuild and publish again; for a deliberate ' +
        'release below the newest one (a backport such as a fix to an older line), set the option allowOlderVersion: true (--allowOlderVersion).',
    );
  });

  it('lets a backport below the newest release go with allowOlderVersion, saying what pip -U will do', () => {
    guard('0.2.5', { 'codetracer_python_recorder-0.3.0.tar.gz': undefined }, true);
    expect(printed.join('\n')).toContain('publishing codetracer-python-recorder 0.2.5 below 0.3.0 on https://pypi.org/simple/ on purpose (allowOlderVersion); `pip install -U` keeps 0.3.0.');
  });

  it('passes a newer version, a pre-release above the newest final one, and a project the index has never seen', () => {
    guard('0.4.0', { 'codetracer_python_recorder-0.3.0.tar.gz': undefined, 'codetracer_python_recorder-0.5.0a1.tar.gz': undefined });
    guard('0.4.0rc1', { 'codetracer_python_recorder-0.3.0.tar.gz': undefined });
    guard('0.1.0', {});
    expect(printed).toEqual([
      'Version check: codetracer-python-recorder 0.4.0 is newer than 0.3.0, the newest release on https://pypi.org/simple/.',
      'Version check: codetracer-python-recorder 0.4.0rc1 is newer than 0.3.0, the newest release on https://pypi.org/simple/.',
      'Version check: https://pypi.org/simple/ has no release of codetracer-python-recorder yet.',
    ]);
  });

  it('refuses a version the index holds from another build, before the index refuses the upload', () => {
    expect(() => guard('0.3.0', { 'codetracer_python_recorder-0.3.0.tar.gz': 'cd'.repeat(32) })).toThrow(
      /the index already has version 0\.3\.0, with 1 file\(s\) that are not this build's \(other names or other sha256\): codetracer_python_recorder-0\.3\.0\.tar\.gz\. An index never accepts a file name twice \(PyPI refuses re-uploads/,
    );
    // PyPI's real state for the recorder: 0.1.0 (the repository's version) is there, from another build, below 0.3.0.
    const recorderOnPypi = Object.fromEntries(
      ['0.1.0', '0.2.0', '0.3.0'].flatMap((version) => ['cp312-cp312-win_amd64', 'cp313-cp313-win_amd64', 'cp313-cp313-macosx_11_0_arm64'].map((tags) => [`codetracer_python_recorder-${version}-${tags}.whl`, 'cd'.repeat(32)])),
    );
    recorderOnPypi['codetracer_python_recorder-0.1.0.tar.gz'] = 'cd'.repeat(32);
    expect(() => guard('0.1.0', recorderOnPypi)).toThrow(
      /already has version 0\.1\.0, with 4 file\(s\) that are not this build's \(other names or other sha256\): codetracer_python_recorder-0\.1\.0-cp312-cp312-win_amd64\.whl, \S+, \S+ and 1 more; its newest release is 0\.3\.0\.[\s\S]*`npx nx release version 0\.4\.0 --projects=recorder`/,
    );
    expect(() => guard('0.4.0rc1', { 'codetracer_python_recorder-0.4.0rc1-cp313-cp313-win_amd64.whl': undefined })).toThrow(/set the version above 0\.4\.0rc1/);
  });

  it('leaves yanked files out of the newest release, as pip does, but still refuses their file names', () => {
    const yankedAbove = (published: Record<string, string | undefined>) => Object.assign(new Map(Object.entries(published)), { yanked: new Set(['codetracer_python_recorder-0.5.0.tar.gz']) });
    const input = (version: string, published: Record<string, string | undefined>): VersionGuardInput => ({
      manifest: manifestOf(version), version, indexUrl: INDEX, published: yankedAbove(published), projectName: 'recorder', allowOlderVersion: false,
    });
    checkVersionIsNewest(input('0.4.1', { 'codetracer_python_recorder-0.4.0.tar.gz': undefined, 'codetracer_python_recorder-0.5.0.tar.gz': undefined }));
    expect(printed).toEqual(['Version check: codetracer-python-recorder 0.4.1 is newer than 0.4.0, the newest release on https://pypi.org/simple/.']);
    expect(() => checkVersionIsNewest(input('0.5.0', { 'codetracer_python_recorder-0.5.0.tar.gz': 'cd'.repeat(32) }))).toThrow(/the index already has version 0\.5\.0/);
  });

  it('continues a release of this same build that stopped half way', () => {
    guard('0.3.0', { 'codetracer_python_recorder-0.3.0.tar.gz': SHA, 'codetracer_python_recorder-0.2.0.tar.gz': undefined });
    expect(printed).toEqual([
      'Version check: https://pypi.org/simple/ already holds 1 file(s) of codetracer-python-recorder 0.3.0 from this build (same names and sha256); continuing that release.',
    ]);
  });
});
