import { join } from 'node:path';
import { cargoManifestPath } from '../../../plugins/maturin-project';
import { runCaptured } from '../../../lib/run-process';
import { readTomlFile } from '../../../lib/toml-file';

/**
 * Removes what Cargo compiled of the project's own crates (its Cargo workspace's members) for this profile and
 * target, so the sdist build in the shared target folder compiles them again from the unpacked sdist. Without
 * this Cargo would take them as up to date: it names a workspace member's outputs by its path relative to the
 * workspace, not by where the sources are, and the sources in the sdist keep mtimes older than the build's
 * outputs. Registry dependencies are left alone; they are what the sdist build reuses.
 */
export async function cleanProjectCrates(request: { projectDirectory: string; targetDirectory: string; profile: string; targetTriple: string | undefined; env: NodeJS.ProcessEnv }): Promise<string[]> {
  const manifest = join(request.projectDirectory, cargoManifestPath(readTomlFile(join(request.projectDirectory, 'pyproject.toml')), request.projectDirectory));
  const options = { cwd: request.projectDirectory, env: request.env };
  const { stdout } = await runCaptured('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline', '--manifest-path', manifest], options);
  const names = ((JSON.parse(stdout) as { packages?: { name?: unknown }[] }).packages ?? []).map((entry) => entry.name).filter((name): name is string => typeof name === 'string');
  if (names.length === 0) throw new Error(`\`cargo metadata --no-deps --manifest-path ${manifest}\` listed no packages; expected the project's own crates`);
  const target = request.targetTriple === undefined ? [] : ['--target', request.targetTriple];
  await runCaptured(
    'cargo',
    ['clean', '--offline', '--manifest-path', manifest, '--target-dir', request.targetDirectory, '--profile', request.profile, ...target, ...names.flatMap((name) => ['-p', name])],
    options,
  );
  return names;
}

/** The host's target triple (`rustc -vV`), which maturin passes to Cargo as `--target` when it links with zig. */
export async function hostTargetTriple(env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await runCaptured('rustc', ['-vV'], { cwd: process.cwd(), env });
  const host = /^host: (\S+)$/m.exec(stdout)?.[1];
  if (host === undefined) throw new Error(`\`rustc -vV\` printed no "host:" line; expected one such as "host: x86_64-unknown-linux-gnu". Output:\n${stdout}`);
  return host;
}
