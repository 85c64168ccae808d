import { setTimeout as sleep } from 'node:timers/promises';
import { displayUrl, IndexUnreachableError, listPublishedFiles, type PublishedFiles } from '../../../lib/index-client/index-client';

/**
 * The index's files for one distribution, read with the same bounded retries as an upload, so "index down" fails the
 * same way everywhere. It fails closed: the listing is what the version check and the skipping of files already
 * uploaded stand on, and a release that cannot be checked is the one that may hide behind a newer version for good.
 */
export async function listPublishedFilesWithRetries(
  indexUrl: string,
  distribution: string,
  retries: { attempts: number; delayMs: number },
): Promise<PublishedFiles> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await listPublishedFiles(indexUrl, distribution);
    } catch (error) {
      if (!(error instanceof IndexUnreachableError)) throw error;
      if (attempt >= retries.attempts) {
        throw new Error(
          `Nothing was uploaded: the index did not answer after ${attempt} attempts with backoff (${error.message}), so neither the versions ` +
            `of ${distribution} it already has nor the files already uploaded could be read. ` +
            'Next step: check the URL and that the index is up, then rerun; files already uploaded are skipped.',
        );
      }
      const delay = retries.delayMs * 2 ** (attempt - 1);
      console.log(`Listing ${displayUrl(indexUrl)} failed (${error.message}); retrying in ${delay} ms.`);
      await sleep(delay);
    }
  }
}
