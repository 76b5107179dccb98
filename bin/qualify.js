#!/usr/bin/env node
// Runs the CLI: dist/cli/main.js (built by `npm run build`) maps argv to a command and an exit code.
'use strict';
import('../dist/cli/main.js').then(
  (m) => m.main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }),
  (err) => {
    process.stderr.write(`qualify: internal error: ${err && err.message ? err.message : err}\n`);
    process.exitCode = 70;
  },
).catch((err) => {
  process.stderr.write(`qualify: internal error: ${err && err.message ? err.message : err}\n`);
  process.exitCode = 70;
});
