#!/usr/bin/env node
// Run benchmark: a generated 50-check protocol against the local Docker engine, executed by
// `qualify run` (a whole CLI process, record and evidence written), against an equivalent bash script
// doing the same 50 checks with the docker CLI and curl, on the same machine, one run each.
// Prints both wall times and the ratio. Targets: qualify under 1 s, at least 5x faster.
// Usage: npm run build && node bench/run.mjs   (needs the engine, busybox-static: scripts/setup.sh)

import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

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

// Ten of each: running state, image id, configured user, boot log, version endpoint.
function protocol(port, imageId) {
  const kinds = [
    ['IQ-01 Container running', 'type: container.running\ncontainer: "{{service}}"\nexpect:\n  state: running\n  restarts: { lte: 0 }'],
    ['IQ-02 Image', `type: container.image\ncontainer: "{{service}}"\nexpect:\n  image_id: "${imageId}"`],
    ['IQ-03 User', 'type: container.config\ncontainer: "{{service}}"\nexpect:\n  user: "65534:65534"'],
    ['OQ-01 Boot log', 'type: container.logs\ncontainer: "{{service}}"\nexpect:\n  contains: "version {{release}}"\n  not_contains: ERROR'],
    ['OQ-02 Version endpoint', 'type: http.get\nurl: "{{url}}/version"\nexpect:\n  status: 200\n  json: { version: "{{release}}" }'],
  ];
  const body = kinds
    .map(([title, check]) => `### ${title}\n\n${Array.from({ length: 10 }, () => `\`\`\`check\n${check}\n\`\`\`\n`).join('\n')}`)
    .join('\n');
  return `---\ndocument_id: QP-0900\ntype: protocol\ntitle: Benchmark protocol\nrevision: "01"\nstatus: effective\napprovers: [quinn]\napproval_date: 2020-01-01\neffective_date: 2020-01-02\nparameters:\n  service: { description: container }\n  release: { description: release }\n  url: { description: base URL, default: "http://127.0.0.1:${port}" }\n---\n\n${body}`;
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
  writeFileSync(join(dir, 'protocols', 'QP-0900-bench.md'), protocol(port, imageId));
  writeFileSync(join(dir, 'checks.sh'), script(port, imageId));

  const time = (cmd, args, options) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, ...r };
  };
  const ours = time(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : []), join(root, 'bin/qualify.js'), 'run', 'protocols/QP-0900-bench.md', '--param', `service=${name}`, '--param', `release=${release}`], { cwd: dir, env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
  if (ours.status !== 0) throw new Error(`qualify run exited ${ours.status}:\n${ours.stderr}`);
  const summary = ours.stderr.split('\n').find((l) => l.startsWith('PASS'));
  const bash = time('bash', [join(dir, 'checks.sh'), name]);
  if (bash.status !== 0) throw new Error(`the bash script failed:\n${bash.stdout}${bash.stderr}`);

  const ratio = bash.ms / ours.ms;
  const reports = join(dir, 'reports', 'QP-0900');
  const record = JSON.parse(readFileSync(join(reports, readdirSync(reports)[0], 'report.json'), 'utf8'));
  const checksMs = Date.parse(record.ended) - Date.parse(record.started);
  console.log(`50 checks against the local Docker engine (one run each, same machine)`);
  console.log(`  qualify run, whole CLI process (start-up, documents, checks, record + evidence written): ${ours.ms.toFixed(0)} ms  [${summary}]`);
  console.log(`    of which the checks (record started -> ended):                                       ${checksMs} ms`);
  console.log(`  bash script, docker CLI + curl:                                                        ${bash.ms.toFixed(0)} ms  [${bash.stdout.trim().split('\n').pop()}]`);
  console.log(`  ratio (bash / qualify process): ${ratio.toFixed(1)}x; checks alone: ${(bash.ms / Math.max(1, checksMs)).toFixed(1)}x`);
  const ok = ours.ms < 1000 && ratio >= 5;
  console.log(`  targets (< 1000 ms, >= 5x): ${ok ? 'met' : 'NOT met'}`);
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
