import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace, type TempWorkspace } from '../test-support/temp-workspace';
import { toolchainFingerprintInput } from './toolchain-input';

jest.setTimeout(3 * 60_000);

const posixOnly = process.platform === 'win32' ? describe.skip : describe;

// A cacheable target whose only input is the toolchain, in a workspace whose maturin is a script the test upgrades;
// the target prints the variable the hook sets.
posixOnly('toolchain fingerprint in real nx', () => {
  let ws: TempWorkspace;
  const installMaturin = (version: string) => {
    const file = join(ws.root, '.fake-tools', 'bin', 'maturin');
    writeFileSync(`${file}.new`, `#!/bin/sh\necho 'maturin ${version}'\n`);
    chmodSync(`${file}.new`, 0o755);
    renameSync(`${file}.new`, file);
  };
  const probe = async (env: NodeJS.ProcessEnv) => {
    const run = await ws.nx(['run', 'probe:probe', '--outputStyle=stream'], env);
    expect(run.exitCode).toBe(0);
    return { result: /local cache|existing outputs match the cache/.test(run.all) ? 'cache hit' : 'ran', output: run.all };
  };

  beforeAll(() => {
    ws = createTempWorkspace({ pluginOptions: { toolsVenv: '.fake-tools' } });
    mkdirSync(join(ws.root, '.fake-tools', 'bin'), { recursive: true });
    installMaturin('1.16.0');
    ws.write(
      'probe/project.json',
      JSON.stringify({
        name: 'probe',
        targets: { probe: { command: 'echo probed $NX_MATURIN_TOOLCHAIN_3_12_3_13', cache: true, inputs: [toolchainFingerprintInput(['3.12', '3.13'])], outputs: [] } },
      }),
    );
  });
  afterAll(async () => {
    await ws.nx(['daemon', '--stop']);
    ws.remove();
  });

  it.each([
    ['without the daemon', { NX_DAEMON: 'false' }, '1.17.0'],
    ['with the daemon', { NX_DAEMON: 'true', CI: 'false' }, '1.18.0'],
  ])('answers from the cache until maturin is upgraded, %s', async (_mode, env, upgrade) => {
    await probe(env);
    expect((await probe(env)).result).toBe('cache hit');
    installMaturin(upgrade);
    const afterUpgrade = await probe(env);
    expect(afterUpgrade.result).toBe('ran');
    // The plugin's preTasksExecution hook set the fingerprint in the environment Nx hashes and runs tasks with.
    expect(afterUpgrade.output).toMatch(/probed [0-9a-f]{64}/);
  });
});
