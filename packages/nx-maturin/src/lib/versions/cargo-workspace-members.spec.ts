import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { membersInheritingWorkspaceVersion } from './cargo-workspace-members';

describe('membersInheritingWorkspaceVersion', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const crate = (path: string, name: string, version: string, extra = '') => write(`${path}/Cargo.toml`, `[package]\nname = "${name}"\n${version}\n${extra}`);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cargo-members-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('lists members from globs, the root package and path dependencies inside the workspace, minus excluded ones', () => {
    write(
      'Cargo.toml',
      '[workspace]\nmembers = ["crates/*", "bindings/py"]\nexclude = ["crates/fuzz"]\n\n[workspace.package]\nversion = "1.0.0"\n\n' +
        '[workspace.dependencies]\nshared = { path = "shared" }\n\n[package]\nname = "root-tool"\nversion.workspace = true\n',
    );
    crate('crates/core', 'core', 'version.workspace = true', '\n[dependencies]\nhelper = { path = "../../helper" }\nshared = { workspace = true }\n');
    crate('crates/own-scheme', 'own-scheme', 'version = "0.3.0"');
    crate('crates/fuzz', 'fuzz', 'version.workspace = true');
    crate('bindings/py', 'py', 'version = { workspace = true }');
    crate('helper', 'helper', 'version.workspace = true');
    crate('shared', 'shared', 'version.workspace = true');
    write('crates/not-a-crate/README.md', 'no manifest here\n');
    expect(membersInheritingWorkspaceVersion(join(root, 'Cargo.toml')).sort()).toEqual(['core', 'helper', 'py', 'root-tool', 'shared']);
  });
});
