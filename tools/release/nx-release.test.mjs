// The workspace's nx.json release configuration, driven through every nx release command in a throwaway clone:
// `nx release version`, `nx release changelog` and `nx release publish` on their own, and `nx release` as a whole,
// for both packages (recorder to PyPI, @codetracer/nx-maturin to npm), each with its own version, tag and changelog.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The files this test is about, taken from the working tree so an uncommitted change is what gets tested. */
const CONFIG_FILES = ['nx.json', 'package.json', 'package-lock.json', 'packages/nx-maturin/project.json', 'packages/nx-maturin/package.json', 'tools/release/npm-publish.mjs', 'tools/npm-registry/package.json', 'tools/npm-registry/package-lock.json'];
/** Installed or built, never committed: shared with the clone through symlinks. */
const LINKED = ['node_modules', 'packages/nx-maturin/dist', 'tools/npm-registry/node_modules'];

/** npm refuses a private package; until the plugin's package.json drops the flag, only the publish tests wait. */
const pluginIsPrivate = JSON.parse(readFileSync(join(workspaceRoot, 'packages', 'nx-maturin', 'package.json'), 'utf8')).private === true;
const waitsForPublicPlugin = pluginIsPrivate && 'packages/nx-maturin/package.json still has "private": true, which npm refuses to publish';

const bump = (version) => version.replace(/^(\d+)\.(\d+)\.(\d+).*$/, (_, major, minor, patch) => `${major}.${minor}.${Number(patch) + 1}`);

