import { normalizeOptions } from './normalize-options';

describe('serve-index normalizeOptions', () => {
  it('defaults to a free port, dist/local-index and authenticated uploads', () => {
    expect(normalizeOptions({}, '/ws')).toEqual({ port: 0, storageDir: '/ws/dist/local-index', authenticateUploads: true });
  });

  it('refuses a port outside 0..65535', () => {
    expect(() => normalizeOptions({ port: 70000 }, '/ws')).toThrow(/option "port" is 70000; expected an integer from 0/);
  });
});
