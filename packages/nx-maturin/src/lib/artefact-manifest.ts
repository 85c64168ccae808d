import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Written by maturin-build beside the artefacts; read by wheel-smoke and pypi-upload. */
export const MANIFEST_FILE = 'artefacts.json';

export interface ArtefactEntry {
  file: string;
  size: number;
  sha256: string;
  kind: 'wheel' | 'sdist';
  /** Wheel tags `python-abi-platform` (compressed sets expanded); `[]` for an sdist. */
  tags: string[];
  /** `CPython 3.12.1` for a wheel built for that interpreter; `null` for the sdist. */
  interpreter: string | null;
}

export interface ArtefactManifest {
  distribution: string;
  version: string;
  artefacts: ArtefactEntry[];
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `name-version(-build)?-python-abi-platform.whl` -> each tag triple, expanding `cp312.cp313`-style sets. */
export function wheelTags(wheelFile: string): string[] {
  const parts = basename(wheelFile, '.whl').split('-');
  if (parts.length < 5) throw new ManifestError(`${wheelFile}: not a wheel file name (name-version-python-abi-platform.whl)`);
  const [pythons, abis, platforms] = parts.slice(-3) as [string, string, string];
  return pythons.split('.').flatMap((python) => abis.split('.').flatMap((abi) => platforms.split('.').map((platform) => `${python}-${abi}-${platform}`)));
}

export async function describeArtefact(directory: string, file: string, interpreter: string | null): Promise<ArtefactEntry> {
  const path = join(directory, file);
  const kind = file.endsWith('.whl') ? 'wheel' : 'sdist';
  return {
    file,
    size: statSync(path).size,
    sha256: await sha256OfFile(path),
    kind,
    tags: kind === 'wheel' ? wheelTags(file) : [],
    interpreter,
  };
}

export function writeManifest(directory: string, manifest: ArtefactManifest): void {
  writeFileSync(join(directory, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads the manifest; `buildTarget` names what to run when there is none (the build never ran). */
export function readManifest(directory: string, buildTarget: string): ArtefactManifest {
  const path = join(directory, MANIFEST_FILE);
  if (!existsSync(path)) {
    throw new ManifestError(`${path} does not exist: no artefacts have been built. Run \`nx run ${buildTarget}\` first.`);
  }
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ArtefactManifest;
  if (!Array.isArray(manifest.artefacts) || typeof manifest.version !== 'string') {
    throw new ManifestError(`${path}: expected { distribution, version, artefacts: [...] }; rebuild with \`nx run ${buildTarget}\`.`);
  }
  return manifest;
}

/** Every listed file present with the listed size and sha256; the error names each file and what differs. */
export async function verifyManifest(directory: string, manifest: ArtefactManifest): Promise<void> {
  const problems: string[] = [];
  for (const entry of manifest.artefacts) {
    const path = join(directory, entry.file);
    if (!existsSync(path)) {
      problems.push(`${path}: listed in ${MANIFEST_FILE} but missing`);
      continue;
    }
    const actual = await sha256OfFile(path);
    if (actual !== entry.sha256) {
      problems.push(`${path}: sha256 mismatch (manifest ${entry.sha256}, file ${actual}); the file changed after the build`);
    }
  }
  if (problems.length > 0) throw new ManifestError(`artefact check failed:\n  ${problems.join('\n  ')}`);
}
