import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureFolder } from '../../test-support/temp-workspace';
import maturinBuildExecutor from '../maturin-build/maturin-build.impl';
import { executorContext } from './test-support/fixture-artefacts';
import wheelSmokeExecutor from './wheel-smoke.impl';
import { collectConsoleOutput } from '../../test-support/console-output';

jest.setTimeout(10 * 60_000);

// The interpreters this suite finds are plain CPython installs without cffi, as a user's usually are: only the
// isolated build environment, made from [build-system].requires, has it.
describe('wheel-smoke of a cffi project (real uv, maturin, cargo and cffi from PyPI)', () => {
  let workspace: string;
  const savedCargoTarget = process.env['CARGO_TARGET_DIR'];
  beforeAll(() => {
    workspace = fixtureFolder('wheel-smoke-cffi-', 'layout-cffi', 'libs/cffi');
    // The crate has no dependencies: a target folder of its own costs nothing and shares no state with other specs.
    process.env['CARGO_TARGET_DIR'] = join(workspace, 'cargo-target');
  });
  afterAll(() => {
    rmSync(workspace, { recursive: true, force: true });
    if (savedCargoTarget === undefined) delete process.env['CARGO_TARGET_DIR'];
    else process.env['CARGO_TARGET_DIR'] = savedCargoTarget;
  });

  it("builds the sdist in a Cargo target folder of the smoke's own with the build environment's python, which has cffi", async () => {
    const output = collectConsoleOutput();
    try {
      const context = executorContext(workspace, 'layout-cffi', 'libs/cffi');
      const build = await maturinBuildExecutor({ pythonVersions: ['3.12'], profile: 'dev' }, context);
      if (!build.success) throw new Error(`the build failed:\n${output.join('\n')}`);
      const smoke = await wheelSmokeExecutor(
        {
          artefactDir: join(workspace, 'libs/cffi/target/wheels'),
          importName: 'layout_cffi',
          // As inference says for a project with no Python source: maturin generates the package into the wheel only.
          pythonPackage: false,
          pythonVersions: ['3.12'],
          commands: [['-c', 'import layout_cffi; assert layout_cffi.lib.add_numbers(2, 3) == 5; print("add_numbers ok")']],
          sdistReuseBuild: false,
          sdistCargoTargetDir: join(workspace, 'sdist-target'),
          progressIntervalSeconds: 0,
        },
        context,
      );
      const printed = output.join('\n');
      if (!smoke.success) throw new Error(`the smoke failed:\n${printed}`);
      expect(printed).toMatch(/sdist on 3\.12\.\d+\s+layout_cffi-0\.1\.0\.tar\.gz\s+ok\s+ok\s+ok\s+-\s+ok\s+ok\s+ok/);
      expect(printed).toMatch(/\(CPython 3\.12\.\d+, built from the sdist\)\nadd_numbers ok/);
      expect(printed).toContain(`(profile release, Cargo target folder ${join(workspace, 'sdist-target')}): option sdistReuseBuild is false`);
    } finally {
      jest.restoreAllMocks();
    }
  });
});
