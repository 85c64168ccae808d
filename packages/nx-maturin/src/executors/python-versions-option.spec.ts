import { combineOptionsForExecutor } from 'nx/src/utils/params';
import { normalizePythonVersions } from '../plugins/plugin-options';
import buildSchema from './maturin-build/schema.json';
import testSchema from './maturin-test/schema.json';
import smokeSchema from './wheel-smoke/schema.json';

type CommandLineOptions = Parameters<typeof combineOptionsForExecutor>[0];
type Schema = Parameters<typeof combineOptionsForExecutor>[3];

/**
 * Nx checks command-line options against each executor's schema.json before the executor runs; `nx run` reads
 * `--pythonVersions=3.12` as the number 3.12 and `--pythonVersions=3.12,3.13` as a string.
 */
describe('the pythonVersions option of every executor that has it', () => {
  const combine = (schema: object, pythonVersions: unknown) => {
    // The required string options (wheel-smoke's artefactDir and importName) as an inferred target sets them.
    const names = 'required' in schema && Array.isArray(schema.required) ? (schema.required as string[]) : [];
    const required = Object.fromEntries(names.map((name) => [name, 'placeholder']));
    return combineOptionsForExecutor({ pythonVersions } as CommandLineOptions, '', { options: { ...required, pythonVersions: ['3.12', '3.13'] } }, schema as Schema, 'hello', '');
  };

  it.each([
    ['maturin-build', buildSchema],
    ['maturin-test', testSchema],
    ['wheel-smoke', smokeSchema],
  ])('%s accepts one version as a number or string, a comma-separated list and an array', (_, schema) => {
    expect(normalizePythonVersions(combine(schema, 3.12)['pythonVersions'])).toEqual(['3.12']);
    expect(normalizePythonVersions(combine(schema, '3.13')['pythonVersions'])).toEqual(['3.13']);
    expect(normalizePythonVersions(combine(schema, '3.12,3.13')['pythonVersions'])).toEqual(['3.12', '3.13']);
    // `--pythonVersions=3.10` would reach Nx as the number 3.1; a trailing comma keeps it a string.
    expect(normalizePythonVersions(combine(schema, '3.10,')['pythonVersions'])).toEqual(['3.10']);
    expect(normalizePythonVersions(combine(schema, ['3.12', '3.13'])['pythonVersions'])).toEqual(['3.12', '3.13']);
    expect(() => combine(schema, { version: '3.12' })).toThrow(/Property 'pythonVersions' does not match the schema/);
    expect(() => combine(schema, ['3.12', 'py3'])).toThrow(/Property 'pythonVersions' does not match the schema/);
  });
});
