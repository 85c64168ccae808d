export interface MaturinBuildExecutorSchema {
  pythonVersions?: string[];
  outputDir?: string;
  profile?: string;
  target?: string;
  compatibility?: string;
  zig?: boolean;
  features?: string[];
  sdist?: boolean;
  locked?: boolean;
  buildIsolation?: boolean;
}
