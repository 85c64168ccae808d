'use strict';
// A V8 code cache for CommonJS modules on Node 20, which has no `module.enableCompileCache` (Nx switches that on
// itself from Node 22.8). Loaded with `--require` by `run.mjs --v8-code-cache` to measure what such a cache saves Nx's
// fixed cost; see design-docs/node-versions.md. The npm packages `v8-compile-cache` and `v8-compile-cache-lib` do the
// same but compile every module without a dynamic-import callback, so Nx's first `await import()` throws
// ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING.
//
// Each entry script (Nx's CLI, its forked task runner, ...) has one cache file in V8_CODE_CACHE_DIR: the code of
// every module it compiled, keyed by the module's path and the SHA-1 of its source. npm gives every file of a
// package the same mtime, so only the content tells an upgraded file from the old one (V8 itself checks just the
// source length). The code is taken at exit, after the run compiled the functions it called, so a later run gets
// those too. A module whose source holds `import(` is left to Node: on Node 20 code restored from a cache loses its
// dynamic-import callback.
const Module = require('node:module');
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync, appendFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const vm = require('node:vm');
const { Buffer } = require('node:buffer');
const { isMainThread } = require('node:worker_threads');

const directory = process.env.V8_CODE_CACHE_DIR;
if (directory && isMainThread) install(join(directory, `${createHash('sha1').update(process.argv[1] ?? '[eval]').digest('hex').slice(0, 16)}.bin`));

/** `{ path: { key, data } }` of a cache file: a little-endian header length, the JSON header, then the code. */
function readCacheFile(file) {
  const entries = new Map();
  try {
    const buffer = readFileSync(file);
    const headerLength = buffer.readUInt32LE(0);
    const header = JSON.parse(buffer.toString('utf8', 4, 4 + headerLength));
    for (const [path, key, start, end] of header) entries.set(path, { key, data: buffer.subarray(4 + headerLength + start, 4 + headerLength + end) });
  } catch {
    // A missing, partial or foreign file is an empty cache: every module compiles as without it.
  }
  return entries;
}

function writeCacheFile(file, entries) {
  const header = [];
  const parts = [];
  let offset = 0;
  for (const [path, { key, data }] of entries) {
    header.push([path, key, offset, offset + data.length]);
    parts.push(data);
    offset += data.length;
  }
  const headerBytes = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length);
  mkdirSync(dirname(file), { recursive: true });
  // Processes of one entry script can exit at once: each writes a whole file and renames it into place.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, Buffer.concat([length, headerBytes, ...parts]));
  renameSync(partial, file);
}

/** The `require` Node gives a module, built from Module's public parts. */
function requireFor(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

function install(file) {
  const entries = readCacheFile(file);
  const compiled = new Map();
  const counts = { restored: 0, compiled: 0, rejected: 0, left: 0 };
  const nodeCompile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCodeCache(content, filename, format) {
    // Node 22 and later also compile ES modules here (require(esm)); those stay Node's.
    if (format === 'module' || content.includes('import(')) {
      counts.left++;
      return nodeCompile.apply(this, arguments);
    }
    const key = createHash('sha1').update(content).digest('base64');
    const stored = entries.get(filename);
    const cachedData = stored?.key === key ? stored.data : undefined;
    let script;
    try {
      // A shebang is only valid at the very start of a script; as a comment it keeps the line numbers.
      script = new vm.Script(Module.wrap(content.startsWith('#!') ? `//${content}` : content), { filename, cachedData });
    } catch {
      // Not a CommonJS script (ES module syntax, which Node detects and loads itself): Node's own path decides.
      counts.left++;
      return nodeCompile.apply(this, arguments);
    }
    if (cachedData === undefined || script.cachedDataRejected) {
      counts[cachedData === undefined ? 'compiled' : 'rejected']++;
      compiled.set(filename, { key, script });
    } else {
      counts.restored++;
    }
    const moduleFunction = script.runInThisContext({ displayErrors: true });
    return moduleFunction.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
  process.once('exit', () => {
    if (process.env.V8_CODE_CACHE_REPORT) appendFileSync(process.env.V8_CODE_CACHE_REPORT, `${JSON.stringify({ entry: process.argv[1], ...counts })}\n`);
    if (compiled.size === 0) return;
    for (const [filename, { key, script }] of compiled) entries.set(filename, { key, data: script.createCachedData() });
    writeCacheFile(file, entries);
  });
}
