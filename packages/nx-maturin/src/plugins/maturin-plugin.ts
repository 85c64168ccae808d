import type { CreateNodes, CreateNodesContext, CreateNodesResult } from '@nx/devkit';
// The two functions inference needs, from the modules @nx/devkit re-exports them from (both in nx's `exports` map):
// loading all of @nx/devkit at runtime costs Nx about 0.12 s on every command, for generator helpers inference
// never calls.
import { hashArray } from 'nx/src/native';
import { createNodesFromFiles } from 'nx/src/project-graph/plugins';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { parseToml, TomlFileError, tomlPath } from '../lib/toml-file';
import { createInferredTargets } from './inferred-targets';
import { LayoutCache } from './layout-cache';
import { describeMaturinProject, isMaturinPyproject, locateOnDisk, maturinPaths, type MaturinPaths, type MaturinProject } from './maturin-project';
import { normalizePluginOptions, type MaturinPluginOptions, type NormalizedMaturinPluginOptions } from './plugin-options';

export type { MaturinPluginOptions } from './plugin-options';

const PACKAGE_ROOT = join(__dirname, '..', '..');
const PLUGIN_VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** The code that turns manifests into layouts: a plugin developed in place changes it without a version bump. */
const LAYOUT_CODE = ['./maturin-project', './local-crates'].map((module) => readFileSync(require.resolve(module), 'utf8')).join('\n');

export const createNodes: CreateNodes<MaturinPluginOptions> = [
  '**/pyproject.toml',
  async (pyprojectFiles, rawOptions, context) => {
    const options = normalizePluginOptions(rawOptions);
    const pluginProject = findPluginProject(context.workspaceRoot);
    // The layouts depend on this plugin's version, code and options as well as on the manifests: an upgrade, a
    // recompiled plugin or an option change starts a new cache file instead of serving what the old code computed.
    const cache = new LayoutCache(context.workspaceRoot, hashArray([PLUGIN_VERSION, LAYOUT_CODE, JSON.stringify(rawOptions ?? {})]));
    try {
      // A file that throws is reported by createNodesFromFiles in an AggregateCreateNodesError (with the daemon too),
      // and the other files still become projects.
      return await createNodesFromFiles(
        (pyprojectFile) => createNodesForPyproject(pyprojectFile, options, context, cache, pluginProject),
        pyprojectFiles,
        options,
        context,
      );
    } finally {
      cache.writeToDisk();
    }
  },
];

/** @deprecated Nx 23 reads `createNodes`; this alias keeps older configurations working until Nx 24 drops it. */
export const createNodesV2 = createNodes;

function createNodesForPyproject(
  pyprojectFile: string,
  options: NormalizedMaturinPluginOptions,
  context: CreateNodesContext,
  cache: LayoutCache,
  pluginProject: PluginProject | undefined,
): CreateNodesResult {
  const layout = readLayout(context.workspaceRoot, pyprojectFile, cache);
  if (layout === null) return {};
  const project = locateOnDisk(context.workspaceRoot, layout, cache);
  const name = options.projectNames[project.root] ?? project.distributionName;
  return {
    projects: {
      [project.root || '.']: {
        name,
        root: project.root || '.',
        projectType: 'library',
        tags: ['lang:rust', 'lang:python', 'build:maturin'],
        ...(pluginProject ? { implicitDependencies: [pluginProject.name] } : {}),
        targets: createInferredTargets(project, options, pluginProject),
      },
    },
  };
}

/** This plugin as a project of the workspace, when it is developed here rather than installed from a registry. */
export interface PluginProject {
  name: string;
  /** Its build target: tasks that run the executors depend on it, so they never run a stale dist/. */
  buildTarget: string;
  /** Its shipped sources as Nx inputs: a change to an executor must rerun what that executor produced. */
  sources: string[];
}

/**
 * The plugin is developed in this workspace when its package folder (symlinks resolved, as npm workspaces link it)
 * lies inside the workspace, outside any node_modules, and is an Nx project (has project.json). An installed copy
 * under node_modules is never a project of the workspace that installed it.
 */
export function findPluginProject(workspaceRoot: string, installedAt: string = PACKAGE_ROOT): PluginProject | undefined {
  const packageRoot = realpathSync(installedAt);
  const root = relative(realpathSync(workspaceRoot), packageRoot);
  if (root === '' || root.startsWith('..') || isAbsolute(root)) return undefined;
  if (root.split(sep).includes('node_modules')) return undefined;
  const projectJson = join(packageRoot, 'project.json');
  if (!existsSync(projectJson)) return undefined;
  const { name } = JSON.parse(readFileSync(projectJson, 'utf8')) as { name: string };
  const base = `{workspaceRoot}/${root.split(sep).join('/')}`;
  return {
    name,
    buildTarget: 'build',
    sources: [`${base}/src/**/*`, `!${base}/src/**/*.spec.ts`, `!${base}/src/test-support/**/*`, `${base}/bin/**/*`, `${base}/executors.json`, `${base}/package.json`],
  };
}

/**
 * The layout of one pyproject.toml, from the cache when neither it nor its Cargo manifest changed. A broken manifest
 * throws an error naming the file and the field, which Nx shows for that file.
 */
function readLayout(workspaceRoot: string, pyprojectFile: string, cache: LayoutCache): MaturinProject | null {
  const pyprojectText = readFileSync(join(workspaceRoot, pyprojectFile), 'utf8');
  // Only maturin projects are parsed further; every other pyproject.toml costs one substring search.
  if (!pyprojectText.includes('maturin')) return null;
  const pyproject = parseToml(pyprojectText, pyprojectFile);
  if (!isMaturinPyproject(pyproject)) return null;
  let paths: MaturinPaths;
  try {
    paths = maturinPaths(pyproject, join(workspaceRoot, posix.dirname(pyprojectFile)));
  } catch (error) {
    throw new TomlFileError(pyprojectFile, undefined, (error as Error).message);
  }
  const manifestFile = posix.join(posix.dirname(pyprojectFile), paths.cargoManifest);
  const manifestPath = join(workspaceRoot, manifestFile);
  const manifestExists = existsSync(manifestPath);
  // With no crate where maturin looks by default, maturin cannot build it: a test fixture or a template (e.g. a
  // copy of the project's pyproject among its tests). As a project it would own the files under it, which would
  // drop out of the enclosing project's cache inputs. A configured manifest-path stays a project, so its build
  // names the missing file.
  if (!manifestExists && tomlPath(pyproject, ['tool', 'maturin', 'manifest-path']) === undefined) return null;
  const cargoText = manifestExists ? readFileSync(manifestPath, 'utf8') : '';
  // The paths come from files existing (maturin's automatic src layout), not only from the manifests' text.
  const key = hashArray([pyprojectFile, pyprojectText, paths.cargoManifest, paths.pythonSource, cargoText]);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const cargoToml = cargoText ? parseToml(cargoText, manifestFile) : undefined;
  const layout = describeMaturinProject(pyprojectFile, pyproject, cargoToml, paths);
  cache.set(key, layout);
  return layout;
}
