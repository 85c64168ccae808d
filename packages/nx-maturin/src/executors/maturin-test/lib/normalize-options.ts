import { normalizePythonVersions } from '../../../plugins/plugin-options';
import type { MaturinTestExecutorSchema } from '../schema';

export interface NormalizedMaturinTestOptions {
  pythonVersions: string[];
  rust: boolean;
  python: boolean;
  pytestArgs: string[];
  /** Empty means: pytest at the tools venv's pinned version. */
  testRequirements: string[];
}

export function normalizeOptions(options: MaturinTestExecutorSchema): NormalizedMaturinTestOptions {
  return {
    pythonVersions: normalizePythonVersions(options.pythonVersions),
    rust: options.rust ?? true,
    python: options.python ?? true,
    pytestArgs: options.pytestArgs ?? [],
    testRequirements: options.testRequirements ?? [],
  };
}
