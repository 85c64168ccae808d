export type TrustedPublishing = 'automatic' | 'always' | 'never';

export interface PypiUploadExecutorSchema {
  artefactDir: string;
  repository?: string;
  indexUrl?: string;
  skipExisting?: boolean;
  dryRun?: boolean;
  allowDirty?: boolean;
  allowUntagged?: boolean;
  tagPattern?: string;
  tokenEnvVar?: string;
  trustedPublishing?: TrustedPublishing;
  importName?: string;
  commands?: string[][];
  smokeScripts?: string[];
  uploadAttempts?: number;
  retryDelayMs?: number;
  buildTarget?: string;
}
