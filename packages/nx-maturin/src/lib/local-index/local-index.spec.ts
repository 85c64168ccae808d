import { execa } from 'execa';
import { join } from 'node:path';
import { createTempWorkspace, type TempWorkspace } from '../../test-support/temp-workspace';

jest.setTimeout(2 * 60_000);

/** pypiserver takes a moment to exit after SIGTERM: poll until the port refuses, within a bound. */
async function stopsAnswering(url: string, withinMs: number): Promise<boolean> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1_000) });
    } catch {
      return true;
    }
  }
  return false;
}

describe('local index', () => {
  let ws: TempWorkspace;
  beforeEach(() => {
    ws = createTempWorkspace();
  });
  afterEach(() => ws.remove());

  it.each(['SIGINT', 'SIGTERM'] as const)('stops pypiserver when the process that started it gets %s', async (signal) => {
    // The compiled module, as Nx runs it: a task process started by nx, interrupted by Ctrl-C or by nx itself.
    const compiled = join(__dirname, '..', '..', '..', 'dist', 'lib', 'local-index', 'local-index.js');
    const script = [
      `const { startLocalIndex } = require(${JSON.stringify(compiled)});`,
      `startLocalIndex({ workspaceRoot: ${JSON.stringify(ws.root)} }).then((index) => console.log(index.indexUrl));`,
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const owner = execa(process.execPath, ['-e', script], { reject: false, buffer: false, stdout: 'pipe' });
    const indexUrl = await new Promise<string>((resolve) => owner.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
    expect((await fetch(indexUrl)).status).toBe(200);

    owner.kill(signal);
    const ended = await owner;
    expect(ended.signal).toBe(signal);
    expect(await stopsAnswering(indexUrl, 10_000)).toBe(true);
  });
});
