import { logger, type Tree } from '@nx/devkit';
import { posix, relative } from 'node:path';
import { VersionActions } from 'nx/release';
import { runCaptured } from '../lib/run-process';
import { tomlString } from '../lib/toml-file';
import { semverToPep440 } from '../lib/versions/pep440';
import { displayPath, locateVersionFiles, normalizeVersionFileOptions, type VersionFileOptions } from '../lib/versions/version-files';
import { agreedVersion, formatVersionTable, independentCargoHint, readVersionSources, type VersionCheckInput } from '../lib/versions/version-sources';
import { planVersionWrite } from '../lib/versions/write-version';
import { latestVersionOnIndex } from './registry-version';

/**
 * `nx release` for maturin projects: the current version comes from the project's manifests (which must agree),
 * and a new version is written to every file that states it, SemVer in Cargo's files and PEP 440 in Python's.
 */
const VERSION_SYNC_EXECUTOR = '@codetracer/nx-maturin:version-sync';

export default class MaturinVersionActions extends VersionActions {
  validManifestFilenames = ['pyproject.toml'];

  private get checkInput(): VersionCheckInput {
    return { workspaceRoot: '', projectRoot: this.projectGraphNode.data.root, projectName: this.projectGraphNode.name, ...this.versionFileOptions };
  }

  /**
   * The version-sync target's options (`changelog`, `versionFile`, `cargoVersion`), so a project configures its
   * version files once and nx release reads the same files as version-sync and version-write.
   */
  private get versionFileOptions(): VersionFileOptions {
    const target = Object.values(this.projectGraphNode.data.targets ?? {}).find((candidate) => candidate.executor === VERSION_SYNC_EXECUTOR);
    return normalizeVersionFileOptions((target?.options ?? {}) as Record<string, unknown>);
  }

  async readCurrentVersionFromSourceManifest(tree: Tree): Promise<{ currentVersion: string; manifestPath: string }> {
    try {
      return await this.readAgreedVersion(tree);
    } catch (error) {
      // Nx 23 replaces any error thrown here with "does not have a pyproject.toml file available", so the real
      // reason is printed before it is rethrown.
      logger.error(`${this.projectGraphNode.name}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  private async readAgreedVersion(tree: Tree): Promise<{ currentVersion: string; manifestPath: string }> {
    const input = { ...this.checkInput, workspaceRoot: tree.root };
    // A release tag names the version being made, not the current one, so only the files are compared here; and
    // the CHANGELOG heading follows the manifests one step later (`nx release version` writes the manifests, then
    // `nx release changelog` asks for the current version before it writes the heading), so the manifests decide.
    const sources = (await readVersionSources({ ...input, tag: undefined })).filter(
      (source) => !source.file.startsWith('tag ') && !source.name.endsWith(' newest heading'),
    );
    const current = agreedVersion(sources);
    if (current === undefined) {
      throw new Error(
        `The version sources of ${input.projectName} do not agree, so its current version is unknown:\n${formatVersionTable(sources)}\n` +
          `Next step: run \`nx run ${input.projectName}:version-write --write=<current version>\`, commit, and release again.` +
          independentCargoHint(sources),
      );
    }
    const files = locateVersionFiles(tree.root, input.projectRoot, input);
    const manifest = files.cargoVersionPolicy === 'independent' ? files.pyprojectFile : files.cargoVersion.file;
    return { currentVersion: current, manifestPath: relative(tree.root, manifest) };
  }

  async readCurrentVersionFromRegistry(
    tree: Tree,
    metadata: Record<string, unknown> | undefined,
  ): Promise<{ currentVersion: string | null; logText: string }> {
    const files = locateVersionFiles(tree.root, this.projectGraphNode.data.root);
    // Without [project], maturin names the distribution after the crate; the Nx project name may be anything.
    const distribution = tomlString(files.pyproject, ['project', 'name']) ?? files.crateName ?? this.projectGraphNode.name;
    const registry = typeof metadata?.['registry'] === 'string' ? metadata['registry'] : 'https://pypi.org';
    const found = await latestVersionOnIndex(registry, distribution);
    return { currentVersion: found.version, logText: found.logText };
  }

  async readCurrentVersionOfDependency(): Promise<{ currentVersion: string | null; dependencyCollection: string | null }> {
    // Dependencies of a maturin project are Cargo crates and Python requirements that nx release does not version here.
    return { currentVersion: null, dependencyCollection: null };
  }

