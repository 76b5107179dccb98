#!/usr/bin/env node
// Run benchmark: a generated 50-check protocol against the local Docker engine, executed by
// `qualify run` (a whole CLI process, record and evidence written), against an equivalent bash script
// doing the same 50 checks with the docker CLI and curl, on the same machine.
// qualify is measured twice: as shipped (record, report.md and report.pdf) and with --no-pdf (the record
// and report.md; report.pdf is rendered later by `qualify render` or the first `qualify sign`), the
// work the bash script's checks correspond to. Prints the wall times, the ratios, and where qualify's
// time goes (phase marks the run sets, read by bench/phases.cjs). Target (issue 10): the run with
// report.pdf under 1 s median and faster than the bash script.
// The CLI runs the ES modules of dist/ directly (bin/qualify.js imports dist/cli/main.js).
// One unmeasured warm-up run of each first: it puts node, the modules, the docker CLI, curl and the
// files in the page cache for both sides.
// Usage: npm run build && node bench/run.mjs   (needs the engine, busybox-static: scripts/setup.sh)
//   BENCH_RUNS=N   alternate N runs of each and print medians (default: 5)
//   BENCH_PROF=DIR write a V8 CPU profile of each qualify process to DIR

import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { benchProtocol } from './protocol.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const release = '1.4.2';
const name = `qualify-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
const tag = `qualify-bench-app:${release}-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'qualify-bench-run-'));

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function docker(...args) {
  const { stdout } = await run('docker', args);
  return stdout.trim();
}

// The same checks as a release engineer would script them.
function script(port, imageId) {
  const one = [
    `[ "$(docker inspect -f '{{.State.Status}} {{.RestartCount}}' "$C")" = "running 0" ] && pass || fail running`,
    `[ "$(docker inspect -f '{{.Image}}' "$C")" = "${imageId}" ] && pass || fail image`,
    `[ "$(docker inspect -f '{{.Config.User}}' "$C")" = "65534:65534" ] && pass || fail user`,
    `L="$(docker logs "$C" 2>&1)"; echo "$L" | grep -q "version ${release}" && ! echo "$L" | grep -q ERROR && pass || fail logs`,
    `[ "$(curl -s -o /tmp/qualify-bench-$$ -w '%{http_code}' http://127.0.0.1:${port}/version)" = 200 ] && grep -q '"version":"${release}"' /tmp/qualify-bench-$$ && pass || fail http`,
  ];
  const lines = one.flatMap((l) => Array(10).fill(l));
  return `#!/usr/bin/env bash\nC="$1"; P=0; F=0\npass() { P=$((P+1)); }\nfail() { F=$((F+1)); echo "FAIL $1"; }\n${lines.join('\n')}\nrm -f /tmp/qualify-bench-$$\necho "$P passed, $F failed"\n[ "$F" = 0 ]\n`;
}

