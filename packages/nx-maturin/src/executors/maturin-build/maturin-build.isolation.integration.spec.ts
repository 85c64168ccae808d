import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { helloMaturinFolder, REPOSITORY_ROOT } from '../../test-support/temp-workspace';
import { executorContext } from '../wheel-smoke/test-support/fixture-artefacts';
import maturinBuildExecutor from './maturin-build.impl';

jest.setTimeout(10 * 60_000);

/** Runs one build and returns everything it printed, maturin's and Cargo's output included. */
async function buildPrinting(workspace: string): Promise<{ success: boolean; printed: string }> {
  const printed: string[] = [];
  const collect = (chunk: unknown) => (printed.push(String(chunk)), true);
  jest.spyOn(process.stdout, 'write').mockImplementation(collect);
  jest.spyOn(process.stderr, 'write').mockImplementation(collect);
  jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void printed.push(`${parts.join(' ')}\n`));
  jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void printed.push(`${parts.join(' ')}\n`));
  try {
    // An isolated build (the default): maturin from the project's [build-system].requires.
    const result = await maturinBuildExecutor({ pythonVersions: ['3.12', '3.13'], profile: 'dev', sdist: false }, executorContext(workspace));
    return { ...result, printed: printed.join('') };
  } finally {
    jest.restoreAllMocks();
  }
}

describe('maturin-build with build isolation (real uv, maturin and cargo)', () => {
  let workspace: string;
  const savedCargoTarget = process.env['CARGO_TARGET_DIR'];

  beforeAll(() => {
    // A target folder of its own, kept between runs: other specs build the same crates with other interpreters in the
    // shared one, concurrently, which would make the count of compiled crates below depend on timing.
    process.env['CARGO_TARGET_DIR'] = join(REPOSITORY_ROOT, '.tools', 'cargo-target-isolation-tests');
    workspace = helloMaturinFolder('maturin-build-isolated-');
  });
  afterAll(() => {
    rmSync(workspace, { recursive: true, force: true });
    if (savedCargoTarget === undefined) delete process.env['CARGO_TARGET_DIR'];
    else process.env['CARGO_TARGET_DIR'] = savedCargoTarget;
  });

  // uv makes the isolated environment anew for every build; its python's path would make PyO3's build script
  // rerun and PyO3 and the crate compile again for each interpreter on every build (6 compilations here). With the
  // base interpreter, and the interpreter the target folder was last built for first, only the other one's remain.
  it('compiles PyO3 for the base interpreters, starting with the one compiled last, so a second build compiles it once', async () => {
    const first = await buildPrinting(workspace);
    if (!first.success) throw new Error(`the first build failed:\n${first.printed}`);
    const second = await buildPrinting(workspace);
    if (!second.success) throw new Error(`the second build failed:\n${second.printed}`);
    const compiled = second.printed.split('\n').flatMap((line) => /^\s*Compiling (\S+) /.exec(line)?.[1] ?? []);
    expect(compiled.sort()).toEqual(['hello-maturin', 'pyo3', 'pyo3-ffi']);
    const builds = second.printed.split('\n').filter((line) => line.includes(' -- maturin build '));
    expect(builds.map((line) => /--python \S+(python3\.1\d) /.exec(line)?.[1])).toEqual(['python3.13', 'python3.12']);
    for (const line of builds) expect(line).toMatch(/--python (\S+python3\.1\d) --with maturin>=1\.9,<2 -- maturin build .* --interpreter \1$/);
  });
});
