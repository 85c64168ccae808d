import { runCaptured, runStreaming, WholeLines } from './run-process';

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


describe('runCaptured', () => {
  it('returns the output without its final line break, with secrets redacted', async () => {
    const result = await runCaptured(process.execPath, ['-e', "console.log('token s3cret'); console.error('line 1\\nline 2')"], { cwd: process.cwd(), secrets: ['s3cret'] });
    expect(result).toEqual({ stdout: 'token ***', stderr: 'line 1\nline 2', exitCode: 0 });
  });

  it("runs the tool in this process's environment, extended by the given one, where undefined removes a variable", async () => {
    const env = { ...process.env, NX_MATURIN_SPEC_SET: 'yes', HOME: undefined };
    const { stdout } = await runCaptured(process.execPath, ['-e', 'console.log(JSON.stringify([process.env.NX_MATURIN_SPEC_SET, "HOME" in process.env]))'], { cwd: process.cwd(), env });
    expect(JSON.parse(stdout)).toEqual(['yes', false]);
  });

  it('a missing tool is named as not installed', async () => {
    await expect(runCaptured('nx-maturin-no-such-tool', ['--version'], { cwd: process.cwd() })).rejects.toThrow(
      '`nx-maturin-no-such-tool --version` failed:\nnx-maturin-no-such-tool is not installed or not on PATH',
    );
  });

  it('a failing tool is an error carrying its exit code and stderr', async () => {
    await expect(runCaptured(process.execPath, ['-e', "console.error('bad manifest'); process.exit(101)"], { cwd: process.cwd() })).rejects.toMatchObject({
      exitCode: 101,
      output: 'bad manifest',
    });
  });
});
