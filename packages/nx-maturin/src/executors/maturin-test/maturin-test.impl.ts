import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRootOf } from '../../lib/executor-context';
import { findPythonInterpreters, type PythonInterpreter } from '../../lib/python-discovery';
import { runStreaming } from '../../lib/run-process';
import { reportTable } from '../../lib/summary-table';
import { readTomlFile } from '../../lib/toml-file';
import { cargoManifestPath } from '../../plugins/maturin-project';
import { PINNED_TOOLS, resolveTool, toolsPathEnv, venvExecutable } from '../../lib/workspace-tools';
import { installerEnvironment } from '../../lib/venv/venv';
import { cargoTargetDirectory } from '../../lib/cargo-target-directory';
import { normalizeOptions, type NormalizedMaturinTestOptions } from './lib/normalize-options';
import { nextestFeatureArguments } from './lib/nextest-features';
import { describeTestVenv, findProjectTestRequirements, pytestArguments, testInstallArguments } from './lib/pytest-invocation';
import type { MaturinTestExecutorSchema } from './schema';

interface SuiteResult {
  suite: string;
  interpreter: string;
  outcome: string;
}

export default async function maturinTestExecutor(options: MaturinTestExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const results: SuiteResult[] = [];
  try {
    const normalized = normalizeOptions(options);
    const projectDir = join(context.root, projectRootOf(context));
    const interpreters = await findPythonInterpreters(normalized.pythonVersions);
    for (const interpreter of interpreters) {
      await testWithInterpreter(normalized, context.root, projectDir, interpreter, results);
    }
    return { success: true };
  } catch (error) {
    logger.error(`maturin-test: ${(error as Error).message}`);
    return { success: false };
  } finally {
    if (results.length > 0) {
      reportTable({ title: 'maturin-test', headers: ['suite', 'interpreter', 'outcome'], rows: results.map((result) => [result.suite, result.interpreter, result.outcome]) });
    }
  }
}

async function testWithInterpreter(
  options: NormalizedMaturinTestOptions,
  workspaceRoot: string,
  projectDir: string,
  interpreter: PythonInterpreter,
  results: SuiteResult[],
): Promise<void> {
  const label = `CPython ${interpreter.version}`;
  // No ambient index or pip settings: test venvs get exactly the pinned requirements and the development build.
  const env = { ...toolsPathEnv(workspaceRoot, installerEnvironment()), PYO3_PYTHON: interpreter.executable };
  const manifestFile = join(projectDir, cargoManifestOf(projectDir));
  const crateDir = dirname(manifestFile);
  if (options.rust) {
    results.push({ suite: 'cargo nextest', interpreter: label, outcome: 'failed' });
    const features = nextestFeatureArguments(readTomlFile(join(projectDir, 'pyproject.toml')), readTomlFile(manifestFile));
    // --no-tests=pass: a crate without Rust tests is not a failure of the Python suite that follows.
    await runStreaming('cargo', ['nextest', 'run', '--locked', '--no-tests=pass', '--no-fail-fast', ...features], { cwd: crateDir, env });
    results.at(-1)!.outcome = 'passed';
  }
  if (!options.python) return;
  if (!hasPythonTests(projectDir)) {
    results.push({ suite: 'pytest', interpreter: label, outcome: 'no Python tests' });
    return;
  }
  results.push({ suite: 'pytest', interpreter: label, outcome: 'failed' });
  const venv = join(projectDir, 'target', 'test-venvs', `py${interpreter.requested}`);
  const uv = resolveTool(workspaceRoot, 'uv').file;
  await runStreaming(uv, ['venv', '--quiet', '--allow-existing', '--python', interpreter.executable, venv], { cwd: projectDir, env });
  const venvEnv = { ...env, VIRTUAL_ENV: venv };
  const pyprojectFile = join(projectDir, 'pyproject.toml');
  const pyproject = readTomlFile(pyprojectFile);
  const install = testInstallArguments(pyproject, pyprojectFile, options.testRequirements, PINNED_TOOLS['pytest']!);
  await runStreaming(uv, ['pip', 'install', '--quiet', '--python', venvExecutable(venv, 'python'), ...install], { cwd: projectDir, env: venvEnv });
  const maturin = resolveTool(workspaceRoot, 'maturin');
  const { extra } = findProjectTestRequirements(pyproject, pyprojectFile);
  await runStreaming(maturin.file, [...maturin.args, 'develop', '--uv', '--locked', ...(extra === undefined ? [] : ['--extras', extra])], { cwd: projectDir, env: venvEnv });
  const pytest = pytestArguments(projectDir, await cargoTargetDirectory(projectDir, env), options.pytestArgs);
  try {
    await runStreaming(venvExecutable(venv, 'python'), pytest, { cwd: projectDir, env: venvEnv });
  } catch (error) {
    const message = (error as Error).message;
    if (!/ModuleNotFoundError|No module named/.test(message)) throw error;
    throw new Error(
      `${message}\nThe test venv held the development build and ${describeTestVenv(install, extra)}. ` +
        "Next step: list the missing package in pyproject.toml's [dependency-groups].test, or in the test target's testRequirements option.",
    );
  }
  results.at(-1)!.outcome = 'passed';
}

function cargoManifestOf(projectDir: string): string {
  return cargoManifestPath(readTomlFile(join(projectDir, 'pyproject.toml')), projectDir);
}

/** pytest's own configuration decides where tests are; without one, a tests/ folder is the convention. */
function hasPythonTests(projectDir: string): boolean {
  const pyproject = readFileSync(join(projectDir, 'pyproject.toml'), 'utf8');
  return /^\[tool\.pytest\.ini_options\]/m.test(pyproject) || existsSync(join(projectDir, 'tests'));
}
