import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { INTERPRETERS, pluginModule, TOOLS_BIN } from './workspace.mjs';
import { join } from 'node:path';

function firstLine(file, args) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0];
  } catch {
    return `${file} not found`;
  }
}

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((entry) => entry.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {
    // Not Linux: os.cpus() has the same string.
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

function osName() {
  try {
    const pretty = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)"?/m);
    if (pretty) return `${pretty[1]}, kernel ${os.release()} (${os.arch()})`;
  } catch {
    // Not Linux.
  }
  return `${os.type()} ${os.release()} (${os.arch()})`;
}

/** What the figures were measured on; written above every table. */
export async function describeMachine() {
  const { findPythonInterpreter } = pluginModule('lib/python-discovery');
  const pythons = [];
  for (const version of INTERPRETERS) {
    try {
      const interpreter = await findPythonInterpreter(version);
      pythons.push(`CPython ${interpreter.version} (${interpreter.executable})`);
    } catch (error) {
      pythons.push(`CPython ${version}: not found (${error.message.split('\n')[0]})`);
    }
  }
  return {
    cpu: cpuModel(),
    cores: os.cpus().length,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: osName(),
    pythons,
    rustc: firstLine('rustc', ['-V']),
    node: process.version,
    maturin: firstLine(join(TOOLS_BIN, 'maturin'), ['--version']),
    uv: firstLine(join(TOOLS_BIN, 'uv'), ['--version']),
  };
}

export function machineMarkdown(machine) {
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} cores; memory ${machine.memory}`,
    `- OS: ${machine.os}`,
    `- Python: ${machine.pythons.join('; ')}`,
    `- Toolchain: ${machine.rustc}; ${machine.maturin}; ${machine.uv}; Node.js ${machine.node}`,
  ].join('\n');
}
