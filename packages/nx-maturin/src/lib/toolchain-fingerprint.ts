import { execa } from 'execa';
import { findPythonInterpreters } from './python-discovery';
import { workspaceTool } from './workspace-tools';

/**
 * One line per fact a wheel or test result depends on besides the sources. Paths are left out on purpose: two
 * checkouts of the same platform must share cache entries, and two platforms never may.
 */
export async function describeToolchain(workspaceRoot: string, pythonVersions: readonly string[]): Promise<string> {
  const [rustc, maturin, interpreters] = await Promise.all([
    toolVersion('rustc', ['-vV']),
    toolVersion(workspaceTool(workspaceRoot, 'maturin'), ['--version']),
    findPythonInterpreters(pythonVersions),
  ]);
  const libc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    ?.glibcVersionRuntime;
  return [
    `platform ${process.platform} ${process.arch}${libc ? ` glibc ${libc}` : ''}`,
    rustc,
    maturin,
    ...interpreters.map((interpreter) => `CPython ${interpreter.version}`),
  ].join('\n');
}

async function toolVersion(executable: string, args: string[]): Promise<string> {
  const result = await execa(executable, args, { reject: false });
  if (result.failed) return `${executable}: unavailable`;
  // rustc -vV lists host and LLVM too, which decide the wheels as much as the version does.
  return result.stdout.trim().split('\n').filter((line) => !line.startsWith('commit-date')).join(' | ');
}
