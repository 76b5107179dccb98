// Qualifying a fleet (issue 11) against real engines: three extra dockerd instances started here, each
// a target of one environment — eu-1 on a unix socket, eu-2 behind mutual TLS on 127.0.0.1, and swarm
// reached over ssh (sshd on 127.0.0.1, `docker system dial-stdio`), a single-node Swarm manager running
// a 3-replica service. Images come from the local registry (127.0.0.1:5000), so every replica and task
// has a real digest. eu-1 also runs a Compose project (docker-compose 1.29 through DOCKER_HOST), checked
// by its own protocol.
// The engines are shared by the tests of this file, which run in order: the fleet passes; one stopped
// replica, one replica on another digest and one Swarm task on another digest each fail exactly their
// steps with a deviation naming target and replica; an engine stopped gives error steps for that target
// only; `qualify targets` reports each target, the unreachable one included.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, writeTree } from '../helpers/tmp.js';
import { buildExampleImage, freePort, pushImage, registryRepo, removeImage, waitFor } from '../helpers/docker.js';
import { startEngine, startSshServer, startTlsEngine, type ExtraEngine, type SshServer, type TlsEngine } from '../helpers/engines.js';
import { checkReportFolder, reportFolders } from '../helpers/report-folder.js';
import { pdftotext, squash } from '../helpers/pdf-tools.js';
import type { Report, StepResult } from '../../src/model/report.js';

const exec = promisify(execFile);
const repo = registryRepo('qualify-fleet');
let digestA = '';
let digestB = '';
let eu1: ExtraEngine;
let eu2: TlsEngine;
let sw: ExtraEngine;
let sshd: SshServer;
let dir = '';
let swarmNode = '';
const cleanups: Array<() => void | Promise<void>> = [];
/** The in-process CLI's environment: a PATH (ssh, docker-compose) and nothing of the user's docker or ssh setup. */
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

const check = (yaml: string): string => `\`\`\`check\n${yaml.trim()}\n\`\`\`\n`;

const PROTOCOL = [
  '---',
  'document_id: QP-0300',
  'type: protocol',
  'title: Fleet qualification',
  'revision: "01"',
  'status: effective',
  'approvers: [quinn]',
  'approval_date: 2020-01-01',
  'effective_date: 2020-01-02',
  'parameters:',
  '  image: { description: approved image digest }',
  '  release: { description: release version }',
  '---',
  '',
  '### IQ-01 Every replica of orders on the hosts runs and is healthy',
  '',
  '```case\ntargets: [eu-1, eu-2]\n```',
  '',
  check('type: container.running\neach: replica\nlabel: app=orders\nretry: { until: 20s, every: 500ms }\nexpect:\n  state: running\n  health: healthy'),
  '### IQ-02 Every replica runs the approved image',
  '',
  check('type: container.image\neach: replica\nlabel: app=orders\ntargets: [eu-1, eu-2]\nexpect:\n  digest: "{{image}}"'),
  check('type: image.inspect\nimage: "{{image}}"\nexpect:\n  labels: { org.opencontainers.image.version: "{{release}}" }'),
  '### IQ-03 The Swarm service orders',
  '',
  check('type: service.running\nservice: orders\nexpect:\n  replicas: 3'),
  check('type: service.image\nservice: orders\nexpect:\n  digest: "{{image}}"'),
  check('type: container.image\neach: replica\nservice: orders\ntargets: [swarm]\nexpect:\n  digest: "{{image}}"'),
  '',
].join('\n');

/** The Compose project, in a protocol of its own (Compose is a Python program: one start-up per run is enough). */
const COMPOSE_PROTOCOL = [
  '---', 'document_id: QP-0302', 'type: protocol', 'title: Compose project', 'revision: "01"', 'status: effective', 'approvers: [quinn]', 'approval_date: 2020-01-01', 'effective_date: 2020-01-02', '---', '',
  '### IQ-04 The Compose project shop runs as its file says', '',
  check('type: compose.project\nfile: deploy/docker-compose.yml\nproject: shop\ntargets: [eu-1]'),
  '',
].join('\n');

