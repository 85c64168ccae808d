import { realpathSync } from 'node:fs';
import { runCaptured } from '../../../lib/run-process';
import { resolveTool, type ToolCommand } from '../../../lib/workspace-tools';

/** The packages of the isolated build environment: `[build-system].requires`, plus ziglang for zig, which a plain `maturin` requirement lacks (`maturin[zig]` would name it). */
export function isolatedBuildRequirements(requires: readonly string[], zig: boolean): string[] {
  return zig ? [...requires, 'ziglang'] : [...requires];
}

/**
 * maturin from the project's own build environment: `uv run --isolated --with <each requirement>`. uv installs the
 * requirements once into a cached environment of its own and lays a fresh, empty environment over it for every run.
 */
export function isolatedMaturinCommand(workspaceRoot: string, interpreter: string, buildRequires: readonly string[]): ToolCommand {
  return { ...isolatedRun(workspaceRoot, interpreter, buildRequires, ['maturin']), origin: 'uv run (PEP 517 build requirements)' };
}

/**
 * The maturin of {@link isolatedMaturinCommand}'s cached environment, by its real path: the fresh environment uv lays
 * over it is a new folder on every run, but this maturin, and the `python` beside it that imports the requirements
 * (ziglang for zig), stay where they are while uv keeps its cache. cargo-zigbuild names the folder of its compiler
 * and linker wrappers after the maturin running it, so an isolated zig build keeps the same compiler and linker
 * paths in Cargo's fingerprints from build to build, and the smoke's sdist build can point at the same wrappers
 * (see reuseEnvironment). Were uv to move it, the smoke's build would still be right, only slower.
 */
export async function cachedEnvironmentMaturin(workspaceRoot: string, interpreter: string, buildRequires: readonly string[]): Promise<string> {
  const probe = isolatedRun(workspaceRoot, interpreter, buildRequires, ['python', '-c', 'import shutil; print(shutil.which("maturin") or "")']);
  const { stdout } = await runCaptured(probe.file, probe.args, { cwd: workspaceRoot });
  const found = stdout.trim().split('\n').at(-1) ?? '';
  if (found === '') {
    throw new Error(`\`${[probe.file, ...probe.args].join(' ')}\` found no maturin in the isolated build environment; expected [build-system].requires to name maturin`);
  }
  return realpathSync(found);
}

function isolatedRun(workspaceRoot: string, interpreter: string, buildRequires: readonly string[], command: string[]): Omit<ToolCommand, 'origin'> {
  const uv = resolveTool(workspaceRoot, 'uv');
  const withArgs = buildRequires.flatMap((requirement) => ['--with', requirement]);
  return { file: uv.file, args: [...uv.args, 'run', '--no-project', '--isolated', '--python', interpreter, ...withArgs, '--', ...command] };
}
