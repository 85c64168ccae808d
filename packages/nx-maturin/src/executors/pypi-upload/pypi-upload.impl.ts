import type { ExecutorContext } from '@nx/devkit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ArtefactEntry, ArtefactManifest } from '../../lib/artefact-manifest';
import { projectRootOf } from '../../lib/executor-context';
import { displayUrl, listPublishedFiles, type PublishedFiles } from '../../lib/index-client/index-client';
import { LOCAL_INDEX_STORAGE, type LocalIndex, startLocalIndex } from '../../lib/local-index/local-index';
import { findPythonInterpreter } from '../../lib/python-discovery';
import { forDisplay, ProcessFailedError, redact, runCaptured } from '../../lib/run-process';
import { createFreshVenv, installerEnvironment, installIntoVenv } from '../../lib/venv/venv';
import { workspaceTool } from '../../lib/workspace-tools';
import { reportTable } from '../../lib/summary-table';
import { type AttestationPlan, planAttestations } from './lib/attestations';
import { type PublishCredentials, remoteCredentials, secretValues } from './lib/credentials';
import { type NormalizedPypiUploadOptions, normalizeOptions } from './lib/normalize-options';
import { preflight } from './lib/preflight';
import { listPublishedFilesWithRetries } from './lib/published-files';
import { classifyUploadFailure, credentialsExplanation } from './lib/upload-failure';
import type { PypiUploadExecutorSchema } from './schema';

/** Where one run uploads to, resolved after preflight (a local index only exists once started). */
interface Destination {
  label: string;
  /** The uv that sends the files (the tools venv's). */
  uv: string;
  uploadUrl: string;
  indexUrl: string;
  credentials: PublishCredentials;
  attestations: AttestationPlan;
  /** The embedded index's package folder: the workspace owns it, so a rebuilt file may replace a published one. */
  localStorage?: string;
}

type Outcome = 'uploaded' | 'uploaded on retry' | 'already on the index' | 'skipped (exists)';

export default async function pypiUploadExecutor(options: PypiUploadExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectRoot = projectRootOf(context);
  const projectName = context.projectName!;
  const normalized = normalizeOptions(options, context.root, projectName);
  const secrets = secretValues(normalized, process.env);
  try {
    return await publish(normalized, context.root, projectName, projectRoot, secrets);
  } catch (error) {
    // Anything a tool echoed back may hold a secret; the message is the last place to scrub it.
    const failure = error as Error;
    failure.message = redact(failure.message, secrets);
    throw failure;
  }
}

async function publish(
  options: NormalizedPypiUploadOptions,
  workspaceRoot: string,
  projectName: string,
  projectRoot: string,
  secrets: string[],
): Promise<{ success: boolean }> {
  const { manifest, pep440, published } = await preflight(options, workspaceRoot, projectName, projectRoot);
  const remote = options.repository.kind === 'local' ? null : options.repository;
  // Credentials and attestations are settled before anything is sent: a missing one stops the run here.
  const remoteCredential = remote ? remoteCredentials(options, process.env, remote.uploadUrl) : null;
  const attestations = planAttestations(options, manifest);

  if (options.dryRun) {
    const credentials = remoteCredential?.method ?? 'local index password generated at run time';
    const url = remote ? `${displayUrl(remote.uploadUrl)} (index ${displayUrl(remote.indexUrl)})` : `an embedded pypiserver on 127.0.0.1 (storage ${LOCAL_INDEX_STORAGE})`;
    const existing = published ?? new Map<string, string | undefined>();
    reportTable({
      title: `Dry run: nothing is sent. Would upload ${manifest.distribution} ${pep440} to ${url} using ${credentials}, ${attestations.summary}`,
      headers: ['file', 'size', 'sha256', 'attestation', 'action'],
      rows: manifest.artefacts.map((entry) => [
        entry.file,
        String(entry.size),
        entry.sha256,
        attestations.sent.get(entry.file) ?? '-',
        existing.has(entry.file) ? 'skip (already on the index)' : 'upload',
      ]),
    });
    return { success: true };
  }

  let localIndex: LocalIndex | null = null;
  try {
    let destination: Destination;
    if (remote) {
      destination = { label: remote.kind, uv: workspaceTool(workspaceRoot, 'uv'), uploadUrl: remote.uploadUrl, indexUrl: remote.indexUrl, credentials: remoteCredential!, attestations };
    } else {
      localIndex = await startLocalIndex({ workspaceRoot });
      const credentials = localIndex.credentials!;
      secrets.push(credentials.password);
      destination = {
        label: 'local',
        uv: workspaceTool(workspaceRoot, 'uv'),
        uploadUrl: localIndex.uploadUrl,
        indexUrl: localIndex.indexUrl,
        localStorage: localIndex.storageDir,
        credentials: {
          method: `local index user "${credentials.username}" with the password generated for this run (${relative(workspaceRoot, credentials.credentialsFile)})`,
          env: { UV_PUBLISH_USERNAME: credentials.username, UV_PUBLISH_PASSWORD: credentials.password },
          args: ['--trusted-publishing', 'never'],
          kind: 'local-password',
        },
        attestations,
      };
      console.log(`Started the local index at ${displayUrl(localIndex.indexUrl)} (packages in ${relative(workspaceRoot, localIndex.storageDir)})`);
    }

    // A remote index was listed by the preflight; the embedded one only now exists.
    const existing = published ?? (await listPublishedFilesWithRetries(destination.indexUrl, manifest.distribution, { attempts: options.uploadAttempts, delayMs: options.retryDelayMs }));
    const outcomes = await uploadAll(options, manifest, destination, existing, secrets);
    if (options.installBack) {
      await installBack(options, workspaceRoot, manifest, pep440, destination.indexUrl, remote !== null, secrets);
    } else {
      console.log(`Install-back skipped (installBack is false): verify ${manifest.distribution}==${pep440} from ${displayUrl(destination.indexUrl)} elsewhere, e.g. in a job without publishing rights.`);
    }
    printReport(manifest, pep440, destination, outcomes, projectName, options.installBack);
    return { success: true };
  } finally {
    await localIndex?.stop();
  }
}

