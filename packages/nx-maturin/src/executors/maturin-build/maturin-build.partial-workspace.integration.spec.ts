import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureFolder } from '../../test-support/temp-workspace';
import { executorContext } from '../wheel-smoke/test-support/fixture-artefacts';
import { trimSdistLock } from './lib/sdist-lock';
import maturinBuildExecutor from './maturin-build.impl';

jest.setTimeout(5 * 60_000);

/** Runs one build of libs/partial and returns what it printed. */
async function buildPrinting(workspace: string): Promise<{ success: boolean; printed: string }> {
  const printed: string[] = [];
  const collect = (chunk: unknown) => (printed.push(String(chunk)), true);
  jest.spyOn(process.stdout, 'write').mockImplementation(collect);
  jest.spyOn(process.stderr, 'write').mockImplementation(collect);
  for (const method of ['log', 'error', 'warn'] as const) jest.spyOn(console, method).mockImplementation((...parts: unknown[]) => void printed.push(`${parts.join(' ')}\n`));
  try {
    const options = { pythonVersions: ['3.12'], profile: 'dev', buildIsolation: false };
    const result = await maturinBuildExecutor(options, executorContext(workspace, 'layout-partial-workspace', 'libs/partial'));
    return { ...result, printed: printed.join('') };
  } finally {
    jest.restoreAllMocks();
  }
}

// The fixture's crate has no dependencies and its lock pins the other member's libc, which is never compiled or
// downloaded: each build costs a second.
describe('maturin-build of one member of a Cargo workspace (real maturin and cargo)', () => {
  let workspace: string;
  const savedCargoTarget = process.env['CARGO_TARGET_DIR'];
  beforeEach(() => {
    workspace = fixtureFolder('maturin-build-partial-', 'layout-partial-workspace', 'libs/partial');
    process.env['CARGO_TARGET_DIR'] = join(workspace, 'cargo-target');
  });
  afterEach(() => {
    rmSync(workspace, { recursive: true, force: true });
    if (savedCargoTarget === undefined) delete process.env['CARGO_TARGET_DIR'];
    else process.env['CARGO_TARGET_DIR'] = savedCargoTarget;
  });

  it("builds --locked from the sdist, whose lock also pins the packages of the member it does not pack, and keeps the sdist's lock whole", async () => {
    const { success, printed } = await buildPrinting(workspace);
    if (!success) throw new Error(`the build failed:\n${printed}`);
    expect(printed).toContain(
      'maturin-build: layout_partial_workspace-0.1.0.tar.gz holds the whole Cargo workspace\'s lock; the packages of members it does not pack were dropped from the unpacked copy (libc 0.2.191, partial-workspace-cli 0.1.0), and the wheels build --locked against the rest',
    );
    expect(readdirSync(join(workspace, 'libs/partial/target/wheels')).filter((file) => file.endsWith('.whl'))).toEqual([expect.stringMatching(/^layout_partial_workspace-0\.1\.0-py3-none-\S+\.whl$/)]);
    expect(readFileSync(join(workspace, 'libs/partial/Cargo.lock'), 'utf8')).toContain('name = "partial-workspace-cli"');
  });

  it('refuses a lock that would gain or change a package, naming the sdist, the file and the package, and leaves the lock as it was', async () => {
    // An unpacked sdist whose lock is older than its manifests: maturin-build's own sdists never are (maturin sdist
    // resolves the project first), but a lock that pins less than the build needs must stop a --locked build.
    const source = join(workspace, 'libs/partial');
    const manifest = join(source, 'py/Cargo.toml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('version = "0.1.0"', 'version = "0.1.1"'));
    const lock = readFileSync(join(source, 'Cargo.lock'), 'utf8');
    await expect(trimSdistLock(source, 'layout_partial_workspace-0.1.1.tar.gz', process.env)).rejects.toThrow(
      'layout_partial_workspace-0.1.1.tar.gz: Cargo.lock is out of date with the Cargo manifests packed beside it: Cargo would add or change layout-partial-workspace 0.1.1; expected a lock that pins every package the packed crates need (the wheels are built --locked). Next step: run `cargo update --workspace` in the project and commit Cargo.lock.',
    );
    expect(readFileSync(join(source, 'Cargo.lock'), 'utf8')).toBe(lock);
  });
});