let exit = 1;
try {
  await run('bash', [join(root, 'examples/app/build.sh'), tag, release, 'bench']);
  const port = await freePort();
  await docker('run', '-d', '--name', name, '--network', 'host', '--health-interval', '1s', '-e', `PORT=${port}`, tag);
  for (let i = 0; i < 100 && (await docker('inspect', '-f', '{{.State.Health.Status}}', name)) !== 'healthy'; i++) await new Promise((r) => setTimeout(r, 100));
  const imageId = await docker('inspect', '-f', '{{.Image}}', name);

  mkdirSync(join(dir, 'protocols'));
  writeFileSync(join(dir, 'qualify.yaml'), 'environments:\n  local: {}\ndefaults:\n  environment: local\n');
  writeFileSync(join(dir, 'protocols', 'QP-0900-bench.md'), benchProtocol(port, imageId));
  writeFileSync(join(dir, 'checks.sh'), script(port, imageId));

  const time = (cmd, args, options) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, ...r };
  };
  const phasesFile = join(dir, 'phases.json');
  const runOurs = (extra) => {
    const r = time(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []), '--require', join(root, 'bench/phases.cjs'), join(root, 'bin/qualify.js'), 'run', 'protocols/QP-0900-bench.md', '--param', `service=${name}`, '--param', `release=${release}`, ...extra], { cwd: dir, env: { ...process.env, CI: 'true', NO_COLOR: '1', BENCH_PHASES: phasesFile } });
    if (r.status !== 0) throw new Error(`qualify run exited ${r.status}:\n${r.stderr}`);
    const m = JSON.parse(readFileSync(phasesFile, 'utf8'));
    const pdf = m['qualify:pdf-done'] !== undefined ? m['qualify:pdf-done'] - m['qualify:pdf'] : null;
    return {
      total: r.ms,
      cpu: m['cpu:user'] + m['cpu:system'],
      node: m['qualify:bin'],
      startup: m['qualify:run'] - m['qualify:bin'],
      checks: m['qualify:checked'] - m['qualify:run'],
      record: m['qualify:done'] - m['qualify:checked'] - (pdf ?? 0),
      pdf,
      exit: r.ms - m['qualify:done'],
      summary: r.stderr.split('\n').find((l) => l.startsWith('PASS')),
    };
  };
  // The script under bash's `times`: the CPU time of the script and of every docker CLI and curl it ran.
  const runBash = () => {
    const r = time('bash', ['-c', 'bash "$@"; s=$?; times >&2; exit $s', 'bench', join(dir, 'checks.sh'), name]);
    if (r.status !== 0) throw new Error(`the bash script failed:\n${r.stdout}${r.stderr}`);
    const secs = r.stderr.trim().split('\n').slice(-2).flatMap((l) => l.trim().split(/\s+/)).map((v) => /^(\d+)m([\d.]+)s$/.exec(v)).filter(Boolean).map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000);
    return { total: r.ms, cpu: secs.reduce((a, b) => a + b, 0), summary: r.stdout.trim().split('\n').pop() };
  };
  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 5) || 5);
  runOurs([]);
  runOurs(['--no-pdf']);
  runBash();
  const full = [];
  const lean = [];
  const bash = [];
  for (let i = 0; i < runs; i++) {
    full.push(runOurs([]));
    lean.push(runOurs(['--no-pdf']));
    bash.push(runBash());
  }
  const median = (xs) => {
    const v = xs.filter((x) => x !== null).sort((a, b) => a - b);
    if (v.length === 0) return null;
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const q = (list, k) => median(list.map((o) => o[k]));
  const ms = (v) => (v === null ? 'none' : `${v.toFixed(0)} ms`).padStart(8);
  const bashMs = median(bash.map((b) => b.total));
  const fullMs = q(full, 'total');
  const leanMs = q(lean, 'total');
  console.log(`50 checks against the local Docker engine, median of ${runs} alternating runs each after one warm-up run, same machine`);
  const bashCpu = median(bash.map((b) => b.cpu));
  let load = '';
  try {
    load = `; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}, CPU pressure (10 s) ${/avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))[1]}%`;
  } catch {
    // not Linux
  }
  console.log(`  (wall time; CPU time of each process and its threads, and of bash with its docker CLI and curl children${load})`);
  console.log(`  bash script, docker CLI + curl                              ${ms(bashMs)}  CPU ${ms(bashCpu)}  [${bash[0].summary}]`);
  for (const [label, list, total] of [['qualify run --no-pdf (record, evidence, report.md)', lean, leanMs], ['qualify run (the same and report.pdf)', full, fullMs]]) {
    console.log(`  ${label.padEnd(58)}${ms(total)}  CPU ${ms(q(list, 'cpu'))}  ${(bashMs / total).toFixed(1)}x faster than bash (CPU ${(bashCpu / q(list, 'cpu')).toFixed(1)}x)  [${list[0].summary}]`);
    console.log(`    node start-up (to the preloaded phases.cjs)              ${ms(q(list, 'node'))}`);
    console.log(`    modules, documents, parameters (to the run)              ${ms(q(list, 'startup'))}`);
    console.log(`    engine facts, snapshot and the 50 checks                 ${ms(q(list, 'checks'))}  (${(bashMs / Math.max(1, q(list, 'checks'))).toFixed(0)}x bash)`);
    console.log(`    record, evidence, report.md written, audit trail         ${ms(q(list, 'record'))}`);
    console.log(`    report.pdf rendering                                     ${ms(q(list, 'pdf'))}`);
    console.log(`    exit (sockets closed, process gone)                      ${ms(q(list, 'exit'))}`);
  }
  const verdict = (total) => `${total < 1000 ? 'under 1 s' : 'OVER 1 s'}, ${total < bashMs ? `faster than bash (${(bashMs / total).toFixed(1)}x)` : 'NOT faster than bash'}`;
  console.log(`  target (< 1 s and faster than bash): --no-pdf ${verdict(leanMs)}; with report.pdf ${verdict(fullMs)}`);
  const ok = fullMs < 1000 && fullMs < bashMs;
  exit = ok ? 0 : 1;
} catch (err) {
  console.error(`bench/run: ${err.message}`);
} finally {
  if (process.argv.includes('--keep')) {
    // For profiling: leaves the container, image and folder; remove them by hand afterwards.
    console.log(`kept container ${name}, image ${tag}, folder ${dir}`);
  } else {
    await run('docker', ['rm', '-f', '-v', name]).catch(() => undefined);
    await run('docker', ['image', 'rm', tag]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
process.exitCode = exit;
