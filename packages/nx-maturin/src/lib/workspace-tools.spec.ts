import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configuredToolsVenv, findToolExecutable, MissingToolError, resolveTool, resolveToolPython, toolsPathEnv } from './workspace-tools';

describe('workspace-tools', () => {
  let root: string;
  const executable = (path: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '#!/bin/sh\n');
    chmodSync(join(root, path), 0o755);
  };
  const env = (...dirs: string[]) => ({ PATH: dirs.map((dir) => join(root, dir)).join(':') });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'workspace-tools-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('looks in the toolsVenv of nx.json, then the workspace .venv, then PATH', () => {
    writeFileSync(join(root, 'nx.json'), JSON.stringify({ plugins: [{ plugin: '@codetracer/nx-maturin', options: { toolsVenv: 'tools/venv' } }] }));
    executable('path-bin/maturin');
    expect(findToolExecutable(root, 'maturin', env('path-bin'))).toBe(join(root, 'path-bin', 'maturin'));
    executable('.venv/bin/maturin');
    expect(findToolExecutable(root, 'maturin', env('path-bin'))).toBe(join(root, '.venv', 'bin', 'maturin'));
    executable('tools/venv/bin/maturin');
    expect(configuredToolsVenv(root)).toBe(join(root, 'tools', 'venv'));
    expect(resolveTool(root, 'maturin', env('path-bin'))).toEqual({ file: join(root, 'tools', 'venv', 'bin', 'maturin'), args: [], origin: join(root, 'tools', 'venv', 'bin') });
    expect(toolsPathEnv(root, env('path-bin'))['PATH']).toBe([join(root, 'tools', 'venv', 'bin'), join(root, '.venv', 'bin'), join(root, 'path-bin')].join(':'));
  });

  it('runs a pinned tool nobody installed through uv tool run, and its Python with the package importable', () => {
    executable('path-bin/uv');
    expect(resolveTool(root, 'twine', env('path-bin'))).toMatchObject({ file: join(root, 'path-bin', 'uv'), args: ['tool', 'run', '--quiet', '--from', 'twine==7.0.0', 'twine'] });
    expect(resolveToolPython(root, 'pypi-server', env('path-bin')).args).toEqual(['tool', 'run', '--quiet', '--from', 'pypiserver[passlib]==2.4.2', 'python']);
  });

  it('says in one line how to get a missing tool, with no path into any repository', () => {
    const missingUv = () => resolveTool(root, 'uv', env('empty'));
    expect(missingUv).toThrow(MissingToolError);
    expect(missingUv).toThrow(/^uv not found \(looked in the plugin option toolsVenv, \.venv, PATH\): install uv \(https:\/\/docs\.astral\.sh\/uv\/getting-started\/installation\/, e\.g\. `pipx install uv`\) or put it on PATH$/);
    expect(() => resolveTool(root, 'maturin', env('empty'))).toThrow(
      'maturin not found (looked in the plugin option toolsVenv, .venv, PATH): install maturin[zig]==1.16.0 there, or install uv',
    );
    expect(() => resolveTool(root, 'maturin', env('empty'))).not.toThrow(/\n|bootstrap|\.tools/);
  });
});
