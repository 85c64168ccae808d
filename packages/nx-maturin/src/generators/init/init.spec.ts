import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../../test-support/temp-workspace';
import { initGenerator, PLUGIN_NAME } from './init';

describe('nx-maturin init generator', () => {
  let tree: Tree;
  const savedAddPlugins = process.env['NX_ADD_PLUGINS'];

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    delete process.env['NX_ADD_PLUGINS'];
  });
  afterAll(() => {
    if (savedAddPlugins === undefined) delete process.env['NX_ADD_PLUGINS'];
    else process.env['NX_ADD_PLUGINS'] = savedAddPlugins;
  });

  it('registers the plugin in nx.json with the options given', async () => {
    await initGenerator(tree, { toolsVenv: '.venv-tools', pythonVersions: ['3.13'], skipFormat: true });
    expect(readNxJson(tree)?.plugins).toMatchInlineSnapshot(`
[
  {
    "options": {
      "pythonVersions": [
        "3.13",
      ],
      "toolsVenv": ".venv-tools",
    },
    "plugin": "@codetracer/nx-maturin",
  },
]
`);
  });

  it('keeps an existing entry as it is, so a second run changes nothing', async () => {
    await initGenerator(tree, { skipFormat: true });
    const first = readNxJson(tree)?.plugins;
    await initGenerator(tree, { toolsVenv: 'other', skipFormat: true });
    expect(readNxJson(tree)?.plugins).toEqual(first);
    expect(first).toEqual([{ plugin: PLUGIN_NAME }]);
  });

  it("keeps this repository's nx.json entry exactly as it is", async () => {
    const repositoryNxJson = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'nx.json'), 'utf8')) as { plugins: unknown[] };
    updateNxJson(tree, { ...readNxJson(tree), plugins: repositoryNxJson.plugins as never });
    await initGenerator(tree, { toolsVenv: '.tools/venv', skipFormat: true });
    expect(readNxJson(tree)?.plugins).toEqual(repositoryNxJson.plugins);
  });

  it('adds nothing when NX_ADD_PLUGINS=false or the workspace turned inference plugins off', async () => {
    process.env['NX_ADD_PLUGINS'] = 'false';
    await initGenerator(tree, { skipFormat: true });
    expect(readNxJson(tree)?.plugins ?? []).toEqual([]);
    delete process.env['NX_ADD_PLUGINS'];
    updateNxJson(tree, { ...readNxJson(tree), useInferencePlugins: false });
    await initGenerator(tree, { skipFormat: true });
    expect(readNxJson(tree)?.plugins ?? []).toEqual([]);
  });
});