describe('nx release in this workspace', () => {
  let clone;
  let cacheDir;
  let recorderNext;
  let pluginNext;

  const git = (...args) => execFileSync('git', args, { cwd: clone, encoding: 'utf8' }).trim();

  function nx(...args) {
    const result = spawnSync(process.execPath, [join(clone, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], {
      cwd: clone,
      encoding: 'utf8',
      env: {
        ...process.env,
        NX_DAEMON: 'false',
        NX_CACHE_DIRECTORY: cacheDir,
        NX_SKIP_NX_CACHE: 'true',
        NX_DRY_RUN: '',
        NX_TUI: 'false',
        GIT_AUTHOR_NAME: 'release test',
        GIT_AUTHOR_EMAIL: 'release-test@example.invalid',
        GIT_COMMITTER_NAME: 'release test',
        GIT_COMMITTER_EMAIL: 'release-test@example.invalid',
      },
    });
    // Under Nx (as in the test command) FORCE_COLOR is set, and Nx colours its own output.
    return { status: result.status, output: stripVTControlCharacters(`${result.stdout}\n${result.stderr}`) };
  }

  before(() => {
    clone = mkdtempSync(join(tmpdir(), 'nx-release-'));
    cacheDir = mkdtempSync(join(tmpdir(), 'nx-release-cache-'));
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', workspaceRoot, clone]);
    for (const file of CONFIG_FILES) {
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      copyFileSync(join(workspaceRoot, file), join(clone, file));
    }
    for (const path of LINKED) {
      assert.ok(existsSync(join(workspaceRoot, path)), `${path} is missing: run node tools/bootstrap/bootstrap.mjs --profile=test first`);
      symlinkSync(join(workspaceRoot, path), join(clone, path));
    }
    execFileSync('git', ['add', ...CONFIG_FILES], { cwd: clone });
    execFileSync('git', ['-c', 'user.name=release test', '-c', 'user.email=release-test@example.invalid', 'commit', '--quiet', '--allow-empty', '-m', 'the configuration under test'], { cwd: clone });
    const cargo = readFileSync(join(clone, 'codetracer-python-recorder', 'Cargo.toml'), 'utf8');
    recorderNext = bump(/^version\s*=\s*"([^"]+)"/m.exec(cargo)[1]);
    pluginNext = bump(JSON.parse(readFileSync(join(clone, 'packages', 'nx-maturin', 'package.json'), 'utf8')).version);
  });

  after(() => {
    for (const dir of [clone, cacheDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('nx release version --dry-run plans both packages, each from its own manifest', () => {
    const { status, output } = nx('release', 'version', 'patch', '--dry-run');
    assert.equal(status, 0, output);
    assert.doesNotMatch(output, /may not be used/);
    assert.match(output, new RegExp(`recorder .* New version ${recorderNext.replaceAll('.', '\\.')} written to codetracer-python-recorder/Cargo\\.toml`));
    assert.match(output, new RegExp(`nx-maturin .* New version ${pluginNext.replaceAll('.', '\\.')} written to manifest: packages/nx-maturin/package\\.json`));
    assert.equal(git('status', '--porcelain', '--untracked-files=no'), '');
  });

  test('nx release changelog --dry-run previews the plugin\'s own changelog and tag', () => {
    const { status, output } = nx('release', 'changelog', pluginNext, '--projects=nx-maturin', '--dry-run');
    assert.equal(status, 0, output);
    assert.match(output, new RegExp(`entry in packages/nx-maturin/CHANGELOG\\.md for nx-maturin-v${pluginNext.replaceAll('.', '\\.')}`));
    assert.doesNotMatch(output, /codetracer-python-recorder\/CHANGELOG\.md/);
  });

  test('nx release publish --dry-run sends the plugin to the embedded npm registry on 127.0.0.1', { skip: waitsForPublicPlugin }, () => {
    const { status, output } = nx('release', 'publish', '--projects=nx-maturin', '--dry-run');
    assert.equal(status, 0, output);
    assert.match(output, /Publishing to http:\/\/127\.0\.0\.1:\d+\/ with tag latest and public access \(dry-run\)/);
    assert.ok(!existsSync(join(clone, 'dist', 'local-npm-registry', '@codetracer')), 'a dry run stores nothing');
  });

  test('nx release versions, changelogs, commits and tags both packages independently', () => {
    const { status, output } = nx('release', 'patch', '--skip-publish');
    assert.equal(status, 0, output);
    assert.deepEqual(git('tag', '--points-at', 'HEAD').split('\n').sort(), [`nx-maturin-v${pluginNext}`, `recorder-v${recorderNext}`]);
    assert.match(git('log', '-1', '--format=%B'), new RegExp(`- project: recorder ${recorderNext.replaceAll('.', '\\.')}[\\s\\S]*- project: nx-maturin ${pluginNext.replaceAll('.', '\\.')}`));
    assert.match(readFileSync(join(clone, 'packages', 'nx-maturin', 'CHANGELOG.md'), 'utf8'), new RegExp(`^## ${pluginNext.replaceAll('.', '\\.')} `, 'm'));
    assert.match(readFileSync(join(clone, 'codetracer-python-recorder', 'CHANGELOG.md'), 'utf8'), new RegExp(`^## ${recorderNext.replaceAll('.', '\\.')} `, 'm'));
    assert.equal(JSON.parse(readFileSync(join(clone, 'packages', 'nx-maturin', 'package.json'), 'utf8')).version, pluginNext);
  });

  test('nx release publish puts the new plugin version on the embedded registry once, and refuses it the second time', { skip: waitsForPublicPlugin }, () => {
    const first = nx('release', 'publish', '--projects=nx-maturin');
    assert.equal(first.status, 0, first.output);
    assert.match(first.output, new RegExp(`npm-publish: @codetracer/nx-maturin@${pluginNext.replaceAll('.', '\\.')} is on http://127\\.0\\.0\\.1:\\d+/`));
    const stored = join(clone, 'dist', 'local-npm-registry', '@codetracer', 'nx-maturin');
    const tarballs = readdirSync(stored).filter((name) => name.endsWith('.tgz'));
    assert.deepEqual(tarballs, [`nx-maturin-${pluginNext}.tgz`]);

    const second = nx('release', 'publish', '--projects=nx-maturin');
    assert.notEqual(second.status, 0, second.output);
    assert.match(second.output, new RegExp(`@codetracer/nx-maturin@${pluginNext.replaceAll('.', '\\.')} \\(packages/nx-maturin/package\\.json "version"\\) is already published on http://127\\.0\\.0\\.1:\\d+/: nothing was published`));
    assert.deepEqual(readdirSync(stored).filter((name) => name.endsWith('.tgz')), tarballs);
  });
});
