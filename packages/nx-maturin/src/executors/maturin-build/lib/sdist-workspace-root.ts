import { appendFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { cargoManifestPath } from '../../../plugins/maturin-project';
import { readTomlFile, tomlPath } from '../../../lib/toml-file';

/**
 * The unpacked sdist sits in the Cargo target folder, and Cargo looks for a crate's workspace in every folder above
 * it: a target folder inside another Cargo workspace (CARGO_TARGET_DIR or build.target-dir at a monorepo's root)
 * makes Cargo refuse the copy ("failed to load manifest for workspace member ... referenced by workspace at ...", or
 * "believes it's in a workspace when it's not"). An installer builds the sdist in a temporary folder with no
 * workspace above; an empty `[workspace]` in the crate's manifest, when no manifest of the copy declares one, gives
 * the copy that same standing. Returns the manifest changed, if any.
 */
export function keepOutOfOuterWorkspace(sourceDirectory: string): string | undefined {
  const pyprojectFile = join(sourceDirectory, 'pyproject.toml');
  if (!existsSync(pyprojectFile)) return undefined;
  const manifest = join(sourceDirectory, cargoManifestPath(readTomlFile(pyprojectFile), sourceDirectory));
  if (!existsSync(manifest) || tomlPath(readTomlFile(manifest), ['package', 'workspace']) !== undefined) return undefined;
  for (let folder = dirname(manifest); !relative(sourceDirectory, folder).startsWith('..'); folder = dirname(folder)) {
    const candidate = join(folder, 'Cargo.toml');
    if (existsSync(candidate) && tomlPath(readTomlFile(candidate), ['workspace']) !== undefined) return undefined;
    if (folder === sourceDirectory) break;
  }
  appendFileSync(manifest, '\n# Added by nx-maturin to this unpacked copy only: no Cargo workspace of the folders above applies to it.\n[workspace]\n');
  return manifest;
}
