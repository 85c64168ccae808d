import { tomlPath, type TomlTable } from '../../../lib/toml-file';

/**
 * Whether maturin must be given the isolated build environment's own `python` rather than the base interpreter it
 * was made from. Only cffi bindings need it: maturin generates them by importing cffi, a build requirement that
 * only the isolated environment has. PyO3, bin and uniffi bindings read nothing from the interpreter but its
 * version and sysconfig, which a venv shares with its base, so they build the same wheel with the base interpreter,
 * and should: the isolated environment is new on every build, and PyO3's build script reruns (and PyO3 and the crate
 * recompile) whenever the interpreter's path changes. maturin's own PEP 517 backend offers the same choice
 * (`use-base-python`). Requirements still come from the isolated environment: maturin itself runs from there.
 */
export function needsBuildEnvironmentPython(pyproject: TomlTable, buildRequires: readonly string[]): boolean {
  return tomlPath(pyproject, ['tool', 'maturin', 'bindings']) === 'cffi' || buildRequires.some((requirement) => /^cffi(\W|$)/i.test(requirement.trim()));
}
