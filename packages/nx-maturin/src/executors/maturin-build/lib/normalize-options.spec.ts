import { maturinBuildArguments, normalizeOptions } from './normalize-options';

describe('maturin-build normalizeOptions', () => {
  const linux = { workspaceRoot: '/ws', projectRoot: 'libs/hello', platform: 'linux' as const };
  const macos = { ...linux, platform: 'darwin' as const };

  it("defaults to both interpreters, release, maturin's own platform policy without zig, an isolated build and target/wheels", () => {
    expect(normalizeOptions({}, linux)).toEqual({
      pythonVersions: ['3.12', '3.13'],
      outputDir: '/ws/libs/hello/target/wheels',
      profile: 'release',
      target: undefined,
      compatibility: undefined,
      zig: false,
      features: [],
      sdist: true,
      locked: true,
      buildIsolation: true,
    });
  });

  it('links with zig on Linux when a project asks for a manylinux policy', () => {
    expect(normalizeOptions({ compatibility: 'manylinux2014' }, linux)).toMatchObject({ compatibility: 'manylinux2014', zig: true });
  });

  it('sets no compatibility and no zig off Linux unless asked', () => {
    expect(normalizeOptions({ target: 'universal2-apple-darwin' }, macos)).toMatchObject({
      compatibility: undefined,
      zig: false,
      target: 'universal2-apple-darwin',
    });
  });

  it('turns zig off for the pypi policy and keeps an explicit zig choice', () => {
    expect(normalizeOptions({ compatibility: 'pypi' }, linux).zig).toBe(false);
    expect(normalizeOptions({ zig: false }, linux).zig).toBe(false);
  });

  it('builds the maturin arguments from the normalised options', () => {
    const options = normalizeOptions({ profile: 'dist', features: ['a', 'b'], target: 'aarch64-unknown-linux-gnu', compatibility: 'manylinux2014' }, linux);
    expect(maturinBuildArguments(options, '/tmp/out')).toEqual([
      'build', '--out', '/tmp/out', '--locked', '--profile', 'dist', '--target', 'aarch64-unknown-linux-gnu',
      '--compatibility', 'manylinux2014', '--zig', '--features', 'a,b',
    ]);
  });
});
