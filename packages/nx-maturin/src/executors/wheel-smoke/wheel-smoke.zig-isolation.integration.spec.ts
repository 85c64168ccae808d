import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { helloMaturinFolder, REPOSITORY_ROOT } from '../../test-support/temp-workspace';
import maturinBuildExecutor from '../maturin-build/maturin-build.impl';
import { MATURIN_BUILD_EXECUTOR } from './lib/sdist-build-plan';
import { executorContext } from './test-support/fixture-artefacts';
import wheelSmokeExecutor from './wheel-smoke.impl';
import { collectConsoleOutput } from '../../test-support/console-output';

jest.setTimeout(10 * 60_000);

describe('wheel-smoke after an isolated zig build (real uv, maturin, zig and cargo)', () => {
  let workspace: string;
  // A target folder of its own, kept between runs: other specs link hello-maturin with zig through other maturins,
  // and the count of compiled units below must not depend on them.
  const targetDirectory = join(REPOSITORY_ROOT, '.tools', 'cargo-target-zig-isolation-tests');
  const savedCargoTarget = process.env['CARGO_TARGET_DIR'];
  beforeAll(() => {
    process.env['CARGO_TARGET_DIR'] = targetDirectory;
    workspace = helloMaturinFolder('wheel-smoke-zig-isolated-');
  });
  afterAll(() => {
    rmSync(workspace, { recursive: true, force: true });
    if (savedCargoTarget === undefined) delete process.env['CARGO_TARGET_DIR'];
    else process.env['CARGO_TARGET_DIR'] = savedCargoTarget;
  });

  /** Each unit's fingerprint files with their mtimes: Cargo rewrites them whenever it compiles the unit. */
  function fingerprints(): Map<string, string> {
    const folders = [join(targetDirectory, 'debug', '.fingerprint'), join(targetDirectory, 'x86_64-unknown-linux-gnu', 'debug', '.fingerprint')].filter((folder) => existsSync(folder));
    return new Map(
      folders.flatMap((folder) =>
        readdirSync(folder).map((unit) => [join(folder, unit), readdirSync(join(folder, unit)).map((file) => `${file}@${statSync(join(folder, unit, file)).mtimeMs}`).join(',')] as const),
      ),
    );
  }

  it("shares the build's compilation: zig's wrappers are named after uv's cached build environment, not its fresh one", async () => {
    const output = collectConsoleOutput();
    try {
      const buildOptions = { pythonVersions: ['3.13'], compatibility: 'manylinux2014', zig: true, profile: 'dev' };
      const context = executorContext(workspace);
      context.projectsConfigurations.projects['hello']!.targets = { build: { executor: MATURIN_BUILD_EXECUTOR, options: buildOptions } };
      const build = await maturinBuildExecutor(buildOptions, context);
      if (!build.success) throw new Error(`the build failed:\n${output.join('\n')}`);

      const before = fingerprints();
      const smoke = await wheelSmokeExecutor({ artefactDir: join(workspace, 'libs/hello/target/wheels'), importName: 'hello_maturin', pythonVersions: ['3.13'], commands: [] }, context);
      const printed = output.join('\n');
      if (!smoke.success) throw new Error(`the smoke failed:\n${printed}`);
      expect(printed).toContain('wheel-smoke: the sdist build compiles as hello:build did (MATURIN_PEP517_ARGS=--profile dev --compatibility manylinux2014 --zig ');
      const compiled = [...fingerprints()].filter(([unit, stamp]) => before.get(unit) !== stamp).map(([unit]) => unit.split('/').at(-1)!.replace(/-[0-9a-f]+$/, ''));
      expect(compiled.filter((unit) => unit !== 'hello-maturin')).toEqual([]);
      expect(compiled).toContain('hello-maturin');
    } finally {
      jest.restoreAllMocks();
    }
  });
});
