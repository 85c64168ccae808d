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

/** `uv pip install` arguments for the project's `[dependency-groups].test`, or none when it has no such group. */
export function testDependencyGroupArguments(pyproject: TomlTable, pyprojectFile: string): string[] {
  const group = tomlPath(pyproject, ['dependency-groups', TEST_DEPENDENCY_GROUP]);
  if (group === undefined) return [];
  if (!Array.isArray(group)) {
    throw new Error(`${pyprojectFile}: [dependency-groups].${TEST_DEPENDENCY_GROUP} is ${JSON.stringify(group)}; expected a list of requirements (PEP 735)`);
  }
  return ['--group', `${pyprojectFile}:${TEST_DEPENDENCY_GROUP}`];
}
