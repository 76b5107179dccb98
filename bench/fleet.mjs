#!/usr/bin/env node
// Fleet benchmark (issue 11): 5 extra Docker engines started here (own sockets, data roots and bridges,
// test/helpers/dockerd.mjs, the tests' safe bridge setup; stopped at the end by their pids), 10 replicas
// of the example application on each, and a protocol of 50 check blocks that fans out over them:
//   10 x container.running, 10 x container.image, 10 x container.config of one replica by name (on each target),
//   10 x container.running of the label app=bench (10 replicas on each target),
//    5 x container.image with each: replica (one step per replica on each target),
//    5 x http.get of one replica per target.
// `qualify run` (a whole CLI process: record, evidence, report.md; --no-pdf) against the environment of
// 5 targets is timed beside the same protocol against an environment of 1 of those engines, and beside
// a bash script doing the same checks with `docker -H ...` and curl per target, in the same run.
// Targets: the fleet run at least 5x faster than the script, and less than 2x the single-engine run.
// Images: the example application built once on the main engine and copied into each engine
// (docker save | docker -H ... load): no registry, no pulls; container.image compares image ids.
// Usage: npm run build && node bench/fleet.mjs   (root: starts dockerd instances; scripts/setup.sh)
//   BENCH_RUNS=N   alternate N runs of each side and print medians (default: 3)
//   BENCH_PROF=DIR write a V8 CPU profile of each qualify process to DIR

import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freeTcpPort, startDockerd } from '../test/helpers/dockerd.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const release = '1.4.2';
const tag = `qualify-bench-fleet:${release}-${process.pid}-${randomBytes(2).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'qualify-bench-fleet-'));
const ENGINES = 5;
const REPLICAS = 10;

/** The protocol: 50 check blocks; `targets` default to every target of the environment. */
function fleetProtocol(imageId, urls) {
  const repeat = (n, check) => Array.from({ length: n }, (_, i) => `\`\`\`check\n${check(i + 1)}\n\`\`\`\n`).join('\n');
  const sections = [
    ['IQ-01 Each replica runs, by name', repeat(10, (n) => `type: container.running\ncontainer: app-${n}\nexpect:\n  state: running\n  restarts: { lte: 0 }`)],
    ['IQ-02 Each replica runs the approved image, by name', repeat(10, (n) => `type: container.image\ncontainer: app-${n}\nexpect:\n  image_id: "${imageId}"`)],
    ['IQ-03 Each replica runs as the unprivileged user', repeat(10, (n) => `type: container.config\ncontainer: app-${n}\nexpect:\n  user: "65534:65534"`)],
    ['IQ-04 Ten replicas run on every host', repeat(10, () => 'type: container.running\nlabel: app=bench\nexpect:\n  state: running\n  replicas: 10')],
    ['IQ-05 Every replica runs the approved image', repeat(5, () => `type: container.image\neach: replica\nlabel: app=bench\nexpect:\n  image_id: "${imageId}"`)],
    ['OQ-01 One replica per host answers with its version', urls.map((u) => `\`\`\`check\ntype: http.get\nurl: "${u}/version"\nexpect:\n  status: 200\n  json: { version: "{{release}}" }\n\`\`\`\n`).join('\n')],
  ];
  const body = sections.map(([title, blocks]) => `### ${title}\n\n${blocks}`).join('\n');
  return `---\ndocument_id: QP-0901\ntype: protocol\ntitle: Fleet benchmark protocol\nrevision: "01"\nstatus: effective\napprovers: [quinn]\napproval_date: 2020-01-01\neffective_date: 2020-01-02\nparameters:\n  release: { description: release }\n---\n\n${body}`;
}

