import { parseToml } from '../../../lib/toml-file';
import { pytestArguments, testDependencyGroupArguments } from './pytest-invocation';

describe('pytest-invocation', () => {
  it('keeps pytest out of the project target/ folder, where the build unpacks its sdist, then adds the configured arguments', () => {
    expect(pytestArguments('/ws/libs/ext', '/ws/libs/ext/target', ['-x'])).toEqual(['-m', 'pytest', '--ignore=/ws/libs/ext/target', '-x']);
  });

  it('also ignores a Cargo target folder elsewhere inside the project, but not one outside it', () => {
    expect(pytestArguments('/ws/libs/ext', '/ws/libs/ext/rust/target', [])).toEqual(['-m', 'pytest', '--ignore=/ws/libs/ext/target', '--ignore=/ws/libs/ext/rust/target']);
    expect(pytestArguments('/ws/libs/ext', '/ws/target', [])).toEqual(['-m', 'pytest', '--ignore=/ws/libs/ext/target']);
  });

  it('installs the [dependency-groups].test of pyproject.toml when there is one', () => {
    const withGroup = parseToml('[dependency-groups]\ntest = ["pytest", "hypothesis"]\ndev = [{ include-group = "test" }]\n', 'pyproject.toml');
    expect(testDependencyGroupArguments(withGroup, '/ws/libs/ext/pyproject.toml')).toEqual(['--group', '/ws/libs/ext/pyproject.toml:test']);
    expect(testDependencyGroupArguments(parseToml('[dependency-groups]\ndev = ["ruff"]\n', 'pyproject.toml'), '/p/pyproject.toml')).toEqual([]);
  });

  it('names the file and field when the test group is not a list', () => {
    expect(() => testDependencyGroupArguments(parseToml('[dependency-groups]\ntest = "pytest"\n', 'pyproject.toml'), '/p/pyproject.toml')).toThrow(
      '/p/pyproject.toml: [dependency-groups].test is "pytest"; expected a list of requirements (PEP 735)',
    );
  });
});
