import { createNodesFromFiles, hashArray, logger, type CreateNodes, type CreateNodesContext, type CreateNodesResult } from '@nx/devkit';
import { PluginCache, workspaceDataDirectory } from '@nx/devkit/internal';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import { parseToml, TomlFileError, tomlString } from '../lib/toml-file';
import { createInferredTargets } from './inferred-targets';
import { describeMaturinProject, isMaturinPyproject, locateOnDisk, type MaturinProject } from './maturin-project';
import { normalizePluginOptions, type MaturinPluginOptions, type NormalizedMaturinPluginOptions } from './plugin-options';

export type { MaturinPluginOptions } from './plugin-options';

/** Parsed layouts keyed by the manifests' content hash; `null` marks a pyproject.toml that is not maturin's. */
type LayoutCache = PluginCache<MaturinProject | null>;

export const createNodes: CreateNodes<MaturinPluginOptions> = [
  '**/pyproject.toml',
  async (pyprojectFiles, rawOptions, context) => {
    const options = normalizePluginOptions(rawOptions);
    const pluginProject = findPluginProject(context.workspaceRoot);
    const cache: LayoutCache = new PluginCache(join(workspaceDataDirectory, 'nx-maturin-layouts.json'));
    try {
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
  let layout: MaturinProject | null;
  try {
    layout = readLayout(context.workspaceRoot, pyprojectFile, cache);
  } catch (error) {
    // One broken manifest must not take the whole graph down with it: report it and leave that project out.
    if (!(error instanceof TomlFileError)) throw error;
    logger.warn(`nx-maturin: skipped a project: ${error.message}`);
    return {};
  }
  if (layout === null) return {};
  const project = locateOnDisk(context.workspaceRoot, layout);
  const name = options.projectNames[project.root] ?? project.distributionName;
  return {
    projects: {
      [project.root || '.']: {
        name,
        root: project.root || '.',
        projectType: 'library',
        tags: ['lang:rust', 'lang:python', 'build:maturin'],
        ...(pluginProject ? { implicitDependencies: [pluginProject.name] } : {}),
        targets: createInferredTargets(project, options, pluginProject?.sources ?? []),
      },
    },
  };
}

/** This plugin as a project of the workspace, when it is developed here rather than installed from a registry. */
interface PluginProject {
  name: string;
  /** Its shipped sources as Nx inputs: a change to an executor must rerun what that executor produced. */
  sources: string[];
}

function findPluginProject(workspaceRoot: string): PluginProject | undefined {
  const packageRoot = realpathSync(join(__dirname, '..', '..'));
  const root = relative(realpathSync(workspaceRoot), packageRoot);
  if (root === '' || root.startsWith('..') || isAbsolute(root)) return undefined;
  const manifest = existsSync(join(packageRoot, 'project.json')) ? 'project.json' : 'package.json';
  const { name } = JSON.parse(readFileSync(join(packageRoot, manifest), 'utf8')) as { name: string };
  const base = `{workspaceRoot}/${root.split(sep).join('/')}`;
  return {
    name,
    sources: [`${base}/src/**/*`, `!${base}/src/**/*.spec.ts`, `!${base}/src/test-support/**/*`, `${base}/bin/**/*`, `${base}/executors.json`, `${base}/package.json`],
  };
}

function readLayout(workspaceRoot: string, pyprojectFile: string, cache: LayoutCache): MaturinProject | null {
  const pyprojectText = readFileSync(join(workspaceRoot, pyprojectFile), 'utf8');
  const guessedManifest = cargoManifestHint(pyprojectText);
  const cargoText = readCargoText(workspaceRoot, pyprojectFile, guessedManifest);
  const key = hashArray([pyprojectFile, pyprojectText, cargoText]);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;

  const pyproject = parseToml(pyprojectText, pyprojectFile);
  if (!isMaturinPyproject(pyproject)) {
    cache.set(key, null);
    return null;
  }
  const manifest = tomlString(pyproject, ['tool', 'maturin', 'manifest-path']) ?? 'Cargo.toml';
  const manifestText = manifest === guessedManifest ? cargoText : readCargoText(workspaceRoot, pyprojectFile, manifest);
  const manifestFile = posix.join(posix.dirname(pyprojectFile), manifest);
  const cargoToml = manifestText ? parseToml(manifestText, manifestFile) : undefined;
  const layout = describeMaturinProject(pyprojectFile, pyproject, cargoToml);
  // A key built from the wrong Cargo.toml would not change when the right one does, so such a layout is not kept.
  if (manifest === guessedManifest) cache.set(key, layout);
  return layout;
}

function readCargoText(workspaceRoot: string, pyprojectFile: string, manifest: string): string {
  const file = join(workspaceRoot, posix.dirname(pyprojectFile), manifest);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** The Cargo manifest's path is needed before parsing, to key the cache on both files' content. */
function cargoManifestHint(pyprojectText: string): string {
  return /^\s*manifest-path\s*=\s*["']([^"']+)["']/m.exec(pyprojectText)?.[1] ?? 'Cargo.toml';
}
