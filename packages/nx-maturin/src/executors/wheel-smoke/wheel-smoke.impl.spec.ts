import { execa } from 'execa';
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { type ArtefactManifest, describeArtefact, MANIFEST_FILE, readManifest, verifyManifest, writeManifest } from '../../lib/artefact-manifest';
import { workspaceTool } from '../../lib/workspace-tools';
import { FIXTURES, REPOSITORY_ROOT, SHARED_CARGO_TARGET } from '../../test-support/temp-workspace';
import maturinBuildExecutor from '../maturin-build/maturin-build.impl';
import { MATURIN_BUILD_EXECUTOR } from './lib/sdist-build-plan';
import { buildFixtureArtefacts, copyArtefacts, executorContext, type FixtureArtefacts } from './test-support/fixture-artefacts';
import wheelSmokeExecutor from './wheel-smoke.impl';

jest.setTimeout(10 * 60_000);

describe('wheel-smoke executor', () => {
  let artefacts: FixtureArtefacts;
  let scratch: string;
  let output: string[];
  const context = executorContext(REPOSITORY_ROOT);

  const savedCargoTarget = process.env['CARGO_TARGET_DIR'];
  beforeAll(async () => {
    // The sdist installs build the crate in uv's isolated build environment, which passes CARGO_TARGET_DIR on to
    // cargo: with the shared target folder PyO3 is compiled once per run, not once per sdist install.
    process.env['CARGO_TARGET_DIR'] = SHARED_CARGO_TARGET;
    artefacts = await buildFixtureArtefacts();
    scratch = mkdtempSync(join(tmpdir(), 'wheel-smoke-spec-'));
  });
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
    if (savedCargoTarget === undefined) delete process.env['CARGO_TARGET_DIR'];
    else process.env['CARGO_TARGET_DIR'] = savedCargoTarget;
  });
  beforeEach(() => {
    output = [];
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void output.push(parts.join(' ')));
    jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void output.push(parts.join(' ')));
  });
  afterEach(() => jest.restoreAllMocks());

  const manifestOf = (directory: string) => JSON.parse(readFileSync(join(directory, MANIFEST_FILE), 'utf8')) as ArtefactManifest;

  /** Rewrites the sdist through Python's tarfile: `drop` removes entries, `add` puts an extra file in. */
  async function rewriteSdist(directory: string, drop: string, add?: string): Promise<void> {
    const manifest = manifestOf(directory);
    const sdist = manifest.artefacts.find((entry) => entry.kind === 'sdist')!;
    const script = [
      'import io, sys, tarfile',
      'path, drop, add = sys.argv[1], sys.argv[2], sys.argv[3]',
      'with tarfile.open(path) as source: members = [(m, source.extractfile(m).read() if m.isfile() else None) for m in source.getmembers()]',
      'root = members[0][0].name.split("/")[0]',
      'with tarfile.open(path, "w:gz") as target:',
      '    for member, data in members:',
      '        if drop and member.name.endswith(drop): continue',
      '        target.addfile(member, io.BytesIO(data) if data is not None else None)',
      '    if add:',
      '        info = tarfile.TarInfo(root + "/" + add); payload = b"\\x7fELF"; info.size = len(payload)',
      '        target.addfile(info, io.BytesIO(payload))',
    ].join('\n');
    await execa(workspaceTool(REPOSITORY_ROOT, 'python'), ['-c', script, join(directory, sdist.file), drop, add ?? '']);
    // The manifest is rewritten so only the content rule, not the hash rule, speaks.
    const entries = await Promise.all(manifest.artefacts.map((entry) => describeArtefact(directory, entry.file, entry.interpreter)));
    writeManifest(directory, { ...manifest, artefacts: entries });
  }

  it('checks and installs the wheels on 3.12 and 3.13 and the sdist on 3.12, printing a summary table', async () => {
    const startedMs = Date.now() - 1000;
    // The sdist builds in the dev profile, in the shared target folder: no optimisation, and PyO3 compiled once.
    const sdistBuild = { sdistProfile: 'dev', sdistCargoTargetDir: SHARED_CARGO_TARGET };
    // A short progress interval: the sdist's compile, silent under uv, must show it is alive.
    const progress = { progressIntervalSeconds: 0.25 };
    const result = await wheelSmokeExecutor({ artefactDir: artefacts.directory, importName: 'hello_maturin', pythonVersions: ['3.12', '3.13'], ...sdistBuild, ...progress }, context);
    const fingerprints = join(SHARED_CARGO_TARGET, 'debug', '.fingerprint');
    // Cargo names the folder after the crate, not its path, so it may be old: the files in it are written by each build.
    const ownCrateFiles = readdirSync(fingerprints)
      .filter((name) => name.startsWith('hello-maturin-'))
      .flatMap((name) => readdirSync(join(fingerprints, name)).map((file) => join(fingerprints, name, file)));
    expect(ownCrateFiles.filter((file) => statSync(file).mtimeMs >= startedMs).length).toBeGreaterThan(0);
    const printed = output.join('\n');
    expect(result).toEqual({ success: true });
    expect(printed).toMatch(/interpreter\s+artefact\s+sha256\s+twine\s+contents\s+tags\s+install\s+smoke\s+result/);
    expect(printed).toMatch(/CPython 3\.12\.\d+\s+hello_maturin-0\.2\.0-cp312-cp312-\S+\.whl\s+ok\s+ok\s+ok\s+ok\s+ok\s+ok\s+ok/);
    expect(printed).toMatch(/CPython 3\.13\.\d+\s+hello_maturin-0\.2\.0-cp313-cp313-\S+\.whl\s+ok\s+ok\s+ok\s+ok\s+ok\s+ok\s+ok/);
    expect(printed).toMatch(/sdist on 3\.12\.\d+\s+hello_maturin-0\.2\.0\.tar\.gz\s+ok\s+ok\s+ok\s+-\s+ok\s+ok\s+ok/);
    expect(printed).toContain('usage: hello-maturin');
    const building = output.findIndex((line) => line.includes('Building and installing hello-maturin==0.2.0 from hello_maturin-0.2.0.tar.gz'));
    const progressLines = output.flatMap((line, index) => (/^wheel-smoke: still building hello_maturin-0\.2\.0\.tar\.gz \(\d+ s\)$/.test(line) ? [index] : []));
    expect(building).toBeGreaterThanOrEqual(0);
    expect(progressLines.length).toBeGreaterThan(0);
    expect(progressLines.every((index) => index > building)).toBe(true);
  });

  it("builds the sdist as the build target did, in its Cargo target folder, compiling only the project's own crate", async () => {
    const project = join(scratch, 'reuse', 'hello-maturin');
    cpSync(join(FIXTURES, 'hello-maturin'), project, { recursive: true });
    const projectRoot = relative(REPOSITORY_ROOT, project);
    // The artefact folder is the target folder's wheels/, as it is for a project with the default outputDir, and the
    // platform policy gives the sdist-built wheel the build's file name: it must not land there over the build's.
    const buildOptions = { pythonVersions: ['3.13'], outputDir: join(SHARED_CARGO_TARGET, 'wheels'), buildIsolation: false, compatibility: 'linux' };
    const buildContext = executorContext(REPOSITORY_ROOT, 'hello', projectRoot);
    buildContext.projectsConfigurations.projects['hello']!.targets = { build: { executor: MATURIN_BUILD_EXECUTOR, options: buildOptions } };
    // The build compiles in the project's Cargo target folder, which CARGO_TARGET_DIR (set above) makes the shared one.
    expect(await maturinBuildExecutor(buildOptions, buildContext)).toEqual({ success: true });

    const fingerprints = join(SHARED_CARGO_TARGET, 'release', '.fingerprint');
    const stamp = (name: string) => readdirSync(join(fingerprints, name)).map((file) => `${file}@${statSync(join(fingerprints, name, file)).mtimeMs}`).join(',');
    const before = new Map(readdirSync(fingerprints).map((name) => [name, stamp(name)]));
    const artefactFiles = readdirSync(buildOptions.outputDir).sort();
    const result = await wheelSmokeExecutor({ artefactDir: buildOptions.outputDir, importName: 'hello_maturin', pythonVersions: ['3.13'], commands: [] }, buildContext);
    // Cargo writes a unit's fingerprint files whenever it compiles the unit; a unit it found up to date keeps them.
    // The project's crate has the same fingerprint folder wherever its sources are: the smoke cleaned it there.
    const compiled = readdirSync(fingerprints).filter((name) => before.get(name) !== stamp(name));
    const printed = output.join('\n');
    expect(result).toEqual({ success: true });
    expect(printed).toContain(`wheel-smoke: the sdist build compiles as hello:build did (MATURIN_PEP517_ARGS=--profile release --compatibility linux --interpreter `);
    expect(printed).toContain("the project's own crates (hello-maturin) were cleaned there and compile from the unpacked sdist.");
    expect(compiled.filter((name) => name.startsWith('hello-maturin-')).length).toBeGreaterThan(0);
    expect(compiled.filter((name) => !name.startsWith('hello-maturin-'))).toEqual([]);
    expect(printed).toMatch(/sdist on 3\.13\.\d+\s+hello_maturin-0\.2\.0\.tar\.gz\s+ok\s+ok\s+ok\s+-\s+ok\s+ok\s+ok/);
    expect(readdirSync(buildOptions.outputDir).sort()).toEqual(artefactFiles);
    await expect(verifyManifest(buildOptions.outputDir, readManifest(buildOptions.outputDir, 'hello:build'))).resolves.toBeUndefined();
  });

  it('runs smoke scripts in each venv and fails naming the script that exited non-zero', async () => {
    const passing = join(scratch, 'smoke_pass.py');
    const failing = join(scratch, 'smoke_fail.py');
    writeFileSync(passing, 'import hello_maturin\nassert hello_maturin.greet("x") == "hello, x"\nprint("smoke passed")\n');
    writeFileSync(failing, 'import sys\nsys.exit("recorder did not stop")\n');
    const result = await wheelSmokeExecutor(
      { artefactDir: artefacts.directory, importName: 'hello_maturin', pythonVersions: ['3.13'], smokeScripts: [passing, failing], commands: [] },
      context,
    );
    const printed = output.join('\n');
    expect(result).toEqual({ success: false });
    expect(printed).toContain('smoke passed');
    expect(printed).toMatch(/\[smoke rule\] `.*smoke_fail\.py` failed: [\s\S]*recorder did not stop/);
    expect(printed).not.toMatch(/smoke_pass\.py` failed/);
  });

  it('names the sdist content rule for an sdist without Cargo.lock and with a compiled .so', async () => {
    const directory = copyArtefacts(artefacts, join(scratch, 'bad-sdist'));
    await rewriteSdist(directory, 'Cargo.lock', 'python/hello_maturin/_hello.cpython-312-x86_64-linux-gnu.so');
    const result = await wheelSmokeExecutor({ artefactDir: directory, importName: 'hello_maturin', pythonVersions: ['3.13'] }, context);
    const printed = output.join('\n');
    expect(result).toEqual({ success: false });
    expect(printed).toContain('hello_maturin-0.2.0.tar.gz: [sdist content rule] does not contain Cargo.lock');
    expect(printed).toMatch(/hello_maturin-0\.2\.0\.tar\.gz: \[sdist content rule\] contains a compiled extension \(\*\.so, \*\.pyd, \*\.dylib\): \S+_hello\.cpython-312/);
  });

  it('names the wheel tag rule for a cp313 wheel listed for CPython 3.12', async () => {
    const directory = copyArtefacts(artefacts, join(scratch, 'wrong-interpreter'));
    const manifest = manifestOf(directory);
    const cp312Wheel = manifest.artefacts.find((entry) => entry.file.includes('-cp312-'))!;
    rmSync(join(directory, cp312Wheel.file));
    writeManifest(directory, {
      ...manifest,
      artefacts: manifest.artefacts
        .filter((entry) => !entry.file.includes('-cp312-'))
        .map((entry) => (entry.file.includes('-cp313-') ? { ...entry, interpreter: 'CPython 3.12.1' } : entry)),
    });
    const result = await wheelSmokeExecutor({ artefactDir: directory, importName: 'hello_maturin', pythonVersions: ['3.12'], commands: [] }, context);
    const printed = output.join('\n');
    expect(result).toEqual({ success: false });
    expect(printed).toMatch(/hello_maturin-0\.2\.0-cp313-cp313-\S+\.whl: \[wheel tag rule\] listed for CPython 3\.12, but its tags \(cp313-cp313-\S+\) need another interpreter/);
    // Its tags say it cannot install on 3.12, so the smoke does not try it there.
    expect(printed).toContain('[wheel rule] artefacts.json lists no wheel built for CPython 3.12');
  });

  /** Adds a copy of the cp312 wheel under a macOS platform tag, as a folder collected from a release matrix has. */
  async function addMacosWheel(directory: string, keepHostWheel: boolean): Promise<string> {
    const manifest = manifestOf(directory);
    const hostWheel = manifest.artefacts.find((entry) => entry.file.includes('-cp312-'))!;
    const macosFile = hostWheel.file.replace(/-cp312-cp312-.*\.whl$/, '-cp312-cp312-macosx_11_0_arm64.whl');
    copyFileSync(join(directory, hostWheel.file), join(directory, macosFile));
    if (!keepHostWheel) rmSync(join(directory, hostWheel.file));
    const kept = manifest.artefacts.filter((entry) => keepHostWheel || entry !== hostWheel);
    writeManifest(directory, { ...manifest, artefacts: [...kept, await describeArtefact(directory, macosFile, hostWheel.interpreter)] });
    return macosFile;
  }

  it('checks wheels collected from another OS but installs only the ones for this host', async () => {
    const directory = copyArtefacts(artefacts, join(scratch, 'collected'));
    const macosFile = await addMacosWheel(directory, true);
    const result = await wheelSmokeExecutor({ artefactDir: directory, importName: 'hello_maturin', pythonVersions: ['3.12'] }, context);
    const printed = output.join('\n');
    expect(result).toEqual({ success: true });
    expect(printed).toMatch(new RegExp(`CPython 3\\.12\\.\\d+ \\(other OS\\)\\s+${macosFile.replace(/\./g, '\\.')}\\s+ok\\s+ok\\s+ok\\s+ok\\s+-\\s+-`));
  });

  it('names the platform tag rule when no wheel for this host and interpreter is in the folder', async () => {
    const directory = copyArtefacts(artefacts, join(scratch, 'only-macos'));
    await addMacosWheel(directory, false);
    const result = await wheelSmokeExecutor({ artefactDir: directory, importName: 'hello_maturin', pythonVersions: ['3.12'], commands: [] }, context);
    expect(result).toEqual({ success: false });
    expect(output.join('\n')).toContain('[platform tag rule] no wheel for CPython 3.12 on linux');
  });

  it('names the sha256 rule for a wheel changed after the build', async () => {
    const directory = copyArtefacts(artefacts, join(scratch, 'tampered'));
    const wheel = manifestOf(directory).artefacts.find((entry) => entry.file.includes('-cp313-'))!;
    writeFileSync(join(directory, wheel.file), Buffer.concat([readFileSync(join(directory, wheel.file)), Buffer.from('tampered')]));
    const result = await wheelSmokeExecutor({ artefactDir: directory, importName: 'hello_maturin', pythonVersions: ['3.13'], commands: [] }, context);
    expect(result).toEqual({ success: false });
    expect(output.join('\n')).toMatch(new RegExp(`\\[sha256 rule\\] .*${wheel.file.replace(/\./g, '\\.')}: sha256 mismatch`));
  });

  it('names the build target when the artefact folder has no manifest', async () => {
    await expect(wheelSmokeExecutor({ artefactDir: join(scratch, 'never-built'), importName: 'hello_maturin' }, context)).rejects.toThrow(
      /artefacts\.json does not exist: no artefacts have been built\. Run `nx run hello:build` first\./,
    );
  });
});
