import { createTempWorkspace, type TempWorkspace } from '../test-support/temp-workspace';

jest.setTimeout(5 * 60_000);

describe('nx-maturin inference (real nx)', () => {
  let ws: TempWorkspace;
  beforeAll(() => {
    ws = createTempWorkspace();
    ws.addFixture('hello-maturin', 'libs/hello');
    ws.addFixture('hello-maturin', 'libs/renamed');
    ws.write(
      'libs/renamed/project.json',
      JSON.stringify({ name: 'renamed-by-project-json', targets: { build: { options: { pythonVersions: ['3.13'] } } } }),
    );
  });
  afterAll(() => ws.remove());

  it('stops on a malformed pyproject with its file and line, with and without the daemon, and lists every project once it is fixed', async () => {
    ws.write('libs/broken/pyproject.toml', '[build-system]\nbuild-backend = "maturin"\n[project\nname = "broken"\n');
    ws.write('libs/broken/Cargo.toml', '[package]\nname = "broken"\nversion = "0.1.0"\n');
    for (const daemon of ['false', 'true']) {
      const run = await ws.nx(['show', 'projects'], { NX_DAEMON: daemon, CI: daemon === 'true' ? 'false' : 'true' });
      expect(run.exitCode).not.toBe(0);
      expect(run.all).toContain('libs/broken/pyproject.toml:3: invalid TOML');
    }
    ws.write('libs/broken/pyproject.toml', '[build-system]\nbuild-backend = "maturin"\n[project]\nname = "broken"\nversion = "0.1.0"\n');
    for (const daemon of ['false', 'true']) {
      const run = await ws.nx(['show', 'projects'], { NX_DAEMON: daemon, CI: daemon === 'true' ? 'false' : 'true' });
      expect(run.exitCode).toBe(0);
      expect(run.stdout.split('\n').sort()).toEqual(['broken', 'hello-maturin', 'renamed-by-project-json']);
    }
    await ws.nx(['daemon', '--stop']);
  });

  it('lets project.json rename a project and override an inferred option while keeping the rest', async () => {
    const run = await ws.nx(['show', 'project', 'renamed-by-project-json', '--json']);
    const project = JSON.parse(run.stdout) as { targets: Record<string, { options: Record<string, unknown>; dependsOn?: string[] }> };
    expect(project.targets['build']!.options).toMatchObject({ pythonVersions: ['3.13'], outputDir: 'libs/renamed/target/wheels' });
    // Without versionSyncBeforeBuild the release policy does not stand between a developer and a build.
    expect(project.targets['build']!.dependsOn).toEqual([]);
    expect(Object.keys(project.targets).sort()).toEqual(['build', 'nx-release-publish', 'publish', 'serve-index', 'smoke', 'test', 'version-sync', 'version-write']);
  });
});