const steps = (report: Report): StepResult[] => report.cases.flatMap((c) => c.steps);
const failing = (report: Report): string[] => steps(report).filter((s) => s.status !== 'pass').map((s) => `${s.id} ${s.status}`);

let latest = '';

/** The record the last run wrote (checked as an auditor would: schema, evidence hashes). */
function lastReport(): { report: Report; folder: string } {
  return { report: checkReportFolder(latest), folder: latest };
}

/** Runs the fleet protocol against production; remembers the report folder it wrote. */
async function run(...extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const before = new Set(reportFolders(join(dir, 'reports', 'QP-0300')));
  const r = await runCli(['run', 'protocols/QP-0300-fleet.md', '--env', 'production', '--param', `image=${digestA}`, '--param', 'release=1.0.0', ...extra], { cwd: dir, env: ENV });
  const made = reportFolders(join(dir, 'reports', 'QP-0300')).filter((f) => !before.has(f));
  expect(made, r.stderr).toHaveLength(1);
  latest = made[0]!;
  return r;
}

/** Starts the `orders` replicas of a host engine: containers orders-1, orders-2 labelled app=orders. */
async function startReplica(engine: ExtraEngine, name: string, image: string): Promise<void> {
  const port = await freePort();
  await engine.docker('run', '-d', '--name', name, '--label', 'app=orders', '--network', 'host', '--health-interval', '500ms', '-e', `PORT=${port}`, image);
}

/** The Swarm's task containers as `image health` lines (docker ps shows task images without their digest). */
async function swarmReplicas(): Promise<string[]> {
  const ids = await sw.docker('ps', '-q', '--filter', 'label=com.docker.swarm.service.name=orders');
  if (!ids) return [];
  return (await sw.docker('inspect', '--format', '{{.Config.Image}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', ...ids.split('\n'))).split('\n');
}

const healthy = (engine: ExtraEngine, name: string) =>
  waitFor(`${name} to be healthy`, async () => (await engine.docker('inspect', '--format', '{{.State.Health.Status}}', name).catch(() => '')) === 'healthy', 20_000);

