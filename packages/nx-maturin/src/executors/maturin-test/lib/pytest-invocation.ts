import { isAbsolute, join, relative } from 'node:path';
import { type TomlTable, tomlPath } from '../../../lib/toml-file';

/** The PEP 735 dependency group a project's tests need, installed into each test venv when the project has it. */
export const TEST_DEPENDENCY_GROUP = 'test';

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
 * What `uv pip install` puts into a test venv besides the development build: `testRequirements` when configured,
 * else pytest at the plugin's pinned version, unless the project's own `[dependency-groups].test` names pytest (its
 * range then applies, where the pin could conflict with it); plus that group when the project has one.
 */
export function testInstallArguments(pyproject: TomlTable, pyprojectFile: string, testRequirements: readonly string[], pinnedPytest: string): string[] {
  const group = tomlPath(pyproject, ['dependency-groups', TEST_DEPENDENCY_GROUP]);
  if (group !== undefined && !Array.isArray(group)) {
    throw new Error(`${pyprojectFile}: [dependency-groups].${TEST_DEPENDENCY_GROUP} is ${JSON.stringify(group)}; expected a list of requirements (PEP 735)`);
  }
  const groupRequirements = (group ?? []) as unknown[];
  const groupNamesPytest = groupRequirements.some((entry) => typeof entry === 'string' && /^pytest\s*([[<>=!~;@(]|$)/i.test(entry.trim()));
  const requirements = testRequirements.length > 0 ? [...testRequirements] : groupNamesPytest ? [] : [pinnedPytest];
  return group === undefined ? requirements : [...requirements, '--group', `${pyprojectFile}:${TEST_DEPENDENCY_GROUP}`];
}
