import type { ArtefactManifest } from '../../../lib/artefact-manifest';

/**
 * Wheels PyPI and TestPyPI refuse for their platform tag, one line each: a bare `linux_<arch>` (what maturin's
 * `compatibility = "linux"` or a build outside any manylinux policy produces) is accepted by a local index but
 * rejected by PyPI at upload time, after the files sent before it have been published for good.
 */
export function platformTagsPypiRefuses(manifest: ArtefactManifest, artefactDir: string): string[] {
  return manifest.artefacts.flatMap((entry) => {
    const refused = [...new Set(entry.tags.map((tag) => tag.split('-')[2] ?? '').filter((platform) => /^linux_/.test(platform)))];
    return refused.length === 0 ? [] : [`${artefactDir}/${entry.file}: platform tag ${refused.join(', ')}`];
  });
}
