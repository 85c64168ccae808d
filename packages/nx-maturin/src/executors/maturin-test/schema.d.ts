export interface MaturinTestExecutorSchema {
  pythonVersions?: string[];
  rust?: boolean;
  python?: boolean;
  pytestArgs?: string[];
  testRequirements?: string[];
}
