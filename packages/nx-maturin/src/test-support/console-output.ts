/**
 * Collects what an executor prints through console.log/error/warn, so an integration spec stays quiet when it passes
 * and can show the executor's whole output when it fails. Undone by `jest.restoreAllMocks()`.
 */
export function collectConsoleOutput(): string[] {
  const output: string[] = [];
  const collect = (...parts: unknown[]) => void output.push(parts.join(' '));
  jest.spyOn(console, 'log').mockImplementation(collect);
  jest.spyOn(console, 'error').mockImplementation(collect);
  jest.spyOn(console, 'warn').mockImplementation(collect);
  return output;
}
