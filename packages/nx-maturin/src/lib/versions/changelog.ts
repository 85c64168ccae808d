import { existsSync } from 'node:fs';
import { extname, join, relative } from 'node:path';

/** The changelog names version-sync finds by itself, in this order, in each folder it looks in. */
export const CHANGELOG_NAMES = ['CHANGELOG.md', 'CHANGELOG.rst'];

/**
 * The project's changelog when no option names one: the first of CHANGELOG.md and CHANGELOG.rst in the project
 * folder, else in the crate's folder when the crate lies elsewhere (a pyproject in `pypi/` building `../Cargo.toml`,
 * as rust-just does, keeps its history beside the crate). Never a file outside the workspace.
 */
export function findChangelog(workspaceRoot: string, projectDir: string, crateDir: string): string | undefined {
  const folders = [projectDir, ...(crateDir !== projectDir && !relative(workspaceRoot, crateDir).startsWith('..') ? [crateDir] : [])];
  return folders.flatMap((folder) => CHANGELOG_NAMES.map((name) => join(folder, name))).find((file) => existsSync(file));
}

/** The newest release heading's version as written, or why none was found (in words that fit the file's format). */
export type ReleaseHeading = { version: string } | { problem: string };

/**
 * The newest release heading: the first heading whose title starts with a version, `Unreleased` skipped, the version
 * possibly in brackets, a link or after a `v`.
 * - Markdown: `## X.Y.Z`, `## [X.Y.Z] - date`, or the same title underlined with `---` (Markdown's other level-2
 *   form).
 * - reStructuredText (`.rst`): a title underlined with a line of one punctuation character (`-`, `=`, `~`, `^`, ...),
 *   whatever level it has; Sphinx and setuptools-style changelogs (python-bidi's) use any of them.
 */
export function readNewestReleaseHeading(text: string, file: string): ReleaseHeading {
  const restructured = extname(file).toLowerCase() === '.rst';
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    const next = lines[index + 1] ?? '';
    const underlined = line.trim() !== '' && (restructured ? /^([!-/:-@[-`{-~])\1+\s*$/.test(next) && !/^([!-/:-@[-`{-~])\1+\s*$/.test(line) : /^ {0,3}-+\s*$/.test(next));
    const title = restructured ? (underlined ? line : undefined) : (/^##\s+(.*)$/.exec(line)?.[1] ?? (underlined ? line : undefined));
    const token = title === undefined ? undefined : /^\s*\[?v?([^\]\s]+)\]?/.exec(title)?.[1];
    if (token === undefined || /^unreleased$/i.test(token) || !/^\d/.test(token)) continue;
    return { version: token };
  }
  const expected = restructured ? 'release title such as "X.Y.Z" underlined with ---- (or ====, ~~~~)' : '"## X.Y.Z" release heading';
  return { problem: `has no ${expected}; add one for the version being released, or set the version-sync option changelog to false if release notes are kept elsewhere` };
}
