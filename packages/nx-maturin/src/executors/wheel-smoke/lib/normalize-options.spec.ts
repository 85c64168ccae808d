import { normalizeOptions } from './normalize-options';

describe('wheel-smoke normalizeOptions', () => {
  it('fills defaults: both interpreters, the --help command, the first interpreter for the sdist, <project>:build', () => {
    expect(normalizeOptions({ artefactDir: 'libs/hello/target/wheels', importName: 'hello_maturin' }, '/ws', 'hello')).toEqual({
      artefactDir: '/ws/libs/hello/target/wheels',
      pythonVersions: ['3.12', '3.13'],
      importName: 'hello_maturin',
      smokeScripts: [],
      commands: [['-m', 'hello_maturin', '--help']],
      sdistInterpreter: '3.12',
      buildTarget: 'hello:build',
    });
  });

  it('turns a single python version into a list and resolves scripts against the workspace root', () => {
    const normalized = normalizeOptions(
      { artefactDir: 'out', importName: 'pkg', pythonVersions: '3.13', smokeScripts: ['libs/hello/scripts/smoke_a.py'] },
      '/ws',
      'hello',
    );
    expect(normalized.pythonVersions).toEqual(['3.13']);
    expect(normalized.sdistInterpreter).toBe('3.13');
    expect(normalized.smokeScripts).toEqual(['/ws/libs/hello/scripts/smoke_a.py']);
  });

  it('refuses an sdist interpreter that is not among the configured ones, naming both', () => {
    expect(() => normalizeOptions({ artefactDir: 'out', importName: 'pkg', pythonVersions: ['3.12'], sdistInterpreter: '3.11' }, '/ws', 'hello')).toThrow(
      /"sdistInterpreter" is "3.11", which is not one of pythonVersions \(3.12\)/,
    );
  });

  it('names the missing importName option', () => {
    expect(() => normalizeOptions({ artefactDir: 'out' } as never, '/ws', 'hello')).toThrow(/option "importName" is missing/);
  });
});
