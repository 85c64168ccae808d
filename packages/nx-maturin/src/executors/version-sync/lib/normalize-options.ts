import type { ExecutorContext } from '@nx/devkit';
import { parseAnyVersion } from '../../../lib/versions/pep440';
import { DEFAULT_TAG_PATTERN, tagFromGithubRef, type VersionCheckInput } from '../../../lib/versions/version-sources';
import type { VersionSyncExecutorSchema } from '../schema';
import { projectRootOf } from '../../../lib/executor-context';
import { normalizeVersionFileOptions } from '../../../lib/versions/version-files';

export interface NormalizedVersionSyncOptions {
  check: VersionCheckInput;
  /** The SemVer version to write first, when asked to write. */
  write: string | undefined;
}

export function normalizeOptions(
  options: VersionSyncExecutorSchema,
  context: Pick<ExecutorContext, 'root' | 'projectName' | 'projectsConfigurations'>,
  env: NodeJS.ProcessEnv = process.env,
): NormalizedVersionSyncOptions {
  const projectRoot = projectRootOf(context);
  const projectName = context.projectName!;
  const tag = options.tag ?? tagFromGithubRef(env['GITHUB_REF']);
  return {
    check: {
      workspaceRoot: context.root,
      projectRoot,
      projectName,
      ...(tag === undefined ? {} : { tag }),
      tagPattern: options.tagPattern ?? DEFAULT_TAG_PATTERN,
      ...normalizeVersionFileOptions(options),
    },
    write: options.write === undefined ? undefined : parseAnyVersion(options.write, 'the write option'),
  };
}

