#!/usr/bin/env node
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`qualify: internal error: ${err && err.message ? err.message : err}\n`); process.exitCode = 70; },
);
