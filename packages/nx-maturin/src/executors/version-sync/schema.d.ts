import type { CargoVersionPolicy } from '../../lib/versions/version-files';

export interface VersionSyncExecutorSchema {
  /** The release tag to check against; defaults to the tag in `GITHUB_REF`. */
  tag?: string;
  /** How a release tag is built; default `{projectName}-v{version}`. */
  tagPattern?: string;
  /** A SemVer or PEP 440 version to write into every writable source before checking. */
  write?: string;
  /** `false` leaves the CHANGELOG out, `true` (default) finds CHANGELOG.md or CHANGELOG.rst in the project folder, else in the crate's; a path relative to the project folder names the file. */
  changelog?: boolean | string;
  /** The Python file, relative to the project folder, holding the `__version__` literal. */
  versionFile?: string;
  /** `independent`: Cargo's version is not the release version and is neither checked nor written. */
  cargoVersion?: CargoVersionPolicy;
}
