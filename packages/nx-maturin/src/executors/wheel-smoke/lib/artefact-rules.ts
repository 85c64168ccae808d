/**
 * Pure rules over artefact names and contents. Each returns the problems found, as sentences that name the rule, so
 * the executor can collect every failure before failing once.
 */

/** `CPython 3.12.1` -> `3.12`; null when the manifest names no interpreter. */
export function interpreterMinor(interpreter: string | null): string | null {
  return /(\d+)\.(\d+)/.exec(interpreter ?? '')?.slice(1, 3).join('.') ?? null;
}

/** The platform-tag prefixes a wheel for this OS may carry. */
export function expectedPlatformPrefixes(platform: NodeJS.Platform): string[] {
  switch (platform) {
    case 'linux':
      return ['manylinux', 'musllinux', 'linux_'];
    case 'darwin':
      return ['macosx_'];
    case 'win32':
      return ['win'];
    default:
      return [];
  }
}

/**
 * Does a tag triple `python-abi-platform` load on CPython `minor` (e.g. `3.12`)? Accepts cpXY/cpXY, abi3 <= XY, and
 * the interpreter-independent py3/pyXY-none of cffi and bin bindings.
 */
export function tagFitsInterpreter(tag: string, minor: string): boolean {
  const [python = '', abi = ''] = tag.split('-');
  const wanted = `cp${minor.replace('.', '')}`;
  if (python === wanted && (abi === wanted || abi === 'abi3')) return true;
  if (abi === 'none' && (python === 'py3' || python === `py${minor.replace('.', '')}`)) return true;
  const abi3From = /^cp3(\d+)$/.exec(python)?.[1];
  return abi === 'abi3' && abi3From !== undefined && Number(abi3From) <= Number(minor.split('.')[1]);
}

/**
 * Whether a wheel installs on CPython `minor`: one of its tags fits, so an abi3 wheel built once with an older
 * interpreter serves every newer one, as do the py3-none wheels of cffi and bin bindings.
 */
export function wheelServesInterpreter(tags: readonly string[], minor: string): boolean {
  return tags.some((tag) => tagFitsInterpreter(tag, minor));
}

export function wheelTagProblems(file: string, tags: readonly string[], minor: string | null): string[] {
  if (minor === null || wheelServesInterpreter(tags, minor)) return [];
  return [
    `${file}: [wheel tag rule] listed for CPython ${minor}, but its tags (${tags.join(', ')}) need another interpreter; expected cp${minor.replace('.', '')}-cp${minor.replace('.', '')} or abi3. Rebuild with maturin for that interpreter.`,
  ];
}

/**
 * Whether a wheel is for this OS. A folder collected from several platforms' builds holds wheels for other OSes
 * too: those are checked but not installed here.
 */
export function wheelFitsPlatform(tags: readonly string[], platform: NodeJS.Platform): boolean {
  const prefixes = expectedPlatformPrefixes(platform);
  return prefixes.length === 0 || tags.some((tag) => prefixes.some((prefix) => (tag.split('-')[2] ?? '').startsWith(prefix)));
}

/** No wheel this host can install for an interpreter: the build did not run for this platform. */
export function missingHostWheelProblem(artefactDir: string, minor: string, platform: NodeJS.Platform, listed: readonly string[]): string {
  const prefixes = expectedPlatformPrefixes(platform).map((prefix) => `${prefix}*`).join(' or ');
  return `${artefactDir}: [platform tag rule] no wheel for CPython ${minor} on ${platform} (${prefixes}); the folder holds ${listed.join(', ') || 'none'}. Build on this platform or add its wheels.`;
}

/** What Cargo (and maturin, with wheels/) writes at the top of a target folder; any profile holds deps/ or build/. */
const CARGO_TARGET_TOP_LEVEL = new Set(['CACHEDIR.TAG', '.rustc_info.json', 'release', 'debug', 'wheels', 'tmp', 'doc', 'package', 'nextest']);
const CARGO_PROFILE_FOLDERS = new Set(['deps', 'build', '.fingerprint', 'incremental']);

/**
 * A path inside a Cargo build folder: `target/` directly beside a Cargo.toml of the sdist, holding what Cargo
 * writes there. A source folder that happens to be named target (a crate's `src/target/` module) is not one.
 */
export function isCargoBuildOutput(path: string, sdistPaths: readonly string[]): boolean {
  const segments = path.split('/');
  for (let index = 0; index < segments.length - 1; index++) {
    if (segments[index] !== 'target') continue;
    const crateFolder = segments.slice(0, index).join('/');
    if (!sdistPaths.includes(crateFolder === '' ? 'Cargo.toml' : `${crateFolder}/Cargo.toml`)) continue;
    const [top = '', profileChild = '', tripleChild = ''] = segments.slice(index + 1);
    // target/<profile>/deps/... and target/<triple>/<profile>/deps/... for custom profiles and cross builds.
    if (CARGO_TARGET_TOP_LEVEL.has(top) || CARGO_PROFILE_FOLDERS.has(profileChild) || CARGO_PROFILE_FOLDERS.has(tripleChild)) return true;
  }
  return false;
}

/**
 * What an sdist must hold to build anywhere (Cargo.lock for reproducible dependencies, the Rust sources, pyproject,
 * the Python package) and what it must not (build output and binaries, which would make it platform-specific).
 */
export function sdistContentProblems(file: string, entries: readonly string[], importName: string, hasPythonPackage = true): string[] {
  // Entries start with `name-version/`; rules look at the path inside.
  const inside = entries.map((entry) => entry.split('/').slice(1).join('/')).filter(Boolean);
  const problems: string[] = [];
  const packageInit = `${importName.replace(/\./g, '/')}/__init__.py`;
  const required: [string, (path: string) => boolean][] = [
    ['Cargo.lock', (path) => path === 'Cargo.lock' || path.endsWith('/Cargo.lock')],
    ['the Rust sources (src/*.rs)', (path) => /(^|\/)src\/.*\.rs$/.test(path)],
    ['pyproject.toml', (path) => path === 'pyproject.toml'],
  ];
  // A pure Rust extension module has no Python package to look for.
  if (hasPythonPackage) required.push([`the Python package (${packageInit})`, (path) => path === packageInit || path.endsWith(`/${packageInit}`)]);
  for (const [what, present] of required) {
    if (!inside.some(present)) problems.push(`${file}: [sdist content rule] does not contain ${what}; check [tool.maturin] include/exclude in pyproject.toml.`);
  }
  const forbidden: [string, (path: string) => boolean][] = [
    ['a Cargo target/ build folder', (path) => isCargoBuildOutput(path, inside)],
    ['a wheel (*.whl)', (path) => path.endsWith('.whl')],
    ['a compiled extension (*.so, *.pyd, *.dylib)', (path) => /\.(so|pyd|dylib)$/.test(path) || /\.so\.\d/.test(path)],
  ];
  for (const [what, present] of forbidden) {
    const offenders = inside.filter(present);
    if (offenders.length > 0) {
      problems.push(
        `${file}: [sdist content rule] contains ${what}: ${offenders.slice(0, 3).join(', ')}${offenders.length > 3 ? ', ...' : ''}; exclude it in [tool.maturin] and rebuild.`,
      );
    }
  }
  return problems;
}
