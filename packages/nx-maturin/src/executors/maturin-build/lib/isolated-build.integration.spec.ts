import { execa } from 'execa';
import { dirname, join } from 'node:path';
import { findPythonInterpreter } from '../../../lib/python-discovery';
import { REPOSITORY_ROOT } from '../../../test-support/temp-workspace';
import { cachedEnvironmentMaturin } from './isolated-build';

jest.setTimeout(5 * 60_000);

describe('cachedEnvironmentMaturin (real uv)', () => {
  it("finds the same maturin on every run, with a python beside it that imports the environment's packages (ziglang for cargo-zigbuild)", async () => {
    const interpreter = (await findPythonInterpreter('3.13')).executable;
    const requires = ['maturin>=1.9,<2', 'ziglang'];
    const first = await cachedEnvironmentMaturin(REPOSITORY_ROOT, interpreter, requires);
    const second = await cachedEnvironmentMaturin(REPOSITORY_ROOT, interpreter, requires);
    expect(second).toBe(first);
    // reuseEnvironment hands this python to cargo-zigbuild: the sdist's own build environment has no ziglang.
    const python = join(dirname(first), 'python');
    const imported = await execa(python, ['-c', 'import ziglang, sys; print(sys.prefix)']);
    expect(imported.stdout).toBe(dirname(dirname(first)));
  });
});
