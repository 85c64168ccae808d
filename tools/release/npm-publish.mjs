#!/usr/bin/env node
// `nx release publish` for an npm package of this workspace (the nx-release-publish target of nx-maturin).
//
//   node tools/release/npm-publish.mjs --package=<folder> [--registry=<url>] [--dry-run=true] [--tag=<dist-tag>] [--otp=<code>]
//
// Without --registry the package goes to the embedded registry: verdaccio on 127.0.0.1 with its storage in
// dist/local-npm-registry, started for this run and stopped after it, as the recorder's local publish does with
// pypiserver. Before anything is sent the registry must answer (bounded retries) and must not have this version
// already; after the upload the version is read back. Dry-run is NX_DRY_RUN or --dry-run, as everywhere else.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const registryTool = join(workspaceRoot, 'tools', 'npm-registry');
const localStorage = join(workspaceRoot, 'dist', 'local-npm-registry');

/** How long a registry gets to answer before the publish gives up: attempts and the pause after each. */
export const REACHABILITY = { attempts: Number(process.env.NPM_PUBLISH_ATTEMPTS ?? 5), delayMs: Number(process.env.NPM_PUBLISH_RETRY_DELAY_MS ?? 1000) };
const REQUEST_TIMEOUT_MS = 5000;
// Node's built-in fetch; the workspace's ESLint globals for .mjs files list only the older Node globals.
const { fetch, AbortSignal } = globalThis;

export class PublishError extends Error {}

export function parseArgs(argv, env = process.env) {
  const options = { packageDir: '', registry: '', dryRun: env.NX_DRY_RUN === 'true', tag: '', otp: '' };
  for (const arg of argv) {
    const match = /^--([a-zA-Z-]+)=(.*)$/.exec(arg);
    if (!match) throw new PublishError(`unknown argument ${JSON.stringify(arg)}: expected --package=, --registry=, --dry-run=, --tag= or --otp=`);
    const [, name, value] = match;
    if (name === 'package') options.packageDir = value;
    else if (name === 'registry') options.registry = value;
    else if (name === 'dry-run' || name === 'dryRun') options.dryRun ||= value === 'true';
    else if (name === 'tag') options.tag = value;
    else if (name === 'otp') options.otp = value;
    else throw new PublishError(`unknown option --${name}: expected --package=, --registry=, --dry-run=, --tag= or --otp=`);
  }
  if (!options.packageDir) throw new PublishError('--package=<folder> is required (the folder holding the package.json to publish)');
  return options;
}

export function readManifest(packageDir) {
  const file = join(resolve(workspaceRoot, packageDir), 'package.json');
  const shown = relative(workspaceRoot, file);
  if (!existsSync(file)) throw new PublishError(`${shown} not found: --package must name a folder with a package.json`);
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  if (manifest.private === true) throw new PublishError(`${shown} has "private": true: npm refuses to publish it; remove the field to publish`);
  for (const field of ['name', 'version']) {
    if (typeof manifest[field] !== 'string' || manifest[field] === '') throw new PublishError(`${shown} has no "${field}": npm needs one to publish`);
  }
  return { file: shown, name: manifest.name, version: manifest.version, dir: dirname(file) };
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function request(url) {
  return fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), headers: { accept: 'application/json' } });
}

/** Waits for the registry's ping endpoint; after `attempts` failures the error names the URL and the last reason. */
export async function waitForRegistry(registry, { attempts, delayMs } = REACHABILITY) {
  let reason = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await request(new URL('-/ping', registry));
      if (response.ok) return;
      reason = `HTTP ${response.status} ${response.statusText}`;
    } catch (error) {
      reason = error.cause?.code ?? error.cause?.message ?? error.message;
    }
    if (attempt < attempts) await sleep(delayMs);
  }
  throw new PublishError(`npm registry ${registry} is not answering (${reason}) after ${attempts} attempts ${delayMs} ms apart: nothing was published; check --registry or start the registry, then run nx release publish again`);
}

/** Whether `name@version` is on the registry already (a 404 for the whole package means no). */
export async function isPublished(registry, name, version) {
  const response = await request(new URL(name.replace('/', '%2f'), registry));
  if (response.status === 404) return false;
  if (!response.ok) throw new PublishError(`npm registry ${registry} answered HTTP ${response.status} for ${name}: expected the package document or 404`);
  const document = await response.json();
  return Object.hasOwn(document.versions ?? {}, version);
}

