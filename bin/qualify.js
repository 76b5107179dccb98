#!/usr/bin/env node
// Runs the CLI. The bundles (dist/bundle/qualify.cjs and pdf.cjs, made by npm run build) are compiled
// from V8 code caches kept beside them (dist/bundle/.cache), one per command, bundle, Node version and
// flags, keyed by the bundle's own sha256: a stale or foreign cache is never used (V8 also refuses one
// from another version or other flags). A cache is written after the first run of a command, next to
// the code it speeds up: whoever can write it can write the bundle itself.
// Without the bundles, dist/cli/main.js is the same code as separate ES modules.
// CommonJS (bin/package.json): Node starts a CommonJS entry ~6 ms sooner than an ES module one.
'use strict';
performance.mark('qualify:bin');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const vm = require('node:vm');

const argv = process.argv.slice(2);
const dir = join(__dirname, '..', 'dist', 'bundle');
const command = /^[a-z]{1,20}$/.test(argv[0] ?? '') ? argv[0] : 'help';
const loaded = new Map();

function internalError(err) {
  process.stderr.write(`qualify: internal error: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 70;
}

/** Loads dist/bundle/<name>.cjs once, through its code cache when there is a valid one. */
function load(name) {
  const done = loaded.get(name);
  if (done) return done.module.exports;
  const file = join(dir, `${name}.cjs`);
  // ASCII only (scripts/bundle.mjs checks): latin1 is the same text, without a UTF-8 decode.
  const bytes = readFileSync(file);
  const key = createHash('sha256').update(bytes).update(`\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}`).digest('hex').slice(0, 16);
  const cacheFile = join(dir, '.cache', `${command}-${name}-${key}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname, __qualifyLoad) {${bytes.toString('latin1')}\n})`;
  const script = new vm.Script(wrapper, { filename: file, cachedData });
  const module = { exports: {} };
  loaded.set(name, { script, cacheFile, fresh: !cachedData || script.cachedDataRejected, module });
  script.runInThisContext()(module.exports, createRequire(file), module, file, dir, load);
  return module.exports;
}

/** After a real command: writes the caches that were missing or refused; a failure costs nothing. */
function saveCaches(commands) {
  if (!commands?.includes(command)) return;
  for (const { script, cacheFile, fresh } of loaded.values()) {
    if (!fresh) continue;
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
  }
}

if (existsSync(join(dir, 'qualify.cjs'))) {
  let cli;
  try {
    cli = load('qualify');
    performance.mark('qualify:bundle');
  } catch (err) {
    internalError(err);
  }
  if (cli) {
    cli.main(argv).then(
      (code) => {
        performance.mark('qualify:returned');
        process.exitCode = code;
        saveCaches(cli.COMMAND_NAMES);
      },
      internalError,
    );
  }
} else {
  import('../dist/cli/main.js').then((m) => m.main(argv)).then((code) => { process.exitCode = code; }, internalError);
}
