import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCaptured } from '../../../lib/run-process';

/**
 * Python's tarfile unpacks the sdist the way installers do, on every OS, with no extra Node dependency. The `data`
 * filter (Python >= 3.12, and security releases of older ones) refuses links and paths that leave the folder.
 * Every file gets the current time as its mtime: Cargo decides whether the project's own crate is stale by
 * comparing source mtimes with its last build, and the mtimes stored in the sdist could make a changed source look
 * older than the build it replaced in this stable folder.
 */
const UNPACK_SCRIPT = [
  'import os, sys, tarfile, time',
  'now = time.time()',
  'def fresh(member, path):',
  '    return tarfile.data_filter(member, path).replace(mtime=now, deep=False)',
  'with tarfile.open(sys.argv[1]) as archive:',
  '    if hasattr(tarfile, "data_filter"): archive.extractall(sys.argv[2], filter=fresh)',
  '    else:',
  '        archive.extractall(sys.argv[2])',
  '        for folder, _, files in os.walk(sys.argv[2]):',
  '            for name in files: os.utime(os.path.join(folder, name))',
].join('\n');

/**
 * The folder the wheels are built from: the sdist unpacked into `<cargo target folder>/nx-maturin-sdist/`. The place
 * is stable per project, so Cargo keeps one copy of the project's own crate there rather than one per build, and
 * it sits in the target folder, which Cargo and version control already leave out.
 */
export function sdistSourceFolder(cargoTargetDirectory: string, projectDirectory: string, sdistFile: string): string {
  const project = createHash('sha256').update(projectDirectory).digest('hex').slice(0, 12);
  return join(cargoTargetDirectory, 'nx-maturin-sdist', `${sdistFile.replace(/\.tar\.gz$/, '')}-${project}`);
}

/** Unpacks `sdistPath` into `destination` (emptied first) and returns the sdist's one top-level folder. */
export async function unpackSdist(python: string, sdistPath: string, destination: string): Promise<string> {
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  await runCaptured(python, ['-c', UNPACK_SCRIPT, sdistPath, destination], { cwd: destination });
  const top = readdirSync(destination);
  if (top.length !== 1) {
    throw new Error(`${sdistPath} unpacks to ${top.length} top-level entries (${top.join(', ') || 'none'}); expected the one <name>-<version> folder an sdist holds`);
  }
  return join(destination, top[0]!);
}