  async updateProjectVersion(tree: Tree, newVersion: string): Promise<string[]> {
    const input = { ...this.checkInput, workspaceRoot: tree.root };
    const pep440 = semverToPep440(newVersion, `the version nx release chose for ${input.projectName}`);
    await this.refuseUnsafeRelease(tree.root, newVersion);
    this.refuseSecondChangelog(tree.root, newVersion);
    const plans = planVersionWrite(input, newVersion, (file) => {
      const text = tree.read(relative(tree.root, file), 'utf-8');
      if (text === null) throw new Error(`${file}: listed as a version source but not found in the workspace.`);
      return text;
    });
    for (const plan of plans) tree.write(relative(tree.root, plan.file), plan.after);
    return plans.map((plan) => {
      const file = relative(tree.root, plan.file);
      const written = file.endsWith('pyproject.toml') || file.endsWith('.py') ? pep440 : newVersion;
      return `✍️  New version ${written} written to ${file}`;
    });
  }

  async updateProjectDependencies(): Promise<string[]> {
    // Cross-project dependency versions are not expressed in maturin manifests in this workspace, so nothing to update.
    return [];
  }

  /**
   * `nx release changelog` writes Markdown to the release group's changelog file (`{projectRoot}/CHANGELOG.md` by
   * default) and creates it when missing. A project that keeps its history in another file (CHANGELOG.rst, or a
   * CHANGELOG.md beside a crate above the project) would get a second changelog that version-sync then reads, while
   * the real one silently falls behind. Refused before anything is written, with the ways out.
   */
  private refuseSecondChangelog(workspaceRoot: string, newVersion: string): void {
    const written = nxChangelogFile(this.releaseGroup.changelog, this.projectGraphNode.data.root, this.projectGraphNode.name);
    const kept = locateVersionFiles(workspaceRoot, this.projectGraphNode.data.root, this.versionFileOptions).changelog?.file;
    if (written === undefined || kept === undefined) return;
    const keptFile = displayPath(workspaceRoot, kept);
    if (keptFile === written) return;
    const setting = this.releaseGroup.name === '__default__' ? 'release.changelog.projectChangelogs' : `release.groups.${this.releaseGroup.name}.changelog`;
    const keepYours = keptFile.toLowerCase().endsWith('.rst')
      ? `nx release renders Markdown only: set ${setting} to false in nx.json and add each release's heading to ${keptFile} yourself (version-sync checks it before publishing)`
      : `point nx release at it: set ${setting}.file to "{workspaceRoot}/${keptFile}" in nx.json`;
    throw new Error(
      `Refusing to release ${this.projectGraphNode.name} ${newVersion}: its changelog is ${keptFile}, but nx release changelog writes ${written} (${setting}), ` +
        `a second file that version-sync would read from then on while ${keptFile} falls behind. ` +
        `Next step: ${keepYours}; or, to move to the file nx writes, set the version-sync option changelog to "${posix.relative(this.projectGraphNode.data.root, written)}".`,
    );
  }

  /**
   * Checked before the tree is written, so a refusal leaves every file as it was: uncommitted edits to tracked
   * files would be released without being in the release commit, and an existing tag would make `git tag` fail
   * after the commit was made.
   */
  private async refuseUnsafeRelease(workspaceRoot: string, newVersion: string): Promise<void> {
    const status = await runCaptured('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: workspaceRoot });
    if (status.stdout.trim() !== '') {
      throw new Error(
        `Refusing to release ${this.projectGraphNode.name} ${newVersion}: the git working tree has uncommitted changes:\n${status.stdout.trimEnd()}\n` +
          'Next step: commit or stash them, then run nx release again.',
      );
    }
    const tag = this.releaseGroup.releaseTag.pattern
      .replace(/\{projectName\}/g, this.projectGraphNode.name)
      .replace(/\{releaseGroupName\}/g, this.releaseGroup.name)
      .replace(/\{version\}/g, newVersion);
    const existing = await runCaptured('git', ['tag', '--list', tag], { cwd: workspaceRoot });
    if (existing.stdout.trim() !== '') {
      throw new Error(
        `Refusing to release ${this.projectGraphNode.name} ${newVersion}: the tag "${tag}" already exists. ` +
          'Next step: choose another version (e.g. the next patch), or delete the tag if it was made by mistake.',
      );
    }
  }
}

/**
 * The file nx release changelog writes for a project, relative to the workspace root (Nx's interpolation of the
 * release group's resolved `changelog.file`), or undefined when the group writes none.
 */
export function nxChangelogFile(changelog: unknown, projectRoot: string, projectName: string): string | undefined {
  if (changelog === false || changelog === undefined || changelog === null) return undefined;
  const file = typeof changelog === 'object' ? (changelog as { file?: unknown }).file : undefined;
  if (file === false) return undefined;
  const template = typeof file === 'string' ? file : '{projectRoot}/CHANGELOG.md';
  const interpolated = template.replace(/\{workspaceRoot\}\/?/g, '').replace(/\{projectRoot\}/g, projectRoot).replace(/\{projectName\}/g, projectName);
  return posix.normalize(interpolated.split('\\').join('/')).replace(/^\.\//, '');
}
