import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPythonInterpreter, findPythonInterpreters, PythonNotFoundError } from './python-discovery';

describe('python discovery', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'python-discovery-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds CPython 3.12 and 3.13 on this machine and reports the version they print', async () => {
    const [python312, python313] = await findPythonInterpreters(['3.12', '3.13']);
    expect(python312?.version).toMatch(/^3\.12\.\d+$/);
    expect(python313?.version).toMatch(/^3\.13\.\d+$/);
  });

  it('finds an interpreter placed on PATH before looking under pyenv', async () => {
    const real = await findPythonInterpreter('3.13');
    symlinkSync(real.executable, join(scratch, 'python3.13'));
    const found = await findPythonInterpreter('3.13', {
      env: { PATH: scratch, PYENV_ROOT: join(scratch, 'no-pyenv') },
      uvExecutable: null,
    });
    expect(found).toMatchObject({ source: 'PATH', executable: join(scratch, 'python3.13'), version: real.version });
  });

  it('finds an interpreter under pyenv versions when PATH has none', async () => {
    const real = await findPythonInterpreter('3.12');
    const pyenvVersion = join(scratch, 'pyenv', 'versions', real.version, 'bin');
    mkdirSync(pyenvVersion, { recursive: true });
    symlinkSync(real.executable, join(pyenvVersion, 'python3.12'));
    const found = await findPythonInterpreter('3.12', {
      env: { PATH: join(scratch, 'empty'), PYENV_ROOT: join(scratch, 'pyenv') },
      uvExecutable: null,
    });
    expect(found).toMatchObject({ source: 'pyenv', version: real.version });
  });

  it('rejects a python3 of the wrong minor version and names every place searched', async () => {
    const real = await findPythonInterpreter('3.13');
    symlinkSync(real.executable, join(scratch, 'python3'));
    const search = findPythonInterpreter('3.12', {
      env: { PATH: scratch, PYENV_ROOT: join(scratch, 'no-pyenv') },
      uvExecutable: join(scratch, 'no-uv'),
    });
    await expect(search).rejects.toThrow(PythonNotFoundError);
    const message = await search.catch((error: Error) => error.message);
    expect(message).toContain('CPython 3.12 was not found');
    expect(message).toContain(`${join(scratch, 'python3')}): is CPython ${real.version}`);
    expect(message).toContain(`PATH (${scratch}): no CPython 3.12`);
    expect(message).toContain(`pyenv ${join(scratch, 'no-pyenv', 'versions')}: folder does not exist`);
    expect(message).toContain('uv python find 3.12: uv is not installed');
  });

  it('names each missing version when several are requested', async () => {
    const search = findPythonInterpreters(['3.12', '3.13'], {
      env: { PATH: join(scratch, 'empty'), PYENV_ROOT: scratch },
      uvExecutable: null,
    });
    await expect(search).rejects.toThrow(/CPython 3\.12 was not found[\s\S]*CPython 3\.13 was not found/);
  });

  it('runs with Node alone, away from any node_modules, as the bootstrap loads it before npm ci', () => {
    const copy = join(scratch, 'python-discovery.js');
    copyFileSync(join(__dirname, 'python-discovery.js'), copy);
    const script = `require(${JSON.stringify(copy)}).findPythonInterpreter('3.12').then((found) => console.log(found.version))`;
    const printed = execFileSync(process.execPath, ['-e', script], { cwd: scratch, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    expect(printed.trim()).toMatch(/^3\.12\.\d+$/);
  });

  it('refuses a version that is not major.minor', async () => {
    await expect(findPythonInterpreter('3')).rejects.toThrow('expected major.minor such as "3.12"');
  });
});