async function uploadAll(
  options: NormalizedPypiUploadOptions,
  manifest: ArtefactManifest,
  destination: Destination,
  existing: PublishedFiles,
  secrets: string[],
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  for (const entry of manifest.artefacts) {
    if (!existing.has(entry.file)) continue;
    const publishedSha = existing.get(entry.file);
    if (publishedSha !== undefined && publishedSha !== entry.sha256 && destination.localStorage) {
      // A rebuild of an unchanged version is everyday local work; on a real index the same file is refused below.
      rmSync(join(destination.localStorage, entry.file), { force: true });
      console.log(`${entry.file}: the local index held an earlier build of ${manifest.version} (sha256 ${publishedSha}); replaced by this build.`);
      continue;
    }
    if (publishedSha !== undefined && publishedSha !== entry.sha256) {
      throw new Error(
        `${displayUrl(destination.indexUrl)} already holds ${entry.file} with sha256 ${publishedSha}, but the built file has ${entry.sha256}: ` +
          `another build was published as ${manifest.version}. An index never replaces a file; next step: release a new version.`,
      );
    }
    console.log(`${entry.file}: already on ${displayUrl(destination.indexUrl)}${publishedSha ? ' with the same sha256' : ''}; not sent again.`);
    outcomes.set(entry.file, 'already on the index');
  }
  if (outcomes.size === manifest.artefacts.length) {
    console.log(`Already published: all ${outcomes.size} files of ${manifest.distribution} ${manifest.version} are on ${displayUrl(destination.indexUrl)}; nothing uploaded.`);
    return outcomes;
  }
  console.log(`Uploading to ${destination.uploadUrl} using ${destination.credentials.method}, ${destination.attestations.summary}`);
  for (const entry of manifest.artefacts.filter((artefact) => !outcomes.has(artefact.file))) {
    outcomes.set(entry.file, await uploadOne(options, entry, destination, manifest.distribution, secrets));
  }
  return outcomes;
}

/**
 * One file, one `uv publish`, so a retry resends only that file. uv's own retries are switched off
 * (UV_HTTP_RETRIES=0) so that the attempt count and backoff are the ones configured here and reported per file.
 * uv attaches `<file>.publish.attestation` only to files it found through a glob (uv 0.13: a plain path is sent
 * alone), so a file sent with its attestation is named by the pattern `<file>*`, which matches exactly the file
 * and the attestation beside it; any other file is named plainly, with `--no-attestations`.
 */
async function uploadOne(
  options: NormalizedPypiUploadOptions,
  entry: ArtefactEntry,
  destination: Destination,
  distribution: string,
  secrets: string[],
): Promise<Outcome> {
  const env = { ...installerEnvironment(), ...destination.credentials.env, UV_HTTP_RETRIES: '0', UV_NO_PROGRESS: '1' };
  const attestation = destination.attestations.sent.get(entry.file);
  const files = attestation ? ['--', `${entry.file}*`] : ['--no-attestations', '--', entry.file];
  const args = ['publish', '--no-config', '--publish-url', destination.uploadUrl, ...destination.credentials.args, ...files];
  if (attestation) console.log(`${entry.file}: sending with its attestation ${attestation}`);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { stderr } = await runCaptured(destination.uv, args, { cwd: options.artefactDir, env, secrets });
      if (stderr.trim()) console.log(stderr.trim());
      return attempt === 1 ? 'uploaded' : 'uploaded on retry';
    } catch (error) {
      const output = error instanceof ProcessFailedError ? error.output : (error as Error).message;
      const kind = classifyUploadFailure(output);
      if (kind === 'credentials') {
        throw new Error(`${entry.file}: ${credentialsExplanation(destination.credentials.kind, destination.credentials.method, destination.uploadUrl)}`);
      }
      if (kind === 'duplicate') {
        // A retry after a dropped connection may find the earlier attempt landed: same hash means done.
        if (attempt > 1) {
          const published = await listPublishedFiles(destination.indexUrl, distribution).catch(() => new Map() as PublishedFiles);
          if (published.get(entry.file) === entry.sha256) return 'uploaded on retry';
        }
        if (options.skipExisting) {
          console.log(`${entry.file}: ${destination.uploadUrl} answered that the file already exists; skipped (skipExisting).`);
          return 'skipped (exists)';
        }
        throw new Error(
          `${entry.file}: ${destination.uploadUrl} answered that this file already exists (409/400 duplicate), although its listing at ` +
            `${displayUrl(destination.indexUrl)} did not show it when this run started. An index never replaces a file. Next step: if it is this ` +
            'build, rerun with --skipExisting; otherwise release a new version.',
        );
      }
      if (kind === 'transient' && attempt < options.uploadAttempts) {
        const delay = options.retryDelayMs * 2 ** (attempt - 1);
        console.log(`${entry.file}: attempt ${attempt} of ${options.uploadAttempts} failed (${firstCause(output)}); retrying in ${delay} ms.`);
        await sleep(delay);
        continue;
      }
      const tail = kind === 'transient' ? ` after ${attempt} attempt(s) with backoff; check that the index at ${destination.uploadUrl} is up` : '';
      throw new Error(`${entry.file}: upload to ${destination.uploadUrl} failed${tail}:\n${output.trim()}`);
    }
  }
}

