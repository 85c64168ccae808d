import type { TargetConfiguration } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';

type InputDefinition = Exclude<NonNullable<TargetConfiguration['inputs']>[number], string>;

const RUST_TOOLCHAIN_FILES = ['rust-toolchain.toml', 'rust-toolchain'];

/**
 * The folder of the rust-toolchain file that rustup applies to a crate, when that file lies below the workspace
 * root: the nearest one at or above the crate's folder (rustup's own search), `/`-separated and relative to the
 * workspace root. A file at the workspace root is left to the workspace's toolchain fingerprint, which asks rustc
 * there.
 */
export function findRustToolchainFolder(workspaceRoot: string, crateFolder: string): string | undefined {
  for (let folder = posix.normalize(crateFolder); folder !== '.' && folder !== '' && folder !== '/'; folder = posix.dirname(folder)) {
    if (RUST_TOOLCHAIN_FILES.some((file) => existsSync(join(workspaceRoot, folder, file)))) return folder;
  }
  return undefined;
}

/**
 * The Rust compiler a project's own rust-toolchain file selects, as a runtime cache input. The file is an input
 * too, but a floating channel (`stable`, `nightly`, `1.80`, a linked toolchain) names a compiler that changes while
 * the file does not: after `rustup update` the file is the same and the wheels are not. So the input is what rustc
 * says about itself in that folder (version, commit, host, LLVM), asked on every hash: rustup's proxy answers in
 * about 20 ms, and only projects with such a file pay it. It needs no memo, so it cannot go stale, and it holds no
 * path, so two checkouts share cache entries. $RUSTC, when set, is the compiler Cargo uses instead (the workspace
 * fingerprint describes it). RUSTUP_AUTO_INSTALL=0: hashing a task must never download a toolchain; a missing one
 * hashes as rustup's error, which names it.
 */
export function projectRustToolchainInput(toolchainFolder: string, platform: NodeJS.Platform = process.platform): InputDefinition {
  if (platform === 'win32') {
    return { runtime: `cd /d "${toolchainFolder.split('/').join('\\')}" && set "RUSTUP_AUTO_INSTALL=0" && (if defined RUSTC (%RUSTC% -vV) else (rustc -vV)) 2>&1 || echo rustc unavailable` };
  }
  return { runtime: `cd '${toolchainFolder.replace(/'/g, `'\\''`)}' && RUSTUP_AUTO_INSTALL=0 "\${RUSTC:-rustc}" -vV 2>&1 || echo rustc unavailable` };
}

/** The inputs above for a project, none when no rust-toolchain file below the workspace root applies to it. */
export function projectRustToolchainInputs(toolchainFolder: string | undefined): InputDefinition[] {
  return toolchainFolder === undefined ? [] : [projectRustToolchainInput(toolchainFolder)];
}
