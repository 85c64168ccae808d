/** Options for the plugin entry in nx.json. */
export interface MaturinPluginOptions {
  /** Project names keyed by project root (the folder of pyproject.toml), e.g. `{ "codetracer-python-recorder": "recorder" }`. */
  projectNames?: Record<string, string>;
  /** Names of the inferred targets. */
  versionSyncTargetName?: string;
  versionWriteTargetName?: string;
  buildTargetName?: string;
  testTargetName?: string;
  smokeTargetName?: string;
  publishTargetName?: string;
  serveIndexTargetName?: string;
  /** CPython versions (major.minor) to build, test and smoke; default 3.12 and 3.13. */
  pythonVersions?: string[];
}

export interface NormalizedMaturinPluginOptions {
  projectNames: Record<string, string>;
  targetNames: {
    versionSync: string;
    versionWrite: string;
    build: string;
    test: string;
    smoke: string;
    publish: string;
    serveIndex: string;
  };
  pythonVersions: string[];
}

export const DEFAULT_PYTHON_VERSIONS = ['3.12', '3.13'];

/**
 * Interpreter lists as executors receive them: an array from nx.json, but from the command line a comma-separated
 * string or, when the parser reads `--pythonVersions=3.12` as a number, a number.
 */
export function normalizePythonVersions(raw: unknown): string[] {
  if (raw === undefined || raw === null) return DEFAULT_PYTHON_VERSIONS;
  const list: unknown[] = Array.isArray(raw) ? raw : String(raw).split(',');
  return list.map((version) => String(version).trim()).filter((version) => version.length > 0);
}

export function normalizePluginOptions(options: MaturinPluginOptions | undefined): NormalizedMaturinPluginOptions {
  return {
    projectNames: options?.projectNames ?? {},
    targetNames: {
      versionSync: options?.versionSyncTargetName ?? 'version-sync',
      versionWrite: options?.versionWriteTargetName ?? 'version-write',
      build: options?.buildTargetName ?? 'build',
      test: options?.testTargetName ?? 'test',
      smoke: options?.smokeTargetName ?? 'smoke',
      publish: options?.publishTargetName ?? 'publish',
      serveIndex: options?.serveIndexTargetName ?? 'serve-index',
    },
    pythonVersions: options?.pythonVersions ?? DEFAULT_PYTHON_VERSIONS,
  };
}
