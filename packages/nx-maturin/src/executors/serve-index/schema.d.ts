export interface ServeIndexExecutorSchema {
  port?: number;
  storageDir?: string;
  authenticateUploads?: boolean;
}
