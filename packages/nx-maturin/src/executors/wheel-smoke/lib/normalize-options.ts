import { isAbsolute, join } from 'node:path';
import type { WheelSmokeExecutorSchema } from '../schema';
import { normalizePythonVersions } from '../../../plugins/plugin-options';

export interface NormalizedWheelSmokeOptions {
  /** Absolute. */
  artefactDir: string;
  pythonVersions: string[];
  importName: string;
  /** Absolute. */
  smokeScripts: string[];
  commands: string[][];
  sdistInterpreter: string;
  buildTarget: string;
}

export function normalizeOptions(options: WheelSmokeExecutorSchema, workspaceRoot: string, projectName: string): NormalizedWheelSmokeOptions {
  if (!options.artefactDir) {
    throw new Error(`wheel-smoke for ${projectName}: option "artefactDir" is missing; set it to the build's output folder (e.g. <projectRoot>/target/wheels).`);
  }
  if (!options.importName) {
    throw new Error(`wheel-smoke for ${projectName}: option "importName" is missing; set it to the package's import name (e.g. hello_maturin).`);
  }
  const pythonVersions = normalizePythonVersions(options.pythonVersions);
  if (pythonVersions.length === 0) {
    throw new Error(`wheel-smoke for ${projectName}: option "pythonVersions" is empty; list at least one CPython version such as "3.12".`);
  }
  const sdistInterpreter = options.sdistInterpreter ?? pythonVersions[0]!;
  if (!pythonVersions.includes(sdistInterpreter)) {
    throw new Error(
      `wheel-smoke for ${projectName}: option "sdistInterpreter" is "${sdistInterpreter}", which is not one of pythonVersions (${pythonVersions.join(', ')}); pick one of them.`,
    );
  }
  const absolute = (path: string) => (isAbsolute(path) ? path : join(workspaceRoot, path));
  return {
    artefactDir: absolute(options.artefactDir),
    pythonVersions,
    importName: options.importName,
    smokeScripts: (options.smokeScripts ?? []).map(absolute),
    commands: options.commands ?? [['-m', options.importName, '--help']],
    sdistInterpreter,
    buildTarget: options.buildTarget ?? `${projectName}:build`,
  };
}
