// `qualify run` end to end against the real Docker engine, the local registry, real git repositories and
// real HTTP servers: the shipped protocol QP-0001 on a healthy and on a wrong deployment, and the
// failure scenarios of issue 3 with small protocols. Every record written is checked against the schema
// and its evidence hashes; every file written is scanned for the secret values.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { git, makeTempDir, writeTree } from '../helpers/tmp.js';
import { buildExampleImage, docker, freePort, pushImage, registryRepo, removeContainer, removeImage, startContainer, uniqueName, waitFor, waitHealthy } from '../helpers/docker.js';
import { checkReportFolder, filesContaining, reportFolders } from '../helpers/report-folder.js';
import type { Report, StepResult } from '../../src/model/report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHIPPED = readdirSync(join(ROOT, 'protocols')).find((f) => /^QP-0001.*\.md$/.test(f))!;

const created: { containers: string[]; images: string[]; cleanups: Array<() => void> } = { containers: [], images: [], cleanups: [] };
const app = { repo: '', commitOld: '', commitNew: '', imageNew: '', imageOld: '' };
/** A copy of this project's QMS (qualify.yaml, sops/, protocols/) in a temp git repository: runs write there. */
let qmsCopy = '';
const deployments: Record<'healthy' | 'old' | 'crash' | 'bootError' | 'secret', { name: string; port: number }> = {} as never;
const SECRET_TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const SECRET_PASSWORD = `pw-${randomBytes(12).toString('hex')}`;

function steps(report: Report): Map<string, StepResult> {
  return new Map(report.cases.flatMap((c) => c.steps.map((s) => [s.id, s] as const)));
}

function onlyReport(outDir: string, protocolId: string): string {
  const folders = reportFolders(join(outDir, protocolId));
  expect(folders).toHaveLength(1);
  return folders[0]!;
}

beforeAll(async () => {
  const qms = makeTempDir('qualify-e2e-qms-');
  created.cleanups.push(qms.cleanup);
  qmsCopy = qms.dir;
  for (const entry of ['qualify.yaml', 'sops', 'protocols']) cpSync(join(ROOT, entry), join(qms.dir, entry), { recursive: true });
  git(qms.dir, 'init', '-q', '-b', 'main');
  git(qms.dir, 'add', '-A');
  git(qms.dir, 'commit', '-q', '-m', 'QMS');

  // The application repository: v1.4.1 then v1.4.2.
  const repo = makeTempDir('qualify-e2e-app-');
  created.cleanups.push(repo.cleanup);
  app.repo = repo.dir;
  git(repo.dir, 'init', '-q', '-b', 'main');
  writeTree(repo.dir, { 'VERSION': '1.4.1\n' });
  git(repo.dir, 'add', '-A');
  git(repo.dir, 'commit', '-q', '-m', 'Release 1.4.1');
  git(repo.dir, 'tag', '-a', 'v1.4.1', '-m', '1.4.1');
  app.commitOld = git(repo.dir, 'rev-parse', 'HEAD');
  writeTree(repo.dir, { 'VERSION': '1.4.2\n' });
  git(repo.dir, 'commit', '-q', '-am', 'Release 1.4.2');
  git(repo.dir, 'tag', '-a', 'v1.4.2', '-m', '1.4.2');
  app.commitNew = git(repo.dir, 'rev-parse', 'HEAD');

  // Both releases as images with real registry digests.
  const repoName = registryRepo('qualify-e2e-run');
  const [newTag, oldTag] = [`${repoName}:1.4.2`, `${repoName}:1.4.1`];
  created.images.push(newTag, oldTag);
  await buildExampleImage({ tag: newTag, version: '1.4.2', revision: app.commitNew });
  await buildExampleImage({ tag: oldTag, version: '1.4.1', revision: app.commitOld });
  [app.imageNew, app.imageOld] = await Promise.all([pushImage(newTag), pushImage(oldTag)]);

  const start = async (key: keyof typeof deployments, image: string, extra: Partial<Parameters<typeof startContainer>[0]> = {}) => {
    const name = uniqueName(`qualify-e2e-${key}`);
    const port = await freePort();
    created.containers.push(name);
    deployments[key] = { name, port };
    await startContainer({ name, image, port, ...extra });
  };
  await Promise.all([
    start('healthy', app.imageNew),
    start('old', app.imageOld),
    start('crash', app.imageNew, { env: { CRASH: '1' }, restart: 'always' }),
    start('bootError', app.imageNew, { env: { BOOT_ERROR: '1' } }),
    start('secret', app.imageNew, { env: { API_TOKEN: SECRET_TOKEN, DB_PASSWORD: SECRET_PASSWORD } }),
  ]);
  await Promise.all([
    waitHealthy(deployments.healthy.name),
    waitHealthy(deployments.old.name),
    waitHealthy(deployments.bootError.name),
    waitHealthy(deployments.secret.name),
    waitFor('the crashing container to restart', async () => Number(await docker('inspect', '--format', '{{.RestartCount}}', deployments.crash.name)) >= 1),
  ]);
}, 120_000);

