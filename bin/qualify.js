#!/usr/bin/env node
// Runs the CLI. The bundle (dist/bundle/qualify.cjs, made by npm run build) is compiled from a V8 code
// cache kept beside it, one per command, Node version and flags, keyed by the bundle's own hash: a
// stale or foreign cache is never used (V8 also refuses one from another version or other flags).
// Without the bundle, dist/cli/main.js is the same code as separate ES modules.
// CommonJS (bin/package.json): Node starts a CommonJS entry ~6 ms sooner than an ES module one.
'use strict';
performance.mark('qualify:bin');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const argv = process.argv.slice(2);
const bundle = join(__dirname, '..', 'dist', 'bundle', 'qualify.cjs');

function internalError(err) {
  process.stderr.write(`qualify: internal error: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 70;
}

/** Loads the bundle (through the code cache when there is a valid one); returns its exports and a cache writer. */
function loadBundle() {
  // ASCII only (scripts/bundle.mjs checks): latin1 is the same text, without a UTF-8 decode.
  const bytes = readFileSync(bundle);
  const source = bytes.toString('latin1');
  const key = createHash('sha256').update(bytes).update(`\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}`).digest('hex').slice(0, 16);
  const command = /^[a-z]{1,20}$/.test(argv[0] ?? '') ? argv[0] : 'help';
  const cacheFile = join(dirname(bundle), '.cache', `${command}-${key}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapper, { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  performance.mark('qualify:bundle');
  const saveCache = () => {
    // Only for a real command, and only when there was none or V8 refused it; a failure costs nothing.
    if ((cachedData && !script.cachedDataRejected) || !module.exports.COMMAND_NAMES?.includes(command)) return;
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
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
  return { main: module.exports.main, saveCache };
}

if (existsSync(bundle)) {
  let loaded;
  try {
    loaded = loadBundle();
  } catch (err) {
    internalError(err);
  }
  if (loaded) {
    loaded.main(argv).then(
      (code) => {
        process.exitCode = code;
        loaded.saveCache();
      },
      internalError,
    );
  }
} else {
  import('../dist/cli/main.js').then((m) => m.main(argv)).then((code) => { process.exitCode = code; }, internalError);
}
