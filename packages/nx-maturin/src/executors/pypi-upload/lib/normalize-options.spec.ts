import { normalizeOptions } from './normalize-options';

describe('pypi-upload normalizeOptions', () => {
  it('defaults to the local index with its generated password, no dry run, attestations when present and an install-back', () => {
    expect(normalizeOptions({ artefactDir: 'libs/hello/target/wheels' }, '/ws', 'hello', {})).toEqual({
      artefactDir: '/ws/libs/hello/target/wheels',
      repository: { kind: 'local' },
      skipExisting: false,
      dryRun: false,
      allowDirty: false,
      allowUntagged: false,
      allowOlderVersion: false,
      tagPattern: '{projectName}-v{version}',
      tokenEnvVar: 'UV_PUBLISH_TOKEN',
      credentials: 'none',
      attestations: 'when-present',
      installBack: true,
      importName: null,
      commands: null,
      smokeScripts: [],
      uploadAttempts: 4,
      retryDelayMs: 1000,
      buildTarget: 'hello:build',
    });
  });

  it('takes a token for a remote index unless another credential mode is named, whatever the environment holds', () => {
    const oidc = { GITHUB_ACTIONS: 'true', ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.actions.example/' };
    expect(normalizeOptions({ artefactDir: 'out', repository: 'pypi' }, '/ws', 'hello', oidc).credentials).toBe('token');
    expect(normalizeOptions({ artefactDir: 'out', repository: 'pypi', credentials: 'trusted-publishing' }, '/ws', 'hello', {}).credentials).toBe('trusted-publishing');
  });

  it('refuses an unknown credential or attestation mode and a credential mode for the local index', () => {
    expect(() => normalizeOptions({ artefactDir: 'out', repository: 'pypi', credentials: 'automatic' as never }, '/ws', 'hello', {})).toThrow(
      /option "credentials" is "automatic"; expected trusted-publishing, token, password, none\./,
    );
    expect(() => normalizeOptions({ artefactDir: 'out', attestations: 'always' as never }, '/ws', 'hello', {})).toThrow(/option "attestations" is "always"; expected required, when-present, off\./);
    expect(() => normalizeOptions({ artefactDir: 'out', credentials: 'token' }, '/ws', 'hello', {})).toThrow(/"credentials" is "token" with repository "local"/);
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

  it('takes `nx release publish --registry` over the configured repository', () => {
    expect(normalizeOptions({ artefactDir: 'out', repository: 'local', registry: 'testpypi' }, '/ws', 'hello', {}).repository).toMatchObject({ kind: 'testpypi' });
  });
});
