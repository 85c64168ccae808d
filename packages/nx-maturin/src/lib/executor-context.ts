import type { ExecutorContext } from '@nx/devkit';

/** The root of the project an executor runs for; executors only make sense as a project's target. */
export function projectRootOf(context: Pick<ExecutorContext, 'projectName' | 'projectsConfigurations'>): string {
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects[projectName] : undefined;
  if (!projectName || !project) {
    throw new Error(`this executor must run as a target of a project (nx run <project>:<target>); project "${projectName ?? ''}" is not in the workspace.`);
  }
  return project.root;
}
