import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCratesEntry, LocalCratesMemo } from './local-crates';
import type { MaturinProject } from './maturin-project';

interface Entries {
  /** Parsed layouts keyed by the manifests' content hash. */
  layouts: Record<string, MaturinProject>;
  /** Local crate closures keyed by the crate's manifest, each checked against the manifests it was read from. */
  localCrates: Record<string, LocalCratesEntry>;
}

/**
 * What inference remembers between graph computations, in one JSON file per plugin version and options hash under
 * Nx's workspace data folder. Written through public Node APIs only: `@nx/devkit/internal`'s PluginCache changed
 * shape between Nx releases. Entries not used by a run are dropped when it writes, so the file never grows stale.
 */
export class LayoutCache implements LocalCratesMemo {
  readonly file: string;
  private readonly layouts: Table<MaturinProject>;
  private readonly localCrates: Table<LocalCratesEntry>;

  constructor(workspaceRoot: string, optionsHash: string) {
    const dataDirectory = process.env['NX_WORKSPACE_DATA_DIRECTORY'] ?? join(workspaceRoot, '.nx', 'workspace-data');
    this.file = join(dataDirectory, `nx-maturin-${optionsHash}.hash`);
    const previous = readEntries(this.file);
    this.layouts = new Table(previous.layouts);
    this.localCrates = new Table(previous.localCrates);
  }

  get(key: string): MaturinProject | undefined {
    return this.layouts.get(key);
  }

  set(key: string, layout: MaturinProject): void {
    this.layouts.set(key, layout);
  }

  getLocalCrates(manifestFile: string): LocalCratesEntry | undefined {
    return this.localCrates.get(manifestFile);
  }

  setLocalCrates(manifestFile: string, entry: LocalCratesEntry): void {
    this.localCrates.set(manifestFile, entry);
  }

  writeToDisk(): void {
    if (!this.layouts.changed && !this.localCrates.changed) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    // Written beside and renamed, so a graph computed in parallel never reads half a file.
    const temporary = `${this.file}.${process.pid}`;
    const entries: Entries = { layouts: this.layouts.current, localCrates: this.localCrates.current };
    writeFileSync(temporary, JSON.stringify(entries));
    renameSync(temporary, this.file);
  }
}

/** Entries read from disk, and those this run used or added: only the latter are written back. */
class Table<T> {
  readonly current: Record<string, T> = {};
  private added = false;

  constructor(private readonly previous: Record<string, T>) {}

  /** True when this run added an entry or left one unused. */
  get changed(): boolean {
    return this.added || Object.keys(this.current).length !== Object.keys(this.previous).length;
  }

  get(key: string): T | undefined {
    const entry = this.previous[key] ?? this.current[key];
    if (entry !== undefined) this.current[key] = entry;
    return entry;
  }

  set(key: string, entry: T): void {
    this.current[key] = entry;
    this.added = true;
  }
}

function readEntries(file: string): Entries {
  const empty = { layouts: {}, localCrates: {} };
  if (!existsSync(file)) return empty;
  try {
    const entries = JSON.parse(readFileSync(file, 'utf8')) as Partial<Entries>;
    return { layouts: entries.layouts ?? {}, localCrates: entries.localCrates ?? {} };
  } catch {
    return empty; // A damaged cache is only a slower run.
  }
}