beforeAll(async () => {
  // Two releases of the application in the local registry: A approved, B another digest.
  await buildExampleImage({ tag: `${repo}:1.0.0`, version: '1.0.0', revision: 'fleet-a' });
  await buildExampleImage({ tag: `${repo}:1.0.1`, version: '1.0.1', revision: 'fleet-b' });
  cleanups.push(() => removeImage(`${repo}:1.0.0`, `${repo}:1.0.1`));
  [digestA, digestB] = await Promise.all([pushImage(`${repo}:1.0.0`), pushImage(`${repo}:1.0.1`)]);

  [eu1, eu2, sw] = await Promise.all([startEngine(), startTlsEngine(), startEngine()]);
  cleanups.push(() => eu1.stop(), () => eu2.stop(), () => sw.stop());
  sshd = await startSshServer({ dockerHost: sw.unix });
  cleanups.push(() => sshd.stop());

  await Promise.all([eu1, eu2, sw].map((e) => Promise.all([e.docker('pull', '-q', digestA), e.docker('pull', '-q', digestB)])));
  for (const e of [eu1, eu2]) for (const n of ['orders-1', 'orders-2']) await startReplica(e, n, digestA);

  // The Swarm: three replicas, each on its own port (host network), health checked every 500 ms.
  swarmNode = (await sw.initSwarm()).nodeId;
  const base = String(20 + (process.pid % 40)) + String(Math.floor(Math.random() * 90) + 10);
  await sw.docker('service', 'create', '--detach', '--name', 'orders', '--replicas', '3', '--network', 'host', '--health-interval', '500ms', '--stop-grace-period', '1s', '--env', `PORT=${base}{{.Task.Slot}}`, digestA);

  // The Compose project on eu-1, from the file the repository holds (the digest pinned, as deployed).
  const t = makeTempDir('qualify-fleet-qms-');
  cleanups.push(t.cleanup);
  dir = t.dir;
  const [p1, p2] = [await freePort(), await freePort()];
  const compose = `version: "3.7"\nservices:\n  web:\n    image: ${digestA}\n    network_mode: host\n    environment: { PORT: "${p1}" }\n  worker:\n    image: ${digestA}\n    network_mode: host\n    environment: { PORT: "${p2}" }\n`;
  writeTree(dir, {
    'protocols/QP-0300-fleet.md': PROTOCOL,
    'protocols/QP-0302-compose.md': COMPOSE_PROTOCOL,
    'deploy/docker-compose.yml': compose,
    'qualify.yaml': [
      'environments:',
      '  production:',
      '    targets:',
      `      eu-1: { docker: "${eu1.unix}" }`,
      `      eu-2: { docker: { host: "${eu2.host}", tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem } } }`,
      `      swarm: { docker: { host: "${sshd.host}", ssh: { identity: keys/deploy, known_hosts: keys/known_hosts } } }`,
      'defaults:',
      '  environment: production',
      '',
    ].join('\n'),
  });
  mkdirSync(join(dir, 'certs'));
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) copyFileSync(join(eu2.certs.clientDir, f), join(dir, 'certs', f));
  mkdirSync(join(dir, 'keys'));
  copyFileSync(sshd.identity, join(dir, 'keys', 'deploy'));
  chmodSync(join(dir, 'keys', 'deploy'), 0o600);
  copyFileSync(sshd.knownHosts, join(dir, 'keys', 'known_hosts'));
  await exec('docker-compose', ['--file', join(dir, 'deploy/docker-compose.yml'), '--project-name', 'shop', 'up', '-d', '--quiet-pull'], { env: { ...ENV, DOCKER_HOST: eu1.unix } });

  await Promise.all([...['orders-1', 'orders-2'].flatMap((n) => [healthy(eu1, n), healthy(eu2, n)])]);
  await waitFor('the Swarm service to run 3 healthy replicas', async () => (await swarmReplicas()).filter((l) => l.includes(digestA.split('@')[1]!) && l.endsWith(' healthy')).length === 3, 40_000);
}, 180_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
}, 90_000);

