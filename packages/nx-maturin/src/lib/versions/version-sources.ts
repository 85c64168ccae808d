import { readFileSync } from 'node:fs';
import { parseToml, readTomlFile, tomlPath, type TomlTable } from '../toml-file';
import { parseAnyVersion, pep440ToSemver, semverToPep440 } from './pep440';
import { hasDynamicVersion } from '../../plugins/maturin-project';
import { displayPath, locateVersionFiles, readTextIfPresent, VERSION_LITERAL, type VersionFileOptions, type VersionFiles } from './version-files';
import { escapeRegExp } from '../escape-regexp';
import { readNewestReleaseHeading } from './changelog';

export interface VersionSource {
  name: string;
  file: string;
  /** The version as written in the file. */
  version: string | null;
  /** The version in SemVer form. */
  normalized: string | null;
  problem?: string;
}

export interface VersionCheckInput extends VersionFileOptions {
  workspaceRoot: string;
  projectRoot: string;
  projectName: string;
  /** The release tag; when absent, `GITHUB_REF=refs/tags/<tag>` supplies it. */
  tag?: string;
  /** Default `{projectName}-v{version}`. */
  tagPattern?: string;
}

export const DEFAULT_TAG_PATTERN = '{projectName}-v{version}';

/** The sources disagree, or one of them is missing or unreadable; the message is a table of every source. */
export class VersionMismatchError extends Error {
  constructor(
    readonly projectName: string,
    readonly sources: VersionSource[],
  ) {
    super(
      `The version sources of ${projectName} do not agree:\n${formatVersionTable(sources)}\n` +
        `Next step: fix the marked rows, or run \`nx run ${projectName}:version-write --write=<version>\` to set one version ` +
        'in Cargo.toml, Cargo.lock, pyproject.toml and __version__ (the CHANGELOG heading and the tag are not written).' +
        independentCargoHint(sources),
    );
    this.name = 'VersionMismatchError';
  }
}

/**
 * A static pyproject version that differs from Cargo's may be deliberate (private crates on their own scheme);
 * the option for that is named then, rather than leaving version-write, which would move the crates, as the only way out.
 */
export function independentCargoHint(sources: readonly VersionSource[]): string {
  const cargo = sources.find((source) => source.name.startsWith('Cargo'));
  const pyproject = sources.find((source) => source.name === 'pyproject.toml [project].version');
  if (!cargo?.normalized || !pyproject?.normalized || cargo.normalized === pyproject.normalized) return '';
  return (
    '\nIf the Rust crates keep their own version on purpose, set the version-sync option `cargoVersion: "independent"` ' +
    '(nx.json targetDefaults for version-sync and version-write, or the project\'s project.json): pyproject.toml is then the release version.'
  );
}

/** The tag a GitHub Actions run was started for, or undefined when it was not started by a tag. */
export function tagFromGithubRef(githubRef: string | undefined): string | undefined {
  return githubRef?.startsWith('refs/tags/') ? githubRef.slice('refs/tags/'.length) : undefined;
}

export async function readVersionSources(input: VersionCheckInput): Promise<VersionSource[]> {
  const files = locateVersionFiles(input.workspaceRoot, input.projectRoot, input);
  const show = (file: string) => displayPath(input.workspaceRoot, file);
  const sources: VersionSource[] = [];
  if (files.cargoVersionPolicy === 'independent') {
    sources.push(readIndependentPyprojectSource(files, show));
  } else {
    const cargo = readCargoSource(files, show);
    sources.push(cargo, readCargoLockSource(files, show));
    const members = readInheritingMembersLockSource(files, show);
    if (members) sources.push(members);
    sources.push(readPyprojectSource(files, cargo, show));
  }
  const pythonVersion = readPythonVersionSource(files, show);
  if (pythonVersion) sources.push(pythonVersion);
  if (files.changelog) sources.push(readChangelogSource(files.changelog, show));
  const tag = input.tag ?? tagFromGithubRef(process.env['GITHUB_REF']);
  if (tag !== undefined) sources.push(readTagSource(tag, input.tagPattern ?? DEFAULT_TAG_PATTERN, input.projectName));
  return sources;
}

