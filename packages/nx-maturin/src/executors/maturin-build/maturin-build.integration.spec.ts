import { appendFileSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtefactManifest } from '../../lib/artefact-manifest';
import { startRemoteCacheServer, type RemoteCacheServer } from '../../test-support/remote-cache-server';
import { createTempWorkspace, type NxRun, SHARED_CARGO_TARGET, type TempWorkspace } from '../../test-support/temp-workspace';

jest.setTimeout(20 * 60_000);

const BUILD = ['run', 'hello:build', '--outputStyle=stream'];

/** Fails with nx's whole output, which is what a person would read to find out why. */
function expectSuccess(run: NxRun): void {
  if (run.exitCode !== 0) throw new Error(`nx exited with ${run.exitCode}:\n${run.all}`);
}

function readManifest(ws: TempWorkspace): ArtefactManifest {
  return JSON.parse(ws.read('libs/hello/target/wheels/artefacts.json')) as ArtefactManifest;
}

function snapshotArtefacts(ws: TempWorkspace): Record<string, string> {
  const dir = join(ws.root, 'libs/hello/target/wheels');
  return Object.fromEntries(readdirSync(dir).sort().map((file) => [file, readFileSync(join(dir, file)).toString('base64')]));
}

describe('maturin-build (real nx, maturin and cargo)', () => {
  const workspaces: TempWorkspace[] = [];
  let remoteCache: RemoteCacheServer;
  let ws: TempWorkspace;
  let firstBuild: NxRun | undefined;

  /** A checkout with its own local cache, sharing the remote cache (as another machine of this platform would). */
  function newCheckout(): TempWorkspace {
    // The recorder's configuration: manylinux2014 through zig, with the workspace's pinned maturin.
    const checkout = createTempWorkspace({
      pluginOptions: {
        projectNames: { 'libs/hello': 'hello' },
        projectTargetOptions: { 'libs/hello': { build: { compatibility: 'manylinux2014', zig: true, buildIsolation: false } } },
      },
    });
    const runNx = checkout.nx.bind(checkout);
    checkout.nx = (args, env = {}) => runNx(args, { ...remoteCache.env, ...env });
    checkout.addFixture('hello-maturin', 'libs/hello');
    checkout.write('docs/notes.md', 'unrelated\n');
    workspaces.push(checkout);
    return checkout;
  }

  beforeAll(async () => {
    remoteCache = await startRemoteCacheServer();
    ws = newCheckout();
  });
  afterAll(async () => {
    workspaces.forEach((workspace) => workspace.remove());
    await remoteCache.close();
  });

  it('builds a wheel per interpreter and an sdist, with a manifest and a summary table', async () => {
    const summary = join(ws.root, 'step-summary.md');
    const run = await ws.nx(BUILD, { GITHUB_STEP_SUMMARY: summary });
    firstBuild = run;
    expectSuccess(run);
    const manifest = readManifest(ws);
    expect(manifest).toMatchObject({ distribution: 'hello_maturin', version: '0.2.0' });
    const kinds = manifest.artefacts.map((entry) => `${entry.kind}:${entry.interpreter?.replace(/\.\d+$/, '') ?? '-'}`).sort();
    expect(kinds).toEqual(['sdist:-', 'wheel:CPython 3.12', 'wheel:CPython 3.13']);
    for (const entry of manifest.artefacts.filter((artefact) => artefact.kind === 'wheel')) {
      expect(entry.file).toMatch(/manylinux2014_x86_64|manylinux_2_17_x86_64/);
      expect(entry.tags.length).toBeGreaterThan(0);
      expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(run.all).toContain('maturin-build: 3 artefacts');
    expect(readFileSync(summary, 'utf8')).toContain('| file | kind | interpreter | size | sha256 |');
  });

  it('builds both wheels from the unpacked sdist in the Cargo target folder, so the dependencies compile once', () => {
    const run = firstBuild!;
    expect(run.all).toMatch(/\$ \S+maturin sdist --out \S+wheels\.staging/);
    expect(run.all).not.toContain('--sdist');
    const unpacked = /maturin-build: building the wheels from hello_maturin-0\.2\.0\.tar\.gz unpacked in (\S+)/.exec(run.all)?.[1];
    expect(unpacked).toMatch(new RegExp(`^${SHARED_CARGO_TARGET}/nx-maturin-sdist/hello_maturin-0\\.2\\.0-[0-9a-f]{12}/hello_maturin-0\\.2\\.0$`));
    const builds = run.all.split('\n').filter((line) => /\$ \S+maturin build /.test(line));
    expect(builds).toHaveLength(2);
    for (const line of builds) expect(line).toContain(`--target-dir ${SHARED_CARGO_TARGET} `);
    // Each interpreter compiles the project's own crate, and both compile it from the unpacked sdist.
    const ownCrate = run.all.split('\n').filter((line) => /Compiling hello-maturin v0\.2\.0/.test(line));
    expect(ownCrate).toHaveLength(2);
    for (const line of ownCrate) expect(line).toContain(`(${unpacked})`);
  });

  it('replays the build from the cache byte for byte when nothing changed', async () => {
    const before = snapshotArtefacts(ws);
    rmSync(join(ws.root, 'libs/hello/target/wheels'), { recursive: true });
    const run = await ws.nx(BUILD);
    expectSuccess(run);
    expect(run.all).toMatch(/\[local cache\]/);
    expect(snapshotArtefacts(ws)).toEqual(before);
  });

  // Every file of the project folder is a build input (a build.rs may compile any of them, and the sdist may pack
  // them), so only a change outside the project keeps the cache.
  it('still hits the cache after a change outside the project', async () => {
    appendFileSync(join(ws.root, 'docs/notes.md'), 'more\n');
    const run = await ws.nx(BUILD);
    expect(run.all).toMatch(/\[(local cache|existing outputs match the cache, left as is)\]/);
  });

  it('gets the cache hit in a second checkout at another path through the shared remote cache', async () => {
    const second = newCheckout();
    const run = await second.nx(BUILD);
    expectSuccess(run);
    expect(remoteCache.stored().length).toBeGreaterThan(0);
    expect(run.all).toMatch(/\[remote cache\]/);
    expect(snapshotArtefacts(second)).toEqual(snapshotArtefacts(ws));
  });

  it('rebuilds after a .rs change and leaves no stale artefact of the old version', async () => {
    const lib = join(ws.root, 'libs/hello/src/lib.rs');
    appendFileSync(lib, '\n// touched by the cache test\n');
    for (const file of ['libs/hello/Cargo.toml', 'libs/hello/pyproject.toml']) {
      ws.write(file, ws.read(file).replace('version = "0.2.0"', 'version = "0.2.1"'));
    }
    ws.write('libs/hello/Cargo.lock', ws.read('libs/hello/Cargo.lock').replace(/name = "hello-maturin"\nversion = "0.2.0"/, 'name = "hello-maturin"\nversion = "0.2.1"'));
    ws.write('libs/hello/CHANGELOG.md', `## [0.2.1] - 2026-11-25\n\n- touched\n\n${ws.read('libs/hello/CHANGELOG.md')}`);
    const run = await ws.nx(BUILD);
    expectSuccess(run);
    expect(run.all).not.toMatch(/\[local cache\]/);
    const files = readdirSync(join(ws.root, 'libs/hello/target/wheels'));
    expect(files.filter((file) => file.includes('0.2.0'))).toEqual([]);
    expect(files.filter((file) => file.includes('0.2.1'))).toHaveLength(3);
  });
});
