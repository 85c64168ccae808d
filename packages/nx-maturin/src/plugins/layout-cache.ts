import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MaturinProject } from './maturin-project';

/**
 * Parsed layouts keyed by the manifests' content hash, in one JSON file per plugin version and options hash under
 * Nx's workspace data folder. Written through public Node APIs only: `@nx/devkit/internal`'s PluginCache changed
 * shape between Nx releases. Entries not used by a run are dropped when it writes, so the file never grows stale.
 */
export class LayoutCache {
  readonly file: string;
  private readonly previous: Record<string, MaturinProject>;
  private readonly current: Record<string, MaturinProject> = {};
  private changed = false;

  constructor(workspaceRoot: string, optionsHash: string) {
    const dataDirectory = process.env['NX_WORKSPACE_DATA_DIRECTORY'] ?? join(workspaceRoot, '.nx', 'workspace-data');
    this.file = join(dataDirectory, `nx-maturin-${optionsHash}.hash`);
    this.previous = readEntries(this.file);
  }

  get(key: string): MaturinProject | undefined {
    const entry = this.previous[key] ?? this.current[key];
    if (entry !== undefined) this.current[key] = entry;
    return entry;
  }

  set(key: string, layout: MaturinProject): void {
    this.current[key] = layout;
    this.changed = true;
  }

  writeToDisk(): void {
    if (!this.changed && Object.keys(this.current).length === Object.keys(this.previous).length) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    // Written beside and renamed, so a graph computed in parallel never reads half a file.
    const temporary = `${this.file}.${process.pid}`;
    writeFileSync(temporary, JSON.stringify(this.current));
    renameSync(temporary, this.file);
  }
}

function readEntries(file: string): Record<string, MaturinProject> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, MaturinProject>;
  } catch {
    return {}; // A damaged cache is only a slower run.
  }
}
