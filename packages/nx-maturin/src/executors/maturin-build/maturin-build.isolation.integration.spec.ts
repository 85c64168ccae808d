import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, REPOSITORY_ROOT, SHARED_CARGO_TARGET } from '../../test-support/temp-workspace';
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
    const result = await maturinBuildExecutor({ pythonVersions: ['3.12'], profile: 'dev', sdist: false }, executorContext(workspace));
    return { ...result, printed: printed.join('') };
  } finally {
    jest.restoreAllMocks();
  }
}

describe('maturin-build with build isolation (real uv, maturin and cargo)', () => {
  let workspace: string;
  const savedCargoTarget = process.env['CARGO_TARGET_DIR'];

  beforeAll(() => {
    process.env['CARGO_TARGET_DIR'] = SHARED_CARGO_TARGET;
    workspace = mkdtempSync(join(tmpdir(), 'maturin-build-isolated-'));
    writeFileSync(join(workspace, 'nx.json'), JSON.stringify({ plugins: [{ plugin: '@codetracer/nx-maturin', options: { toolsVenv: join(REPOSITORY_ROOT, '.tools', 'venv') } }] }));
    cpSync(join(FIXTURES, 'hello-maturin'), join(workspace, 'libs/hello'), { recursive: true });
  });
  afterAll(() => {
    rmSync(workspace, { recursive: true, force: true });
    if (savedCargoTarget === undefined) delete process.env['CARGO_TARGET_DIR'];
    else process.env['CARGO_TARGET_DIR'] = savedCargoTarget;
  });

  // uv makes the isolated environment anew for every build; its python's path would make PyO3's build script
  // rerun and PyO3 and the crate compile again each time.
  it('compiles PyO3 for the base interpreter, so a second build finds everything up to date', async () => {
    const first = await buildPrinting(workspace);
    if (!first.success) throw new Error(`the first build failed:\n${first.printed}`);
    const second = await buildPrinting(workspace);
    if (!second.success) throw new Error(`the second build failed:\n${second.printed}`);
    expect(second.printed.split('\n').filter((line) => /^\s*Compiling /.test(line))).toEqual([]);
    expect(second.printed).toMatch(/\$ \S+uv run --no-project --isolated --python (\S+python3\.12) --with maturin>=1\.9,<2 -- maturin build .* --interpreter \1\n/);
  });
});