afterAll(async () => {
  await removeContainer(...created.containers);
  await removeImage(...created.images);
  for (const c of created.cleanups) c();
});

function tmp(): string {
  const t = makeTempDir('qualify-e2e-out-');
  created.cleanups.push(t.cleanup);
  return t.dir;
}

/** A fresh folder inside the QMS copy: records are written inside the repository (issue 9 item 16). */
function insideQms(): string {
  return mkdtempSync(join(qmsCopy, 'runs-'));
}

function shippedArgs(d: { name: string; port: number }, out: string, image = app.imageNew): string[] {
  const answers = join(out, 'answers.yaml');
  writeTree(out, { 'answers.yaml': 'OQ-03:\n  answer: "pass: CR-1 approved"\n  by: erin\n' });
  return [
    'run', `protocols/${SHIPPED}`,
    '--param', `service=${d.name}`, '--param', 'release=1.4.2', '--param', `image=${image}`,
    '--param', `url=http://127.0.0.1:${d.port}`, '--param', `repo=${app.repo}`,
    '--answers', answers, '--out', join(out, 'reports'), '--as', 'erin', '--format', 'junit',
  ];
}

describe('qualify run with the shipped protocol', () => {
  it('a healthy deployment of the approved release passes, with a complete record', async () => {
    const out = insideQms();
    const r = await runCli(shippedArgs(deployments.healthy, out), { cwd: qmsCopy });
    expect(r.stderr).toContain('PASS: 10 steps: 10 passed, 0 failed, 0 errors, 0 skipped; 0 deviations opened');
    expect(r.code).toBe(0);
    const dir = onlyReport(join(out, 'reports'), 'QP-0001');
    expect(r.stdout).toContain(`report: `);
    const report = checkReportFolder(dir);
    expect(report.conclusion).toBe('pass');
    expect(report.deviations).toEqual([]);
    expect(report.protocol).toMatchObject({ documentId: 'QP-0001', revision: '01', path: `protocols/${SHIPPED}`, status: 'effective', approval: 'front-matter' });
    expect(report.protocol.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.warnings.some((w) => w.startsWith('Approval not signed'))).toBe(true);
    expect(report.subject.images).toEqual([
      { container: deployments.healthy.name, repository: app.imageNew.split('@')[0], tag: '1.4.2', digest: app.imageNew, imageId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
    ]);
    expect(report.subject.application).toEqual({ repo: app.repo, commit: app.commitNew, tag: 'v1.4.2' });
    expect(report.executor.id).toBe('erin');
    expect(report.targets[0]).toMatchObject({ endpoint: 'unix:///var/run/docker.sock', apiVersion: expect.any(String), error: null });
    expect(steps(report).get('OQ-03.1')!.observedBy).toMatchObject({ id: 'erin' });
    expect(report.started).toMatch(/Z$/);
    // The run is in the repository's audit trail, bound to the record's bytes.
    const trail = readFileSync(join(qmsCopy, 'audit', 'trail.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const entry = trail.find((e) => e.object.id === report.reportId);
    expect(entry).toMatchObject({ action: 'run', who: { id: 'erin' }, new: 'pass', ref: { path: 'report.json' } });
    const { createHash } = await import('node:crypto');
    expect(entry.ref.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, 'report.json'))).digest('hex'));
  });

  it('a container running another digest (the old release) fails IQ with both digests, and the version endpoint fails', async () => {
    const out = insideQms();
    const r = await runCli(shippedArgs(deployments.old, out), { cwd: qmsCopy });
    expect(r.code).toBe(1);
    const report = checkReportFolder(onlyReport(join(out, 'reports'), 'QP-0001'));
    const s = steps(report);
    const image = s.get('IQ-02.1')!;
    expect(image.status).toBe('fail');
    expect(image.expected).toEqual({ digest: app.imageNew });
    expect(image.actual!.digest).toBe(app.imageOld);
    const version = s.get('OQ-02.2')!;
    expect(version.status).toBe('fail');
    expect(version.assertions.find((a) => a.path === 'json.version')).toMatchObject({ expected: '1.4.2', actual: '1.4.1', pass: false });
    expect(s.get('IQ-03.1')!.status).toBe('fail');
    expect(s.get('OQ-01.1')!.status).toBe('fail');
    const byStep = new Map(report.deviations.map((d) => [d.stepId, d]));
    expect([...byStep.keys()].sort()).toEqual(['IQ-02.1', 'IQ-03.1', 'OQ-01.1', 'OQ-02.2']);
    expect(byStep.get('IQ-02.1')!.description).toContain(app.imageNew);
    expect(byStep.get('IQ-02.1')!.description).toContain(app.imageOld);
    expect(report.deviations.map((d) => d.id)).toEqual(['DEV-001', 'DEV-002', 'DEV-003', 'DEV-004']);
    expect(report.subject.images[0]!.digest).toBe(app.imageOld);
  });
});

