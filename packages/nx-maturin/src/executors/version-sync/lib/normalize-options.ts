import type { ExecutorContext } from '@nx/devkit';
import { parseAnyVersion } from '../../../lib/versions/pep440';
import { DEFAULT_TAG_PATTERN, tagFromGithubRef, type VersionCheckInput } from '../../../lib/versions/version-sources';
import type { VersionSyncExecutorSchema } from '../schema';

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
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects[projectName] : undefined;
  if (!projectName || !project) {
    throw new Error('version-sync must run as a target of a project (nx run <project>:version-sync); no project was given.');
  }
  const tag = options.tag ?? tagFromGithubRef(env['GITHUB_REF']);
  return {
    check: {
      workspaceRoot: context.root,
      projectRoot: project.root,
      projectName,
      ...(tag === undefined ? {} : { tag }),
      tagPattern: options.tagPattern ?? DEFAULT_TAG_PATTERN,
    },
    write: options.write === undefined ? undefined : parseAnyVersion(options.write, 'the write option'),
  };
}
