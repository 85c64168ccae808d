import { isAbsolute, join } from 'node:path';
import type { PypiUploadExecutorSchema, TrustedPublishing } from '../schema';

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
  tagPattern: string;
  tokenEnvVar: string;
  trustedPublishing: TrustedPublishing;
  /** Null: derived from the distribution name once the manifest is read. */
  importName: string | null;
  commands: string[][] | null;
  /** Absolute paths. */
  smokeScripts: string[];
  uploadAttempts: number;
  retryDelayMs: number;
  buildTarget: string;
}

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
  const trustedPublishing = options.trustedPublishing ?? 'automatic';
  if (!['automatic', 'always', 'never'].includes(trustedPublishing)) {
    throw new Error(`${where}: option "trustedPublishing" is "${trustedPublishing}"; expected automatic, always or never.`);
  }
  return {
    artefactDir: isAbsolute(options.artefactDir) ? options.artefactDir : join(workspaceRoot, options.artefactDir),
    repository: resolveRepository(options, where),
    skipExisting: options.skipExisting ?? false,
    dryRun: (options.dryRun ?? false) || env['NX_DRY_RUN'] === 'true',
    allowDirty: options.allowDirty ?? false,
    allowUntagged: options.allowUntagged ?? false,
    tagPattern: options.tagPattern ?? '{projectName}-v{version}',
    tokenEnvVar: options.tokenEnvVar ?? 'UV_PUBLISH_TOKEN',
    trustedPublishing,
    importName: options.importName ?? null,
    commands: options.commands ?? null,
    smokeScripts: (options.smokeScripts ?? []).map((script) => (isAbsolute(script) ? script : join(workspaceRoot, script))),
    uploadAttempts: Math.max(1, Math.floor(options.uploadAttempts ?? 4)),
    retryDelayMs: Math.max(0, options.retryDelayMs ?? 1000),
    buildTarget: options.buildTarget ?? `${projectName}:build`,
  };
}

function resolveRepository(options: PypiUploadExecutorSchema, where: string): RepositoryTarget {
  const repository = options.repository ?? 'local';
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
