import { join } from 'node:path';
import { readTomlFile } from './toml-file';
import { cargoManifestPath } from '../plugins/maturin-project';
import { runCaptured } from './run-process';

/**
 * The Cargo target folder a maturin project compiles into, as Cargo itself resolves it: CARGO_TARGET_DIR,
 * `build.target-dir` in a `.cargo/config.toml`, or the `target/` folder of the package's Cargo workspace. Builds
 * that start from an unpacked sdist somewhere else point Cargo here, so dependencies compiled once are reused.
 */
export async function cargoTargetDirectory(projectDirectory: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const pyprojectFile = join(projectDirectory, 'pyproject.toml');
  const manifest = join(projectDirectory, cargoManifestPath(readTomlFile(pyprojectFile), projectDirectory));
  const { stdout } = await runCaptured('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline', '--manifest-path', manifest], { cwd: projectDirectory, env });
  let targetDirectory: unknown;
  try {
    targetDirectory = (JSON.parse(stdout) as { target_directory?: unknown }).target_directory;
  } catch (error) {
    throw new Error(`\`cargo metadata --manifest-path ${manifest}\` printed no JSON (${(error as Error).message}); expected Cargo's metadata with a target_directory field`);
  }
  if (typeof targetDirectory !== 'string' || targetDirectory === '') {
    throw new Error(`\`cargo metadata --manifest-path ${manifest}\` gave target_directory ${JSON.stringify(targetDirectory)}; expected a folder path`);
  }
  return targetDirectory;
}
