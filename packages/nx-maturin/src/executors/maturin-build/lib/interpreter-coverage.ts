import type { ArtefactEntry, ArtefactManifest } from '../../../lib/artefact-manifest';
import type { PythonInterpreter } from '../../../lib/python-discovery';
import { wheelServesInterpreter } from '../../wheel-smoke/lib/artefact-rules';

/**
 * Oldest interpreter first. A wheel built for several interpreters at once (abi3) then carries the oldest one's tag:
 * maturin tags an abi3 build without a minimum version (the `abi3` feature alone) cpXY-abi3 after the interpreter
 * that built it, which must be at or below every interpreter it is meant to serve.
 */
export function oldestInterpreterFirst(interpreters: readonly PythonInterpreter[]): PythonInterpreter[] {
  const minorOf = (interpreter: PythonInterpreter) => interpreter.version.split('.').slice(0, 2).map(Number);
  return [...interpreters].sort((left, right) => {
    const [leftMajor = 0, leftMinor = 0] = minorOf(left);
    const [rightMajor = 0, rightMinor = 0] = minorOf(right);
    return leftMajor - rightMajor || leftMinor - rightMinor;
  });
}

/**
 * The order to build in: oldest first, except that the interpreter the previous build compiled last goes first when
 * that build made one version-specific wheel per interpreter (no abi3 or py3-none wheel, which needs the oldest
 * first). The interpreters share one Cargo target folder, and PyO3's build script reruns, and PyO3 and the crate
 * compile again, whenever the interpreter differs from the one the folder was last built for; starting with that
 * one saves a compilation of PyO3 on every build of two or more interpreters. The previous manifest lists the
 * wheels in the order they were compiled; when Nx restored it from its cache the guess may be wrong, which only
 * costs that compilation.
 */
export function buildOrder(interpreters: readonly PythonInterpreter[], previous: ArtefactManifest | undefined): PythonInterpreter[] {
  const oldestFirst = oldestInterpreterFirst(interpreters);
  const wheels = previous?.artefacts.filter((entry) => entry.kind === 'wheel') ?? [];
  if (wheels.length === 0 || wheels.some((entry) => entry.tags.some((tag) => /-(abi3|none)-/.test(tag)))) return oldestFirst;
  const lastCompiled = oldestFirst.findIndex((interpreter) => wheels.at(-1)!.interpreter === `CPython ${interpreter.version}`);
  return lastCompiled <= 0 ? oldestFirst : [oldestFirst[lastCompiled]!, ...oldestFirst.filter((_, index) => index !== lastCompiled)];
}

/**
 * Whether a wheel already built serves this interpreter too (cpXY-abi3 with XY at or below it; py3-none of cffi
 * and bin bindings). Building again would only rewrite the same file, so the wheel's entry records the interpreter
 * as well (`CPython 3.12.1, CPython 3.13.0`) and the caller skips the build.
 */
export function recordIfAlreadyServed(entries: ArtefactEntry[], interpreter: PythonInterpreter): boolean {
  const minor = interpreter.version.split('.').slice(0, 2).join('.');
  const serving = entries.find((entry) => entry.kind === 'wheel' && wheelServesInterpreter(entry.tags, minor));
  if (serving === undefined) return false;
  serving.interpreter = `${serving.interpreter ?? ''}, CPython ${interpreter.version}`;
  return true;
}
