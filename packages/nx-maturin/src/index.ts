export { createNodes, createNodesV2 } from './plugins/maturin-plugin';
export type { MaturinPluginOptions } from './plugins/maturin-plugin';
export { preTasksExecution } from './plugins/toolchain-input';
