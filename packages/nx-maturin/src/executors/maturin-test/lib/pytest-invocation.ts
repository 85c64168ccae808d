import { isAbsolute, join, relative } from 'node:path';
import { type TomlTable, tomlPath } from '../../../lib/toml-file';

/**
 * pytest's arguments. The project's `target/` folder and the Cargo target folder (when it lies inside the
 * project) are never collected: the build unpacks its sdist there, a second copy of the tests that pytest would
 * import under the same module names, and pytest skips no folder named target by default.
 */
export function pytestArguments(projectDir: string, cargoTargetDir: string, extraArgs: readonly string[]): string[] {
  const ignored = [join(projectDir, 'target')];
  const fromProject = relative(projectDir, cargoTargetDir);
  if (fromProject !== '' && !fromProject.startsWith('..') && !isAbsolute(fromProject) && !ignored.includes(cargoTargetDir)) ignored.push(cargoTargetDir);
  return ['-m', 'pytest', ...ignored.map((folder) => `--ignore=${folder}`), ...extraArgs];
}

/**
 * PEP 735 groups that conventionally hold a project's test requirements, in order of preference; the first one the
 * project has is installed. `dev` comes last: projects managed with uv often keep pytest and its plugins there
 * (recent `maturin develop`, 1.16 here, installs `dev` by default as well; naming it here also lets its pytest range apply).
 */
export const TEST_DEPENDENCY_GROUPS = ['test', 'tests', 'testing', 'dev'] as const;

/** Extras (`[project.optional-dependencies]`) that conventionally hold test requirements, in order of preference. */
export const TEST_EXTRAS = ['test', 'tests', 'testing'] as const;

/** Where a project states its test requirements: a dependency group and/or an extra, by the conventional names. */
export interface ProjectTestRequirements {
  group: string | undefined;
  extra: string | undefined;
}

export function findProjectTestRequirements(pyproject: TomlTable, pyprojectFile: string): ProjectTestRequirements {
  const group = TEST_DEPENDENCY_GROUPS.find((name) => tomlPath(pyproject, ['dependency-groups', name]) !== undefined);
  const extra = TEST_EXTRAS.find((name) => tomlPath(pyproject, ['project', 'optional-dependencies', name]) !== undefined);
  for (const [table, name] of [['dependency-groups', group], ['project.optional-dependencies', extra]] as const) {
    const value = name === undefined ? undefined : tomlPath(pyproject, [...table.split('.'), name]);
    if (value !== undefined && !Array.isArray(value)) {
      throw new Error(`${pyprojectFile}: [${table}].${name} is ${JSON.stringify(value)}; expected a list of requirements`);
    }
  }
  return { group, extra };
}

/**
 * What `uv pip install` puts into a test venv besides the development build: `testRequirements` when configured,
 * else pytest at the plugin's pinned version, unless the project's own test group or extra names pytest (its range
 * then applies, where the pin could conflict with it); plus that group when the project has one. The extra is
 * installed with the development build itself (`maturin develop --extras`).
 */
export function testInstallArguments(pyproject: TomlTable, pyprojectFile: string, testRequirements: readonly string[], pinnedPytest: string): string[] {
  const { group, extra } = findProjectTestRequirements(pyproject, pyprojectFile);
  const listed = [
    ...((group === undefined ? [] : tomlPath(pyproject, ['dependency-groups', group])) as unknown[]),
    ...((extra === undefined ? [] : tomlPath(pyproject, ['project', 'optional-dependencies', extra])) as unknown[]),
  ];
  const projectNamesPytest = listed.some((entry) => typeof entry === 'string' && /^pytest\s*([[<>=!~;@(]|$)/i.test(entry.trim()));
  const requirements = testRequirements.length > 0 ? [...testRequirements] : projectNamesPytest ? [] : [pinnedPytest];
  return group === undefined ? requirements : [...requirements, '--group', `${pyprojectFile}:${group}`];
}

/** What a test venv received besides the development build, from {@link testInstallArguments} and the extra, for an error message. */
export function describeTestVenv(installArguments: readonly string[], extra: string | undefined): string {
  const parts: string[] = [];
  for (let index = 0; index < installArguments.length; index++) {
    const argument = installArguments[index]!;
    if (argument === '--group') parts.push(`[dependency-groups].${(installArguments[++index] ?? '').split(':').at(-1)}`);
    else parts.push(argument);
  }
  if (extra !== undefined) parts.push(`the "${extra}" extra`);
  return parts.length === 0 ? 'nothing else' : parts.join(', ');
}
