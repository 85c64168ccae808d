import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breakdownOf } from './cpu-profile.mjs';

const frame = (functionName, url = '') => ({ functionName, url, scriptId: '0', lineNumber: 0, columnNumber: 0 });

/** A profile whose nodes form the given stacks (root first); `samples` lists [stack index, microseconds]. */
function profileOf(stacks, samples) {
  const nodes = [{ id: 1, callFrame: frame('(root)'), children: [] }];
  const leaves = stacks.map((stack) => {
    let parent = nodes[0];
    for (const callFrame of stack) {
      const node = { id: nodes.length + 1, callFrame, children: [] };
      parent.children.push(node.id);
      nodes.push(node);
      parent = node;
    }
    return parent.id;
  });
  return { nodes, samples: samples.map(([stack]) => leaves[stack]), timeDeltas: samples.map(([, microseconds]) => microseconds) };
}

const byId = (breakdown) => Object.fromEntries(breakdown.categories.map((category) => [category.id, category.ms]));

describe('breakdownOf', () => {
  it('puts each sample in the first category its stack matches, so the shares add up to the whole', () => {
    const profile = profileOf(
      [
        [frame('Module._load', 'node:internal/modules/cjs/loader'), frame('', 'file:///ws/node_modules/nx/dist/src/index.js')],
        [frame('Module._load', 'node:internal/modules/cjs/loader'), frame('', 'file:///ws/packages/nx-maturin/dist/index.js')],
        [frame('retrieveProjectConfigurationsWithoutPluginInference', 'file:///ws/node_modules/nx/x.js'), frame('Module._load', 'node:internal/modules/cjs/loader')],
        [frame('createProjectGraphAsync', 'file:///ws/node_modules/nx/y.js'), frame('hashArray', '')],
        [frame('(garbage collector)')],
        [frame('runOne', 'file:///ws/node_modules/nx/run-one.js')],
      ],
      [
        [0, 4000],
        [1, 2000],
        [2, 1000],
        [3, 500],
        [4, 300],
        [5, 200],
      ],
    );
    const breakdown = breakdownOf(profile);
    assert.equal(breakdown.totalMs, 8);
    assert.deepEqual(byId(breakdown), { plugin: 2, 'local-plugin-pass': 1, 'module-loading': 4, gc: 0.3, idle: 0, 'project-graph': 0.5, other: 0.2 });
  });
});
