export interface WheelSmokeExecutorSchema {
  artefactDir: string;
  pythonVersions?: string | string[];
  importName: string;
  smokeScripts?: string[];
  commands?: string[][];
  sdistInterpreter?: string;
  buildTarget?: string;
}