describe('a fleet of three targets (unix, TLS, ssh) with a Swarm service and a Compose project', () => {
  it('passes: one step per target and replica, each with its own id, expected, actual and evidence', async () => {
    const r = await run();
    expect(r.stderr).toContain('PASS');
    expect(r.code).toBe(0);
    const { report, folder } = lastReport();
    expect(failing(report)).toEqual([]);
    const ids = steps(report).map((s) => s.id);
    expect(ids).toEqual([
      'IQ-01.1@eu-1/orders-1', 'IQ-01.1@eu-1/orders-2', 'IQ-01.1@eu-2/orders-1', 'IQ-01.1@eu-2/orders-2',
      'IQ-02.1@eu-1/orders-1', 'IQ-02.1@eu-1/orders-2', 'IQ-02.1@eu-2/orders-1', 'IQ-02.1@eu-2/orders-2',
      'IQ-02.2@eu-1', 'IQ-02.2@eu-2', 'IQ-02.2@swarm',
      'IQ-03.1@swarm', 'IQ-03.2@swarm', 'IQ-03.3@swarm/orders.1', 'IQ-03.3@swarm/orders.2', 'IQ-03.3@swarm/orders.3',
    ]);
    const one = steps(report).find((s) => s.id === 'IQ-02.1@eu-2/orders-2')!;
    expect(one.fanout).toEqual({ check: 'IQ-02.1', target: 'eu-2', replica: { name: 'orders-2', container: 'orders-2', containerId: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(one.actual).toMatchObject({ digest: digestA });
    expect(one.evidence.length).toBeGreaterThan(0);
    // The record names every target: endpoint, engine id and version, Swarm role and node.
    expect(report.targets.map((t) => [t.name, t.endpoint, t.swarm?.role])).toEqual([
      ['eu-1', eu1.unix, 'none'],
      ['eu-2', eu2.host, 'none'],
      ['swarm', `ssh://${sshd.user}@127.0.0.1:${sshd.port}`, 'manager'],
    ]);
    for (const t of report.targets) expect(t).toMatchObject({ version: expect.stringMatching(/^\d+\./), engineId: expect.stringMatching(/\S/), error: null });
    expect(report.targets[2]!.swarm!.nodeId).toBe(swarmNode);
    // The subject: every container per target with its digest, and every Swarm task.
    const subject = report.subject.images.filter((i) => i.container);
    expect(subject.filter((i) => i.target === 'eu-1').map((i) => i.container).sort()).toEqual(['orders-1', 'orders-2']);
    expect(subject.filter((i) => i.target === 'swarm').map((i) => i.replica).sort()).toEqual(['orders.1', 'orders.2', 'orders.3']);
    expect(new Set(subject.map((i) => i.digest))).toEqual(new Set([digestA]));
    expect(report.subject.tasks!.map((t) => [t.target, t.replica, t.state, t.digest, t.nodeId])).toEqual([1, 2, 3].map((n) => ['swarm', `orders.${n}`, 'running', digestA, swarmNode]));
    // report.md and the PDF: the fanned-out cases have a Target column; the subject names the targets.
    const md = readFileSync(join(folder, 'report.md'), 'utf8');
    expect(md).toContain('| Step | Target | Check | Item | Expected | Actual | Result |');
    expect(md).toMatch(/\| `IQ-01\.1@eu-2\/orders-1` \| eu-2 \/ orders-1 \| `container\.running` \|/);
    expect(md).toContain('| Target | Container | Replica | Repository | Tag | Digest | Image ID |');
    expect(md).toMatch(/\| swarm \| orders\.2\.\w+ \| orders\.2 \|/);
    expect(md).toContain('| Target | Service | Replica | Node | State | Digest | Task ID |');
    const text = squash(pdftotext(join(folder, 'report.pdf')));
    expect(text).toContain(squash('eu-2 / orders-1'));
    expect(text).toContain(squash('Swarm tasks observed'));
  }, 90_000);

  it('a Compose project: every service of the file running its declared digest with the config hash Compose computes; a changed file or a missing service fails', async () => {
    const compose = async () => {
      const r = await runCli(['run', 'protocols/QP-0302-compose.md', '--no-pdf'], { cwd: dir, env: ENV });
      const folders = reportFolders(join(dir, 'reports', 'QP-0302'));
      return { r, step: steps(checkReportFolder(folders[folders.length - 1]!))[0]! };
    };
    const good = await compose();
    expect(good.r.code).toBe(0);
    expect(good.step.id).toBe('IQ-04.1@eu-1');
    expect(good.step.actual).toMatchObject({ project: 'shop', services: ['web', 'worker'], missing: [], extra: [], running: true, digests: { web: digestA, worker: digestA } });
    expect(good.step.assertions.map((a) => a.path)).toEqual(['missing', 'extra', 'web.running', 'web.1.digest', 'web.1.config_hash', 'worker.running', 'worker.1.digest', 'worker.1.config_hash']);
    expect(good.step.evidence.map((e) => e.description)).toEqual(expect.arrayContaining([expect.stringMatching(/^config hashes computed by docker-compose 1\.\d+\.\d+ for deploy\/docker-compose\.yml against unix:/)]));
    // The file changed after the deployment (web's environment) and names a service never deployed.
    const file = join(dir, 'deploy/docker-compose.yml');
    const deployed = readFileSync(file, 'utf8');
    writeFileSync(file, `${deployed.replace('PORT: "', 'MODE: changed, PORT: "')}  cache:\n    image: ${digestA}\n    network_mode: host\n`);
    try {
      const bad = await compose();
      expect(bad.r.code).toBe(1);
      expect(bad.step.status).toBe('fail');
      expect(bad.step.assertions.filter((a) => !a.pass).map((a) => [a.path, a.message])).toEqual([
        ['missing', 'services of the file without a container: cache'],
        ['web.1.config_hash', expect.stringContaining('replica web.1 (shop_web_1) carries config hash')],
      ]);
    } finally {
      writeFileSync(file, deployed);
    }
  }, 60_000);

  it('qualify targets reports each target: endpoint, engine version, Swarm role, reachable', async () => {
    const r = await runCli(['targets', '--json'], { cwd: dir, env: ENV });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { environment: string; targets: Array<{ name: string; endpoint: string; reachable: boolean; swarm: { role: string } | null; version: string }> };
    expect(data.environment).toBe('production');
    expect(data.targets.map((t) => [t.name, t.endpoint, t.reachable, t.swarm?.role])).toEqual([
      ['eu-1', eu1.unix, true, 'none'],
      ['eu-2', eu2.host, true, 'none'],
      ['swarm', sshd.host, true, 'manager'],
    ]);
    const text = await runCli(['targets'], { cwd: dir, env: ENV });
    expect(text.stdout).toMatch(/^TARGET\s+ENDPOINT\s+ENGINE\s+SWARM\s+REACHABLE$/m);
    expect(text.stdout).toMatch(/^swarm\s+ssh:\/\/\S+\s+\d+\.\S+\s+manager \(node \w+\)\s+yes$/m);
    expect(text.stderr).toContain('environment production: 3 of 3 targets reachable');
  });

  it('a stopped replica fails exactly its step, with a deviation naming the target and the replica', async () => {
    await eu2.docker('stop', '-t', '1', 'orders-2');
    try {
      const r = await run('--no-pdf');
      expect(r.code).toBe(1);
      const { report } = lastReport();
      expect(failing(report)).toEqual(['IQ-01.1@eu-2/orders-2 fail']);
      expect(report.deviations).toHaveLength(1);
      expect(report.deviations[0]).toMatchObject({ stepId: 'IQ-01.1@eu-2/orders-2', target: 'eu-2', replica: 'orders-2' });
      expect(report.deviations[0]!.description).toMatch(/on target eu-2 \(tcp:\/\/127\.0\.0\.1:\d+\), replica orders-2 failed: state: expected "running", found "exited"/);
    } finally {
      await eu2.docker('start', 'orders-2');
      await healthy(eu2, 'orders-2');
    }
  }, 60_000);

  it('a replica updated to another digest fails exactly its image step', async () => {
    await eu1.docker('rm', '-f', 'orders-2');
    await startReplica(eu1, 'orders-2', digestB);
    await healthy(eu1, 'orders-2');
    try {
      const r = await run('--no-pdf');
      expect(r.code).toBe(1);
      const { report } = lastReport();
      expect(failing(report)).toEqual(['IQ-02.1@eu-1/orders-2 fail']);
      expect(report.deviations[0]).toMatchObject({ target: 'eu-1', replica: 'orders-2' });
      expect(report.deviations[0]!.description).toContain(`replica orders-2 failed: digest: expected "${digestA}", found "${digestB}"`);
    } finally {
      await eu1.docker('rm', '-f', 'orders-2');
      await startReplica(eu1, 'orders-2', digestA);
      await healthy(eu1, 'orders-2');
    }
  }, 60_000);

  it('one Swarm task updated to another digest fails the service steps and that replica, naming it', async () => {
    // One task at a time, an hour between tasks: after the first, one replica runs B, two run A.
    await sw.docker('service', 'update', '--detach', '--image', digestB, '--update-parallelism', '1', '--update-delay', '1h', 'orders');
    await waitFor('one Swarm task to run the other digest', async () => {
      const rows = await swarmReplicas();
      return rows.length === 3 && rows.filter((l) => l.includes(digestB.split('@')[1]!) && l.endsWith(' healthy')).length === 1;
    }, 40_000);
    const r = await run('--no-pdf');
    expect(r.code).toBe(1);
    const { report } = lastReport();
    const failed = failing(report);
    expect(failed).toHaveLength(3);
    expect(failed[0]).toBe('IQ-03.1@swarm fail'); // the update is not completed
    expect(failed[1]).toBe('IQ-03.2@swarm fail');
    expect(failed[2]).toMatch(/^IQ-03\.3@swarm\/orders\.[123] fail$/);
    const replica = failed[2]!.split('/')[1]!.split(' ')[0]!;
    const image = steps(report).find((s) => s.id === 'IQ-03.2@swarm')!;
    expect(image.reason).toContain(`replica ${replica} on `);
    expect(image.assertions.filter((a) => !a.pass).map((a) => a.path)).toEqual([`${replica}.digest`]);
    const running = steps(report).find((s) => s.id === 'IQ-03.1@swarm')!;
    expect(running.actual).toMatchObject({ update_state: 'updating', running: 3, replicas: 3 });
    expect(report.deviations.map((d) => [d.stepId, d.target, d.replica ?? null])).toEqual([
      ['IQ-03.1@swarm', 'swarm', null],
      ['IQ-03.2@swarm', 'swarm', null],
      [`IQ-03.3@swarm/${replica}`, 'swarm', replica],
    ]);
  }, 90_000);

  it('an engine that stops gives error steps for its target only; qualify targets reports it unreachable (exit 1)', async () => {
    // The Swarm rolled forward to A again (every task at once), so only eu-2's steps can fail.
    await sw.docker('service', 'update', '--detach', '--image', digestA, '--update-parallelism', '0', '--update-delay', '0s', 'orders');
    await waitFor('the Swarm update to complete', async () => (await sw.docker('service', 'inspect', '--format', '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}', 'orders')) === 'completed', 40_000);
    await waitFor('three healthy Swarm replicas on A', async () => {
      const rows = await swarmReplicas();
      return rows.length === 3 && rows.every((l) => l.includes(digestA.split('@')[1]!) && l.endsWith(' healthy'));
    }, 40_000);
    await eu2.stop();
    const r = await run('--no-pdf');
    expect(r.code).toBe(1);
    const { report } = lastReport();
    const bad = steps(report).filter((s) => s.status !== 'pass');
    // The service checks run on the Swarm managers; eu-2's role cannot be known, so they run there too and
    // say why they could not (a manager that is down must not make its service checks vanish).
    expect(bad.map((s) => `${s.id} ${s.status}`)).toEqual(['IQ-01.1@eu-2 error', 'IQ-02.1@eu-2 error', 'IQ-02.2@eu-2 error', 'IQ-03.1@eu-2 error', 'IQ-03.2@eu-2 error']);
    for (const s of bad) expect(s.reason).toMatch(/DOCKER_UNREACHABLE|DOCKER_TLS_FAILED/);
    expect(steps(report).filter((s) => s.fanout?.target !== 'eu-2').every((s) => s.status === 'pass')).toBe(true);
    expect(report.targets.find((t) => t.name === 'eu-2')!.error).toMatch(/cannot reach|refused|ECONNREFUSED/i);

    const t = await runCli(['targets', '--json'], { cwd: dir, env: ENV });
    expect(t.code).toBe(1);
    const data = JSON.parse(t.stdout) as { targets: Array<{ name: string; reachable: boolean; error: string | null }> };
    expect(data.targets.map((x) => [x.name, x.reachable])).toEqual([['eu-1', true], ['eu-2', false], ['swarm', true]]);
    const text = await runCli(['targets'], { cwd: dir, env: ENV });
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^eu-2: DOCKER_UNREACHABLE|^eu-2: .*cannot reach/m);
    expect(text.stderr).toContain('2 of 3 targets reachable');
  }, 90_000);
});

describe('planning a fleet run', () => {
  it('a target the environment does not have is exit 2 naming where the protocol says it, before any step runs', async () => {
    writeTree(dir, { 'protocols/QP-0301-unknown.md': PROTOCOL.replace('QP-0300', 'QP-0301').replace('targets: [swarm]', 'targets: [swarm, eu-9]') });
    const r = await runCli(['run', 'protocols/QP-0301-unknown.md', '--param', `image=${digestA}`, '--param', 'release=1.0.0'], { cwd: dir, env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/protocols\/QP-0301-unknown\.md:\d+:\d+ TARGET_UNKNOWN check IQ-03\.3 names "eu-9", not a target of environment "production" in qualify\.yaml \(its targets: eu-1, eu-2, swarm\)/);
    expect(reportFolders(join(dir, 'reports', 'QP-0301'))).toEqual([]);
  });
});

