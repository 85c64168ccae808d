import { parseToml } from '../../../lib/toml-file';
import { needsBuildEnvironmentPython } from './build-interpreter';

describe('needsBuildEnvironmentPython', () => {
  const pyproject = (text: string) => parseToml(text, 'pyproject.toml');

  it('gives PyO3, bin and uniffi bindings the base interpreter, whose path stays the same from build to build', () => {
    expect(needsBuildEnvironmentPython(pyproject('[tool.maturin]\nfeatures = ["pyo3/extension-module"]\n'), ['maturin>=1,<2'])).toBe(false);
    for (const bindings of ['pyo3', 'bin', 'uniffi']) {
      expect(needsBuildEnvironmentPython(pyproject(`[tool.maturin]\nbindings = "${bindings}"\n`), ['maturin>=1,<2'])).toBe(false);
    }
  });

  it('keeps the isolated environment\'s python for cffi bindings, declared or implied by cffi among the build requirements', () => {
    expect(needsBuildEnvironmentPython(pyproject('[tool.maturin]\nbindings = "cffi"\n'), ['maturin>=1,<2'])).toBe(true);
    expect(needsBuildEnvironmentPython(pyproject(''), ['maturin>=1,<2', 'cffi>=1.17'])).toBe(true);
    expect(needsBuildEnvironmentPython(pyproject(''), ['maturin>=1,<2', ' CFFI'])).toBe(true);
    expect(needsBuildEnvironmentPython(pyproject(''), ['maturin>=1,<2', 'cffi-helpers>=1'])).toBe(true);
    expect(needsBuildEnvironmentPython(pyproject(''), ['maturin>=1,<2', 'cffitool'])).toBe(false);
  });
});
