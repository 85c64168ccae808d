import { movedRequirement, replaceDependentRequirement } from './dependent-requirements';

describe('dependent-requirements', () => {
  it('keeps the operator of a requirement it moves, and leaves ranges and wildcards as written', () => {
    expect(movedRequirement('0.13.9', '0.14.0')).toBe('0.14.0');
    expect(movedRequirement('=0.13.9', '0.14.0')).toBe('=0.14.0');
    expect(movedRequirement('~0.13', '1.0.0-rc.1')).toBe('~1.0.0-rc.1');
    expect(movedRequirement('>=0.13, <0.15', '0.14.0')).toBeUndefined();
    expect(movedRequirement('*', '0.14.0')).toBeUndefined();
  });

  it('names the file and the entry when the requirement is not written as a plain string', () => {
    const text = '[dependencies]\ncore = { path = "../core", version = """0.1.0""" }\n';
    expect(() => replaceDependentRequirement(text, 'libs/cli/Cargo.toml', { file: 'libs/cli/Cargo.toml', entry: ['dependencies', 'core'], requirement: '0.1.0' }, '0.2.0')).toThrow(
      'libs/cli/Cargo.toml: cannot find [dependencies.core].version ("0.1.0") written as a plain string to edit in place',
    );
  });
});
