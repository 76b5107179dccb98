#!/usr/bin/env node
// Runs the CLI. dist/bundle/qualify.cjs (scripts/bundle.mjs: the CLI and its libraries packaged as one
// file) is compiled from a V8 code cache kept beside it in dist/bundle/.cache, one per command
// (code-cache.cjs: keyed so that a stale or foreign cache is never used). The first run of a command
// writes its cache once the command is done; when the folder is not writable, nothing is cached and
// nothing fails. Without the bundle, dist/cli/main.js runs.
'use strict';
const { existsSync, statSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const argv = process.argv.slice(2);
const file = join(__dirname, '..', 'dist', 'bundle', 'qualify.cjs');
const command = /^[a-z]{1,20}$/.test(argv[0] ?? '') ? argv[0] : 'help';

function internalError(err) {
  process.stderr.write(`qualify: internal error: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 70;
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
  let bundle;
  try {
    bundle = require('./code-cache.cjs').load(file, join(dirname(file), '.cache'), command);
  } catch (err) {
    internalError(err);
  }
  if (bundle) {
    bundle.exports.main(argv).then((code) => {
      process.exitCode = code;
      // Commands and help (also --version and --help): a mistyped command leaves no cache behind.
      if (command === 'help' || bundle.exports.COMMAND_NAMES.includes(command)) bundle.save();
    }, internalError);
  }
} else {
  import('../dist/cli/main.js').then((m) => m.main(argv)).then((code) => {
    process.exitCode = code;
  }, internalError);
}
