import type { PublishCredentials } from './credentials';

/** What a failed `uv publish` of one file means for the next step. */
export type UploadFailureKind = 'credentials' | 'duplicate' | 'transient' | 'other';

/**
 * Reads uv's error text: `Server returned status code 403 Forbidden`, `409 Conflict`, a 400 whose body says the
 * file exists (PyPI's answer), a 5xx, or a connection that never opened or dropped.
 */
export function classifyUploadFailure(output: string): UploadFailureKind {
  const status = Number(/status code (\d{3})/.exec(output)?.[1] ?? 0);
  if (status === 401 || status === 403) return 'credentials';
  if (status === 409 || (status === 400 && /already exists/i.test(output))) return 'duplicate';
  if (status >= 500) return 'transient';
  if (status === 0 && /(connect|connection|timed out|timeout|error sending request|broken pipe|reset by peer|incomplete message)/i.test(output)) {
    return 'transient';
  }
  return 'other';
}

export function credentialsExplanation(kind: PublishCredentials['kind'], method: string, url: string): string {
  const nextStep = {
    'local-password': 'the embedded index was started with a password generated for this run; if this happens, another pypiserver may be answering on that port.',
    token: 'check that the token is current and scoped to this project (or to the whole account for a first upload).',
    password: 'check the username and password, or use an API token instead.',
    'trusted-publishing': 'check the trusted publisher configured on the index (owner, repository, workflow file, environment).',
    none: 'this index wants credentials; choose --credentials=token or --credentials=password.',
  }[kind];
  return `${url} refused the credentials (403): ${method} was used. Next step: ${nextStep}`;
}
