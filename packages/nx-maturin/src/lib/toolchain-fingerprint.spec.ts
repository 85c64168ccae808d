import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeToolchainMemoised, toolchainMemoKey } from './toolchain-fingerprint';

describe('toolchain fingerprint memo', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let pathDir: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'toolchain-memo-'));
    pathDir = join(root, 'bin');
    mkdirSync(pathDir);
    mkdirSync(join(root, 'pyenv', 'versions', '3.12.1', 'bin'), { recursive: true });
    writeFileSync(join(pathDir, 'maturin'), '#!/bin/sh\necho maturin 1.0.0\n');
    chmodSync(join(pathDir, 'maturin'), 0o755);
    env = { PATH: pathDir, HOME: root, PYENV_ROOT: join(root, 'pyenv'), RUSTUP_HOME: join(root, 'rustup'), NX_WORKSPACE_DATA_DIRECTORY: join(root, 'data') };
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const later = (path: string) => utimesSync(path, new Date(), new Date(Date.now() + 60_000));

  it('is the same while nothing changed', () => {
    expect(toolchainMemoKey(root, ['3.12'], env)).toBe(toolchainMemoKey(root, ['3.12'], env));
  });

  it.each([
    ['an upgraded maturin', () => later(join(root, 'bin', 'maturin'))],
    ['a tool added to a PATH folder', () => writeFileSync(join(root, 'bin', 'rustc'), '')],
    ['a new pyenv version', () => mkdirSync(join(root, 'pyenv', 'versions', '3.13.0'))],
    ['a rebuilt pyenv interpreter', () => writeFileSync(join(root, 'pyenv', 'versions', '3.12.1', 'bin', 'python3.12'), '')],
    ['a new rustup toolchain', () => mkdirSync(join(root, 'rustup', 'toolchains', 'stable', 'bin'), { recursive: true })],
    ['a rust-toolchain.toml in the workspace', () => writeFileSync(join(root, 'rust-toolchain.toml'), '[toolchain]\nchannel = "1.85"\n')],
  ])('changes with %s', (_change, change) => {
    const before = toolchainMemoKey(root, ['3.12'], env);
    change();
    expect(toolchainMemoKey(root, ['3.12'], env)).not.toBe(before);
  });

  it('changes with the Python versions asked for and with RUSTUP_TOOLCHAIN', () => {
    const key = toolchainMemoKey(root, ['3.12'], env);
    expect(toolchainMemoKey(root, ['3.12', '3.13'], env)).not.toBe(key);
    expect(toolchainMemoKey(root, ['3.12'], { ...env, RUSTUP_TOOLCHAIN: 'nightly' })).not.toBe(key);
  });

  it('answers from the memo without probing any tool when the key matches', async () => {
    const key = toolchainMemoKey(root, ['3.12'], env);
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', 'nx-maturin-toolchain.json'), JSON.stringify({ [key]: 'remembered toolchain' }));
    await expect(describeToolchainMemoised(root, ['3.12'], env)).resolves.toBe('remembered toolchain');
  });
});
