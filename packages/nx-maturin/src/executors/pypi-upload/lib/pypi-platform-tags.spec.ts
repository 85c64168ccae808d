import type { ArtefactEntry } from '../../../lib/artefact-manifest';
import { platformTagsPypiRefuses } from './pypi-platform-tags';

describe('platformTagsPypiRefuses', () => {
  const wheel = (file: string, tags: string[]): ArtefactEntry => ({ file, size: 1, sha256: 'x', kind: 'wheel', tags, interpreter: 'CPython 3.12.1' });
  const manifest = (...artefacts: ArtefactEntry[]) => ({ distribution: 'demo', version: '1.0.0', artefacts });

  it('names each wheel whose platform is a bare linux_<arch>, and accepts manylinux, musllinux, other systems and the sdist', () => {
    const found = platformTagsPypiRefuses(
      manifest(
        { file: 'demo-1.0.0.tar.gz', size: 1, sha256: 'x', kind: 'sdist', tags: [], interpreter: null },
        wheel('demo-1.0.0-cp312-cp312-linux_x86_64.whl', ['cp312-cp312-linux_x86_64']),
        wheel('demo-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', ['cp312-cp312-manylinux_2_17_x86_64', 'cp312-cp312-manylinux2014_x86_64']),
        wheel('demo-1.0.0-cp312-cp312-musllinux_1_2_aarch64.whl', ['cp312-cp312-musllinux_1_2_aarch64']),
        wheel('demo-1.0.0-cp312-cp312-macosx_11_0_arm64.whl', ['cp312-cp312-macosx_11_0_arm64']),
        wheel('demo-1.0.0-py3-none-any.whl', ['py3-none-any']),
      ),
      'libs/demo/target/wheels',
    );
    expect(found).toEqual(['libs/demo/target/wheels/demo-1.0.0-cp312-cp312-linux_x86_64.whl: platform tag linux_x86_64']);
  });
});
