import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseToml, tomlPath } from '../toml-file';
import { semverToPep440 } from './pep440';
import { displayPath, locateVersionFiles, VERSION_LITERAL } from './version-files';
import { findLockEntry, type VersionCheckInput } from './version-sources';
import { findDependentRequirements, movedRequirement, replaceDependentRequirement } from './dependent-requirements';

/** One file's planned change: the whole new text, computed and checked before anything is written. */
export interface PlannedEdit {
  file: string;
  before: string;
  after: string;
}

export interface WriteVersionResult {
  /** Workspace-relative paths of the files whose content changed. */
  changedFiles: string[];
}

/**
 * Sets one version in every source that can be written (Cargo.toml or the Cargo workspace root, Cargo.lock with
 * every member inheriting the workspace version, other crates' `{ path, version }` requirements on the crate, a
 * static pyproject version, a literal `__version__`); the CHANGELOG heading and the tag record history and
 * are left alone. Each field is edited in place so comments and layout survive, and the files change all together
 * or not at all.
 */
export async function writeVersion(input: VersionCheckInput, newSemver: string): Promise<WriteVersionResult> {
  const plans = planVersionWrite(input, newSemver, (file) => readFileSync(file, 'utf8'));
  commitAll(plans);
  return { changedFiles: plans.map((edit) => displayPath(input.workspaceRoot, edit.file)) };
}

/**
 * Computes the new text of every file that states the version, reading current content through `read` (the disk,
 * or the virtual tree of `nx release`), and checks each edit; nothing is written here. Files already at the new
 * version are left out.
 */
export function planVersionWrite(input: VersionCheckInput, newSemver: string, read: (file: string) => string): PlannedEdit[] {
  const pep440 = semverToPep440(newSemver, 'the requested version');
  const files = locateVersionFiles(input.workspaceRoot, input.projectRoot, input);
  const plans: PlannedEdit[] = [];
  // Several edits may touch one file (a workspace root holding [workspace.package] and [workspace.dependencies]),
  // so each edit starts from the text the previous ones planned.
  const plan = (file: string, edit: (text: string) => string) => {
    const planned = plans.find((candidate) => candidate.file === file);
    const current = planned?.after ?? read(file);
    const after = edit(current);
    if (planned !== undefined) planned.after = after;
    else if (after !== current) plans.push({ file, before: current, after });
  };

  // An independent Cargo version follows its own scheme, so only the Python side takes the release version.
  if (files.cargoVersionPolicy === 'shared') {
    const cargo = files.cargoVersion;
    plan(cargo.file, (text) => replaceTableVersion(text, cargo.file, cargo.table, newSemver));
    const lockFile = files.cargoLockFile;
    if (lockFile !== undefined && files.crateName !== undefined) {
      const crateName = files.crateName;
      plan(lockFile, (text) => {
        const own = replaceLockVersion(text, lockFile, crateName, newSemver);
        const lock = parseToml(own, lockFile);
        // Members inheriting the workspace version move with it; one without a lock entry is not locked at all.
        const locked = files.inheritingMembers.filter((member) => findLockEntry(lock, member) !== undefined);
        return locked.reduce((edited, member) => replaceLockVersion(edited, lockFile, member, newSemver), own);
      });
    }
    // Other crates' `{ path, version }` requirements on this one, and on every member sharing its version, move
    // with it, or Cargo refuses the workspace.
    for (const dependent of findDependentRequirements([files.cargoManifestFile, ...files.inheritingMemberManifests], input.workspaceRoot)) {
      const requirement = movedRequirement(dependent.requirement, newSemver);
      if (requirement !== undefined) plan(dependent.file, (text) => replaceDependentRequirement(text, dependent.file, dependent, requirement));
    }
  }
  if (typeof tomlPath(files.pyproject, ['project', 'version']) === 'string') {
    plan(files.pyprojectFile, (text) => replaceTableVersion(text, files.pyprojectFile, ['project'], pep440));
  }
  const versionFile = files.pythonVersionFile;
  if (versionFile !== undefined && VERSION_LITERAL.test(read(versionFile))) {
    plan(versionFile, (text) => text.replace(VERSION_LITERAL, (_, prefix: string, quote: string) => `${prefix}${quote}${pep440}${quote}`));
  }
  return plans;
}

