import type { ExecutorContext } from '@nx/devkit';
import { delimiter, dirname, join } from 'node:path';
import { venvExecutable, TOOLS_VENV } from './workspace-tools';

export function projectRootOf(context: ExecutorContext): string {
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects[projectName] : undefined;
  if (!project) throw new Error(`executor ran without a project (projectName "${projectName ?? ''}" is not in the workspace)`);
  return project.root;
}

/**
 * The environment for tools that find their helpers on PATH (maturin finds zig and uv there): the workspace tools
 * venv's bin folder goes first.
 */
export function toolsPathEnv(workspaceRoot: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const toolsBin = dirname(venvExecutable(join(workspaceRoot, TOOLS_VENV), 'python'));
  return { ...base, PATH: [toolsBin, base['PATH'] ?? ''].join(delimiter) };
}
