import type { CreateNodesContext } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPOSITORY_ROOT } from '../test-support/temp-workspace';
import { createNodes } from './maturin-plugin';

const MATURIN_BACKEND = '[build-system]\nrequires = ["maturin>=1.9,<2"]\nbuild-backend = "maturin"\n';

describe('nx-maturin createNodes', () => {
  let root: string;
  let context: CreateNodesContext;
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  const infer = (files: string[], options: Record<string, unknown> = {}) => createNodes[1](files, options, context);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nx-maturin-plugin-'));
    context = { workspaceRoot: root, nxJsonConfiguration: {} };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('infers the release targets of a mixed Rust/Python project with python-source, named from the options', async () => {
    write('rec/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "rec-dist"\nversion = "1.0.0"\n[tool.maturin]\npython-source = "python"\nmodule-name = "rec_pkg._native"\n`);
    write('rec/Cargo.toml', '[package]\nname = "rec"\nversion = "1.0.0"\n[lib]\nname = "_native"\ncrate-type = ["cdylib"]\n');
    write('rec/Cargo.lock', '');
    write('rec/python/rec_pkg/__init__.py', '');
    write('rec/scripts/smoke_trace.py', '');

    const [[file, result]] = (await infer(['rec/pyproject.toml'], { projectNames: { rec: 'recorder' } })) as [[string, { projects: Record<string, { name: string; targets: Record<string, Record<string, unknown>> }> }]];
    expect(file).toBe('rec/pyproject.toml');
    const project = result.projects['rec']!;
    expect(project.name).toBe('recorder');
    expect(Object.keys(project.targets)).toEqual(['version-sync', 'version-write', 'build', 'test', 'smoke', 'publish', 'nx-release-publish', 'serve-index']);
    expect(project.targets['build']).toMatchInlineSnapshot(`
{
  "cache": true,
  "dependsOn": [
    "version-sync",
  ],
  "executor": "@codetracer/nx-maturin:maturin-build",
  "inputs": [
    "{projectRoot}/pyproject.toml",
    "{projectRoot}/Cargo.toml",
    "{projectRoot}/Cargo.lock",
    "{projectRoot}/src/**/*",
    "{projectRoot}/build.rs",
    "{projectRoot}/README*",
    "{projectRoot}/LICENSE*",
    "{projectRoot}/python/rec_pkg/**/*",
    {
      "runtime": "node node_modules/@codetracer/nx-maturin/bin/toolchain-fingerprint.js 3.12 3.13",
    },
    "{workspaceRoot}/tools/python/requirements.txt",
    {
      "env": "CARGO_BUILD_TARGET",
    },
  ],
  "metadata": {
    "description": "Build release wheels for CPython 3.12, 3.13 and an sdist with maturin",
    "help": {
      "command": "nx run <project>:build --compatibility=pypi",
      "example": {
        "options": {
          "compatibility": "pypi",
        },
      },
    },
    "technologies": [
      "maturin",
      "rust",
      "python",
    ],
  },
  "options": {
    "outputDir": "rec/target/wheels",
    "pythonVersions": [
      "3.12",
      "3.13",
    ],
  },
  "outputs": [
    "{options.outputDir}",
  ],
}
`);
    expect(project.targets['smoke']).toMatchObject({
      dependsOn: ['build'],
      options: { importName: 'rec_pkg', smokeScripts: ['rec/scripts/smoke_trace.py'], artefactDir: 'rec/target/wheels' },
    });
    expect(project.targets['publish']).toMatchObject({ dependsOn: ['smoke'], cache: false, defaultConfiguration: 'local' });
    expect(project.targets['version-sync']!['inputs']).toContain('{projectRoot}/python/rec_pkg/__init__.py');
  });

  it('names a pure Rust project after its distribution and finds the Cargo workspace lock file above it', async () => {
    write('Cargo.lock', '');
    write('crates/fast/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "fast-thing"\nversion = "0.1.0"\n`);
    write('crates/fast/Cargo.toml', '[package]\nname = "fast"\nversion.workspace = true\n');
    const [[, result]] = (await infer(['crates/fast/pyproject.toml'])) as [[string, { projects: Record<string, { name: string; targets: Record<string, { inputs?: unknown[] }> }> }]];
    expect(result.projects['crates/fast']!.name).toBe('fast-thing');
    expect(result.projects['crates/fast']!.targets['build']!.inputs).toContain('{workspaceRoot}/Cargo.lock');
  });

  it('makes the plugin a dependency of projects in the workspace that develops it, and hashes a whole-folder sdist', async () => {
    const repositoryContext = { workspaceRoot: REPOSITORY_ROOT, nxJsonConfiguration: {} };
    const [[, result]] = (await createNodes[1](['codetracer-python-recorder/pyproject.toml'], { projectNames: { 'codetracer-python-recorder': 'recorder' } }, repositoryContext)) as [[string, { projects: Record<string, { implicitDependencies?: string[]; targets: Record<string, { inputs?: unknown[] }> }> }]];
    const recorder = result.projects['codetracer-python-recorder']!;
    expect(recorder.implicitDependencies).toEqual(['nx-maturin']);
    // python-source = "." puts the whole project folder in the sdist, tests and scripts included.
    expect(recorder.targets['build']!.inputs).toEqual(
      expect.arrayContaining(['{projectRoot}/**/*', '!{projectRoot}/target/**/*', '{workspaceRoot}/packages/nx-maturin/src/**/*', '{workspaceRoot}/tools/python/requirements.txt']),
    );
  });

  it('uses configured target names and interpreters', async () => {
    write('p/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "p"\nversion = "0.1.0"\n`);
    const [[, result]] = (await infer(['p/pyproject.toml'], { buildTargetName: 'wheels', smokeTargetName: 'check-wheels', pythonVersions: ['3.13'] })) as [[string, { projects: Record<string, { targets: Record<string, { dependsOn?: string[]; options?: Record<string, unknown> }> }> }]];
    const targets = result.projects['p']!.targets;
    expect(targets['check-wheels']!.dependsOn).toEqual(['wheels']);
    expect(targets['wheels']!.options).toMatchObject({ pythonVersions: ['3.13'] });
  });

  it('ignores pyproject files of other build backends', async () => {
    write('py/pyproject.toml', '[build-system]\nbuild-backend = "hatchling.build"\n[project]\nname = "py"\n');
    expect(await infer(['py/pyproject.toml'])).toEqual([['py/pyproject.toml', {}]]);
  });

  it('reports a malformed pyproject with its line and still infers the others', async () => {
    write('bad/pyproject.toml', `${MATURIN_BACKEND}[project\nname = "bad"\n`);
    write('good/pyproject.toml', `${MATURIN_BACKEND}[project]\nname = "good"\nversion = "0.1.0"\n`);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const results = await infer(['bad/pyproject.toml', 'good/pyproject.toml']);
      expect(results.map(([file, result]) => [file, Object.keys(result.projects ?? {})])).toEqual([
        ['bad/pyproject.toml', []],
        ['good/pyproject.toml', ['good']],
      ]);
      expect(warn.mock.calls.flat().join('\n')).toMatch(/bad\/pyproject\.toml:4: invalid TOML/);
    } finally {
      warn.mockRestore();
    }
  });
});
