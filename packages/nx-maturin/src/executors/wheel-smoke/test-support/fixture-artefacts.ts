import type { ExecutorContext } from '@nx/devkit';
import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArtefactManifest, describeArtefact, writeManifest } from '../../../lib/artefact-manifest';
import { findPythonInterpreter } from '../../../lib/python-discovery';
import { workspaceTool } from '../../../lib/workspace-tools';
import { FIXTURES, REPOSITORY_ROOT, SHARED_CARGO_TARGET } from '../../../test-support/temp-workspace';

export interface FixtureArtefacts {
  /** Folder with both wheels, the sdist and artefacts.json. */
  directory: string;
  manifest: ArtefactManifest;
}

/**
 * Real artefacts of the hello-maturin fixture, built the way maturin-build does (release wheels for 3.12 and 3.13
 * plus an sdist) with the manifest written beside them. Built once per test file; tests copy the folder to tamper.
 */
export async function buildFixtureArtefacts(versions: string[] = ['3.12', '3.13']): Promise<FixtureArtefacts> {
  const scratch = mkdtempSync(join(tmpdir(), 'fixture-artefacts-'));
  const project = join(scratch, 'hello-maturin');
  cpSync(join(FIXTURES, 'hello-maturin'), project, { recursive: true });
  const directory = join(scratch, 'wheels');
  mkdirSync(directory);
  const interpreters = await Promise.all(versions.map((version) => findPythonInterpreter(version)));
  await execa(
    workspaceTool(REPOSITORY_ROOT, 'maturin'),
    ['build', '--release', '--sdist', '--out', directory, ...interpreters.flatMap((interpreter) => ['-i', interpreter.executable])],
    { cwd: project, env: { CARGO_TARGET_DIR: SHARED_CARGO_TARGET }, stdin: 'ignore' },
  );
  const artefacts = await Promise.all(
    readdirSync(directory).map((file) => {
      const interpreter = interpreters.find((candidate) => file.includes(`-cp${candidate.requested.replace('.', '')}-`));
      return describeArtefact(directory, file, interpreter ? `CPython ${interpreter.version}` : null);
    }),
  );
  const manifest: ArtefactManifest = { distribution: 'hello-maturin', version: '0.2.0', artefacts };
  writeManifest(directory, manifest);
  return { directory, manifest };
}

/** Copies the artefact folder so a test may tamper with its copy. */
export function copyArtefacts(artefacts: FixtureArtefacts, destination: string): string {
  cpSync(artefacts.directory, destination, { recursive: true });
  return destination;
}

/** The parts of an ExecutorContext the executors read, for calling them directly rather than through nx. */
export function executorContext(root: string, projectName = 'hello', projectRoot = 'libs/hello'): ExecutorContext {
  return {
    root,
    cwd: root,
    isVerbose: false,
    projectName,
    targetName: 'test',
    projectsConfigurations: { version: 2, projects: { [projectName]: { root: projectRoot, name: projectName } } },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  } as ExecutorContext;
}
