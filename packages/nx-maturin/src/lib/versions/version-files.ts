import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describeMaturinProject, locateOnDisk, maturinPaths, versionComesFromCargo, type MaturinPaths } from '../../plugins/maturin-project';
import { readTomlFile, tomlPath, tomlString, type TomlTable } from '../toml-file';

/** Where each file that states a maturin project's version lives; shared by the reader and the writer. */
export interface VersionFiles {
  workspaceRoot: string;
  pyprojectFile: string;
  pyproject: TomlTable;
  /** True when maturin copies Cargo's version: `dynamic = ["version"]` or no `[project]` table. */
  pyprojectVersionIsDynamic: boolean;
  cargoManifestFile: string;
  crateName: string | undefined;
  /** The manifest and table whose `version` field Cargo uses for this crate. */
  cargoVersion: { file: string; table: readonly string[]; inherited: boolean };
  cargoLockFile: string | undefined;
  /** `__init__.py` of the Python package, when the project ships one. */
  pythonInitFile: string | undefined;
  changelogFile: string | undefined;
}

export function displayPath(workspaceRoot: string, file: string): string {
  return relative(workspaceRoot, file).split('\\').join('/') || '.';
}

export function locateVersionFiles(workspaceRoot: string, projectRoot: string): VersionFiles {
  const projectDir = resolve(workspaceRoot, projectRoot);
  const pyprojectFile = join(projectDir, 'pyproject.toml');
  const pyproject = readTomlFile(pyprojectFile);
  const paths = maturinPathsOf(pyprojectFile, pyproject, projectDir);
  const cargoManifestFile = join(projectDir, paths.cargoManifest);
  const cargoToml = readTomlFile(cargoManifestFile);
  const layout = locateOnDisk(workspaceRoot, describeMaturinProject(displayPath(workspaceRoot, pyprojectFile), pyproject, cargoToml, paths));
  const changelogFile = join(projectDir, 'CHANGELOG.md');
  return {
    workspaceRoot,
    pyprojectFile,
    pyproject,
    pyprojectVersionIsDynamic: versionComesFromCargo(pyproject),
    cargoManifestFile,
    crateName: tomlString(cargoToml, ['package', 'name']),
    cargoVersion: locateCargoVersion(cargoManifestFile, cargoToml),
    cargoLockFile: layout.cargoLockFile === undefined ? undefined : join(workspaceRoot, layout.cargoLockFile),
    pythonInitFile: layout.pythonPackageDir ? join(projectDir, layout.pythonPackageDir, '__init__.py') : undefined,
    changelogFile: existsSync(changelogFile) ? changelogFile : undefined,
  };
}

function maturinPathsOf(pyprojectFile: string, pyproject: TomlTable, projectDir: string): MaturinPaths {
  try {
    return maturinPaths(pyproject, projectDir);
  } catch (error) {
    throw new Error(`${pyprojectFile}: ${(error as Error).message}`);
  }
}

/**
 * `version.workspace = true` hands the field to `[workspace.package]` of the nearest enclosing Cargo.toml that
 * declares `[workspace]`, which is where Cargo itself looks.
 */
function locateCargoVersion(manifestFile: string, cargoToml: TomlTable): VersionFiles['cargoVersion'] {
  if (tomlPath(cargoToml, ['package', 'version', 'workspace']) !== true) {
    return { file: manifestFile, table: ['package'], inherited: false };
  }
  if (tomlPath(cargoToml, ['workspace']) !== undefined) {
    return { file: manifestFile, table: ['workspace', 'package'], inherited: true };
  }
  for (let dir = dirname(dirname(manifestFile)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'Cargo.toml');
    if (existsSync(candidate) && tomlPath(readTomlFile(candidate), ['workspace']) !== undefined) {
      return { file: candidate, table: ['workspace', 'package'], inherited: true };
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(
    `${manifestFile}: [package].version says \`workspace = true\`, but no enclosing Cargo.toml declares [workspace]; ` +
      'write the version in [package] or add the Cargo workspace root.',
  );
}

/** `__version__ = "1.2.3"` written as a literal (optionally annotated); a derived `__version__` is not a source. */
export const VERSION_LITERAL = /^(__version__\s*(?::\s*str\s*)?=\s*)(["'])([^"'\n]*)\2/m;

export function readTextIfPresent(file: string | undefined): string | undefined {
  return file !== undefined && existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
