/**
 * The `release` section of nx.json for maturin projects, kept here so the workspace and the tests use one shape.
 * Tags are annotated (`git tag --annotate`, which nx release always uses) and named `<project>-v<version>`,
 * the pattern version-sync checks by default.
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
    // Top-level git options serve the `nx release` command (one commit and tag after version and changelog);
    // Nx 23 refuses them for `nx release version` run on its own, so releases go through `nx release`.
    git: { commit: true, tag: true, commitMessage: 'chore(release): {projectName} {version}' },
  };
}
