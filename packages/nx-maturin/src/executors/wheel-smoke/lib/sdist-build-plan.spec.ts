import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeOptions as normalizeBuildOptions, type NormalizedMaturinBuildOptions } from '../../maturin-build/lib/normalize-options';
import type { ArtefactEntry } from '../../../lib/artefact-manifest';
import { chooseSdistInterpreter, MATURIN_BUILD_EXECUTOR, ownBuildEnvironment, reusableBuild, reuseEnvironment } from './sdist-build-plan';

describe('sdist build plan', () => {
  const smoke = { buildTarget: 'hello:build' };
  const linux = { workspaceRoot: '/ws', projectRoot: 'libs/hello', platform: 'linux' as const };
  const maturin = { file: '/ws/.tools/venv/bin/maturin', args: [] };
  const withBaseInterpreter = (options: NormalizedMaturinBuildOptions) => ({ ...options, baseInterpreter: true });

  describe('reusableBuild', () => {
    it("takes the build target's options, normalised as maturin-build normalises them", () => {
      const build = { executor: MATURIN_BUILD_EXECUTOR, options: { pythonVersions: ['3.12'], features: ['fast'], profile: 'dist', buildIsolation: false } };
      // /ws has no pyproject to read, so the bindings are unknown: the build environment's own python is kept.
      expect(reusableBuild(smoke, build, linux, maturin)).toEqual({ options: { ...normalizeBuildOptions(build.options, linux), baseInterpreter: false } });
    });

    it("lays the smoke's configuration over the build's options when the build has one of that name, else the build's default configuration", () => {
      const build = {
        executor: MATURIN_BUILD_EXECUTOR,
        options: { profile: 'release', features: ['a'] },
        configurations: { ci: { features: ['ci'] }, fast: { profile: 'dev' } },
        defaultConfiguration: 'fast',
      };
      expect(reusableBuild(smoke, build, { ...linux, configurationName: 'ci' }, maturin)).toMatchObject({ options: { profile: 'release', features: ['ci'] } });
      expect(reusableBuild(smoke, build, { ...linux, configurationName: 'other' }, maturin)).toMatchObject({ options: { profile: 'dev', features: ['a'] } });
      expect(reusableBuild(smoke, build, linux, maturin)).toMatchObject({ options: { profile: 'dev', features: ['a'] } });
    });

    it('explains why nothing is shared without a build target, or with a build target another executor runs', () => {
      expect(reusableBuild(smoke, undefined, linux, maturin)).toEqual({ reason: 'the build target "hello:build" is not in the project configuration' });
      expect(reusableBuild(smoke, { executor: 'nx:run-commands', options: {} }, linux, maturin)).toEqual({
        reason: 'the build target "hello:build" runs "nx:run-commands", not @codetracer/nx-maturin:maturin-build',
      });
      expect(reusableBuild(smoke, {}, linux, maturin)).toEqual({ reason: 'the build target "hello:build" runs no executor, not @codetracer/nx-maturin:maturin-build' });
    });

    it("shares nothing with a build for another target triple: the sdist is built for this host's interpreter", () => {
      expect(reusableBuild(smoke, { executor: MATURIN_BUILD_EXECUTOR, options: { target: 'aarch64-unknown-linux-gnu' } }, linux, maturin)).toEqual({
        reason: 'the build target "hello:build" compiles for --target aarch64-unknown-linux-gnu, and the sdist is built for this host\'s interpreter',
      });
    });

    it('shares a zig build only when the maturin running zig is at a known, fixed path', () => {
      const zig = { executor: MATURIN_BUILD_EXECUTOR, options: { compatibility: 'manylinux2014' } };
      // Isolated: the maturin of uv's cached build environment, found when the sdist's interpreter is known.
      expect(reusableBuild(smoke, zig, linux, undefined)).toMatchObject({ options: { zig: true, buildIsolation: true } });
      const notIsolated = { ...zig, options: { ...zig.options, buildIsolation: false } };
      expect(reusableBuild(smoke, notIsolated, linux, { file: '/usr/bin/uv', args: ['tool', 'run', '--from', 'maturin[zig]==1.16.0', 'maturin'] })).toEqual({
        reason:
          'the build target "hello:build" links with zig through `/usr/bin/uv tool run --from maturin[zig]==1.16.0 maturin`, whose path names zig\'s compiler wrappers; install maturin[zig] into the tools venv or .venv to share them',
      });
      expect(reusableBuild(smoke, notIsolated, linux, undefined)).toMatchObject({ reason: expect.stringContaining('through no maturin found in the workspace') });
      expect(reusableBuild(smoke, notIsolated, linux, maturin)).toMatchObject({ options: { zig: true, compatibility: 'manylinux2014' } });
    });

    it('shares an isolated build without zig: its dependencies do not depend on the path of the maturin that built them', () => {
      expect(reusableBuild(smoke, { executor: MATURIN_BUILD_EXECUTOR, options: {} }, linux, undefined)).toMatchObject({ options: { buildIsolation: true, zig: false } });
    });

    it('says an isolated build compiled with the base interpreter, except for cffi bindings, as maturin-build decides', () => {
      const workspaceRoot = mkdtempSync(join(tmpdir(), 'sdist-build-plan-'));
      try {
        const isolated = { executor: MATURIN_BUILD_EXECUTOR, options: {} };
        const environment = { ...linux, workspaceRoot };
        mkdirSync(join(workspaceRoot, 'libs/hello'), { recursive: true });
        writeFileSync(join(workspaceRoot, 'libs/hello/Cargo.toml'), '[package]\nname = "hello"\nversion = "0.1.0"\n[lib]\ncrate-type = ["cdylib"]\n[dependencies]\npyo3 = "0.30"\n');
        writeFileSync(join(workspaceRoot, 'libs/hello/pyproject.toml'), '[build-system]\nrequires = ["maturin>=1,<2"]\n');
        expect(reusableBuild(smoke, isolated, environment, undefined)).toMatchObject({ options: { buildIsolation: true, baseInterpreter: true } });
        writeFileSync(join(workspaceRoot, 'libs/hello/pyproject.toml'), '[build-system]\nrequires = ["maturin>=1,<2", "cffi>=1.17"]\n');
        expect(reusableBuild(smoke, isolated, environment, undefined)).toMatchObject({ options: { baseInterpreter: false } });
        writeFileSync(join(workspaceRoot, 'libs/hello/pyproject.toml'), '[build-system]\nrequires = ["maturin>=1,<2"]\n[tool.maturin]\nbindings = "cffi"\n');
        expect(reusableBuild(smoke, isolated, environment, undefined)).toMatchObject({ options: { baseInterpreter: false } });
      } finally {
        rmSync(workspaceRoot, { recursive: true, force: true });
      }
    });
  });

  describe('reuseEnvironment', () => {
    it("passes the build's profile, platform policy, zig and features, the build's interpreter and its target folder", () => {
      const options = normalizeBuildOptions({ profile: 'dist', compatibility: 'manylinux2014', features: ['a', 'b'], buildIsolation: false }, linux);
      expect(reuseEnvironment(withBaseInterpreter(options), '/ws/libs/hello/target', '/py/3.12/bin/python3.12', maturin, '/tmp/smoke/sdist-wheel')).toEqual({
        MATURIN_PEP517_ARGS: '--profile dist --compatibility manylinux2014 --zig --features a,b --interpreter /py/3.12/bin/python3.12 --out /tmp/smoke/sdist-wheel',
        CARGO_TARGET_DIR: '/ws/libs/hello/target',
        'CARGO_BIN_EXE_cargo-zigbuild': '/ws/.tools/venv/bin/maturin',
        CARGO_ZIGBUILD_PYTHON_PATH: '/ws/.tools/venv/bin/python',
      });
    });

    it('passes the release profile by name, the one spelling maturin pep517 build-wheel takes, and no zig variables without zig', () => {
      expect(reuseEnvironment(withBaseInterpreter(normalizeBuildOptions({ buildIsolation: false }, linux)), '/ws/target', '/py/python3.13', maturin, '/tmp/w')).toEqual({
        MATURIN_PEP517_ARGS: '--profile release --interpreter /py/python3.13 --out /tmp/w',
        CARGO_TARGET_DIR: '/ws/target',
      });
    });

    it('quotes an interpreter path with spaces and quotes for the shlex.split maturin applies to MATURIN_PEP517_ARGS', () => {
      const environment = reuseEnvironment(withBaseInterpreter(normalizeBuildOptions({ buildIsolation: false }, linux)), '/ws/target', "/Users/o'neil/my python/bin/python3", maturin, '/tmp/w');
      expect(environment['MATURIN_PEP517_ARGS']).toBe(`--profile release --interpreter '/Users/o'"'"'neil/my python/bin/python3' --out /tmp/w`);
    });
  });

  describe('reuseEnvironment after an isolated build', () => {
    it('passes the base interpreter the build compiled with, so PyO3 is not compiled again for the fresh venv', () => {
      expect(reuseEnvironment(withBaseInterpreter(normalizeBuildOptions({ features: ['x'] }, linux)), '/ws/target', '/py/python3.13', undefined, '/tmp/w')).toEqual({
        MATURIN_PEP517_ARGS: '--profile release --features x --interpreter /py/python3.13 --out /tmp/w',
        CARGO_TARGET_DIR: '/ws/target',
      });
    });

    it("leaves cffi bindings the PEP 517 build's own interpreter, the one with cffi importable, as the build had", () => {
      expect(reuseEnvironment({ ...normalizeBuildOptions({ features: ['x'] }, linux), baseInterpreter: false }, '/ws/target', '/py/python3.13', undefined, '/tmp/w')).toEqual({
        MATURIN_PEP517_ARGS: '--profile release --features x --out /tmp/w',
        CARGO_TARGET_DIR: '/ws/target',
      });
    });
  });

  describe('chooseSdistInterpreter', () => {
    const entry = (file: string, kind: 'wheel' | 'sdist', interpreter: string | null) => ({ file, kind, interpreter, size: 1, sha256: '0', tags: [] }) as ArtefactEntry;
    // maturin-build lists the sdist first, then each wheel in the order it compiled them (oldest interpreter first).
    const manifest = {
      distribution: 'hello',
      version: '0.2.0',
      artefacts: [entry('hello-0.2.0.tar.gz', 'sdist', null), entry('hello-cp312.whl', 'wheel', 'CPython 3.12.1'), entry('hello-cp313.whl', 'wheel', 'CPython 3.13.0')],
    };
    const versions = ['3.12', '3.13'];

    it("reuses the build with the interpreter it compiled for last, whose PyO3 configuration is in the target folder", () => {
      expect(chooseSdistInterpreter({ sdistInterpreter: undefined, pythonVersions: versions }, manifest, true)).toBe('3.13');
    });

    it('keeps an interpreter asked for, and takes the first of pythonVersions when the build is not reused or its last wheel is for none of them', () => {
      expect(chooseSdistInterpreter({ sdistInterpreter: '3.12', pythonVersions: versions }, manifest, true)).toBe('3.12');
      expect(chooseSdistInterpreter({ sdistInterpreter: undefined, pythonVersions: versions }, manifest, false)).toBe('3.12');
      expect(chooseSdistInterpreter({ sdistInterpreter: undefined, pythonVersions: ['3.12'] }, manifest, true)).toBe('3.12');
      const sdistOnly = { ...manifest, artefacts: [manifest.artefacts[0]!] };
      expect(chooseSdistInterpreter({ sdistInterpreter: undefined, pythonVersions: versions }, sdistOnly, true)).toBe('3.12');
    });
  });

  describe('ownBuildEnvironment', () => {
    it("passes only a profile other than release, and the smoke's own target folder with the base interpreter", () => {
      expect(ownBuildEnvironment({ sdistProfile: 'release', sdistCargoTargetDir: undefined }, true)).toEqual({});
      expect(ownBuildEnvironment({ sdistProfile: 'dev', sdistCargoTargetDir: '/ws/target/sdist-smoke' }, true)).toEqual({
        MATURIN_PEP517_ARGS: '--profile dev',
        CARGO_TARGET_DIR: '/ws/target/sdist-smoke',
        MATURIN_PEP517_USE_BASE_PYTHON: '1',
      });
    });

    it("keeps the build environment's own python for a project whose build imports its requirements (cffi)", () => {
      expect(ownBuildEnvironment({ sdistProfile: 'release', sdistCargoTargetDir: '/ws/target/sdist-smoke' }, false)).toEqual({ CARGO_TARGET_DIR: '/ws/target/sdist-smoke' });
    });
  });
});
