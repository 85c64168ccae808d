import { formatFiles, readNxJson, updateNxJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { normalizePythonVersions, type MaturinPluginOptions } from '../../plugins/plugin-options';
import type { InitGeneratorSchema } from './schema';

export const PLUGIN_NAME = '@codetracer/nx-maturin';

/**
 * Registers the inference plugin in nx.json, as `nx add` expects of a plugin's `init`. An existing entry is kept as
 * it is (the user may have tuned it); a second run changes nothing.
 */
export async function initGenerator(tree: Tree, schema: InitGeneratorSchema): Promise<GeneratorCallback> {
  const nxJson = readNxJson(tree) ?? {};
  const addPlugin = schema.addPlugin ?? (process.env['NX_ADD_PLUGINS'] !== 'false' && nxJson.useInferencePlugins !== false);
  if (!addPlugin) return () => undefined;

  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN_NAME);
  if (!registered) {
    const options: MaturinPluginOptions = {};
    if (schema.pythonVersions !== undefined) options.pythonVersions = normalizePythonVersions(schema.pythonVersions);
    if (schema.toolsVenv) options.toolsVenv = schema.toolsVenv;
    nxJson.plugins = [...plugins, Object.keys(options).length > 0 ? { plugin: PLUGIN_NAME, options } : { plugin: PLUGIN_NAME }];
    updateNxJson(tree, nxJson);
  }
  if (!schema.skipFormat) await formatFiles(tree);
  return () => undefined;
}

export default initGenerator;
