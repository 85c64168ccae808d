import { parseToml } from '../../../lib/toml-file';
import { describeTestVenv, findProjectTestRequirements, pytestArguments, testInstallArguments } from './pytest-invocation';

describe('pytest-invocation', () => {
  it('keeps pytest out of the project target/ folder, where the build unpacks its sdist, then adds the configured arguments', () => {
    expect(pytestArguments('/ws/libs/ext', '/ws/libs/ext/target', ['-x'])).toEqual(['-m', 'pytest', '--ignore=/ws/libs/ext/target', '-x']);
  });

  it('also ignores a Cargo target folder elsewhere inside the project, but not one outside it', () => {
    expect(pytestArguments('/ws/libs/ext', '/ws/libs/ext/rust/target', [])).toEqual(['-m', 'pytest', '--ignore=/ws/libs/ext/target', '--ignore=/ws/libs/ext/rust/target']);
    expect(pytestArguments('/ws/libs/ext', '/ws/target', [])).toEqual(['-m', 'pytest', '--ignore=/ws/libs/ext/target']);
  });

  const PIN = 'pytest==9.2.0';

  it('installs the pinned pytest and the [dependency-groups].test of pyproject.toml when there is one', () => {
    const withGroup = parseToml('[dependency-groups]\ntest = ["hypothesis"]\ndev = [{ include-group = "test" }]\n', 'pyproject.toml');
    expect(testInstallArguments(withGroup, '/ws/libs/ext/pyproject.toml', [], PIN)).toEqual([PIN, '--group', '/ws/libs/ext/pyproject.toml:test']);
    expect(testInstallArguments(parseToml('[dependency-groups]\nlint = ["ruff"]\n', 'pyproject.toml'), '/p/pyproject.toml', [], PIN)).toEqual([PIN]);
  });

  it('falls back to a tests, testing or dev group, and finds a test extra for maturin develop --extras', () => {
    const devOnly = parseToml('[dependency-groups]\nlint = ["ruff"]\ndev = ["hypothesis", "pytest>=8"]\n', 'pyproject.toml');
    expect(testInstallArguments(devOnly, '/p/pyproject.toml', [], PIN)).toEqual(['--group', '/p/pyproject.toml:dev']);
    const both = parseToml('[project.optional-dependencies]\ntests = ["pytest>=6", "jinja2"]\n[dependency-groups]\ntesting = ["six"]\ndev = ["ruff"]\n', 'pyproject.toml');
    expect(findProjectTestRequirements(both, '/p/pyproject.toml')).toEqual({ group: 'testing', extra: 'tests' });
    // The extra names pytest, so its range applies instead of the pin.
    expect(testInstallArguments(both, '/p/pyproject.toml', [], PIN)).toEqual(['--group', '/p/pyproject.toml:testing']);
    expect(describeTestVenv(testInstallArguments(both, '/p/pyproject.toml', [], PIN), 'tests')).toBe('[dependency-groups].testing, the "tests" extra');
    expect(describeTestVenv([PIN], undefined)).toBe(PIN);
  });

  it("leaves pytest's version to a test group that names pytest, and configured testRequirements replace the pin", () => {
    const namesPytest = parseToml('[dependency-groups]\ntest = ["pytest>=8,<9", "pytest-run-parallel"]\n', 'pyproject.toml');
    expect(testInstallArguments(namesPytest, '/p/pyproject.toml', [], PIN)).toEqual(['--group', '/p/pyproject.toml:test']);
    expect(testInstallArguments(parseToml('', 'pyproject.toml'), '/p/pyproject.toml', ['pytest==8.3.0', 'hypothesis'], PIN)).toEqual(['pytest==8.3.0', 'hypothesis']);
  });

  it('names the file and field when the test group is not a list', () => {
    expect(() => testInstallArguments(parseToml('[dependency-groups]\ntest = "pytest"\n', 'pyproject.toml'), '/p/pyproject.toml', [], PIN)).toThrow(
      '/p/pyproject.toml: [dependency-groups].test is "pytest"; expected a list of requirements',
    );
  });
});
