import { newestFinalRelease, versionOfDistributionFile, versionsOnIndex } from './index-versions';

describe('index-versions', () => {
  it('reads the version from wheel and sdist names, matching the project name after PEP 503 normalisation', () => {
    expect(versionOfDistributionFile('codetracer_python_recorder-0.3.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'codetracer-python-recorder')).toBe('0.3.0');
    expect(versionOfDistributionFile('codetracer_python_recorder-0.3.0.tar.gz', 'codetracer_python_recorder')).toBe('0.3.0');
    expect(versionOfDistributionFile('Codetracer.Python-Recorder-0.2.0rc1.zip', 'codetracer-python-recorder')).toBe('0.2.0rc1');
    // A build tag follows the version in a wheel name; an old sdist may spell a post release with a dash.
    expect(versionOfDistributionFile('hello_maturin-1.0-1build-py3-none-any.whl', 'hello-maturin')).toBe('1.0');
    expect(versionOfDistributionFile('hello-maturin-1.0-1.tar.gz', 'hello-maturin')).toBe('1.0.post1');
  });

  it('ignores files of another name, other archive kinds and versions PEP 440 cannot read', () => {
    expect(versionOfDistributionFile('hello_maturin_extra-2.0.tar.gz', 'hello-maturin')).toBeNull();
    expect(versionOfDistributionFile('hello_maturin-2.0.tar.gz.asc', 'hello-maturin')).toBeNull();
    expect(versionOfDistributionFile('hello_maturin-2.0-py3.12.egg', 'hello-maturin')).toBeNull();
    expect(versionOfDistributionFile('hello_maturin-latest.tar.gz', 'hello-maturin')).toBeNull();
  });

  it('normalises local versions of several segments, which a private index may hold, and compares them', () => {
    expect(versionOfDistributionFile('hello_maturin-1.0+CU118.Linux_1-cp312-cp312-linux_x86_64.whl', 'hello-maturin')).toBe('1.0+cu118.linux.1');
    expect(versionsOnIndex(['hello_maturin-1.0+local.1.tar.gz', 'hello_maturin-2.0.tar.gz'], 'hello-maturin')).toEqual(['2.0', '1.0+local.1']);
  });

  it('lists the versions newest first by PEP 440, not by text', () => {
    const files = ['hello_maturin-0.9.0.tar.gz', 'hello_maturin-0.10.0-cp312-cp312-win_amd64.whl', 'hello_maturin-0.10.0.tar.gz', 'hello_maturin-0.10.0rc1.tar.gz', 'hello_maturin-0.10.0.post1.tar.gz'];
    expect(versionsOnIndex(files, 'hello-maturin')).toEqual(['0.10.0.post1', '0.10.0', '0.10.0rc1', '0.9.0']);
  });

  it('takes the newest final release, skipping pre-releases and development releases', () => {
    expect(newestFinalRelease(['0.2.0', '0.4.0a1', '0.3.0', '0.5.0.dev3'])).toBe('0.3.0');
    expect(newestFinalRelease(['0.3.0', '0.3.0.post1'])).toBe('0.3.0.post1');
    expect(newestFinalRelease(['1.0.0rc1'])).toBeNull();
    expect(newestFinalRelease([])).toBeNull();
  });
});