async function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** verdaccio lives in its own folder (tools/npm-registry) so the workspace's `npm ci` stays lean. */
export function ensureRegistryTool() {
  if (existsSync(join(registryTool, 'node_modules', 'verdaccio', 'package.json'))) return;
  console.log('npm-publish: installing the embedded registry (verdaccio, tools/npm-registry)');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: registryTool, stdio: 'inherit' });
  if (result.status !== 0) throw new PublishError(`\`npm ci\` in ${relative(workspaceRoot, registryTool)} failed with exit code ${result.status}`);
}

/** Starts verdaccio on a free loopback port; anyone may publish, nothing is proxied to npmjs. */
export async function startLocalRegistry(storage = localStorage) {
  ensureRegistryTool();
  mkdirSync(storage, { recursive: true });
  const configDir = mkdtempSync(join(tmpdir(), 'local-npm-registry-'));
  const config = join(configDir, 'config.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(storage)}`,
      'auth:',
      `  htpasswd: { file: ${JSON.stringify(join(configDir, 'htpasswd'))}, max_users: -1 }`,
      'uplinks: {}',
      'packages:',
      "  '**': { access: $all, publish: $all }",
      'web: { enable: false }',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const output = [];
  const child = spawn(process.execPath, [join(registryTool, 'node_modules', 'verdaccio', 'bin', 'verdaccio'), '--config', config, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  child.stdout.on('data', (chunk) => output.push(String(chunk)));
  child.stderr.on('data', (chunk) => output.push(String(chunk)));
  const stop = () => {
    child.kill();
    rmSync(configDir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  try {
    // verdaccio takes a few seconds to start, more on a busy machine.
    await waitForRegistry(url, { attempts: 120, delayMs: 250 });
  } catch (error) {
    stop();
    throw new PublishError(`verdaccio did not start on ${url}: ${error.message}\n${output.join('')}`);
  }
  return { url, stop };
}

function npmPublish(manifest, registry, options, userconfig) {
  const args = ['publish', manifest.dir, '--registry', registry, '--access', 'public'];
  if (options.tag) args.push('--tag', options.tag);
  if (options.otp) args.push('--otp', options.otp);
  if (options.dryRun) args.push('--dry-run');
  // Provenance needs GitHub's OIDC token and a public registry; a loopback registry cannot verify it.
  if (process.env.GITHUB_ACTIONS === 'true' && !isLoopback(registry)) args.push('--provenance');
  if (userconfig) args.push('--userconfig', userconfig);
  console.log(`$ npm ${args.join(' ')}`);
  const result = spawnSync('npm', args, { cwd: workspaceRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new PublishError(`\`npm ${args.join(' ')}\` failed with exit code ${result.status} (its output is above)`);
}

function isLoopback(registry) {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(registry).hostname);
}

export async function publish(options) {
  const manifest = readManifest(options.packageDir);
  const local = options.registry ? undefined : await startLocalRegistry();
  const registry = options.registry || local.url;
  try {
    await waitForRegistry(registry);
    if (await isPublished(registry, manifest.name, manifest.version)) {
      throw new PublishError(`${manifest.name}@${manifest.version} (${manifest.file} "version") is already published on ${registry}: nothing was published; a registry never takes the same version twice, so release a new one (nx release version)`);
    }
    if (isLoopback(registry)) {
      // A loopback registry (the embedded one, or a verdaccio someone runs) lets anyone publish, but npm sends no
      // publish without a token for the registry.
      const npmrcDir = mkdtempSync(join(tmpdir(), 'local-npm-registry-npmrc-'));
      try {
        writeFileSync(join(npmrcDir, 'npmrc'), `//${new URL(registry).host}/:_authToken=local-registry\n`);
        npmPublish(manifest, registry, options, join(npmrcDir, 'npmrc'));
      } finally {
        rmSync(npmrcDir, { recursive: true, force: true });
      }
    } else {
      npmPublish(manifest, registry, options);
    }
    if (options.dryRun) return;
    if (!(await isPublished(registry, manifest.name, manifest.version))) {
      throw new PublishError(`${manifest.name}@${manifest.version} was sent to ${registry} but the registry does not list it: check the registry's logs`);
    }
    console.log(`npm-publish: ${manifest.name}@${manifest.version} is on ${registry}`);
    if (local) console.log(`npm-publish: the embedded registry stops now; its storage stays in ${relative(workspaceRoot, localStorage)}`);
  } finally {
    local?.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await publish(parseArgs(process.argv.slice(2)));
  } catch (error) {
    if (!(error instanceof PublishError)) throw error;
    console.error(`npm-publish: ${error.message}`);
    process.exitCode = 1;
  }
}
