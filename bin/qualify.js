#!/usr/bin/env node
// The bundle (scripts/bundle.mjs, part of npm run build) loads in a few files; dist/cli/main.js is the
// same code as separate modules (a build without the bundle step).
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/bundle/main.js', import.meta.url);
import(existsSync(bundled) ? bundled.href : '../dist/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`qualify: internal error: ${err && err.message ? err.message : err}\n`); process.exitCode = 70; },
);
