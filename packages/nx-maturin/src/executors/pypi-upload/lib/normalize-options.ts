import { isAbsolute, join } from 'node:path';
import type { AttestationMode, CredentialMode, PypiUploadExecutorSchema } from '../schema';

export type RepositoryTarget =
  | { kind: 'local' }
  | { kind: 'testpypi' | 'pypi' | 'url'; uploadUrl: string; indexUrl: string };

export interface NormalizedPypiUploadOptions {
  /** Absolute. */
  artefactDir: string;
  repository: RepositoryTarget;
  skipExisting: boolean;
  dryRun: boolean;
  allowDirty: boolean;
  allowUntagged: boolean;
  allowOlderVersion: boolean;
  tagPattern: string;
  tokenEnvVar: string;
  credentials: CredentialMode;
  attestations: AttestationMode;
  installBack: boolean;
  /** Null: derived from the distribution name once the manifest is read. */
  importName: string | null;
  commands: string[][] | null;
  /** Absolute paths. */
  smokeScripts: string[];
  uploadAttempts: number;
  retryDelayMs: number;
  buildTarget: string;
}

const CREDENTIAL_MODES: CredentialMode[] = ['trusted-publishing', 'token', 'password', 'none'];
const ATTESTATION_MODES: AttestationMode[] = ['required', 'when-present', 'off'];

const KNOWN_REPOSITORIES = {
  testpypi: { uploadUrl: 'https://test.pypi.org/legacy/', indexUrl: 'https://test.pypi.org/simple/' },
  pypi: { uploadUrl: 'https://upload.pypi.org/legacy/', indexUrl: 'https://pypi.org/simple/' },
};

export function normalizeOptions(
  options: PypiUploadExecutorSchema,
  workspaceRoot: string,
  projectName: string,
  env: NodeJS.ProcessEnv = process.env,
): NormalizedPypiUploadOptions {
  const where = `pypi-upload for ${projectName}`;
  if (!options.artefactDir) {
    throw new Error(`${where}: option "artefactDir" is missing; set it to the build's output folder (e.g. <projectRoot>/target/wheels).`);
  }
  const repository = resolveRepository(options, where);
  // Never guessed from the environment: a job with id-token: write always has an OIDC URL, which must not
  // override a token chosen as the fallback.
  const credentials = options.credentials ?? (repository.kind === 'local' ? 'none' : 'token');
  if (!CREDENTIAL_MODES.includes(credentials)) {
    throw new Error(`${where}: option "credentials" is "${credentials}"; expected ${CREDENTIAL_MODES.join(', ')}.`);
  }
  if (repository.kind === 'local' && credentials !== 'none') {
    throw new Error(`${where}: option "credentials" is "${credentials}" with repository "local", which uses a password generated for each run; drop credentials or choose a remote repository.`);
  }
  const attestations = options.attestations ?? 'when-present';
  if (!ATTESTATION_MODES.includes(attestations)) {
    throw new Error(`${where}: option "attestations" is "${attestations}"; expected ${ATTESTATION_MODES.join(', ')}.`);
  }
  return {
    artefactDir: isAbsolute(options.artefactDir) ? options.artefactDir : join(workspaceRoot, options.artefactDir),
    repository,
    skipExisting: options.skipExisting ?? false,
    dryRun: (options.dryRun ?? false) || env['NX_DRY_RUN'] === 'true',
    allowDirty: options.allowDirty ?? false,
    allowUntagged: options.allowUntagged ?? false,
    allowOlderVersion: options.allowOlderVersion ?? false,
    tagPattern: options.tagPattern ?? '{projectName}-v{version}',
    tokenEnvVar: options.tokenEnvVar ?? 'UV_PUBLISH_TOKEN',
    credentials,
    attestations,
    installBack: options.installBack ?? true,
    importName: options.importName ?? null,
    commands: options.commands ?? null,
    smokeScripts: (options.smokeScripts ?? []).map((script) => (isAbsolute(script) ? script : join(workspaceRoot, script))),
    uploadAttempts: Math.max(1, Math.floor(options.uploadAttempts ?? 4)),
    retryDelayMs: Math.max(0, options.retryDelayMs ?? 1000),
    buildTarget: options.buildTarget ?? `${projectName}:build`,
  };
}

function resolveRepository(options: PypiUploadExecutorSchema, where: string): RepositoryTarget {
  // `nx release publish --registry` hands its value over as `registry`: it names the repository for this run.
  const repository = options.registry ?? options.repository ?? 'local';
  if (repository === 'local') {
    if (options.indexUrl) throw new Error(`${where}: option "indexUrl" is set with repository "local", whose URL is chosen per run; drop indexUrl.`);
    return { kind: 'local' };
  }
  if (repository === 'testpypi' || repository === 'pypi') {
    return { kind: repository, uploadUrl: KNOWN_REPOSITORIES[repository].uploadUrl, indexUrl: options.indexUrl ?? KNOWN_REPOSITORIES[repository].indexUrl };
  }
  if (!/^https?:\/\//.test(repository)) {
    throw new Error(`${where}: option "repository" is "${repository}"; expected local, testpypi, pypi or an upload URL starting with http(s)://.`);
  }
  if (!options.indexUrl) {
    throw new Error(`${where}: option "repository" is the upload URL ${repository}, so "indexUrl" (its simple index, used to check and install back) must be set too.`);
  }
  return { kind: 'url', uploadUrl: repository, indexUrl: options.indexUrl };
}
