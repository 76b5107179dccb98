// Preloaded by bench/run.mjs (node --require: a CommonJS preload does not start the ES module loader,
// which would add ~6 ms to the process measured): at exit, writes the phase marks a qualify run set
// (performance.mark('qualify:...'), ms since the process started) to the file named by BENCH_PHASES.
'use strict';
const { writeFileSync } = require('node:fs');

// Node's own start-up ends here: everything after this mark is qualify's.
performance.mark('qualify:bin');

process.on('exit', () => {
  const out = process.env.BENCH_PHASES;
  if (!out) return;
  const marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
  // CPU time of the whole process (ms), beside the wall-clock marks.
  const cpu = process.cpuUsage();
  marks['cpu:user'] = cpu.user / 1000;
  marks['cpu:system'] = cpu.system / 1000;
  writeFileSync(out, JSON.stringify(marks));
});
