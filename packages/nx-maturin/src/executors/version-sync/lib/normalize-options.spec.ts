import { normalizeOptions } from './normalize-options';

describe('normalizeOptions', () => {
  const context = {
    root: '/ws',
    projectName: 'hello',
    projectsConfigurations: { version: 2, projects: { hello: { root: 'libs/hello' } } },
  };

  it('fills the default tag pattern and takes no tag when the run was not started by one', () => {
    expect(normalizeOptions({}, context, {})).toEqual({
      check: { workspaceRoot: '/ws', projectRoot: 'libs/hello', projectName: 'hello', tagPattern: '{projectName}-v{version}' },
      write: undefined,
    });
  });

  it('takes the tag from GITHUB_REF unless one is given', () => {
    expect(normalizeOptions({}, context, { GITHUB_REF: 'refs/tags/hello-v1.0.0' }).check.tag).toBe('hello-v1.0.0');
    expect(normalizeOptions({}, context, { GITHUB_REF: 'refs/heads/main' }).check.tag).toBeUndefined();
    expect(normalizeOptions({ tag: 'v2.0.0' }, context, { GITHUB_REF: 'refs/tags/hello-v1.0.0' }).check.tag).toBe('v2.0.0');
  });

  it('turns a PEP 440 write version into SemVer and refuses one without a mapping', () => {
    expect(normalizeOptions({ write: '0.3.0rc1' }, context, {}).write).toBe('0.3.0-rc.1');
    expect(() => normalizeOptions({ write: '0.3.0.post1' }, context, {})).toThrow('"0.3.0.post1" (from the write option) cannot be used');
  });

  it('refuses to run without a project', () => {
    expect(() => normalizeOptions({}, { ...context, projectName: undefined }, {})).toThrow(/must run as a target of a project/);
  });

  it('passes the version-file options on, reading --changelog=false from the command line as false', () => {
    expect(normalizeOptions({ changelog: 'false', versionFile: 'python/hello/about.py', cargoVersion: 'independent' }, context, {}).check).toMatchObject({
      changelog: false,
      versionFile: 'python/hello/about.py',
      cargoVersion: 'independent',
    });
    expect(normalizeOptions({ changelog: true }, context, {}).check).not.toHaveProperty('changelog');
    expect(normalizeOptions({ changelog: 'docs/HISTORY.md' }, context, {}).check.changelog).toBe('docs/HISTORY.md');
    expect(() => normalizeOptions({ cargoVersion: 'separate' as 'independent' }, context, {})).toThrow(
      'version-sync option "cargoVersion" is "separate"; expected "shared" or "independent".',
    );
  });
});
