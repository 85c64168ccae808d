import { ProcessFailedError, runCaptured } from '../../../lib/run-process';
import { withHeartbeat } from './heartbeat';

describe('withHeartbeat', () => {
  let printed: string[];
  beforeEach(() => {
    printed = [];
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void printed.push(parts.join(' ')));
  });
  afterEach(() => jest.restoreAllMocks());

  // A build that prints nothing until it ends, as uv does for an sdist: a real process that sleeps, then exits.
  const silentBuild = (seconds: number, exitCode = 0) => () =>
    runCaptured(process.execPath, ['-e', `setTimeout(() => process.exit(${exitCode}), ${seconds * 1000})`], { cwd: process.cwd() });

  it('prints a line with the elapsed time while a silent build runs, and none after it ended', async () => {
    await withHeartbeat(silentBuild(1.2), 0.25, (seconds) => `still building demo.tar.gz (${seconds} s)`);
    const linesWhenDone = printed.length;
    expect(linesWhenDone).toBeGreaterThanOrEqual(2);
    for (const line of printed) expect(line).toMatch(/^still building demo\.tar\.gz \(\d+ s\)$/);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(printed).toHaveLength(linesWhenDone);
  });

  it('stops on a failed build and hands its error through whole', async () => {
    const failing = withHeartbeat(silentBuild(0.6, 7), 0.2, (seconds) => `still building (${seconds} s)`);
    await expect(failing).rejects.toThrow(ProcessFailedError);
    await expect(failing).rejects.toMatchObject({ exitCode: 7 });
    const linesWhenDone = printed.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(printed).toHaveLength(linesWhenDone);
  });

  it('prints nothing with an interval of 0', async () => {
    await withHeartbeat(silentBuild(0.3), 0, () => 'never');
    expect(printed).toEqual([]);
  });
});
