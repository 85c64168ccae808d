import type { ExecutorContext } from '@nx/devkit';
import { relative } from 'node:path';
import { startLocalIndex } from '../../lib/local-index/local-index';
import { normalizeOptions } from './lib/normalize-options';
import type { ServeIndexExecutorSchema } from './schema';

/**
 * A continuous target: yields success once the index answers, then stays alive until Nx (or Ctrl-C) stops the
 * process, stopping pypiserver on the way out.
 */
export default async function* serveIndexExecutor(
  options: ServeIndexExecutorSchema,
  context: ExecutorContext,
): AsyncGenerator<{ success: boolean; baseUrl?: string }> {
  const normalized = normalizeOptions(options, context.root);
  const index = await startLocalIndex({ workspaceRoot: context.root, storageDir: normalized.storageDir, port: normalized.port, authenticateUploads: normalized.authenticateUploads, signals: 'caller' });
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  let onSignal = () => {};
  const stopped = new Promise<void>((resolve) => (onSignal = resolve));
  for (const signal of signals) process.once(signal, onSignal);
  try {
    console.log(`Local package index running at ${index.indexUrl} (packages in ${relative(context.root, index.storageDir) || index.storageDir})`);
    console.log(`  install: pip install --index-url ${index.indexUrl} <name>==<version>`);
    if (index.credentials) {
      console.log(`  upload:  ${index.uploadUrl} as user "${index.credentials.username}"; the password is in ${relative(context.root, index.credentials.credentialsFile)}`);
    } else {
      console.log(`  upload:  ${index.uploadUrl} without authentication (authenticateUploads is false)`);
    }
    yield { success: true, baseUrl: index.indexUrl };
    await stopped;
  } finally {
    for (const signal of signals) process.removeListener(signal, onSignal);
    await index.stop();
  }
}
