import { interpreterMinor, isCargoBuildOutput, missingHostWheelProblem, sdistContentProblems, tagFitsInterpreter, wheelFitsPlatform, wheelServesInterpreter, wheelTagProblems } from './artefact-rules';

describe('artefact-rules', () => {
  it('reads the major.minor from a manifest interpreter', () => {
    expect(interpreterMinor('CPython 3.12.1')).toBe('3.12');
    expect(interpreterMinor(null)).toBeNull();
  });

  it('accepts the matching cp tag and older abi3 tags, and refuses other interpreters', () => {
    expect(tagFitsInterpreter('cp312-cp312-manylinux_2_34_x86_64', '3.12')).toBe(true);
    expect(tagFitsInterpreter('cp39-abi3-manylinux_2_34_x86_64', '3.12')).toBe(true);
    expect(tagFitsInterpreter('cp313-abi3-manylinux_2_34_x86_64', '3.12')).toBe(false);
    expect(tagFitsInterpreter('cp313-cp313-manylinux_2_34_x86_64', '3.12')).toBe(false);
  });

  it('names the wheel tag rule for a cp313 wheel listed for 3.12', () => {
    const problems = wheelTagProblems('x-1.0-cp313-cp313-macosx_11_0_arm64.whl', ['cp313-cp313-macosx_11_0_arm64'], '3.12');
    expect(problems).toEqual([expect.stringContaining('[wheel tag rule] listed for CPython 3.12')]);
  });

  it('tells wheels for this OS from wheels collected from other platforms', () => {
    expect(wheelFitsPlatform(['cp312-cp312-manylinux_2_17_x86_64'], 'linux')).toBe(true);
    expect(wheelFitsPlatform(['cp312-cp312-macosx_10_12_universal2'], 'linux')).toBe(false);
    expect(wheelFitsPlatform(['cp312-cp312-win_amd64'], 'win32')).toBe(true);
  });

  it('names the platform tag rule when no wheel fits this host', () => {
    expect(missingHostWheelProblem('dist', '3.12', 'linux', ['x-1.0-cp312-cp312-win_amd64.whl'])).toBe(
      'dist: [platform tag rule] no wheel for CPython 3.12 on linux (manylinux* or musllinux* or linux_*); the folder holds x-1.0-cp312-cp312-win_amd64.whl. Build on this platform or add its wheels.',
    );
  });

  it('lets an interpreter-independent wheel (cffi, bin bindings) fit every CPython', () => {
    expect(tagFitsInterpreter('py3-none-manylinux_2_34_x86_64', '3.13')).toBe(true);
    expect(wheelTagProblems('c-1.0-py3-none-manylinux_2_34_x86_64.whl', ['py3-none-manylinux_2_34_x86_64'], '3.12')).toEqual([]);
    expect(tagFitsInterpreter('py2-none-any', '3.12')).toBe(false);
  });

  it('finds nothing wrong with a complete sdist', () => {
    const entries = ['p-1.0/Cargo.lock', 'p-1.0/Cargo.toml', 'p-1.0/src/lib.rs', 'p-1.0/pyproject.toml', 'p-1.0/python/pkg/__init__.py', 'p-1.0/PKG-INFO'];
    expect(sdistContentProblems('p-1.0.tar.gz', entries, 'pkg')).toEqual([]);
  });

  it('expects no Python package in the sdist of a pure Rust extension module, but does in a mixed project', () => {
    const entries = ['p-1.0/Cargo.lock', 'p-1.0/py/Cargo.toml', 'p-1.0/py/src/lib.rs', 'p-1.0/pyproject.toml', 'p-1.0/PKG-INFO'];
    expect(sdistContentProblems('p-1.0.tar.gz', entries, 'pkg', false)).toEqual([]);
    expect(sdistContentProblems('p-1.0.tar.gz', entries, 'pkg')).toEqual([expect.stringContaining('does not contain the Python package (pkg/__init__.py)')]);
  });

  it('names each missing and each forbidden entry of an sdist', () => {
    const entries = ['p-1.0/Cargo.toml', 'p-1.0/src/lib.rs', 'p-1.0/pyproject.toml', 'p-1.0/python/pkg/__init__.py', 'p-1.0/python/pkg/_native.cpython-312-x86_64-linux-gnu.so', 'p-1.0/target/release/x'];
    const problems = sdistContentProblems('p-1.0.tar.gz', entries, 'pkg');
    expect(problems).toEqual([
      expect.stringContaining('does not contain Cargo.lock'),
      expect.stringContaining('contains a Cargo target/ build folder: target/release/x'),
      expect.stringContaining('contains a compiled extension'),
    ]);
  });

  it('accepts a source folder named target (a crate module) but flags Cargo output beside any Cargo.toml', () => {
    const vendored = ['p-1.0/Cargo.toml', 'p-1.0/Cargo.lock', 'p-1.0/src/lib.rs', 'p-1.0/pyproject.toml', 'p-1.0/vendor/cc/Cargo.toml', 'p-1.0/vendor/cc/src/target/apple.rs', 'p-1.0/vendor/cc/src/target.rs'];
    expect(sdistContentProblems('p-1.0.tar.gz', vendored, 'pkg', false)).toEqual([]);
    const paths = ['Cargo.toml', 'crates/core/Cargo.toml'];
    expect(isCargoBuildOutput('target/CACHEDIR.TAG', paths)).toBe(true);
    expect(isCargoBuildOutput('crates/core/target/debug/deps/libcore.rlib', paths)).toBe(true);
    expect(isCargoBuildOutput('target/x86_64-unknown-linux-gnu/profiling/build/out', paths)).toBe(true);
    expect(isCargoBuildOutput('target/custom/deps/libx.rlib', paths)).toBe(true);
    expect(isCargoBuildOutput('docs/target/release/notes.md', paths)).toBe(false);
    expect(isCargoBuildOutput('target/README.md', paths)).toBe(false);
  });

  it('serves every CPython from an abi3 wheel at or below it, and each cpXY wheel only its own', () => {
    const abi3 = ['cp310-abi3-manylinux_2_34_x86_64'];
    expect(['3.10', '3.12', '3.13'].map((minor) => wheelServesInterpreter(abi3, minor))).toEqual([true, true, true]);
    expect(wheelServesInterpreter(abi3, '3.9')).toBe(false);
    expect(wheelServesInterpreter(['cp312-cp312-manylinux_2_34_x86_64'], '3.13')).toBe(false);
    expect(wheelServesInterpreter(['py3-none-manylinux_2_34_x86_64'], '3.13')).toBe(true);
  });
});
