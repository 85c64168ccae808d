export type CredentialMode = 'trusted-publishing' | 'token' | 'password' | 'none';
export type AttestationMode = 'required' | 'when-present' | 'off';

export interface PypiUploadExecutorSchema {
  artefactDir: string;
  repository?: string;
  /** From `nx release publish --registry`; overrides repository. */
  registry?: string;
  indexUrl?: string;
  skipExisting?: boolean;
  dryRun?: boolean;
  allowDirty?: boolean;
  allowUntagged?: boolean;
  /** Publish a version that is not newer than the newest release on a remote index (a backport), or add files to an existing version. */
  allowOlderVersion?: boolean;
  tagPattern?: string;
  tokenEnvVar?: string;
  credentials?: CredentialMode;
  attestations?: AttestationMode;
  installBack?: boolean;
  importName?: string;
  commands?: string[][];
  smokeScripts?: string[];
  uploadAttempts?: number;
  retryDelayMs?: number;
  buildTarget?: string;
}
