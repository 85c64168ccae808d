/** Executor options for one project's inferred targets, merged over what inference derives. */
export interface ProjectTargetOptions {
  build?: Record<string, unknown>;
  test?: Record<string, unknown>;
  smoke?: Record<string, unknown>;
  publish?: Record<string, unknown>;
}

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
  /**
   * Workspace-relative virtual environment whose maturin, uv, twine, check-wheel-contents and pypi-server come
   * first; after it, the workspace's `.venv`, then PATH, then `uv tool run` at the plugin's pinned versions.
   */
  toolsVenv?: string;
  /** Workspace-relative files that pin those tools (e.g. a requirements file): cache inputs of build, test and smoke. */
  toolInputs?: string[];
  /**
   * Run version-sync before every build (default false). Release pipelines want it; a plain build of a project
   * whose version PyPI would refuse (a local `+abc` version) should not be stopped by the release policy.
   */
  versionSyncBeforeBuild?: boolean;
  /** Executor options per project root, e.g. `{ "my-crate": { "build": { "zig": true, "compatibility": "manylinux2014" } } }`. */
  projectTargetOptions?: Record<string, ProjectTargetOptions>;
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
  toolsVenv: string | undefined;
  toolInputs: string[];
  versionSyncBeforeBuild: boolean;
  projectTargetOptions: Record<string, ProjectTargetOptions>;
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
    toolsVenv: options?.toolsVenv,
    toolInputs: options?.toolInputs ?? [],
    versionSyncBeforeBuild: options?.versionSyncBeforeBuild ?? false,
    projectTargetOptions: options?.projectTargetOptions ?? {},
  };
}
