import { type TomlTable, tomlPath } from '../../../lib/toml-file';

/** The PyO3 feature that leaves libpython unlinked: right for the extension, fatal for a test binary. */
const EXTENSION_MODULE = /^pyo3\??\/extension-module$/;

/**
 * `cargo nextest` arguments that build the crate with the features its wheel is built with (`[tool.maturin]`
 * `features`, `no-default-features`, `all-features`), so the Rust tests exercise what ships, minus every feature that
 * is or enables `pyo3/extension-module`: projects list it there precisely because a test binary cannot link with it.
 */
export function nextestFeatureArguments(pyproject: TomlTable, cargoToml: TomlTable): string[] {
  const table = typeof cargoToml['features'] === 'object' && cargoToml['features'] !== null ? (cargoToml['features'] as TomlTable) : {};
  const linksLibpython = (feature: string) => !enablesExtensionModule(feature, table, new Set());
  const allFeatures = tomlPath(pyproject, ['tool', 'maturin', 'all-features']) === true;
  const configured = tomlPath(pyproject, ['tool', 'maturin', 'features']);
  const requested = allFeatures ? Object.keys(table).filter((feature) => feature !== 'default') : Array.isArray(configured) ? configured.map(String) : [];
  const features = requested.filter(linksLibpython);
  const noDefault = allFeatures || tomlPath(pyproject, ['tool', 'maturin', 'no-default-features']) === true;
  // all-features becomes every feature but `default` and those reaching extension-module, each named.
  return [...(noDefault ? ['--no-default-features'] : []), ...(features.length > 0 ? ['--features', features.join(',')] : [])];
}

function enablesExtensionModule(feature: string, table: TomlTable, seen: Set<string>): boolean {
  if (EXTENSION_MODULE.test(feature)) return true;
  if (seen.has(feature)) return false;
  seen.add(feature);
  const implied = table[feature];
  return Array.isArray(implied) && implied.some((next) => enablesExtensionModule(String(next), table, seen));
}
