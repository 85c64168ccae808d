import { isAbsolute, join } from 'node:path';
import { LOCAL_INDEX_STORAGE } from '../../../lib/local-index/local-index';
import type { ServeIndexExecutorSchema } from '../schema';

export interface NormalizedServeIndexOptions {
  port: number;
  /** Absolute. */
  storageDir: string;
  authenticateUploads: boolean;
}

export function normalizeOptions(options: ServeIndexExecutorSchema, workspaceRoot: string): NormalizedServeIndexOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`serve-index: option "port" is ${port}; expected an integer from 0 (any free port) to 65535.`);
  }
  const storageDir = options.storageDir ?? LOCAL_INDEX_STORAGE;
  return {
    port,
    storageDir: isAbsolute(storageDir) ? storageDir : join(workspaceRoot, storageDir),
    authenticateUploads: options.authenticateUploads ?? true,
  };
}
