export interface VersionSyncExecutorSchema {
  /** The release tag to check against; defaults to the tag in `GITHUB_REF`. */
  tag?: string;
  /** How a release tag is built; default `{projectName}-v{version}`. */
  tagPattern?: string;
  /** A SemVer or PEP 440 version to write into every writable source before checking. */
  write?: string;
}