/** Replaces `version = "..."` inside the `[table]` section, and checks the result parses to the new value. */
export function replaceTableVersion(text: string, file: string, table: readonly string[], version: string): string {
  const header = `[${table.join('.')}]`;
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.replace(/\s+/g, '').replace(/#.*$/, '') === header);
  const end = start < 0 ? -1 : nextSection(lines, start + 1);
  const index = start < 0 ? -1 : findVersionLine(lines, start + 1, end);
  if (index < 0) {
    throw new Error(
      `${file}: cannot find a \`version = "..."\` line in its ${header} section to edit in place (found none); ` +
        `write the version as a plain string there and run again.`,
    );
  }
  lines[index] = setVersionOnLine(lines[index] ?? '', version);
  const edited = lines.join('\n');
  if (tomlPath(parseToml(edited, file), [...table, 'version']) !== version) {
    throw new Error(`${file}: editing ${header}.version did not produce ${version}; the file was left unchanged.`);
  }
  return edited;
}

/** Replaces the version of this crate's own `[[package]]` block (the one without a registry `source`). */
export function replaceLockVersion(text: string, file: string, crateName: string, version: string): string {
  const lines = text.split('\n');
  const blocks: { start: number; end: number }[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '[[package]]') blocks.push({ start: index, end: nextSection(lines, index + 1) });
  });
  const named = blocks.filter(({ start, end }) => lines.slice(start, end).some((line) => line.trim() === `name = "${crateName}"`));
  const own = named.find(({ start, end }) => !lines.slice(start, end).some((line) => /^\s*source\s*=/.test(line))) ?? named[0];
  const index = own ? findVersionLine(lines, own.start + 1, own.end) : -1;
  if (index < 0) {
    throw new Error(`${file}: no [[package]] named "${crateName}" with a version line; run \`cargo generate-lockfile\` and try again.`);
  }
  lines[index] = setVersionOnLine(lines[index] ?? '', version);
  const edited = lines.join('\n');
  if (findLockEntry(parseToml(edited, file), crateName)?.['version'] !== version) {
    throw new Error(`${file}: editing the "${crateName}" entry did not produce ${version}; the file was left unchanged.`);
  }
  return edited;
}

function nextSection(lines: readonly string[], from: number): number {
  const index = lines.findIndex((line, position) => position >= from && /^\s*\[/.test(line));
  return index < 0 ? lines.length : index;
}

const VERSION_LINE = /^(\s*version\s*=\s*)(["'])([^"'\n]*)\2/;

function findVersionLine(lines: readonly string[], from: number, to: number): number {
  for (let index = from; index < to; index++) if (VERSION_LINE.test(lines[index] ?? '')) return index;
  return -1;
}

function setVersionOnLine(line: string, version: string): string {
  return line.replace(VERSION_LINE, (_, prefix: string, quote: string) => `${prefix}${quote}${version}${quote}`);
}

/** The temporary file a new text is written to before it is renamed over the original (same folder, so same filesystem). */
export function stagingPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.version-sync.tmp`);
}

/**
 * Writes each new text beside its file and renames it into place. A failure part-way puts back the files already
 * replaced, so the project never holds half a version change.
 */
function commitAll(plans: readonly PlannedEdit[]): void {
  const replaced: PlannedEdit[] = [];
  try {
    for (const edit of plans) {
      replaceFile(edit.file, edit.after);
      replaced.push(edit);
    }
  } catch (error) {
    const notRestored: string[] = [];
    for (const edit of replaced.reverse()) {
      try {
        replaceFile(edit.file, edit.before);
      } catch {
        notRestored.push(edit.file);
      }
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      notRestored.length === 0
        ? `Writing the new version failed, and every file was put back as it was: ${reason}`
        : `Writing the new version failed (${reason}) and these files could not be put back: ${notRestored.join(', ')}; ` +
            'restore them from version control.',
    );
  }
}

function replaceFile(file: string, text: string): void {
  const staging = stagingPath(file);
  try {
    writeFileSync(staging, text);
    renameSync(staging, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A directory in the staging file's place is not ours to delete; a half-written staging file is.
    if (code !== 'EISDIR') rmSync(staging, { force: true });
    throw new Error(`${file}: could not be replaced (${code ?? String(error)})`);
  }
}
