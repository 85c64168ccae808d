import { normalizeOptions } from './normalize-options';

describe('pypi-upload normalizeOptions', () => {
  it('defaults to the local index, no dry run, the UV_PUBLISH_TOKEN variable and automatic trusted publishing', () => {
    expect(normalizeOptions({ artefactDir: 'libs/hello/target/wheels' }, '/ws', 'hello', {})).toEqual({
      artefactDir: '/ws/libs/hello/target/wheels',
      repository: { kind: 'local' },
      skipExisting: false,
      dryRun: false,
      allowDirty: false,
      allowUntagged: false,
      tagPattern: '{projectName}-v{version}',
      tokenEnvVar: 'UV_PUBLISH_TOKEN',
      trustedPublishing: 'automatic',
      importName: null,
      commands: null,
      smokeScripts: [],
      uploadAttempts: 4,
      retryDelayMs: 1000,
      buildTarget: 'hello:build',
    });
  });

  it('resolves smoke scripts against the workspace root', () => {
    expect(normalizeOptions({ artefactDir: 'out', smokeScripts: ['libs/hello/scripts/smoke.py'] }, '/ws', 'hello', {}).smokeScripts).toEqual([
      '/ws/libs/hello/scripts/smoke.py',
    ]);
  });

  it('derives the upload and index URLs of testpypi and pypi', () => {
    expect(normalizeOptions({ artefactDir: 'out', repository: 'testpypi' }, '/ws', 'hello', {}).repository).toEqual({
      kind: 'testpypi',
      uploadUrl: 'https://test.pypi.org/legacy/',
      indexUrl: 'https://test.pypi.org/simple/',
    });
    expect(normalizeOptions({ artefactDir: 'out', repository: 'pypi' }, '/ws', 'hello', {}).repository).toMatchObject({ indexUrl: 'https://pypi.org/simple/' });
  });

  it('reads NX_DRY_RUN=true as a dry run', () => {
    expect(normalizeOptions({ artefactDir: 'out' }, '/ws', 'hello', { NX_DRY_RUN: 'true' }).dryRun).toBe(true);
  });

  it('asks for indexUrl when the repository is an upload URL', () => {
    expect(() => normalizeOptions({ artefactDir: 'out', repository: 'http://127.0.0.1:9/' }, '/ws', 'hello', {})).toThrow(/"indexUrl" \(its simple index/);
  });

  it('refuses an unknown repository name, listing the accepted ones', () => {
    expect(() => normalizeOptions({ artefactDir: 'out', repository: 'prod' }, '/ws', 'hello', {})).toThrow(/"repository" is "prod"; expected local, testpypi, pypi or an upload URL/);
  });
});
