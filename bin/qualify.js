#!/usr/bin/env node
// Runs the CLI. dist/bundle/qualify.cjs (scripts/bundle.mjs: the CLI and its libraries packaged as one
// file) is compiled from a V8 code cache kept beside it in dist/bundle/.cache, one per command, keyed by
// the bundle's sha256, the Node version, the architecture and the flags: a stale or foreign cache is
// never used (V8 itself also refuses one). The first run of a command writes its cache; when the folder
// is not writable, nothing is cached and nothing fails. Without the bundle, dist/cli/main.js runs.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join, resolve } = require('node:path');
const vm = require('node:vm');

const argv = process.argv.slice(2);
const file = join(__dirname, '..', 'dist', 'bundle', 'qualify.cjs');
const command = /^[a-z]{1,20}$/.test(argv[0] ?? '') ? argv[0] : 'help';

function internalError(err) {
  process.stderr.write(`qualify: internal error: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 70;
}

/** Loads the bundle through its code cache; returns the module and a function that saves a new cache. */
function loadBundle() {
  const source = readFileSync(file, 'utf8');
  const key = createHash('sha256').update(source).update(`\0${process.version}\0${process.arch}\0${process.execArgv.join(' ')}`).digest('hex').slice(0, 16);
  const cacheFile = join(dirname(file), '.cache', `${command}-${key}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const fresh = !cachedData || script.cachedDataRejected;
  const save = () => {
    if (!fresh) return;
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
  return { cli: module.exports, save };
}

/**
 * `qualify render <file.md>`: the document's parse (its worker thread) starts now, while the CLI loads on
 * this thread; the render command uses it when it renders that very file against the same repository root
 * (src/cli/commands/render-source.ts), else ends it and parses as usual. Any other use of the arguments
 * is the command's: nothing here decides what they mean.
 */
function prefetchRender() {
  const worker = join(__dirname, '..', 'dist', 'bundle', 'workers', 'render-parse-worker.cjs');
  if (command !== 'render' || !existsSync(worker)) return;
  const files = argv.slice(1).filter((a) => a.endsWith('.md')).map((a) => resolve(a)).filter((f) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  });
  if (files.length !== 1) return;
  const { Worker } = require('node:worker_threads');
  const w = new Worker(worker, { workerData: { files, root: null } });
  const message = new Promise((done) => {
    w.once('message', done);
    w.once('error', (err) => done({ error: { family: 'internal', code: 'INTERNAL', message: err.message } }));
    w.once('exit', (code) => done({ error: { family: 'internal', code: 'INTERNAL', message: `the parse worker exited with code ${code}` } }));
  });
  globalThis.__qualifyRenderPrefetch = { file: files[0], worker: w, message };
}

if (existsSync(file)) {
  try {
    prefetchRender();
  } catch {
    // the command parses as usual
  }
  let loaded;
  try {
    loaded = loadBundle();
  } catch (err) {
    internalError(err);
  }
  if (loaded) {
    loaded.cli.main(argv).then((code) => {
      process.exitCode = code;
      if (loaded.cli.COMMAND_NAMES.includes(command)) loaded.save();
    }, internalError);
  }
} else {
  import('../dist/cli/main.js').then((m) => m.main(argv)).then((code) => {
    process.exitCode = code;
  }, internalError);
}
