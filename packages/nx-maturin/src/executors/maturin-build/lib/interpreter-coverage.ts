import type { ArtefactEntry } from '../../../lib/artefact-manifest';
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