/**
 * Proof the release is usable: a fresh venv installs exactly this version from the index alone and runs the smoke
 * commands. A remote index may take a moment to list a new file, so a remote install is retried a few times.
 */
async function installBack(
  options: NormalizedPypiUploadOptions,
  workspaceRoot: string,
  manifest: ArtefactManifest,
  pep440: string,
  indexUrl: string,
  isRemote: boolean,
  secrets: string[],
): Promise<void> {
  const wheel = manifest.artefacts.find((entry) => entry.kind === 'wheel' && entry.interpreter);
  const version = /(\d+\.\d+)/.exec(wheel?.interpreter ?? '')?.[1] ?? '3.12';
  const interpreter = await findPythonInterpreter(version);
  const scratch = mkdtempSync(join(tmpdir(), 'pypi-upload-verify-'));
  const requirement = `${manifest.distribution}==${pep440}`;
  try {
    const venv = await createFreshVenv(workspaceRoot, interpreter, join(scratch, 'venv'));
    console.log(`Verifying: installing ${requirement} from ${displayUrl(indexUrl)} only into a fresh CPython ${interpreter.version} venv`);
    const attempts = isRemote ? 6 : 1;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await installIntoVenv(venv, { workspaceRoot, requirement, indexUrl, dependencyIndexUrl: 'https://pypi.org/simple', distribution: manifest.distribution, secrets });
        break;
      } catch (error) {
        if (attempt >= attempts) {
          throw new Error(`Uploaded, but installing ${requirement} back from ${displayUrl(indexUrl)} failed: ${(error as Error).message}`);
        }
        console.log(`${displayUrl(indexUrl)} does not serve ${requirement} yet; retrying in 10 s.`);
        await sleep(10_000);
      }
    }
    const importName = options.importName ?? manifest.distribution.replace(/-/g, '_');
    // The same checks wheel-smoke ran on the local artefacts, now on what the index serves.
    for (const args of [...(options.commands ?? [['-m', importName, '--help']]), ...options.smokeScripts.map((script) => [script])]) {
      const { stdout } = await runCaptured(venv.python, args, { cwd: scratch, env: installerEnvironment(), secrets });
      console.log(`$ python ${args.join(' ')}\n${forDisplay(stdout.trim())}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function printReport(
  manifest: ArtefactManifest,
  pep440: string,
  destination: Destination,
  outcomes: Map<string, Outcome>,
  projectName: string,
  installedBack: boolean,
): void {
  reportTable({
    title: `Published ${manifest.distribution} ${pep440} to ${destination.label} (${destination.uploadUrl})${installedBack ? '; installed back and smoke-tested' : ''}.`,
    headers: ['file', 'size', 'sha256', 'attestation', 'result'],
    rows: manifest.artefacts.map((entry) => [
      entry.file,
      String(entry.size),
      `${entry.sha256.slice(0, 16)}...`,
      destination.attestations.sent.has(entry.file) ? 'sent' : '-',
      outcomes.get(entry.file) ?? '-',
    ]),
  });
  if (destination.label !== 'local') {
    console.log(`Install it with:\n  pip install --index-url ${displayUrl(destination.indexUrl)} ${manifest.distribution}==${pep440}`);
    return;
  }
  // The embedded index lives only as long as this run; its packages stay, so a person can serve them again.
  console.log(
    `The local index stopped with this run; its packages stay in ${LOCAL_INDEX_STORAGE}. To install from it:\n` +
      `  npx nx run ${projectName}:serve-index --port=8765      # keep this running\n` +
      `  pip install --index-url http://127.0.0.1:8765/simple/ ${manifest.distribution}==${pep440}`,
  );
}

function firstCause(output: string): string {
  return /status code \d{3}[^.\n]*/.exec(output)?.[0] ?? output.trim().split('\n').pop()?.trim() ?? 'no output';
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
