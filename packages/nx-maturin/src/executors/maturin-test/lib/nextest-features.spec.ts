import { parseToml } from '../../../lib/toml-file';
import { nextestFeatureArguments } from './nextest-features';

describe('nextest-features', () => {
  const cargo = parseToml('[features]\ndefault = ["c-codecs"]\nc-codecs = []\npure = []\nextension-module = ["pyo3/extension-module"]\npython = ["extension-module"]\n', 'Cargo.toml');
  const args = (maturin: string) => nextestFeatureArguments(parseToml(`[tool.maturin]\n${maturin}`, 'pyproject.toml'), cargo);

  it('builds the tests with the wheel features, without any feature that is or enables pyo3/extension-module', () => {
    expect(args('no-default-features = true\nfeatures = ["extension-module", "pure"]\n')).toEqual(['--no-default-features', '--features', 'pure']);
    expect(args('features = ["pyo3/extension-module"]\n')).toEqual([]);
    expect(args('features = ["python", "pyo3/generate-import-lib"]\n')).toEqual(['--features', 'pyo3/generate-import-lib']);
    expect(args('')).toEqual([]);
  });

  it('keeps what a feature enables besides extension-module, so a wrapper feature does not take the rest away', () => {
    const wrapped = parseToml(
      '[features]\nextension-module = ["pyo3/extension-module"]\npython = ["dep:pyo3"]\npyarrow = ["dep:arrow", "python"]\n__maturin = ["extension-module", "pyarrow", "dep:extra"]\n',
      'Cargo.toml',
    );
    const wrappedArgs = (maturin: string) => nextestFeatureArguments(parseToml(`[tool.maturin]\n${maturin}`, 'pyproject.toml'), wrapped);
    expect(wrappedArgs('features = ["__maturin"]\n')).toEqual(['--features', 'pyarrow']);
    expect(wrappedArgs('features = ["__maturin", "python"]\n')).toEqual(['--features', 'pyarrow,python']);
  });

  it('names every other feature for all-features', () => {
    expect(args('all-features = true\n')).toEqual(['--no-default-features', '--features', 'c-codecs,pure']);
  });
});