/** A QMS repository in a temp folder with one effective protocol; returns its root. */
function qmsRepo(protocolBody: string, options: { parameters?: string; environments?: string } = {}): string {
  const dir = tmp();
  writeTree(dir, {
    'qualify.yaml': `environments:\n  local:\n    docker:\n      host: unix:///var/run/docker.sock\n${options.environments ?? ''}defaults:\n  environment: local\n`,
    'protocols/QP-0100-scenario.md': [
      '---',
      'document_id: QP-0100',
      'type: protocol',
      'title: Scenario protocol',
      'revision: "01"',
      'status: effective',
      'approvers: [quinn]',
      'approval_date: 2020-01-01',
      'effective_date: 2020-01-02',
      `parameters:\n${options.parameters ?? '  service: { description: container }'}`,
      '---',
      '',
      protocolBody,
    ].join('\n'),
  });
  return dir;
}

const check = (yaml: string): string => `\`\`\`check\n${yaml.trim()}\n\`\`\`\n`;

describe('qualify run failure scenarios', () => {
  it('a crash-looping container fails with its restart count', async () => {
    const dir = qmsRepo(`### IQ-01 Running\n\nThe container runs without restarts.\n\n${check('type: container.running\ncontainer: "{{service}}"\nexpect:\n  state: running\n  restarts: { lte: 0 }')}`);
    const r = await runCli(['run', 'protocols/QP-0100-scenario.md', '--param', `service=${deployments.crash.name}`], { cwd: dir });
    expect(r.code).toBe(1);
    const report = checkReportFolder(onlyReport(join(dir, 'reports'), 'QP-0100'));
    const step = steps(report).get('IQ-01.1')!;
    expect(step.status).toBe('fail');
    const restarts = step.assertions.find((a) => a.path === 'restarts')!;
    expect(restarts.pass).toBe(false);
    expect(restarts.actual).toBeGreaterThanOrEqual(1);
    expect(report.deviations).toHaveLength(1);
    expect(report.deviations[0]!.description).toContain('restarts');
  });

  it('a boot log with ERROR fails', async () => {
    const dir = qmsRepo(`### OQ-01 Boot log\n\n${check('type: container.logs\ncontainer: "{{service}}"\nexpect:\n  contains: "version 1.4.2"\n  not_contains: { matches: "ERROR|FATAL|panic" }')}`);
    const r = await runCli(['run', 'protocols/QP-0100-scenario.md', '--param', `service=${deployments.bootError.name}`], { cwd: dir });
    expect(r.code).toBe(1);
    const report = checkReportFolder(onlyReport(join(dir, 'reports'), 'QP-0100'));
    const step = steps(report).get('OQ-01.1')!;
    expect(step.status).toBe('fail');
    expect(step.assertions.filter((a) => !a.pass).map((a) => a.matcher)).toEqual(['not_contains']);
    expect(step.reason).toContain('ERROR');
    expect(report.deviations.map((d) => d.stepId)).toEqual(['OQ-01.1']);
  });

  it('an unreachable engine gives error steps and exit 1, not a pass and not a crash', async () => {
    const dir = qmsRepo(
      `### IQ-01 Image\n\n${check('type: container.image\ncontainer: "{{service}}"\nexpect:\n  digest: "x@sha256:' + '0'.repeat(64) + '"')}\n### IQ-02 Running\n\n${check('type: container.running\ncontainer: "{{service}}"\nexpect:\n  state: running')}`,
      { environments: `  broken:\n    docker:\n      host: unix://${join(tmp(), 'no-such-docker.sock')}\n` },
    );
    const r = await runCli(['run', 'protocols/QP-0100-scenario.md', '--env', 'broken', '--param', 'service=web'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('internal error');
    const report = checkReportFolder(onlyReport(join(dir, 'reports'), 'QP-0100'));
    expect(report.conclusion).toBe('fail');
    expect([...steps(report).values()].map((s) => s.status)).toEqual(['error', 'error']);
    expect(steps(report).get('IQ-01.1')!.reason).toMatch(/DOCKER_UNREACHABLE|no-such-docker\.sock/);
    expect(report.targets[0]!.error).toBeTruthy();
    expect(report.targets[0]!.version).toBeNull();
    expect(report.deviations).toHaveLength(2);
    expect(report.environment).toBe('broken');
  });

  it('an HTTP endpoint that hangs times out within the step timeout', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server: Server = createServer(() => undefined); // accepts, never answers
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
    const port = (server.address() as { port: number }).port;
    try {
      const dir = qmsRepo(`### OQ-01 Answers\n\n${check('type: http.get\nurl: "{{url}}/version"\ntimeout: 1s\nexpect:\n  status: 200')}`, { parameters: '  url: { description: base url }' });
      const t0 = performance.now();
      const r = await runCli(['run', 'protocols/QP-0100-scenario.md', '--param', `url=http://127.0.0.1:${port}`], { cwd: dir });
      const wall = performance.now() - t0;
      expect(r.code).toBe(1);
      expect(wall).toBeLessThan(4_000);
      const report = checkReportFolder(onlyReport(join(dir, 'reports'), 'QP-0100'));
      const step = steps(report).get('OQ-01.1')!;
      expect(step.status).toBe('error');
      expect(step.reason).toMatch(/timed? ?out|timeout/i);
      expect(step.durationMs).toBeLessThan(2_500);
      expect(report.deviations.map((d) => d.stepId)).toEqual(['OQ-01.1']);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('a secret in a container env never appears in any file written or printed', async () => {
    const body = [
      `### IQ-01 Configuration\n\n${check('type: container.config\ncontainer: "{{service}}"\nexpect:\n  env_keys: { contains: API_TOKEN }\n  user: "65534:65534"')}`,
      `### IQ-02 Image\n\n${check('type: container.image\ncontainer: "{{service}}"\nexpect:\n  digest: { matches: "@sha256:" }')}`,
      `### OQ-01 Logs\n\n${check('type: container.logs\ncontainer: "{{service}}"\nexpect:\n  not_contains: ERROR')}`,
      `### OQ-02 Secret echoed by a command\n\n${check('type: command\ncontainer: "{{service}}"\nargv: [sh, -c, "echo token=$API_TOKEN; echo using $DB_PASSWORD now; env"]\nexpect:\n  exit_code: 0')}`,
      `### OQ-03 Running\n\n${check('type: container.running\ncontainer: "{{service}}"\nexpect:\n  state: running')}`,
    ].join('\n');
    const dir = qmsRepo(body);
    const r = await runCli(['run', 'protocols/QP-0100-scenario.md', '--param', `service=${deployments.secret.name}`, '--format', 'junit,json'], { cwd: dir });
    expect(r.stderr).toContain('PASS');
    expect(r.code).toBe(0);
    const reportDir = onlyReport(join(dir, 'reports'), 'QP-0100');
    const report = checkReportFolder(reportDir);
    expect(filesContaining(reportDir, [SECRET_TOKEN, SECRET_PASSWORD])).toEqual([]);
    for (const text of [r.stdout, r.stderr]) {
      expect(text).not.toContain(SECRET_TOKEN);
      expect(text).not.toContain(SECRET_PASSWORD);
    }
    // The masking is accounted for: a count and per place the value's number, nothing derived from the value.
    expect(report.redaction.count).toBeGreaterThan(0);
    expect(report.redaction).not.toHaveProperty('salt');
    const ref = report.redaction.entries.find((e) => e.where.startsWith('evidence/OQ-02.1'))?.ref;
    expect(ref).toBeGreaterThan(0);
    expect(JSON.stringify(report)).toContain(`[MASKED:${ref}]`);
    // The record printed by --format json is the record written.
    expect(JSON.parse(r.stdout)).toEqual(report);
  });
});