/** The same checks as a release engineer would script them: docker -H per target, curl per URL. */
function script(hosts, imageId, urls) {
  const lines = ['#!/usr/bin/env bash', 'P=0; F=0', 'pass() { P=$((P+1)); }', 'fail() { F=$((F+1)); echo "FAIL $*"; }', `HOSTS="${hosts.join(' ')}"`, 'for H in $HOSTS; do'];
  for (let n = 1; n <= 10; n++) lines.push(`  [ "$(docker -H "$H" inspect -f '{{.State.Status}} {{.RestartCount}}' app-${n})" = "running 0" ] && pass || fail running $H app-${n}`);
  for (let n = 1; n <= 10; n++) lines.push(`  [ "$(docker -H "$H" inspect -f '{{.Image}}' app-${n})" = "${imageId}" ] && pass || fail image $H app-${n}`);
  for (let n = 1; n <= 10; n++) lines.push(`  [ "$(docker -H "$H" inspect -f '{{.Config.User}}' app-${n})" = "65534:65534" ] && pass || fail user $H app-${n}`);
  for (let n = 1; n <= 10; n++) lines.push(`  [ "$(docker -H "$H" ps -q --filter label=app=bench --filter status=running | wc -l)" = 10 ] && pass || fail replicas $H`);
  // One inspect of every replica per block (not one docker call per replica): the script at its fastest.
  for (let n = 1; n <= 5; n++) lines.push(`  for I in $(docker -H "$H" inspect -f '{{.Image}}' $(docker -H "$H" ps -aq --filter label=app=bench)); do [ "$I" = "${imageId}" ] && pass || fail replica-image $H; done`);
  lines.push('done');
  for (const u of urls) lines.push(`[ "$(curl -s -o /tmp/qualify-bench-fleet-$$ -w '%{http_code}' ${u}/version)" = 200 ] && grep -q '"version":"${release}"' /tmp/qualify-bench-fleet-$$ && pass || fail http ${u}`);
  lines.push('rm -f /tmp/qualify-bench-fleet-$$', 'echo "$P passed, $F failed"', '[ "$F" = 0 ]', '');
  return lines.join('\n');
}

