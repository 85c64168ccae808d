import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeOptions } from './normalize-options';

describe('wheel-smoke normalizeOptions', () => {
  it('fills defaults: both interpreters, the --help command, the first interpreter for the sdist, <project>:build, dependencies from PyPI', () => {
    expect(normalizeOptions({ artefactDir: 'libs/hello/target/wheels', importName: 'hello_maturin' }, '/ws', 'hello', 'libs/hello')).toEqual({
      artefactDir: '/ws/libs/hello/target/wheels',
      pythonVersions: ['3.12', '3.13'],
      importName: 'hello_maturin',
      smokeScripts: [],
      commands: [['-m', 'hello_maturin', '--help']],
      sdistInterpreter: undefined,
      buildTarget: 'hello:build',
      pythonPackage: true,
      checkWheelContentsIgnore: [],
      twineStrict: true,
      indexUrl: 'https://pypi.org/simple',
      noIndex: false,
      pyprojectFile: '/ws/libs/hello/pyproject.toml',
      sdistReuseBuild: true,
      sdistProfile: 'release',
      sdistCargoTargetDir: undefined,
      progressIntervalSeconds: 15,
    });
  });

  it('refuses a negative progress interval, naming the option and what it takes', () => {
    expect(() => normalizeOptions({ artefactDir: 'out', importName: 'pkg', progressIntervalSeconds: -1 }, '/ws', 'hello')).toThrow(
      'wheel-smoke for hello: option "progressIntervalSeconds" is -1; expected a number of seconds >= 0 (0 prints no progress lines).',
    );
  });

  it('takes the sdist build profile and a workspace-relative Cargo target folder for it', () => {
    const normalized = normalizeOptions({ artefactDir: 'libs/hello/target/wheels', importName: 'pkg', sdistProfile: 'dev', sdistCargoTargetDir: 'libs/hello/target/sdist-smoke' }, '/ws', 'hello');
    expect(normalized).toMatchObject({ sdistReuseBuild: false, sdistProfile: 'dev', sdistCargoTargetDir: '/ws/libs/hello/target/sdist-smoke' });
  });

  it("stops reusing the build's compilation by default once the sdist build is given a profile or folder of its own", () => {
    const base = { artefactDir: 'out', importName: 'pkg' };
    expect(normalizeOptions({ ...base, sdistProfile: 'dev' }, '/ws', 'hello').sdistReuseBuild).toBe(false);
    expect(normalizeOptions({ ...base, sdistCargoTargetDir: 'target/smoke' }, '/ws', 'hello').sdistReuseBuild).toBe(false);
    expect(normalizeOptions({ ...base, sdistReuseBuild: false }, '/ws', 'hello').sdistReuseBuild).toBe(false);
  });

  it('refuses sdistReuseBuild: true beside the options of an sdist build of its own', () => {
    const base = { artefactDir: 'out', importName: 'pkg', sdistReuseBuild: true };
    expect(() => normalizeOptions({ ...base, sdistProfile: 'dev', sdistCargoTargetDir: 'target/smoke' }, '/ws', 'hello')).toThrow(
      'wheel-smoke for hello: option "sdistReuseBuild" is true, and "sdistProfile" and "sdistCargoTargetDir" are set, which only apply to an sdist build that compiles on its own; remove them to reuse the build\'s compiled dependencies, or set sdistReuseBuild to false.',
    );
    expect(() => normalizeOptions({ ...base, sdistProfile: 'dev' }, '/ws', 'hello')).toThrow('and "sdistProfile" is set, which only apply');
  });

  it('refuses a Cargo target folder whose wheels/ folder is the artefact folder, where maturin would put the sdist-built wheel', () => {
    expect(() => normalizeOptions({ artefactDir: 'libs/hello/target/wheels', importName: 'pkg', sdistCargoTargetDir: 'libs/hello/target' }, '/ws', 'hello')).toThrow(
      'wheel-smoke for hello: option "sdistCargoTargetDir" is "libs/hello/target", and maturin writes the wheel it builds from the sdist to its wheels/ folder, which is artefactDir "libs/hello/target/wheels"; pick a folder of its own, e.g. "libs/hello/target/sdist-smoke".',
    );
  });

  it('takes check-wheel-contents codes as a list or a comma-separated string', () => {
    const base = { artefactDir: 'out', importName: 'pkg' };
    expect(normalizeOptions({ ...base, checkWheelContentsIgnore: ['w005', 'W002'] }, '/ws', 'hello').checkWheelContentsIgnore).toEqual(['W005', 'W002']);
    expect(normalizeOptions({ ...base, checkWheelContentsIgnore: 'W005, W002' }, '/ws', 'hello').checkWheelContentsIgnore).toEqual(['W005', 'W002']);
  });

  it('turns a single python version into a list and resolves scripts against the workspace root', () => {
    const normalized = normalizeOptions(
      { artefactDir: 'out', importName: 'pkg', pythonVersions: '3.13', smokeScripts: ['libs/hello/scripts/smoke_a.py'] },
      '/ws',
      'hello',
    );
    expect(normalized.pythonVersions).toEqual(['3.13']);
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

  it('ignores W007 (empty library) for a bin wheel, decided from [tool.maturin].bindings, and only there', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'smoke-options-'));
    try {
      const project = (root: string, bindings: string) => {
        mkdirSync(join(workspace, root), { recursive: true });
        writeFileSync(join(workspace, root, 'pyproject.toml'), `[build-system]\nrequires = ["maturin>=1,<2"]\nbuild-backend = "maturin"\n\n[tool.maturin]\nbindings = "${bindings}"\n`);
        return normalizeOptions({ artefactDir: `${root}/target/wheels`, importName: 'tool', checkWheelContentsIgnore: ['W005'] }, workspace, root, root).checkWheelContentsIgnore;
      };
      expect(project('tools/bin', 'bin')).toEqual(['W005', 'W007']);
      expect(project('libs/ext', 'pyo3')).toEqual(['W005']);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('runs twine check --strict unless twineStrict is false', () => {
    expect(normalizeOptions({ artefactDir: 'out', importName: 'pkg', twineStrict: false }, '/ws', 'hello').twineStrict).toBe(false);
  });

  it('defaults twineStrict to whether the project declares a readme (a [project] without one has no long description, which PyPI accepts)', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'smoke-options-'));
    try {
      const strict = (root: string, project: string, twineStrict?: boolean) => {
        mkdirSync(join(workspace, root), { recursive: true });
        writeFileSync(join(workspace, root, 'pyproject.toml'), `[build-system]\nrequires = ["maturin>=1,<2"]\nbuild-backend = "maturin"\n${project}`);
        return normalizeOptions({ artefactDir: `${root}/target/wheels`, importName: 'pkg', twineStrict }, workspace, root, root).twineStrict;
      };
      expect(strict('with-readme', '[project]\nname = "a"\nreadme = "README.md"\n')).toBe(true);
      expect(strict('dynamic-readme', '[project]\nname = "b"\ndynamic = ["version", "readme"]\n')).toBe(true);
      expect(strict('no-readme', '[project]\nname = "c"\nversion = "1.0.0"\n')).toBe(false);
      expect(strict('no-project-table', '')).toBe(true);
      expect(strict('asked-for', '[project]\nname = "d"\nversion = "1.0.0"\n', true)).toBe(true);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
