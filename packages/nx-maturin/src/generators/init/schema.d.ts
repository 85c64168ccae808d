export interface InitGeneratorSchema {
  addPlugin?: boolean;
  /** A list from code; from the command line a comma-separated string, or a number when it reads `3.12`. */
  pythonVersions?: string[] | string | number;
  toolsVenv?: string;
  skipFormat?: boolean;
}
