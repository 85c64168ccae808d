/**
 * The `release` section of nx.json for maturin projects, kept here so the workspace and the tests use one shape.
 * Tags are annotated (`git tag --annotate`, which nx release always uses) and named `<project>-v<version>`,
 * the pattern version-sync checks by default.
 *
 * It sets no git options, so that `nx release`, `nx release version`, `nx release changelog` and
 * `nx release publish` all accept it: Nx 23 refuses the top-level `git` block for the version and changelog
 * subcommands, and `version.git` / `changelog.git` for the top-level command. Nx's defaults then apply:
 * `nx release` makes one commit and tags every released project, `version` writes and stages the manifests,
 * `changelog` commits and tags.
 */
export function maturinReleaseConfig(projects: string[]): Record<string, unknown> {
  return {
    projects,
    projectsRelationship: 'independent',
    releaseTag: { pattern: '{projectName}-v{version}' },
    version: {
      versionActions: '@codetracer/nx-maturin/dist/release/version-actions',
      currentVersionResolver: 'disk',
    },
    changelog: {
      workspaceChangelog: false,
      // The first release has no earlier tag to start from; the changelog then starts at the first commit.
      automaticFromRef: true,
      projectChangelogs: { file: '{projectRoot}/CHANGELOG.md', createRelease: false, renderOptions: { authors: false } },
    },
  };
}
