import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChangelog, readNewestReleaseHeading } from './changelog';

describe('changelog', () => {
  describe('readNewestReleaseHeading', () => {
    it("reads reStructuredText titles underlined with any adornment, skipping the document's own title", () => {
      // python-bidi 0.6.12's CHANGELOG.rst, shortened.
      const bidi = 'Changelog\n==========\n\n.. :changelog:\n\n0.6.12\n------\n\n* Added wheels.\n\n0.6.11\n------\n';
      expect(readNewestReleaseHeading(bidi, 'CHANGELOG.rst')).toEqual({ version: '0.6.12' });
      expect(readNewestReleaseHeading('=======\nHistory\n=======\n\nUnreleased\n~~~~~~~~~~\n\nv1.2.0rc1 (2026-11-01)\n^^^^^^^^^^^^^^^^^^^^^^\n', 'HISTORY.rst')).toEqual({ version: '1.2.0rc1' });
    });

    it('keeps to Markdown headings in a Markdown file, where a line of = is a top-level title', () => {
      expect(readNewestReleaseHeading('1.0.0\n=====\n\n## 0.9.0\n', 'CHANGELOG.md')).toEqual({ version: '0.9.0' });
    });

    it("says what heading each format needs when none is found", () => {
      expect(readNewestReleaseHeading('Changelog\n=========\n\nSee the releases page.\n', 'CHANGELOG.rst')).toEqual({
        problem: 'has no release title such as "X.Y.Z" underlined with ---- (or ====, ~~~~); add one for the version being released, or set the version-sync option changelog to false if release notes are kept elsewhere',
      });
      expect(readNewestReleaseHeading('# Changelog\n', 'CHANGELOG.md')).toMatchObject({ problem: expect.stringMatching(/^has no "## X\.Y\.Z" release heading;/) });
    });
  });

  describe('findChangelog', () => {
    let root: string;
    const touch = (path: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), '## 0.1.0\n');
    };
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'changelog-'));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it("takes CHANGELOG.md, then CHANGELOG.rst, in the project's folder, then in the crate's", () => {
      const [workspace, project, crate] = [join(root, 'ws'), join(root, 'ws/tool/pypi'), join(root, 'ws/tool')];
      expect(findChangelog(workspace, project, crate)).toBeUndefined();
      touch('ws/tool/CHANGELOG.md');
      expect(findChangelog(workspace, project, crate)).toBe(join(crate, 'CHANGELOG.md'));
      touch('ws/tool/pypi/CHANGELOG.rst');
      expect(findChangelog(workspace, project, crate)).toBe(join(project, 'CHANGELOG.rst'));
      touch('ws/tool/pypi/CHANGELOG.md');
      expect(findChangelog(workspace, project, crate)).toBe(join(project, 'CHANGELOG.md'));
    });

    it('never takes a file outside the workspace', () => {
      touch('CHANGELOG.md');
      expect(findChangelog(join(root, 'ws'), join(root, 'ws/p'), root)).toBeUndefined();
    });
  });
});
