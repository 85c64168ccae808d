import { secretValues } from './credentials';
import { normalizeOptions } from './normalize-options';

describe('secretValues', () => {
  it('counts the token in an index or upload URL as a secret, but not a user name beside a password', () => {
    const options = normalizeOptions(
      { artefactDir: 'out', repository: 'https://ci:up%2Btoken@pkgs.example.com/upload/', indexUrl: 'https://idx-token-0123456789@pkgs.example.com/simple/' },
      '/ws',
      'hello',
      {},
    );
    expect(secretValues(options, { UV_PUBLISH_TOKEN: 'env-token' })).toEqual(['env-token', 'idx-token-0123456789', 'up%2Btoken', 'up+token']);
  });

  it('keeps a token whose percent signs are not an escape as it is written', () => {
    const options = normalizeOptions({ artefactDir: 'out', repository: 'https://ci:50%25off%@pkgs.example.com/upload/', indexUrl: 'https://pkgs.example.com/simple/' }, '/ws', 'hello', {});
    expect(secretValues(options, {})).toEqual(['50%25off%']);
  });

  it('leaves a short user name without a password alone: a name such as ci, not a token', () => {
    const options = normalizeOptions({ artefactDir: 'out', repository: 'https://ci@pkgs.example.com/upload/', indexUrl: 'https://__token__@pkgs.example.com/simple/' }, '/ws', 'hello', {});
    expect(secretValues(options, {})).toEqual([]);
  });
});
