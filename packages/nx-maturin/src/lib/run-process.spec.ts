import { forDisplay, runStreaming, WholeLines } from './run-process';

describe('WholeLines', () => {
  it('joins partial writes into the line they belong to', () => {
    const lines: string[] = [];
    const whole = new WholeLines((line) => lines.push(line));
    for (const chunk of ['   Compiling', ' proc-macro2 v1.0.107\n🐍 Found ', 'CPython 3.13 at /x\n', '3', '.', '13\n']) whole.push(chunk);
    whole.end();
    expect(lines).toEqual(['   Compiling proc-macro2 v1.0.107', '🐍 Found CPython 3.13 at /x', '3.13']);
  });

  it('keeps a multi-byte character split across two chunks whole', () => {
    const lines: string[] = [];
    const whole = new WholeLines((line) => lines.push(line));
    const snake = Buffer.from('🐍 ok\n');
    whole.push(snake.subarray(0, 2));
    whole.push(snake.subarray(2));
    whole.end();
    expect(lines).toEqual(['🐍 ok']);
  });

  it('shows what a terminal would after carriage returns, and keeps blank lines', () => {
    const lines: string[] = [];
    const whole = new WholeLines((line) => lines.push(line));
    whole.push('10%\r50%\r100%\n\nwindows line\r\nlast without newline');
    whole.end();
    expect(lines).toEqual(['100%', '', 'windows line', 'last without newline']);
  });

  it('lets a partial line out after the idle time rather than holding it forever', async () => {
    const lines: string[] = [];
    const whole = new WholeLines((line) => lines.push(line), 20);
    whole.push('Password: ');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(lines).toEqual(['Password: ']);
    whole.end();
    expect(lines).toEqual(['Password: ']);
  });
});

describe('runStreaming', () => {
  const tool = [
    '-e',
    "const w = (s) => new Promise((r) => process.stderr.write(s, () => setTimeout(r, 30)));" +
      "(async () => { await w('   \\u001b[32mCompiling\\u001b[0m'); await w(' crate v1\\n'); await w('warn'); await w('ing: x\\n'); process.stdout.write('done\\n'); })()",
  ];

  it('off a terminal, passes every partial write on as part of a whole line without colour codes', async () => {
    const captured: string[] = [];
    const stdoutWrite = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (captured.push(String(chunk)), true));
    const stderrWrite = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (captured.push(String(chunk)), true));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const wasTTY = process.stdout.isTTY;
    process.stdout.isTTY = false;
    try {
      await runStreaming(process.execPath, tool, { cwd: process.cwd() });
    } finally {
      process.stdout.isTTY = wasTTY;
      stdoutWrite.mockRestore();
      stderrWrite.mockRestore();
      log.mockRestore();
    }
    expect(captured.sort()).toEqual(['   Compiling crate v1\n', 'done\n', 'warning: x\n']);
  });

  it.each([
    [false, 'Prepared 1 package in 21ms'],
    [true, '\u001b[2mPrepared \u001b[1m1 package\u001b[0m in 21ms'],
  ])('shows captured output without colour codes unless on a terminal (terminal: %s)', (onTerminal, shown) => {
    const wasTTY = process.stdout.isTTY;
    process.stdout.isTTY = onTerminal;
    try {
      expect(forDisplay('\u001b[2mPrepared \u001b[1m1 package\u001b[0m in 21ms')).toBe(shown);
    } finally {
      process.stdout.isTTY = wasTTY;
    }
  });

  it('a failing tool names the command and carries the tail of its output', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const stderrWrite = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const wasTTY = process.stdout.isTTY;
    process.stdout.isTTY = false;
    try {
      await expect(runStreaming(process.execPath, ['-e', "console.error('no such crate'); process.exit(3)"], { cwd: process.cwd() })).rejects.toThrow(
        /failed with exit code 3:\nno such crate/,
      );
    } finally {
      process.stdout.isTTY = wasTTY;
      stderrWrite.mockRestore();
      log.mockRestore();
    }
  });
});

