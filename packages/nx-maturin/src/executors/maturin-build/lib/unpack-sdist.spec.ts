import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPythonInterpreter } from '../../../lib/python-discovery';
import { sdistSourceFolder, unpackSdist } from './unpack-sdist';

describe('unpackSdist', () => {
  let scratch: string;
  let python: string;

  /** A tar.gz whose members carry `mtime` (seconds since the epoch), written by Python's tarfile. */
  async function archive(name: string, members: string[], mtime: number): Promise<string> {
    const path = join(scratch, name);
    const script = [
      'import io, sys, tarfile',
      'with tarfile.open(sys.argv[1], "w:gz") as target:',
      '    for name in sys.argv[3:]:',
      '        info = tarfile.TarInfo(name); data = ("content of " + name).encode(); info.size = len(data); info.mtime = int(sys.argv[2])',
      '        target.addfile(info, io.BytesIO(data))',
    ].join('\n');
    await execa(python, ['-c', script, path, String(mtime), ...members]);
    return path;
  }

  beforeAll(async () => {
    python = (await findPythonInterpreter('3.12')).executable;
  });
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'unpack-sdist-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('returns the one top-level folder, with every file dated now so Cargo sees a changed source as newer than its last build', async () => {
    const yearAgo = Math.floor(Date.now() / 1000) - 365 * 24 * 3600;
    const sdist = await archive('demo-1.0.tar.gz', ['demo-1.0/pyproject.toml', 'demo-1.0/src/lib.rs'], yearAgo);
    const destination = join(scratch, 'out');
    writeFileSync(join(scratch, 'marker'), '');
    const startedMs = statSync(join(scratch, 'marker')).mtimeMs;

    const folder = await unpackSdist(python, sdist, destination);

    expect(folder).toBe(join(destination, 'demo-1.0'));
    expect(readFileSync(join(folder, 'src', 'lib.rs'), 'utf8')).toBe('content of demo-1.0/src/lib.rs');
    expect(statSync(join(folder, 'src', 'lib.rs')).mtimeMs).toBeGreaterThanOrEqual(startedMs - 1000);
  });

  it('empties the destination first, so nothing of an older sdist is left to compile', async () => {
    const destination = join(scratch, 'out');
    await unpackSdist(python, await archive('demo-1.0.tar.gz', ['demo-1.0/src/old.rs'], 0), destination);
    const folder = await unpackSdist(python, await archive('demo-1.1.tar.gz', ['demo-1.1/src/lib.rs'], 0), destination);
    expect(folder).toBe(join(destination, 'demo-1.1'));
    expect(existsSync(join(destination, 'demo-1.0'))).toBe(false);
  });

  it('refuses an archive that is not one <name>-<version> folder, naming the file and what it held', async () => {
    const sdist = await archive('odd.tar.gz', ['a/x', 'b/y'], 0);
    await expect(unpackSdist(python, sdist, join(scratch, 'out'))).rejects.toThrow(`${sdist} unpacks to 2 top-level entries (a, b); expected the one <name>-<version> folder an sdist holds`);
  });

  it('refuses a member that would land outside the destination', async () => {
    const sdist = await archive('escape.tar.gz', ['demo-1.0/../../escaped'], 0);
    await expect(unpackSdist(python, sdist, join(scratch, 'out'))).rejects.toThrow(/outside the destination|OutsideDestinationError/);
    expect(existsSync(join(scratch, 'escaped'))).toBe(false);
  });
});

describe('sdistSourceFolder', () => {
  it('is stable for a project and differs between projects that share a target folder', () => {
    const first = sdistSourceFolder('/t', '/ws/a', 'demo-1.0.tar.gz');
    expect(first).toBe(sdistSourceFolder('/t', '/ws/a', 'demo-1.0.tar.gz'));
    expect(first).toMatch(/^\/t\/nx-maturin-sdist\/demo-1\.0-[0-9a-f]{12}$/);
    expect(sdistSourceFolder('/t', '/ws/b', 'demo-1.0.tar.gz')).not.toBe(first);
  });
});
