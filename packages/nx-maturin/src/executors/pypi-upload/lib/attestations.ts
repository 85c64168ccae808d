import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtefactManifest } from '../../../lib/artefact-manifest';
import type { NormalizedPypiUploadOptions } from './normalize-options';

/** The name astral-sh/attest-action and pypa's publish action give a PEP 740 attestation: beside its distribution. */
export const ATTESTATION_SUFFIX = '.publish.attestation';

/** What is sent with each file: its attestation, or nothing, and why. */
export interface AttestationPlan {
  /** Distribution file name -> attestation file name, for the files sent with one. */
  sent: Map<string, string>;
  /** One line for the report, e.g. `9 of 9 files with their PEP 740 attestation`. */
  summary: string;
}

/**
 * Decides, before anything is sent, which attestations go with the upload. `required` stops the run when one file
 * lacks its attestation or the attestation is not JSON; token uploads never carry attestations (PyPI accepts them
 * only with trusted publishing), so `required` with a token is refused instead of failing on the index.
 */
export function planAttestations(options: NormalizedPypiUploadOptions, manifest: ArtefactManifest): AttestationPlan {
  const lying = manifest.artefacts.map((entry) => entry.file).filter((file) => existsSync(join(options.artefactDir, file + ATTESTATION_SUFFIX)));
  const total = manifest.artefacts.length;
  if (options.attestations === 'required' && options.credentials === 'token') {
    throw new Error(
      `pypi-upload: option "attestations" is "required" with credentials "token"; PyPI accepts PEP 740 attestations only from trusted ` +
        'publishing and refuses them with an API token. Next step: --credentials=trusted-publishing, or --attestations=off for the token fallback.',
    );
  }
  if (options.attestations === 'off' || options.credentials === 'token') {
    const note = lying.length > 0 ? ` (${lying.length} lying beside the files are not sent: ${options.credentials === 'token' ? 'PyPI refuses them with an API token' : 'attestations off'})` : '';
    return { sent: new Map(), summary: `without attestations${note}` };
  }
  if (options.attestations === 'required') {
    const missing = manifest.artefacts.map((entry) => entry.file).filter((file) => !lying.includes(file));
    if (missing.length > 0) {
      throw new Error(
        `Nothing was uploaded: attestations are required, but ${missing.map((file) => join(options.artefactDir, file + ATTESTATION_SUFFIX)).join(', ')} ` +
          `${missing.length === 1 ? 'does' : 'do'} not exist (found ${lying.length} of ${total}). Next step: attest every distribution ` +
          '(astral-sh/attest-action in the publishing job) before publishing.',
      );
    }
  }
  for (const file of lying) {
    const path = join(options.artefactDir, file + ATTESTATION_SUFFIX);
    try {
      JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`Nothing was uploaded: ${path} is not JSON (${(error as Error).message}); expected the PEP 740 attestation of ${file}. Next step: attest the file again.`);
    }
  }
  return {
    sent: new Map(lying.map((file) => [file, file + ATTESTATION_SUFFIX])),
    summary: `${lying.length} of ${total} files with their PEP 740 attestation`,
  };
}
