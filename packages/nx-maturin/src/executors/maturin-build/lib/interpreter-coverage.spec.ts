import type { ArtefactEntry } from '../../../lib/artefact-manifest';
import type { PythonInterpreter } from '../../../lib/python-discovery';
import { buildOrder, oldestInterpreterFirst, recordIfAlreadyServed } from './interpreter-coverage';

const cpython = (version: string): PythonInterpreter => ({ requested: version.split('.').slice(0, 2).join('.'), version, executable: `/usr/bin/python${version}`, source: 'PATH' });
const wheel = (file: string, tag: string, interpreter: string): ArtefactEntry => ({ file, size: 1, sha256: 'x', kind: 'wheel', tags: [tag], interpreter });

describe('interpreter-coverage', () => {
  it('orders interpreters oldest first, by number rather than text', () => {
    expect(oldestInterpreterFirst([cpython('3.13.0'), cpython('3.9.18'), cpython('3.12.1')]).map((interpreter) => interpreter.version)).toEqual(['3.9.18', '3.12.1', '3.13.0']);
  });

  describe('buildOrder', () => {
    const interpreters = [cpython('3.12.1'), cpython('3.13.0'), cpython('3.11.9')];
    const manifest = (...wheels: ArtefactEntry[]) => ({ distribution: 'w', version: '1.0', artefacts: wheels });
    const versions = (order: PythonInterpreter[]) => order.map((interpreter) => interpreter.version);

    it('starts with the interpreter the previous build compiled last, whose PyO3 build the target folder holds', () => {
      const previous = manifest(wheel('w-cp311.whl', 'cp311-cp311-linux_x86_64', 'CPython 3.11.9'), wheel('w-cp313.whl', 'cp313-cp313-linux_x86_64', 'CPython 3.13.0'));
      expect(versions(buildOrder(interpreters, previous))).toEqual(['3.13.0', '3.11.9', '3.12.1']);
    });

    it('keeps oldest first without a previous build, after one with an abi3 or py3-none wheel, or when its last interpreter is gone', () => {
      expect(versions(buildOrder(interpreters, undefined))).toEqual(['3.11.9', '3.12.1', '3.13.0']);
      expect(versions(buildOrder(interpreters, manifest(wheel('w-abi3.whl', 'cp313-abi3-linux_x86_64', 'CPython 3.13.0'))))).toEqual(['3.11.9', '3.12.1', '3.13.0']);
      expect(versions(buildOrder(interpreters, manifest(wheel('b.whl', 'py3-none-linux_x86_64', 'CPython 3.13.0'))))).toEqual(['3.11.9', '3.12.1', '3.13.0']);
      expect(versions(buildOrder(interpreters, manifest(wheel('w-cp314.whl', 'cp314-cp314-linux_x86_64', 'CPython 3.14.0'))))).toEqual(['3.11.9', '3.12.1', '3.13.0']);
    });
  });

  it('records an abi3 wheel built with 3.12 as serving 3.13, so the 3.13 build is skipped', () => {
    const entries = [wheel('w-1.0-cp310-abi3-manylinux_2_34_x86_64.whl', 'cp310-abi3-manylinux_2_34_x86_64', 'CPython 3.12.1')];
    expect(recordIfAlreadyServed(entries, cpython('3.13.0'))).toBe(true);
    expect(entries[0]!.interpreter).toBe('CPython 3.12.1, CPython 3.13.0');
  });

  it('records a py3-none wheel (cffi, bin bindings) as serving every interpreter', () => {
    const entries = [wheel('b-1.0-py3-none-manylinux_2_34_x86_64.whl', 'py3-none-manylinux_2_34_x86_64', 'CPython 3.12.1')];
    expect(recordIfAlreadyServed(entries, cpython('3.13.0'))).toBe(true);
  });

  it('builds again for an interpreter that only a version-specific wheel or no wheel fits', () => {
    const entries = [wheel('e-1.0-cp312-cp312-manylinux_2_34_x86_64.whl', 'cp312-cp312-manylinux_2_34_x86_64', 'CPython 3.12.1')];
    expect(recordIfAlreadyServed(entries, cpython('3.13.0'))).toBe(false);
    expect(recordIfAlreadyServed([], cpython('3.12.1'))).toBe(false);
    expect(entries[0]!.interpreter).toBe('CPython 3.12.1');
    const newerAbi3 = [wheel('w-1.0-cp313-abi3-manylinux_2_34_x86_64.whl', 'cp313-abi3-manylinux_2_34_x86_64', 'CPython 3.13.0')];
    expect(recordIfAlreadyServed(newerAbi3, cpython('3.12.1'))).toBe(false);
  });
});
