import { classifyUploadFailure, credentialsExplanation } from './upload-failure';

describe('classifyUploadFailure', () => {
  it('reads 403 as credentials, 409 and PyPI\'s 400 "already exists" as a duplicate', () => {
    expect(classifyUploadFailure('cause: Server returned status code 403 Forbidden. Server says: ...')).toBe('credentials');
    expect(classifyUploadFailure('cause: Server returned status code 409 Conflict. Server says: ...')).toBe('duplicate');
    expect(classifyUploadFailure('Server returned status code 400 Bad Request. Server says: 400 File already exists')).toBe('duplicate');
  });

  it('reads 5xx and refused or dropped connections as worth retrying', () => {
    expect(classifyUploadFailure('Server returned status code 503 Service Unavailable')).toBe('transient');
    expect(classifyUploadFailure('cause: tcp connect error\n  cause: Connection refused (os error 111)')).toBe('transient');
  });

  it('leaves other failures alone', () => {
    expect(classifyUploadFailure('Server returned status code 400 Bad Request. Server says: invalid metadata')).toBe('other');
  });

  it('explains a 403 by the credential kind used, never its value', () => {
    expect(credentialsExplanation('token', 'API token from UV_PUBLISH_TOKEN', 'https://upload.pypi.org/legacy/')).toMatch(
      /refused the credentials \(403\): API token from UV_PUBLISH_TOKEN was used\. Next step: check that the token is current/,
    );
  });
});
