// V8's code cache for the CLI bundle's chunks (Node 20 has no module.enableCompileCache): the
// bytecode of every function a chunk ran, saved as the first command that loads it exits, spares
// later commands parsing and compiling it (~4 ms of CPU for a listing, which loads ~250 KB of JS).
// The cache sits beside the bundle by default, so whoever may change the cache may change the
// code it caches. V8 refuses a cache made by another V8, other flags or other source; such a
// chunk is compiled as usual and its cache written again. A directory that cannot be written
// (a read-only install) only means no cache.
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { basename, dirname, join } = require('node:path');
const { Script } = require('node:vm');

/**
 * One of the bundle's chunks, by its file name: loaded as require loads a CommonJS file, without
 * searching for it first (a stat and a realpath of every directory above it, for each of the ~30
 * chunks a command loads).
 */
function loadChunk(filename, parent) {
  const cached = Module._cache[filename];
  if (cached) return cached.exports;
  const chunk = new Module(filename, parent);
  Module._cache[filename] = chunk;
  try {
    chunk.load(filename);
  } catch (error) {
    delete Module._cache[filename];
    throw error;
  }
  return chunk.exports;
}

/**
 * Chunks in `bundle` load through a code cache kept in `cacheDir`, each file named with the
 * bundle's `build` (its digest): V8 checks a cache against its source's length only. Commands
 * run with other V8 flags name their `variant`: V8 refuses a cache made under other flags, and
 * one file for both would be rewritten at each change of command.
 */
function useCodeCache(bundle, cacheDir, build, variant) {
  const compile = Module.prototype._compile;
  /** Scripts compiled without a usable cache, and where theirs goes. */
  const uncached = [];
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (dirname(filename) !== bundle) return compile.call(this, content, filename);
    const cacheFile = join(cacheDir, `${[basename(filename), build, variant].filter(Boolean).join('.')}.v8`);
    let cachedData;
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    // Node's own wrapper, so the chunk sees exactly what a CommonJS module sees.
    const script = new Script(Module.wrap(content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) uncached.push({ script, cacheFile });
    const require = (id) => (id.startsWith('./') && id.endsWith('.cjs') ? loadChunk(join(bundle, id.slice(2)), this) : this.require(id));
    return script.runInThisContext().call(this.exports, this.exports, require, this, filename, bundle);
  };
  process.once('exit', () => {
    if (uncached.length === 0) return;
    try {
      // Not recursive: Node 20's recursive mkdir spins forever where a parent refuses (ENOENT in /proc).
      if (!existsSync(cacheDir)) mkdirSync(cacheDir);
      for (const { script, cacheFile } of uncached) {
        // Renamed into place: a command starting meanwhile reads a whole cache or none.
        const partial = `${cacheFile}.${process.pid}`;
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, cacheFile);
      }
    } catch {
      // No cache this time; the command's output is unaffected.
    }
  });
}

module.exports = { useCodeCache };