const median = (xs) => {
  const v = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

const engines = [];
let exit = 1;
try {
  const t0 = Date.now();
  await run('bash', [join(root, 'examples/app/build.sh'), tag, release, 'bench-fleet']);
  const imageId = (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', tag])).stdout.trim();
  const tar = join(dir, 'image.tar');
  await run('docker', ['save', '-o', tar, tag]);
  // The engines start at the same time; each loads the image and starts its replicas.
  const started = await Promise.allSettled(Array.from({ length: ENGINES }, () => startDockerd({})));
  for (const s of started) if (s.status === 'fulfilled') engines.push(s.value);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  const urls = [];
  await Promise.all(engines.map(async (e) => {
    await e.docker('load', '-q', '-i', tar);
    for (let n = 1; n <= REPLICAS; n++) {
      const port = await freeTcpPort();
      if (n === 1) urls.push(`http://127.0.0.1:${port}`);
      await e.docker('run', '-d', '--name', `app-${n}`, '--label', 'app=bench', '--network', 'host', '--no-healthcheck', '-e', `PORT=${port}`, tag);
    }
  }));
  console.log(`setup: ${ENGINES} engines (pids ${engines.map((e) => e.pid).join(', ')}), ${ENGINES * REPLICAS} replicas in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const targets = engines.map((e, i) => `      eu-${i + 1}: { docker: "${e.unix}" }`).join('\n');
  mkdirSync(join(dir, 'protocols'));
  writeFileSync(join(dir, 'qualify.yaml'), `environments:\n  fleet:\n    targets:\n${targets}\n  single:\n    targets:\n      eu-1: { docker: "${engines[0].unix}" }\ndefaults:\n  environment: fleet\n`);
  writeFileSync(join(dir, 'protocols', 'QP-0901-fleet.md'), fleetProtocol(imageId, urls));
  writeFileSync(join(dir, 'checks.sh'), script(engines.map((e) => e.unix), imageId, urls));

  const time = (cmd, args, options) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, ...r };
  };
  const phasesFile = join(dir, 'phases.json');
  const runOurs = (env) => {
    const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`, `--cpu-prof-name=${env}.cpuprofile`] : [];
    const r = time(process.execPath, [...prof, '--require', join(root, 'bench/phases.cjs'), join(root, 'bin/qualify.js'), 'run', 'protocols/QP-0901-fleet.md', '--env', env, '--param', `release=${release}`, '--no-pdf'], { cwd: dir, env: { ...process.env, CI: 'true', NO_COLOR: '1', BENCH_PHASES: phasesFile } });
    if (r.status !== 0) throw new Error(`qualify run --env ${env} exited ${r.status}:\n${r.stderr.slice(-3000)}`);
    const m = JSON.parse(readFileSync(phasesFile, 'utf8'));
    return {
      total: r.ms,
      startup: m['qualify:run'],
      observe: m['qualify:planned'] - m['qualify:run'],
      checks: m['qualify:checked'] - m['qualify:planned'],
      record: m['qualify:done'] - m['qualify:checked'],
      subject: m['qualify:subject'] - m['qualify:checked'],
      assembled: m['qualify:assembled'] - m['qualify:subject'],
      rendered: m['qualify:rendered'] - m['qualify:assembled'],
      written: m['qualify:done'] - m['qualify:rendered'],
      cpu: m['cpu:user'] + m['cpu:system'],
      summary: r.stderr.split('\n').find((l) => l.startsWith('PASS')),
    };
  };
  const runBash = () => {
    const r = time('bash', [join(dir, 'checks.sh')]);
    if (r.status !== 0) throw new Error(`the bash script failed:\n${r.stdout}${r.stderr}`);
    return { total: r.ms, summary: r.stdout.trim().split('\n').pop() };
  };

  const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3) || 3);
  // One warm-up run of each (page cache, code cache of the CLI, the docker CLI and curl).
  runOurs('fleet');
  runOurs('single');
  runBash();
  const fleet = [];
  const single = [];
  const bash = [];
  for (let i = 0; i < runs; i++) {
    fleet.push(runOurs('fleet'));
    single.push(runOurs('single'));
    bash.push(runBash());
  }
  const q = (list, k) => median(list.map((o) => o[k]));
  const ms = (v) => (v === null ? 'none' : `${v.toFixed(0)} ms`).padStart(9);
  const bashMs = q(bash, 'total');
  const fleetMs = q(fleet, 'total');
  const singleMs = q(single, 'total');
  console.log(`50 check blocks, ${ENGINES} engines x ${REPLICAS} replicas, median of ${runs} alternating runs each after one warm-up run, same machine`);
  console.log(`  bash script, docker -H ... and curl per target             ${ms(bashMs)}  [${bash[0].summary}]`);
  for (const [label, list] of [[`qualify run --no-pdf, ${ENGINES} targets`, fleet], ['qualify run --no-pdf, 1 target (the same protocol)', single]]) {
    console.log(`  ${label.padEnd(58)}${ms(q(list, 'total'))}  [${list[0].summary}]`);
    console.log(`    CPU time of the process (user + system)                  ${ms(q(list, 'cpu'))}`);
    console.log(`    node, modules, documents (to the run)                    ${ms(q(list, 'startup'))}`);
    console.log(`    targets observed (engine facts, snapshots), plan          ${ms(q(list, 'observe'))}`);
    console.log(`    the steps                                                ${ms(q(list, 'checks'))}`);
    console.log(`    subject, record, evidence, report.md, audit trail        ${ms(q(list, 'record'))}`);
    console.log(`      subject ${ms(q(list, 'subject'))}, record and evidence masked ${ms(q(list, 'assembled'))}, report.md ${ms(q(list, 'rendered'))}, written with the trail ${ms(q(list, 'written'))}`);
  }
  const faster = bashMs / fleetMs;
  const cost = fleetMs / singleMs;
  console.log(`  fleet run vs bash: ${faster.toFixed(1)}x faster (target >= 5x: ${faster >= 5 ? 'met' : 'NOT MET'})`);
  console.log(`  ${ENGINES}-engine run vs 1-engine run: ${cost.toFixed(2)}x (target < 2x: ${cost < 2 ? 'met' : 'NOT MET'})`);
  exit = faster >= 5 && cost < 2 ? 0 : 1;
} catch (err) {
  console.error(`bench/fleet: ${err.message}`);
} finally {
  // Each engine is stopped by its own process (pid), with its containers, bridge and data root.
  await Promise.all(engines.map((e) => e.stop().catch((err) => console.error(`bench/fleet: stopping the engine ${e.pid}: ${err.message}`))));
  await run('docker', ['image', 'rm', tag]).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = exit;
