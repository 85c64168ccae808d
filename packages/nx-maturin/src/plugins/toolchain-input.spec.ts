import { execa } from 'execa';
import { dirname } from 'node:path';
import { REPOSITORY_ROOT } from '../test-support/temp-workspace';
import { toolchainFingerprint } from '../lib/toolchain-fingerprint';
import { preTasksExecution, toolchainEnvironmentVariable, toolchainFingerprintInput } from './toolchain-input';

const posixOnly = process.platform === 'win32' ? it.skip : it;
const context = { id: 'test', workspaceRoot: REPOSITORY_ROOT, nxJsonConfiguration: {}, argv: [] };
const VARIABLE = 'NX_MATURIN_TOOLCHAIN_3_12_3_13';

describe('toolchain runtime input', () => {
  afterEach(() => {
    delete process.env[VARIABLE];
  });

  it('names one variable per set of Python versions', () => {
    expect(toolchainEnvironmentVariable(['3.12', '3.13'])).toBe(VARIABLE);
    expect(toolchainEnvironmentVariable(['3.13'])).toBe('NX_MATURIN_TOOLCHAIN_3_13');
  });

  it('prints the variable through cmd on Windows, computing it with node only when it is unset', () => {
    expect(toolchainFingerprintInput(['3.12', '3.13'], 'win32')).toEqual({
      runtime: `if defined ${VARIABLE} (echo %${VARIABLE}%) else (node node_modules/@codetracer/nx-maturin/bin/toolchain-fingerprint.js 3.12 3.13)`,
    });
  });

  // Run as Nx runs a runtime input: `sh -c <command>` from the workspace root with the task's environment.
  const runRuntimeInput = async (env: NodeJS.ProcessEnv) => {
    const { runtime } = toolchainFingerprintInput(['3.12', '3.13'], 'linux') as { runtime: string };
    return (await execa('sh', ['-c', runtime], { cwd: REPOSITORY_ROOT, env, extendEnv: false })).stdout;
  };

  posixOnly('prints the variable the hook set without starting node', async () => {
    // No node on PATH: the command can only answer from the variable.
    await expect(runRuntimeInput({ PATH: '/usr/bin:/bin', [VARIABLE]: 'abc123' })).resolves.toBe('abc123');
  });

  posixOnly('computes the same value with node when no hook ran, so both ways share cache entries', async () => {
    await preTasksExecution({}, context);
    const fromHook = process.env[VARIABLE];
    expect(fromHook).toMatch(/^[0-9a-f]{64}$/);
    expect(fromHook).toBe(await toolchainFingerprint(REPOSITORY_ROOT, ['3.12', '3.13']));
    const withoutVariable: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` };
    delete withoutVariable[VARIABLE];
    await expect(runRuntimeInput(withoutVariable)).resolves.toBe(fromHook);
  });

  it('leaves the variable unset, without failing the command, when the toolchain cannot be described', async () => {
    const saved = { PATH: process.env['PATH'], PYENV_ROOT: process.env['PYENV_ROOT'] };
    const variable = toolchainEnvironmentVariable(['3.99']);
    Object.assign(process.env, { PATH: '', PYENV_ROOT: '/nonexistent', [variable]: 'stale' });
    try {
      await expect(preTasksExecution({ pythonVersions: ['3.99'] }, context)).resolves.toBeUndefined();
      expect(process.env[variable]).toBeUndefined();
    } finally {
      Object.assign(process.env, saved);
      delete process.env[variable];
    }
  });
});
