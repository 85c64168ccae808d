import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';

export type TomlTable = Record<string, unknown>;

/** A TOML file that could not be read or parsed; the message names the file, line and parser message. */
export class TomlFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${reason}`);
    this.name = 'TomlFileError';
  }
}

export function parseToml(text: string, file: string): TomlTable {
  try {
    return parse(text) as TomlTable;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new TomlFileError(file, error.line, `invalid TOML: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
}

export function readTomlFile(file: string): TomlTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TomlFileError(file, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseToml(text, file);
}

/** Reads `a.b.c` from nested tables, or undefined when any step is missing or not a table. */
export function tomlPath(table: TomlTable, path: readonly string[]): unknown {
  let current: unknown = table;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as TomlTable)[key];
  }
  return current;
}

export function tomlString(table: TomlTable, path: readonly string[]): string | undefined {
  const value = tomlPath(table, path);
  return typeof value === 'string' ? value : undefined;
}
