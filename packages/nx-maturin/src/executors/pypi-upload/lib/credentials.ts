import { decodedUrlPart } from '../../../lib/index-client/index-client';
import type { NormalizedPypiUploadOptions } from './normalize-options';

/** How uv publish authenticates: the environment it gets, extra flags, and a description without the secret. */
export interface PublishCredentials {
  /** e.g. `API token from UV_PUBLISH_TOKEN`; printed and put in error messages. */
  method: string;
  /** Variables for uv; the only place a secret travels. */
  env: Record<string, string>;
  args: string[];
  /** Kind of credential a 403 is about, for the explanation. */
  kind: 'local-password' | 'token' | 'password' | 'trusted-publishing' | 'none';
}

/**
 * Values that are secrets wherever they appear, used or not: those of the credential variables, and the token in an
 * index or upload URL (`https://user:token@host/simple/`, or `https://token@host/` where the token is the user name).
 */
export function secretValues(options: NormalizedPypiUploadOptions, env: NodeJS.ProcessEnv): string[] {
  const inUrls = options.repository.kind === 'local' ? [] : [options.repository.indexUrl, options.repository.uploadUrl].flatMap(tokenInUrl);
  const values = [options.tokenEnvVar, 'UV_PUBLISH_TOKEN', 'UV_PUBLISH_PASSWORD', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'].map((name) => env[name]).concat(inUrls);
  return [...new Set(values.filter((value): value is string => typeof value === 'string' && value.length > 0))];
}

/**
 * The password of a URL, else a user name long enough to be a token written alone (`https://<token>@host`); both
 * spellings, since messages may show either. A short user name without a password (`ci`, `__token__` with the
 * password in a keyring) is a name, not a secret: masking it would garble every line that happens to contain it.
 */
function tokenInUrl(url: string): string[] {
  if (!URL.canParse(url)) return [];
  const { username, password } = new URL(url);
  const token = password || (username.length >= MIN_TOKEN_LENGTH ? username : '');
  return token ? [token, decodedUrlPart(token)] : [];
}

/** Index tokens (PyPI's `pypi-...`, GitLab's, Artifactory's) are far longer; user names are rarely this long. */
const MIN_TOKEN_LENGTH = 16;

export function isGithubActionsWithOidc(env: NodeJS.ProcessEnv): boolean {
  return env['GITHUB_ACTIONS'] === 'true' && Boolean(env['ACTIONS_ID_TOKEN_REQUEST_URL']);
}

/**
 * Credentials for a remote index, exactly the mode the options name: an OIDC token lying in the environment never
 * overrides a token or password mode (every mode but trusted-publishing passes `--trusted-publishing never`), and
 * a missing credential stops the run before anything is sent.
 */
export function remoteCredentials(options: NormalizedPypiUploadOptions, env: NodeJS.ProcessEnv, uploadUrl: string): PublishCredentials {
  const never = ['--trusted-publishing', 'never'];
  const where = `credentials "${options.credentials}" for ${uploadUrl}`;
  switch (options.credentials) {
    case 'trusted-publishing':
      if (!isGithubActionsWithOidc(env)) {
        throw new Error(
          `${where}: trusted publishing needs a GitHub Actions job with \`permissions: id-token: write\` (GITHUB_ACTIONS=true and ` +
            'ACTIONS_ID_TOKEN_REQUEST_URL set); neither is here. Next step: publish from the release workflow, or pass ' +
            `--credentials=token with a project-scoped API token in ${options.tokenEnvVar}.`,
        );
      }
      return { method: 'trusted publishing (GitHub Actions OIDC token)', env: {}, args: ['--trusted-publishing', 'always'], kind: 'trusted-publishing' };
    case 'token': {
      const token = env[options.tokenEnvVar];
      if (!token) {
        throw new Error(`${where}: ${options.tokenEnvVar} is empty or not set. Next step: export a project-scoped API token in ${options.tokenEnvVar}, or choose --credentials=trusted-publishing in a GitHub Actions job with id-token: write.`);
      }
      return { method: `API token from ${options.tokenEnvVar}`, env: { UV_PUBLISH_TOKEN: token }, args: never, kind: 'token' };
    }
    case 'password': {
      const username = env['UV_PUBLISH_USERNAME'];
      const password = env['UV_PUBLISH_PASSWORD'];
      if (!username || !password) {
        throw new Error(`${where}: UV_PUBLISH_USERNAME and UV_PUBLISH_PASSWORD must both be set (found ${username ? 'only the username' : password ? 'only the password' : 'neither'}).`);
      }
      return {
        method: `username "${username}" and password from UV_PUBLISH_USERNAME / UV_PUBLISH_PASSWORD`,
        env: { UV_PUBLISH_USERNAME: username, UV_PUBLISH_PASSWORD: password },
        args: never,
        kind: 'password',
      };
    }
    case 'none':
      return { method: 'no credentials (an index that accepts anonymous uploads)', env: {}, args: never, kind: 'none' };
  }
}
