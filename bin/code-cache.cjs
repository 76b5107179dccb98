'use strict';
// Runs a bundle of scripts/bundle.mjs (the CLI, dist/bundle/qualify.cjs, and each worker thread's
// dist/bundle/workers/NAME.body.cjs; copied there as code-cache.cjs) compiled from a V8 code cache kept in
// dist/bundle/.cache. A cache is keyed by the bundle (the sha256 its build stamped on its first line, with
// the file's size and modification time, or the sha256 of the whole source where there is no stamp),
// Node's version, the architecture and the flags: a stale or foreign cache is never used (V8 itself also
// refuses one). Nothing is cached, and nothing fails, where the folder is not writable.
const { isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

/** The first line of a bundle as scripts/bundle.mjs writes it: the sha256 of the lines after it. */
const STAMP = /^\/\/ sha256 ([0-9a-f]{64}) of the lines below\n/;

/** A bundle's source (its build makes it ASCII: read as one-byte text) and the key of its code cache. */
function readSource(file) {
  const bytes = readFileSync(file);
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const stamp = STAMP.exec(source.slice(0, 100));
  const st = statSync(file);
  return {
    source,
    key: createHash('sha256')
      .update(stamp ? `${stamp[1]}\0${st.size}\0${st.mtimeMs}` : source)
      .update(`\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}`)
      .digest('hex')
      .slice(0, 16),
  };
}

/**
 * Compiles and runs the bundle `file` as a CommonJS module, through the cache `name` in `cacheDir`.
 * Returns its exports and `save`, which writes a new cache (once the code has run, so that the functions
 * it compiled are in it) when there was none or V8 refused it.
 */
function load(file, cacheDir, name) {
  const { source, key } = readSource(file);
  const cacheFile = join(cacheDir, `${name}-${key}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const fresh = !cachedData || script.cachedDataRejected;
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const save = () => {
    if (!fresh) return;
    const tmp = `${cacheFile}.${process.pid}.${require('node:worker_threads').threadId}.tmp`;
    try {
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing written
      }
    }
  };
  return { exports: module.exports, save };
}

/** A worker thread's entry (dist/bundle/workers/NAME.cjs): runs NAME.body.cjs, saving a new cache when the thread exits. */
function run(file) {
  const name = `worker-${file.split(/[\\/]/).pop().replace(/\.body\.cjs$/, '')}`;
  const { save } = load(file, join(dirname(file), '..', '.cache'), name);
  process.once('exit', save);
}

module.exports = { load, run };