export async function checkVersionSources(input: VersionCheckInput): Promise<{ version: string; pep440: string; sources: VersionSource[] }> {
  const sources = await readVersionSources(input);
  const agreed = agreedVersion(sources);
  if (agreed === undefined) throw new VersionMismatchError(input.projectName, sources);
  return { version: agreed, pep440: semverToPep440(agreed), sources };
}

/** The common SemVer version when every source has one and they are all equal. */
export function agreedVersion(sources: readonly VersionSource[]): string | undefined {
  const versions = new Set(sources.map((source) => (source.problem === undefined ? source.normalized : null)));
  const [only] = versions;
  return versions.size === 1 && typeof only === 'string' ? only : undefined;
}

/**
 * One row per source. Rows that differ from the first row (the Cargo.toml version Cargo and maturin build with, or
 * pyproject's when the Cargo version is independent) or that have a problem are marked `✗`.
 */
export function formatVersionTable(sources: readonly VersionSource[]): string {
  const reference = sources[0]?.normalized ?? null;
  const header = ['', 'source', 'file', 'as written', 'SemVer'];
  const rows = sources.map((source) => [
    source.problem !== undefined || source.normalized !== reference ? '✗' : '✓',
    source.name,
    source.file,
    asWritten(source),
    source.normalized ?? '-',
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => `  ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}`;
  const problems = sources.filter((source) => source.problem !== undefined).map((source) => `  - ${source.name}: ${source.problem}`);
  return [line(header), ...rows.map(line), ...(problems.length > 0 ? ['Problems:', ...problems] : [])].join('\n');
}

/** The version as written, with its canonical PEP 440 form when it was spelled another way: `1.0.0-alpha1 -> 1.0.0a1`. */
function asWritten(source: VersionSource): string {
  if (source.version === null) return '-';
  if (source.normalized === null || source.version === source.normalized) return source.version;
  const canonical = semverToPep440(source.normalized);
  return canonical === source.version ? source.version : `${source.version} -> ${canonical}`;
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Builds a source from a version in one notation, recording a refusal of the mapping as its problem. */
function sourceFrom(name: string, file: string, version: string, toSemver: (version: string, source: string) => string): VersionSource {
  try {
    return { name, file, version, normalized: toSemver(version, `${file} ${name}`) };
  } catch (error) {
    return { name, file, version, normalized: null, problem: describeFailure(error) };
  }
}

const cargoSemver = (version: string, source: string) => {
  semverToPep440(version, source);
  return version;
};

function readCargoSource(files: VersionFiles, show: (file: string) => string): VersionSource {
  const { file, table, inherited } = files.cargoVersion;
  const field = `[${table.join('.')}].version`;
  const name = inherited ? `Cargo ${field} (inherited by ${show(files.cargoManifestFile)})` : `Cargo.toml ${field}`;
  const value = tomlPath(readTomlFile(file), [...table, 'version']);
  if (typeof value !== 'string') {
    return { name, file: show(file), version: null, normalized: null, problem: `${show(file)} has no ${field} string field; add \`version = "X.Y.Z"\` there` };
  }
  return sourceFrom(name, show(file), value, cargoSemver);
}

/** Cargo.lock's `[[package]]` for the crate; a path crate has no `source`, which tells it from a registry namesake. */
function readCargoLockSource(files: VersionFiles, show: (file: string) => string): VersionSource {
  const name = 'Cargo.lock [[package]].version';
  if (files.cargoLockFile === undefined) {
    return {
      name,
      file: '-',
      version: null,
      normalized: null,
      problem: `no Cargo.lock beside ${show(files.cargoManifestFile)} or above it; run \`cargo generate-lockfile\` and commit it`,
    };
  }
  const file = show(files.cargoLockFile);
  if (files.crateName === undefined) {
    return { name, file, version: null, normalized: null, problem: `${show(files.cargoManifestFile)} has no [package].name, so the Cargo.lock entry cannot be found` };
  }
  const lock = parseToml(readFileSync(files.cargoLockFile, 'utf8'), files.cargoLockFile);
  const entry = findLockEntry(lock, files.crateName);
  if (entry === undefined) {
    return {
      name,
      file,
      version: null,
      normalized: null,
      problem: `${file} has no [[package]] named "${files.crateName}" (the crate named in ${show(files.cargoManifestFile)}); run \`cargo update -p ${files.crateName}\` or \`cargo generate-lockfile\``,
    };
  }
  const version = entry['version'];
  if (typeof version !== 'string') {
    return { name, file, version: null, normalized: null, problem: `${file}: the [[package]] "${files.crateName}" has no version field` };
  }
  return sourceFrom(name, file, version, cargoSemver);
}

/**
 * Every other workspace member inheriting `[workspace.package].version` has its own Cargo.lock entry with that
 * version; `cargo --locked` (which the build uses) refuses the lock file when any of them lags behind.
 */
function readInheritingMembersLockSource(files: VersionFiles, show: (file: string) => string): VersionSource | undefined {
  if (files.inheritingMembers.length === 0 || files.cargoLockFile === undefined) return undefined;
  const file = show(files.cargoLockFile);
  const lock = parseToml(readFileSync(files.cargoLockFile, 'utf8'), files.cargoLockFile);
  const members = files.inheritingMembers;
  const name = `Cargo.lock [[package]].version of the other members inheriting it (${members.length === 1 ? members[0] : `${members.length} crates`})`;
  const versions = new Map<string, string[]>();
  for (const member of files.inheritingMembers) {
    // A member with no entry (a [workspace.dependencies] path crate nothing uses) is not locked, so nothing can lag.
    const version = findLockEntry(lock, member)?.['version'];
    if (typeof version === 'string') versions.set(version, [...(versions.get(version) ?? []), member]);
  }
  if (versions.size === 0) return undefined;
  const [only] = versions.keys();
  if (versions.size === 1 && only !== undefined) return sourceFrom(name, file, only, cargoSemver);
  const listing = [...versions].map(([version, members]) => `${version} (${members.join(', ')})`).join('; ');
  return {
    name,
    file,
    version: [...versions.keys()].join(' / '),
    normalized: null,
    problem: `${file}: the workspace members inheriting one version are locked at different versions: ${listing}; run \`nx run <project>:version-write --write=<version>\` or \`cargo update --workspace\``,
  };
}

export function findLockEntry(lock: TomlTable, crateName: string): TomlTable | undefined {
  const packages = lock['package'];
  if (!Array.isArray(packages)) return undefined;
  const named = packages.filter((entry): entry is TomlTable => typeof entry === 'object' && entry !== null && (entry as TomlTable)['name'] === crateName);
  return named.find((entry) => entry['source'] === undefined) ?? named[0];
}

function readPyprojectSource(files: VersionFiles, cargo: VersionSource, show: (file: string) => string): VersionSource {
  const file = show(files.pyprojectFile);
  const staticVersion = tomlPath(files.pyproject, ['project', 'version']);
  const hasProjectTable = tomlPath(files.pyproject, ['project']) !== undefined;
  if (hasProjectTable && staticVersion === undefined && !hasDynamicVersion(files.pyproject)) {
    // maturin builds it with Cargo's version and a warning, but the sdist then carries a [project] table that PEP 621
    // calls invalid, and uv refuses to build it: the smoke would fail only after the whole build.
    return {
      name: 'pyproject.toml [project].version',
      file,
      version: null,
      normalized: null,
      problem:
        `${file}: [project] has no version and does not list "version" in [project].dynamic; expected one of the two. maturin builds it with Cargo's version (and a warning), ` +
        'but the sdist\'s pyproject.toml is then invalid under PEP 621 and uv refuses to build it. Next step: add `dynamic = ["version"]` to [project]',
    };
  }
  if (files.pyprojectVersionIsDynamic && staticVersion === undefined) {
    // maturin fills a dynamic version from Cargo at build time, so the row repeats Cargo's and says so.
    const why = hasProjectTable ? 'dynamic' : 'no [project] table';
    return { name: `pyproject.toml [project].version (${why}: taken from Cargo)`, file, version: cargo.version, normalized: cargo.normalized };
  }
  if (typeof staticVersion !== 'string') {
    return {
      name: 'pyproject.toml [project].version',
      file,
      version: null,
      normalized: null,
      problem: `${file}: [project].version is ${JSON.stringify(staticVersion)}; expected a string such as "1.2.3", or leave it out and list "version" in [project].dynamic`,
    };
  }
  return sourceFrom('pyproject.toml [project].version', file, staticVersion, pep440ToSemver);
}

/** With `cargoVersion: independent` pyproject states the release version itself, so it must be static. */
function readIndependentPyprojectSource(files: VersionFiles, show: (file: string) => string): VersionSource {
  const name = 'pyproject.toml [project].version';
  const file = show(files.pyprojectFile);
  const staticVersion = tomlPath(files.pyproject, ['project', 'version']);
  if (typeof staticVersion !== 'string') {
    return {
      name,
      file,
      version: null,
      normalized: null,
      problem: `${file} has no static [project].version string, but cargoVersion is "independent" (maturin would then publish Cargo's version); write \`version = "X.Y.Z"\` in [project] or drop the cargoVersion option`,
    };
  }
  return sourceFrom(name, file, staticVersion, pep440ToSemver);
}

function readPythonVersionSource(files: VersionFiles, show: (file: string) => string): VersionSource | undefined {
  const file = files.pythonVersionFile;
  if (file === undefined) return undefined;
  const text = readTextIfPresent(file);
  const literal = text === undefined ? null : VERSION_LITERAL.exec(text);
  if (!literal) {
    if (!files.pythonVersionFileRequired) return undefined;
    const found = text === undefined ? 'the file does not exist' : 'it has no `__version__ = "X.Y.Z"` literal';
    return { name: '__version__', file: show(file), version: null, normalized: null, problem: `${show(file)} is the versionFile option, but ${found}; fix the option or the file` };
  }
  return sourceFrom('__version__', show(file), literal[3] ?? '', pep440ToSemver);
}

/** The changelog's newest release heading (see readNewestReleaseHeading) as a version source. */
function readChangelogSource(changelog: NonNullable<VersionFiles['changelog']>, show: (file: string) => string): VersionSource {
  const file = show(changelog.file);
  const name = `${file.split('/').pop()} newest heading`;
  const text = readTextIfPresent(changelog.file);
  if (text === undefined) {
    return { name, file, version: null, normalized: null, problem: `${file} is the changelog option, but it does not exist; fix the path, or set changelog to false to leave it out` };
  }
  const heading = readNewestReleaseHeading(text, changelog.file);
  if ('problem' in heading) return { name, file, version: null, normalized: null, problem: `${file} ${heading.problem}` };
  return sourceFrom(name, file, heading.version, parseAnyVersion);
}

function readTagSource(tag: string, pattern: string, projectName: string): VersionSource {
  const name = `release tag (${pattern})`;
  const escaped = pattern
    .split('{version}')
    .map((part) => part.split('{projectName}').map(escapeRegExp).join(escapeRegExp(projectName)))
    .join('(.+)');
  const match = new RegExp(`^${escaped}$`).exec(tag);
  if (!match?.[1]) {
    const expected = pattern.replace('{projectName}', projectName).replace('{version}', '<version>');
    return { name, file: `tag ${tag}`, version: tag, normalized: null, problem: `the tag "${tag}" does not match the pattern "${expected}"` };
  }
  return sourceFrom(name, `tag ${tag}`, match[1], parseAnyVersion);
}
