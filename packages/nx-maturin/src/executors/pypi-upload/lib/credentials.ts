import type { NormalizedPypiUploadOptions } from './normalize-options';

/** How uv publish authenticates: the environment it gets, extra flags, and a description without the secret. */
export interface PublishCredentials {
  /** e.g. `API token from UV_PUBLISH_TOKEN`; printed and put in error messages. */
  method: string;
  /** Variables for uv; the only place a secret travels. */
  env: Record<string, string>;
  args: string[];
  /** Kind of credential a 403 is about, for the explanation. */
  kind: 'local-password' | 'token' | 'password' | 'trusted-publishing';
}

/** Variables whose values are secrets wherever they appear, used or not. */
export function secretValues(options: NormalizedPypiUploadOptions, env: NodeJS.ProcessEnv): string[] {
  return [options.tokenEnvVar, 'UV_PUBLISH_TOKEN', 'UV_PUBLISH_PASSWORD', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']
    .map((name) => env[name])
    .filter((value): value is string => typeof value === 'string' && value.length > 0);
}

export function isGithubActionsWithOidc(env: NodeJS.ProcessEnv): boolean {
  return env['GITHUB_ACTIONS'] === 'true' && Boolean(env['ACTIONS_ID_TOKEN_REQUEST_URL']);
}

/**
 * Remote credentials: trusted publishing in GitHub Actions (no long-lived secret), else a username and password both
 * set in UV_PUBLISH_USERNAME / UV_PUBLISH_PASSWORD, else the API token in `tokenEnvVar`.
 */
export function remoteCredentials(options: NormalizedPypiUploadOptions, env: NodeJS.ProcessEnv, repositoryLabel: string): PublishCredentials {
  const trusted = ['--trusted-publishing', options.trustedPublishing];
  if (options.trustedPublishing === 'always' || (options.trustedPublishing === 'automatic' && isGithubActionsWithOidc(env))) {
    return { method: 'trusted publishing (GitHub Actions OIDC token)', env: {}, args: ['--trusted-publishing', 'always'], kind: 'trusted-publishing' };
  }
  const username = env['UV_PUBLISH_USERNAME'];
  const password = env['UV_PUBLISH_PASSWORD'];
  if (username && password) {
    return {
      method: `username "${username}" and password from UV_PUBLISH_USERNAME / UV_PUBLISH_PASSWORD`,
      env: { UV_PUBLISH_USERNAME: username, UV_PUBLISH_PASSWORD: password },
      args: trusted,
      kind: 'password',
    };
  }
  const token = env[options.tokenEnvVar];
  if (!token) {
    throw new Error(
      `No credentials for ${repositoryLabel}: ${options.tokenEnvVar} is not set and this is not a GitHub Actions run with an OIDC token ` +
        '(ACTIONS_ID_TOKEN_REQUEST_URL). Next step: export a project-scoped API token in ' +
        `${options.tokenEnvVar}, or publish from the release workflow with \`permissions: id-token: write\`.`,
    );
  }
  return { method: `API token from ${options.tokenEnvVar}`, env: { UV_PUBLISH_TOKEN: token }, args: trusted, kind: 'token' };
}
