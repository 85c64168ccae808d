export interface WheelSmokeExecutorSchema {
  artefactDir: string;
  pythonVersions?: string | string[];
  importName: string;
  smokeScripts?: string[];
  commands?: string[][];
  sdistInterpreter?: string;
  buildTarget?: string;
  pythonPackage?: boolean;
  checkWheelContentsIgnore?: string | string[];
  twineStrict?: boolean;
  indexUrl?: string;
  noIndex?: boolean;
  sdistReuseBuild?: boolean;
  sdistProfile?: string;
  sdistCargoTargetDir?: string;
  progressIntervalSeconds?: number;
}
