import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findRustToolchainFolder, projectRustToolchainInput } from './toolchain-fingerprint-project';

const posixOnly = process.platform === 'win32' ? describe.skip : describe;

describe('toolchain fingerprint of a project with its own rust-toolchain file', () => {
  let root: string;
  const write = (path: string, content: string, mode = 0o644) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    // Written aside and renamed, as rustup replaces a toolchain's files on an update.
    writeFileSync(join(root, `${path}.new`), content, { mode });
    renameSync(join(root, `${path}.new`), join(root, path));
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'toolchain-project-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  describe('findRustToolchainFolder', () => {
    it("finds the nearest rust-toolchain file at or above the crate's folder, below the workspace root", () => {
      write('rust-toolchain.toml', '[toolchain]\nchannel = "nightly"\n');
      write('libs/p/rust-toolchain', 'stable\n');
      write('libs/p/rust/rust-toolchain.toml', '[toolchain]\nchannel = "beta"\n');
      expect(findRustToolchainFolder(root, 'libs/p/rust')).toBe('libs/p/rust');
      expect(findRustToolchainFolder(root, 'libs/p/crates/core')).toBe('libs/p');
      expect(findRustToolchainFolder(root, 'libs/q')).toBeUndefined();
      expect(findRustToolchainFolder(root, '')).toBeUndefined();
    });
  });

  describe('projectRustToolchainInput', () => {
    it('asks rustc in that folder, never installing a toolchain, and quotes the folder for the shell', () => {
      expect(projectRustToolchainInput("libs/o'neil p", 'linux')).toEqual({ runtime: `cd 'libs/o'\\''neil p' && RUSTUP_AUTO_INSTALL=0 "\${RUSTC:-rustc}" -vV 2>&1 || echo rustc unavailable` });
      expect(projectRustToolchainInput('libs/p', 'win32')).toEqual({
        runtime: 'cd /d "libs\\p" && set "RUSTUP_AUTO_INSTALL=0" && (if defined RUSTC (%RUSTC% -vV) else (rustc -vV)) 2>&1 || echo rustc unavailable',
      });
    });
  });

  // Real rustup with a RUSTUP_HOME of its own: a default toolchain and a custom one a project's file names, each a
  // rustc script the test "upgrades" as `rustup update` would.
  posixOnly('through rustup', () => {
    const installRustc = (toolchain: string, version: string) =>
      write(`rustup-home/toolchains/${toolchain}/bin/rustc`, `#!/bin/sh\necho 'rustc ${version}'\necho 'host: x86_64-unknown-linux-gnu'\n`, 0o755);
    const runInput = () => {
      const { runtime } = projectRustToolchainInput('libs/p') as { runtime: string };
      // As Nx runs a runtime input: through sh, in the workspace root.
      return execFileSync('sh', ['-c', runtime], { cwd: root, encoding: 'utf8', env: { ...process.env, RUSTUP_HOME: join(root, 'rustup-home'), RUSTUP_TOOLCHAIN: '', RUSTC: '' } });
    };

    it("changes when the floating channel's compiler is upgraded though the file stays the same", () => {
      write('rustup-home/settings.toml', 'version = "12"\ndefault_toolchain = "plain"\n');
      installRustc('plain', '1.0.0');
      installRustc('floating', '1.90.0');
      write('libs/p/rust-toolchain.toml', '[toolchain]\nchannel = "floating"\n');
      expect(runInput()).toBe('rustc 1.90.0\nhost: x86_64-unknown-linux-gnu\n');
      installRustc('floating', '1.91.0');
      expect(runInput()).toBe('rustc 1.91.0\nhost: x86_64-unknown-linux-gnu\n');
    });

    it('hashes a toolchain that is not installed as rustup\'s error naming it, without installing it', () => {
      write('rustup-home/settings.toml', 'version = "12"\ndefault_toolchain = "plain"\n');
      write('libs/p/rust-toolchain.toml', '[toolchain]\nchannel = "1.80.0"\n');
      const output = runInput();
      expect(output).toContain('1.80.0');
      expect(output).toContain('rustc unavailable');
    });
  });
});
