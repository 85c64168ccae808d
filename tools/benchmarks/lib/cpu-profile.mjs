import { readFileSync } from 'node:fs';

/**
 * Where a Node process's main thread spent its time, from a V8 CPU profile (`node --cpu-prof`): every sample is
 * put in the first category (in this order) that its stack matches, so the shares add up to the profile's length.
 * The order decides overlaps: the plugin's own frames count as the plugin's even while Nx is loading it, and any
 * `require` counts as module loading wherever it happens.
 */
export const PROFILE_CATEGORIES = [
  {
    id: 'plugin',
    label: 'this plugin: loading it, inference, the toolchain hook',
    matches: (stack) => stack.some((frame) => /\/nx-maturin\/dist\//.test(frame.url)),
  },
  {
    id: 'local-plugin-pass',
    label: "Nx's extra project-configuration pass for a plugin that is a project of this workspace",
    matches: (stack) => stack.some((frame) => frame.functionName === 'retrieveProjectConfigurationsWithoutPluginInference'),
  },
  {
    id: 'module-loading',
    label: 'loading JavaScript modules (resolving, reading, compiling and running them): Nx and its dependencies',
    matches: (stack) =>
      stack.some(
        (frame) =>
          /^(Module\._load|Module\._resolveFilename|wrapModuleLoad|compileFunction|wrapSafe)$/.test(frame.functionName) ||
          frame.url.startsWith('node:internal/modules/esm/'),
      ),
  },
  { id: 'gc', label: 'garbage collection', matches: (stack) => stack.at(-1).functionName === '(garbage collector)' },
  {
    id: 'idle',
    label: 'waiting: files, child processes (git, the runtime input), the daemon',
    matches: (stack) => stack.at(-1).functionName === '(idle)',
  },
  {
    id: 'project-graph',
    label: 'Nx: the project graph (plugins, project configurations, file map)',
    matches: (stack) => stack.some((frame) => /^(createProjectGraphAsync|createProjectGraphAndSourceMapsAsync|buildProjectGraphAndSourceMapsWithoutDaemon)$/.test(frame.functionName)),
  },
  { id: 'other', label: 'Nx: everything else (command line, hashing, the cache replay, output, V8 outside JavaScript)', matches: () => true },
];

/** `{ totalMs, categories: [{ id, label, ms }] }` of a `.cpuprofile` file. */
export function profileBreakdown(profileFile) {
  return breakdownOf(JSON.parse(readFileSync(profileFile, 'utf8')));
}

export function breakdownOf(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const stacks = new Map();
  const stackOf = (id) => {
    if (!stacks.has(id)) {
      const stack = [];
      for (let current = id; current !== undefined; current = parents.get(current)) stack.unshift(nodes.get(current).callFrame);
      stacks.set(id, stack);
    }
    return stacks.get(id);
  };
  const totals = new Map(PROFILE_CATEGORIES.map((category) => [category.id, 0]));
  let totalMicroseconds = 0;
  profile.samples.forEach((id, index) => {
    const microseconds = profile.timeDeltas[index] ?? 0;
    totalMicroseconds += microseconds;
    const category = PROFILE_CATEGORIES.find((candidate) => candidate.matches(stackOf(id)));
    totals.set(category.id, totals.get(category.id) + microseconds);
  });
  return {
    totalMs: totalMicroseconds / 1000,
    categories: PROFILE_CATEGORIES.map(({ id, label }) => ({ id, label, ms: totals.get(id) / 1000 })),
  };
}
