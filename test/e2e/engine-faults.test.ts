// How a run behaves when the engine or a container is in a state waiting cannot change, when a command
// outlives its step, and when an engine answers what no Docker engine would (issue 9, items 19, 20, 23).
// Real containers on the local engine; the impostor engine is a real HTTP server on a unix socket.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, writeTree } from '../helpers/tmp.js';
import { buildExampleImage, docker, freePort, removeContainer, removeImage, startContainer, uniqueName, waitFor, waitHealthy } from '../helpers/docker.js';
import { checkReportFolder, reportFolders } from '../helpers/report-folder.js';
import type { Report, StepResult } from '../../src/model/report.js';

const tag = `${uniqueName('qualify-faults')}:1.0.0`;
const bare = `${uniqueName('qualify-faults-bare')}:1`;
const names = { healthy: uniqueName('qualify-faults-up'), exited: uniqueName('qualify-faults-exited'), starting: uniqueName('qualify-faults-starting'), bare: uniqueName('qualify-faults-bare') };
const cleanups: Array<() => unknown> = [];

const check = (yaml: string): string => `\`\`\`check\n${yaml.trim()}\n\`\`\`\n`;

function tmp(): string {
  const t = makeTempDir('qualify-faults-');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** A QMS repository whose protocol QP-0300 holds `body`, with an environment per engine. */
function qms(body: string, dockerHost = 'unix:///var/run/docker.sock'): string {
  const dir = tmp();
  writeTree(dir, {
    'qualify.yaml': `environments:\n  here:\n    docker: ${dockerHost}\ndefaults:\n  environment: here\n`,
    'protocols/QP-0300-faults.md': [
      '---', 'document_id: QP-0300', 'type: protocol', 'title: Faults', 'revision: "01"', 'status: effective', 'approvers: [quinn]',
      'approval_date: 2020-01-01', 'effective_date: 2020-01-02', 'parameters:', '  service: { description: container }', '---', '', body,
    ].join('\n'),
  });
  return dir;
}

async function run(dir: string, service: string): Promise<{ code: number; stderr: string; report: Report; steps: StepResult[] }> {
  const r = await runCli(['run', 'protocols/QP-0300-faults.md', '--param', `service=${service}`], { cwd: dir });
  const folders = reportFolders(join(dir, 'reports', 'QP-0300'));
  expect(folders).toHaveLength(1);
  const report = checkReportFolder(folders[0]!);
  return { code: r.code, stderr: r.stderr, report, steps: report.cases.flatMap((c) => c.steps) };
}

beforeAll(async () => {
  await buildExampleImage({ tag, version: '1.0.0', revision: 'faults' });
  cleanups.push(() => removeImage(tag, bare));
  // An image with busybox and nothing else: no shell to stop a command from inside.
  const ctx = tmp();
  copyFileSync('/bin/busybox', join(ctx, 'busybox'));
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox", "sleep", "3600"]\n');
  await docker('build', '-q', '-t', bare, ctx);
  cleanups.push(() => removeContainer(...Object.values(names)));
  const [p1, p2] = [await freePort(), await freePort()];
  await Promise.all([
    startContainer({ name: names.healthy, image: tag, port: p1 }),
    // Health checks every hour: its health stays "starting" for the whole test.
    startContainer({ name: names.starting, image: tag, port: p2, healthInterval: '1h' }),
    docker('run', '-d', '--name', names.exited, '--network', 'host', '--entrypoint', '/bin/sh', tag, '-c', 'exit 3'),
    docker('run', '-d', '--name', names.bare, '--network', 'none', bare),
  ]);
  await Promise.all([
    waitHealthy(names.healthy),
    waitFor(`${names.exited} to exit`, async () => (await docker('inspect', '--format', '{{.State.Status}}', names.exited)) === 'exited'),
  ]);
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const RUNNING = check('type: container.running\ncontainer: "{{service}}"\nretry: { until: 30s, every: 500ms }\nexpect:\n  state: running\n  health: healthy');

describe('container.running: states that do not settle end the retries at once (item 23)', () => {
  it('an exited container fails after one attempt, its state and exit code in the record', async () => {
    const { code, steps } = await run(qms(`### IQ-01 Runs\n\n${RUNNING}`), names.exited);
    expect(code).toBe(1);
    const s = steps[0]!;
    expect(s.status).toBe('fail');
    expect(s.attempts).toHaveLength(1);
    expect(s.actual).toMatchObject({ exists: true, state: 'exited', running: false });
    expect((s.actual!.containers as Array<Record<string, unknown>>)[0]).toMatchObject({ state: 'exited', exit_code: 3 });
    expect(s.reason).toMatch(/state: expected .*running.*found .*exited.*; not retried: container qualify-faults-exited-\S+ is exited with exit code 3 at \S+Z, a state it does not leave by itself/);
  });

  it('a container that does not exist fails after one attempt', async () => {
    const { steps } = await run(qms(`### IQ-01 Runs\n\n${RUNNING}`), uniqueName('qualify-faults-gone'));
    expect(steps[0]).toMatchObject({ status: 'fail', actual: expect.objectContaining({ exists: false }) });
    expect(steps[0]!.attempts).toHaveLength(1);
    expect(steps[0]!.reason).toContain('not retried: no container named');
  });

  it('an unreachable engine errors after one attempt', async () => {
    const { code, steps, report } = await run(qms(`### IQ-01 Runs\n\n${RUNNING}`, `unix://${join(tmp(), 'no-engine.sock')}`), names.healthy);
    expect(code).toBe(1);
    expect(steps[0]).toMatchObject({ status: 'error' });
    expect(steps[0]!.attempts).toHaveLength(1);
    expect(steps[0]!.reason).toMatch(/^DOCKER_UNREACHABLE: .*no-engine\.sock.*\(not retried: waiting cannot change this\)$/);
    expect(report.targets[0]!.error).toContain('no-engine.sock');
  });

  it('health "starting" may still settle: retried until the window closes', async () => {
    const body = check('type: container.running\ncontainer: "{{service}}"\nretry: { until: 1500ms, every: 300ms }\nexpect:\n  health: healthy');
    const { steps } = await run(qms(`### IQ-01 Healthy\n\n${body}`), names.starting);
    expect(steps[0]!.status).toBe('fail');
    expect(steps[0]!.actual).toMatchObject({ state: 'running', health: 'starting' });
    expect(steps[0]!.attempts.length).toBeGreaterThanOrEqual(2);
    expect(steps[0]!.reason).not.toContain('not retried');
  });

  it('a running, healthy container passes at once', async () => {
    const { code, steps } = await run(qms(`### IQ-01 Runs\n\n${RUNNING}`), names.healthy);
    expect(code).toBe(0);
    expect(steps[0]).toMatchObject({ status: 'pass', attempts: [expect.objectContaining({ n: 1, status: 'pass' })] });
  });
});

describe('a command that outlives its step is stopped in its container (item 19)', () => {
  const SLOW = (argv: string) => check(`type: command\ncontainer: "{{service}}"\nargv: ${argv}\ntimeout: 1s\nexpect:\n  exit_code: 0`);

  it('from inside the container (sh, grep and kill of the image)', async () => {
    const { code, steps } = await run(qms(`### OQ-01 Slow\n\n${SLOW('[sleep, "3601"]')}`), names.healthy);
    expect(code).toBe(1);
    expect(steps[0]!.status).toBe('error');
    expect(steps[0]!.reason).toMatch(/^EXEC_STOPPED: sleep 3601 was still running in container \S+ when the step ended; it was stopped inside the container/);
    expect(steps[0]!.reason).toContain('(cause: no observation within 1000 ms (step timeout))');
    expect(await docker('top', names.healthy, '-o', 'pid,args')).not.toContain('sleep 3601');
  });

  it('from the engine\'s host when the image has no shell (a local engine)', async () => {
    const { steps } = await run(qms(`### OQ-01 Slow\n\n${SLOW('[/bin/busybox, sleep, "3602"]')}`), names.bare);
    expect(steps[0]!.status).toBe('error');
    expect(steps[0]!.reason).toMatch(/^EXEC_STOPPED: \/bin\/busybox sleep 3602 was still running in container \S+ when the step ended; it was stopped on the engine's host \(kill -KILL of pid \d+ and its descendants\)/);
    expect(await docker('top', names.bare, '-o', 'pid,args')).not.toContain('sleep 3602');
  });
});

/** An impostor engine on a unix socket: answers from `routes` by path (API version prefix ignored). */
async function fakeEngine(routes: Record<string, (path: string) => { status?: number; body: string }>): Promise<{ host: string; calls: string[] }> {
  const socket = join(tmp(), 'fake.sock');
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/^\/v1\.\d+/, '').split('?')[0]!;
    calls.push(`${req.method} ${path}`);
    const route = Object.entries(routes).find(([pattern]) => new RegExp(`^${pattern}$`).test(path));
    const answer = route ? route[1](path) : { status: 404, body: '{"message":"page not found"}' };
    res.writeHead(answer.status ?? 200, { 'Content-Type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { host: `unix://${socket}`, calls };
}

const ENGINE = {
  '/version': () => ({ body: JSON.stringify({ Version: '99.0.0', ApiVersion: '1.99', Os: 'linux', Arch: 'amd64' }) }),
  '/info': () => ({ body: JSON.stringify({ Name: 'impostor', SystemTime: '2026-01-01T00:00:00Z' }) }),
};
const CONTAINER = {
  Id: 'c'.repeat(64), Name: '/web', Image: `sha256:${'1'.repeat(64)}`,
  State: { Status: 'running', Running: true, StartedAt: '2026-01-01T00:00:00Z' },
  Config: { Image: 'app:1', Env: ['A=1'], Labels: {} }, HostConfig: {}, RestartCount: 0,
};
const IMAGE = { Id: `sha256:${'1'.repeat(64)}`, RepoDigests: [], RepoTags: ['app:1'], Config: { Labels: {} } };

describe('an engine whose answers are malformed is a clear error naming what is missing (item 20)', () => {
  const PROTOCOL = `### IQ-01 Runs\n\n${check('type: container.running\ncontainer: "{{service}}"\nexpect:\n  state: running')}### IQ-02 Image\n\n${check('type: container.image\ncontainer: "{{service}}"\nexpect:\n  tag: "1"')}`;

  const expectClear = (r: { code: number; stderr: string; report: Report; steps: StepResult[] }, pattern: RegExp): void => {
    expect(r.code).toBe(1);
    expect(r.steps.map((s) => s.status)).toEqual(['error', 'error']);
    for (const s of r.steps) {
      expect(s.reason).toMatch(pattern);
      expect(s.reason).not.toMatch(/Cannot read propert|undefined|TypeError/);
    }
    expect(JSON.stringify(r.report)).not.toMatch(/Cannot read propert|TypeError/);
  };

  it('a container list that is not JSON', async () => {
    const fake = await fakeEngine({ ...ENGINE, '/containers/json': () => ({ body: '[{"Id": "abc", ' }) });
    const r = await run(qms(PROTOCOL, fake.host), 'web');
    expectClear(r, /^DOCKER_ANSWER_INVALID: the Docker engine at unix:\/\/\S+fake\.sock answered "list containers" with an invalid answer: expected a list \(JSON\), found 15 bytes that are not JSON/);
  });

  it('a container list entry without an Id', async () => {
    const fake = await fakeEngine({ ...ENGINE, '/containers/json': () => ({ body: '[{"Names": ["/web"]}]' }) });
    expectClear(await run(qms(PROTOCOL, fake.host), 'web'), /answered "list containers" with an invalid field 0\.Id: expected a string, found nothing/);
  });

  it('a container inspect without its state', async () => {
    const { State: _state, ...noState } = CONTAINER;
    const fake = await fakeEngine({ ...ENGINE, '/containers/json': () => ({ body: JSON.stringify([{ Id: CONTAINER.Id }]) }), '/containers/[^/]+/json': () => ({ body: JSON.stringify(noState) }) });
    expectClear(await run(qms(PROTOCOL, fake.host), 'web'), new RegExp(`answered "inspect container ${CONTAINER.Id}" with an invalid field State\\.Status: expected a string, found nothing`));
  });

  it('an image inspect whose labels are not strings', async () => {
    const fake = await fakeEngine({
      ...ENGINE,
      '/containers/json': () => ({ body: JSON.stringify([{ Id: CONTAINER.Id }]) }),
      '/containers/[^/]+/json': () => ({ body: JSON.stringify(CONTAINER) }),
      '/images/.+/json': () => ({ body: JSON.stringify({ ...IMAGE, Config: { Labels: { version: 3 } } }) }),
    });
    expectClear(await run(qms(PROTOCOL, fake.host), 'web'), /answered "inspect image sha256:1+" with an invalid field Config\.Labels\.version: expected a string, found number 3/);
  });

  it('a well-formed impostor is read, and a version answer without Version is named in the record', async () => {
    const fake = await fakeEngine({
      '/version': () => ({ body: '{}' }),
      '/info': ENGINE['/info'],
      '/containers/json': () => ({ body: JSON.stringify([{ Id: CONTAINER.Id }]) }),
      '/containers/[^/]+/json': () => ({ body: JSON.stringify(CONTAINER) }),
      '/images/.+/json': () => ({ body: JSON.stringify(IMAGE) }),
    });
    const r = await run(qms(PROTOCOL, fake.host), 'web');
    expect(r.steps.map((s) => s.status)).toEqual(['pass', 'pass']);
    expect(r.report.targets[0]!.error).toMatch(/answered "engine version" with an invalid field Version: expected a string, found nothing/);
    expect(fake.calls).toContain('GET /containers/json');
  });
});
