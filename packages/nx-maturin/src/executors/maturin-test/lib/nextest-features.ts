import { type TomlTable, tomlPath } from '../../../lib/toml-file';

/** The PyO3 feature that leaves libpython unlinked: right for the extension, fatal for a test binary. */
const EXTENSION_MODULE = /^pyo3\??\/extension-module$/;

/**
 * `cargo nextest` arguments that build the crate with the features its wheel is built with (`[tool.maturin]`
 * `features`, `no-default-features`, `all-features`), so the Rust tests exercise what ships, minus
 * `pyo3/extension-module`: projects list it there precisely because a test binary cannot link with it. A feature that
 * enables it among other things (`__maturin = ["extension-module", "pyarrow"]`) is replaced by those other things, so
 * they still reach the tests.
 */
export function nextestFeatureArguments(pyproject: TomlTable, cargoToml: TomlTable): string[] {
  const table = typeof cargoToml['features'] === 'object' && cargoToml['features'] !== null ? (cargoToml['features'] as TomlTable) : {};
  const allFeatures = tomlPath(pyproject, ['tool', 'maturin', 'all-features']) === true;
  const configured = tomlPath(pyproject, ['tool', 'maturin', 'features']);
  const requested = allFeatures ? Object.keys(table).filter((feature) => feature !== 'default') : Array.isArray(configured) ? configured.map(String) : [];
  const seen = new Set<string>();
  const features = [...new Set(requested.flatMap((feature) => withoutExtensionModule(feature, table, seen)))];
  const noDefault = allFeatures || tomlPath(pyproject, ['tool', 'maturin', 'no-default-features']) === true;
  // all-features becomes every feature but `default` and those reaching extension-module, each named.
  return [...(noDefault ? ['--no-default-features'] : []), ...(features.length > 0 ? ['--features', features.join(',')] : [])];
}

/**
 * The feature itself when it does not reach extension-module; else what it enables, each treated the same way.
 * `dep:<name>` entries are left out: Cargo's command line cannot name them, and they only enable optional
 * dependencies for code behind the feature that is being left out.
 */
function withoutExtensionModule(feature: string, table: TomlTable, seen: Set<string>): string[] {
  if (!enablesExtensionModule(feature, table, new Set())) return [feature];
  if (EXTENSION_MODULE.test(feature) || seen.has(feature)) return [];
  seen.add(feature);
  const implied = table[feature];
  if (!Array.isArray(implied)) return [];
  return implied
    .map(String)
    .filter((next) => !next.startsWith('dep:'))
    .flatMap((next) => withoutExtensionModule(next, table, seen));
}

function enablesExtensionModule(feature: string, table: TomlTable, seen: Set<string>): boolean {
  if (EXTENSION_MODULE.test(feature)) return true;
  if (seen.has(feature)) return false;
  seen.add(feature);
  const implied = table[feature];
  return Array.isArray(implied) && implied.some((next) => enablesExtensionModule(String(next), table, seen));
}
