import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtefactManifest } from '../../lib/artefact-manifest';
import { helloMaturinFolder, SHARED_CARGO_TARGET } from '../../test-support/temp-workspace';
import { executorContext } from '../wheel-smoke/test-support/fixture-artefacts';
import wheelSmokeExecutor from '../wheel-smoke/wheel-smoke.impl';
import maturinBuildExecutor from './maturin-build.impl';

jest.setTimeout(10 * 60_000);

describe('maturin-build and wheel-smoke of an abi3 project (real maturin and cargo)', () => {
  let workspace: string;
  const savedCargoTarget = process.env['CARGO_TARGET_DIR'];

  beforeAll(() => {
    // The shared target folder keeps PyO3's abi3 build from one run to the next.
    process.env['CARGO_TARGET_DIR'] = SHARED_CARGO_TARGET;
    workspace = helloMaturinFolder('maturin-build-abi3-');
  });
  afterAll(() => {
    rmSync(workspace, { recursive: true, force: true });
    if (savedCargoTarget === undefined) delete process.env['CARGO_TARGET_DIR'];
    else process.env['CARGO_TARGET_DIR'] = savedCargoTarget;
  });

  it('builds the cp39-abi3 wheel once, with the oldest interpreter, and records it for 3.12 and 3.13', async () => {
    const output: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void output.push(parts.join(' ')));
    const options = { pythonVersions: ['3.13', '3.12'], features: ['pyo3/abi3-py39'], profile: 'dev', sdist: false, buildIsolation: false };
    const result = await maturinBuildExecutor(options, executorContext(workspace));
    jest.restoreAllMocks();
    expect(result).toEqual({ success: true });
    const manifest = JSON.parse(readFileSync(join(workspace, 'libs/hello/target/wheels/artefacts.json'), 'utf8')) as ArtefactManifest;
    expect(manifest.artefacts.map((entry) => [entry.file.replace(/-(many|musl)?linux.*\.whl$/, ''), entry.interpreter])).toEqual([
      ['hello_maturin-0.2.0-cp39-abi3', expect.stringMatching(/^CPython 3\.12\.\d+, CPython 3\.13\.\d+$/)],
    ]);
  });

  it('smokes that one wheel on 3.12 and on 3.13', async () => {
    const output: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void output.push(parts.join(' ')));
    jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void output.push(parts.join(' ')));
    // The build above made no sdist (to stay quick), so the sdist rule is the one failure expected here.
    const result = await wheelSmokeExecutor({ artefactDir: 'libs/hello/target/wheels', importName: 'hello_maturin', pythonVersions: ['3.12', '3.13'], noIndex: true }, executorContext(workspace));
    jest.restoreAllMocks();
    const printed = output.join('\n');
    expect(result).toEqual({ success: false });
    expect(printed).toMatch(/wheel-smoke found 1 problem\(s\)[^\n]*\n\s+- \S+: \[sdist rule\] artefacts\.json lists no sdist/);
    expect(printed).toMatch(/Installing hello_maturin==0\.2\.0 \(wheel\) into a fresh CPython 3\.13\.\d+ venv/);
    expect(printed).toMatch(/\$ python -m hello_maturin --help {2}\(CPython 3\.13\.\d+\)/);
  });
});
