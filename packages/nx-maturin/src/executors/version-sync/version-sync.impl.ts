import { logger, type ExecutorContext } from '@nx/devkit';
import { agreedVersion, formatVersionTable, readVersionSources, VersionMismatchError } from '../../lib/versions/version-sources';
import { semverToPep440 } from '../../lib/versions/pep440';
import { writeVersion } from '../../lib/versions/write-version';
import { normalizeOptions } from './lib/normalize-options';
import type { VersionSyncExecutorSchema } from './schema';

export default async function versionSyncExecutor(options: VersionSyncExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  try {
    const normalized = normalizeOptions(options, context);
    if (normalized.write !== undefined && context.target?.cache !== false) {
      throw new Error(
        `--write changes files, which a cached target may replay without writing; run it on the uncached target: ` +
          `nx run ${normalized.check.projectName}:version-write --write=${normalized.write}`,
      );
    }
    if (normalized.write !== undefined) {
      const { changedFiles } = await writeVersion(normalized.check, normalized.write);
      logger.info(
        changedFiles.length === 0
          ? `Every writable source already states ${normalized.write}.`
          : `Wrote ${normalized.write} (PEP 440 ${semverToPep440(normalized.write)}) to ${changedFiles.join(', ')}.`,
      );
    }
    const sources = await readVersionSources(normalized.check);
    const version = agreedVersion(sources);
    if (version === undefined) {
      logger.error(new VersionMismatchError(normalized.check.projectName, sources).message);
      return { success: false };
    }
    logger.info(`${formatVersionTable(sources)}\nAll ${sources.length} version sources of ${normalized.check.projectName} agree on ${version} (PEP 440 ${semverToPep440(version)}).`);
    return { success: true };
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    return { success: false };
  }
}
