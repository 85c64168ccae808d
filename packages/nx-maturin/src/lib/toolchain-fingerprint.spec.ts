import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeToolchain, describeToolchainMemoised, findPythonInterpretersMemoised, toolchainFingerprint, toolchainMemoKey } from './toolchain-fingerprint';

const posixOnly = process.platform === 'win32' ? describe.skip : describe;

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

  it('changes with the Python versions asked for, RUSTUP_TOOLCHAIN and RUSTC', () => {
    const key = toolchainMemoKey(root, ['3.12'], env);
    expect(toolchainMemoKey(root, ['3.12', '3.13'], env)).not.toBe(key);
    expect(toolchainMemoKey(root, ['3.12'], { ...env, RUSTUP_TOOLCHAIN: 'nightly' })).not.toBe(key);
    expect(toolchainMemoKey(root, ['3.12'], { ...env, RUSTC: join(root, 'bin', 'rustc') })).not.toBe(key);
  });

  it('answers the description and the interpreters from the memo without probing any tool when the key matches', async () => {
    const key = toolchainMemoKey(root, ['3.12'], env);
    const interpreters = [{ requested: '3.12', version: '3.12.9', executable: '/remembered/python3.12', source: 'pyenv' }];
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', 'nx-maturin-toolchain.json'), JSON.stringify({ [key]: { description: 'remembered toolchain', interpreters } }));
    await expect(describeToolchainMemoised(root, ['3.12'], env)).resolves.toBe('remembered toolchain');
    await expect(findPythonInterpretersMemoised(root, ['3.12'], env)).resolves.toEqual(interpreters);
  });
});

// Real probes of fake tools: each one is a script on PATH that prints a version, as rustc, maturin and CPython do.
posixOnly('toolchain fingerprint of the tools on PATH', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  const tool = (name: string, output: string) => {
    // Written aside and renamed over the old file, as installers replace an executable.
    const file = join(root, 'bin', name);
    writeFileSync(`${file}.new`, `#!/bin/sh\necho '${output}'\n`);
    chmodSync(`${file}.new`, 0o755);
    renameSync(`${file}.new`, file);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'toolchain-tools-'));
    mkdirSync(join(root, 'bin'));
    tool('rustc', 'rustc 1.90.0 (abc 2026-01-01)\nhost: x86_64-unknown-linux-gnu');
    tool('maturin', 'maturin 1.16.0');
    tool('python3.12', 'CPython 3.12.1');
    env = { PATH: join(root, 'bin'), HOME: root, PYENV_ROOT: join(root, 'no-pyenv'), NX_WORKSPACE_DATA_DIRECTORY: join(root, 'data') };
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('describes what the tools report, without paths', async () => {
    const description = await describeToolchain(root, ['3.12'], env);
    expect(description.split('\n').slice(1)).toEqual(['rustc 1.90.0 (abc 2026-01-01) | host: x86_64-unknown-linux-gnu', 'maturin 1.16.0', 'CPython 3.12.1']);
    expect(description).not.toContain(root);
  });

  it.each([
    ['rustc', () => tool('rustc', 'rustc 1.91.0 (def 2026-02-01)\nhost: x86_64-unknown-linux-gnu')],
    ['maturin', () => tool('maturin', 'maturin 1.17.0')],
    ['CPython 3.12', () => tool('python3.12', 'CPython 3.12.9')],
  ])('changes when %s is upgraded in place, though the memo answered before', async (_tool, upgrade) => {
    const before = await toolchainFingerprint(root, ['3.12'], env);
    expect(await toolchainFingerprint(root, ['3.12'], env)).toBe(before);
    upgrade();
    expect(await toolchainFingerprint(root, ['3.12'], env)).not.toBe(before);
  });

  it('finds the interpreters through the memo, and again after one is replaced in place', async () => {
    const python = join(root, 'bin', 'python3.12');
    expect(await findPythonInterpretersMemoised(root, ['3.12'], env)).toEqual([{ requested: '3.12', version: '3.12.1', executable: python, source: 'PATH' }]);
    tool('python3.12', 'CPython 3.12.9');
    expect(await findPythonInterpretersMemoised(root, ['3.12'], env)).toEqual([{ requested: '3.12', version: '3.12.9', executable: python, source: 'PATH' }]);
  });

  it('stays the same when a tool is reinstalled at the same version', async () => {
    const before = await toolchainFingerprint(root, ['3.12'], env);
    tool('maturin', 'maturin 1.16.0');
    expect(await toolchainFingerprint(root, ['3.12'], env)).toBe(before);
  });

  it('describes $RUSTC instead of the rustc on PATH when it is set, as cargo uses it', async () => {
    mkdirSync(join(root, 'other'));
    writeFileSync(join(root, 'other', 'rustc'), "#!/bin/sh\necho 'rustc 1.80.0 (old 2025-01-01)'\n");
    chmodSync(join(root, 'other', 'rustc'), 0o755);
    const description = await describeToolchain(root, ['3.12'], { ...env, RUSTC: join(root, 'other', 'rustc') });
    expect(description).toContain('rustc 1.80.0');
  });

  it("names the plugin's pinned maturin when the workspace has none, as the build then runs that one", async () => {
    rmSync(join(root, 'bin', 'maturin'));
    expect(await describeToolchain(root, ['3.12'], env)).toContain('maturin[zig]==1.16.0 through uv tool run');
  });
});
