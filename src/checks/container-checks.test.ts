// Container check types against real containers of the example application:
// container.running, container.image, container.config, container.logs, image.inspect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbes, type Probes } from '../probes/index.js';
import {
  buildExampleImage, docker, freePort, pushImage, registryRepo, removeContainer, removeImage, startContainer, uniqueName, waitFor, waitHealthy,
} from '../../test/helpers/docker.js';
import type { CheckContext, CheckDefinition } from './define.js';
import { judgeObservation } from './define.js';
import { containerConfig } from './container-config.js';
import { containerImage } from './container-image.js';
import { containerLogs } from './container-logs.js';
import { containerRunning } from './container-running.js';
import { imageInspect } from './image-inspect.js';

const repo = registryRepo('qualify-checks');
const v1 = `${repo}:1.4.1`;
const v2 = `${repo}:1.4.2`;
const local = `${uniqueName('qualify-checks-local')}:dev`; // never pushed: no digest
const group = uniqueName('group');
const names = {
  web: uniqueName('qualify-web'),
  crash: uniqueName('qualify-crash'),
  noisy: uniqueName('qualify-noisy'),
  replica: uniqueName('qualify-replica'),
  local: uniqueName('qualify-local'),
};
let digest1 = '';
let digest2 = '';
let probes: Probes;

function context(p: Probes = probes): CheckContext {
  return {
    probes: p,
    signal: AbortSignal.timeout(10_000),
    repoRoot: process.cwd(),
    now: () => new Date(),
    documents: async () => null,
    ask: async () => null,
  };
}

async function step(def: CheckDefinition, params: Record<string, unknown>, expectBlock?: Record<string, unknown>, p?: Probes) {
  const observation = await def.observe(params, context(p));
  return { observation, verdict: judgeObservation(def, expectBlock, observation) };
}

beforeAll(async () => {
  await buildExampleImage({ tag: v1, version: '1.4.1', revision: '1111111111111111111111111111111111111111' });
  await buildExampleImage({ tag: v2, version: '1.4.2', revision: '2222222222222222222222222222222222222222' });
  await buildExampleImage({ tag: local, version: '0.0.1-local', revision: '3333333333333333333333333333333333333333' });
  [digest1, digest2] = await Promise.all([pushImage(v1), pushImage(v2)]);
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  await Promise.all([
    startContainer({ name: names.web, image: v2, port: ports[0], env: { SECRET_TOKEN: 'tok-123', LOG_LEVEL: 'info' }, labels: { 'qualify.group': group }, restart: 'unless-stopped' }),
    startContainer({ name: names.replica, image: v2, port: ports[1], labels: { 'qualify.group': group } }),
    startContainer({ name: names.crash, image: v1, env: { CRASH: '1' }, restart: 'always' }),
    startContainer({ name: names.noisy, image: v2, port: ports[2], env: { BOOT_ERROR: '1' } }),
    startContainer({ name: names.local, image: local, port: ports[3] }),
  ]);
  await Promise.all([
    waitHealthy(names.web),
    waitHealthy(names.replica),
    waitFor('a restart of the crashing container', async () => Number(await docker('inspect', '--format', '{{.RestartCount}}', names.crash)) > 0),
    waitFor('noisy boot', async () => (await docker('logs', names.noisy)).includes('listening')),
  ]);
  probes = createProbes({ env: {} });
});

afterAll(async () => {
  probes?.close();
  await removeContainer(...Object.values(names));
  await removeImage(v1, v2, local);
});

describe('container.running', () => {
  it('passes a healthy, stable container and records its inspect as evidence', async () => {
    const { observation, verdict } = await step(containerRunning, { container: names.web }, { state: 'running', health: 'healthy', restarts: { lte: 0 } });
    expect(verdict.status).toBe('pass');
    expect(observation.actual).toMatchObject({ exists: true, state: 'running', running: true, health: 'healthy', restarts: 0, replicas: 1, matched: 1 });
    expect(observation.actual.started_at).toMatch(/Z$/);
    expect(observation.evidence![0]!.name).toBe(`inspect-${names.web}`);
    expect(JSON.parse(String(observation.evidence![0]!.content)).Name).toBe(`/${names.web}`);
  });

  it('fails a crash-looping container with its restart count', async () => {
    const { observation, verdict } = await step(containerRunning, { container: names.crash }, { state: 'running', restarts: { lte: 0 } }, probes.fresh());
    expect(verdict.status).toBe('fail');
    expect(observation.actual.restarts as number).toBeGreaterThan(0);
    const restarts = verdict.assertions.find((a) => a.path === 'restarts')!;
    expect(restarts.pass).toBe(false);
    expect(restarts.message).toMatch(/^\d+ is greater than 0$/);
  });

  it('counts replicas by label', async () => {
    const { observation, verdict } = await step(containerRunning, { label: `qualify.group=${group}` }, { replicas: 2, health: 'healthy' });
    expect(verdict.status).toBe('pass');
    expect((observation.actual.containers as Array<{ name: string }>).map((c) => c.name).sort()).toEqual([names.replica, names.web].sort());
    expect(observation.evidence).toHaveLength(2);
  });

  it('observes a missing container as a failure, not an error', async () => {
    const { observation, verdict } = await step(containerRunning, { container: 'qualify-no-such-container' }, undefined);
    expect(observation.actual).toMatchObject({ exists: false, state: null, replicas: 0 });
    expect(verdict).toMatchObject({ status: 'fail', expected: { state: 'running' } });
    expect(verdict.reason).toBe('state: expected "running", found null');
  });
});

describe('container.image', () => {
  it('passes the approved digest, as repo@sha256 or bare sha256', async () => {
    const { observation, verdict } = await step(containerImage, { container: names.web }, { digest: digest2 });
    expect(verdict.status).toBe('pass');
    expect(observation.actual).toMatchObject({ image: v2, repository: repo, tag: '1.4.2', digest: digest2 });
    expect(observation.actual.image_id).toMatch(/^sha256:/);
    expect(observation.actual.digests).toContain(digest2);
    const bare = digest2.slice(digest2.indexOf('@') + 1);
    expect((await step(containerImage, { container: names.web }, { digest: bare })).verdict.status).toBe('pass');
    expect(observation.evidence!.map((e) => e.name)).toEqual([`inspect-${names.web}`, 'image']);
  });

  it('fails a different digest with both digests in the record', async () => {
    const { verdict } = await step(containerImage, { container: names.crash }, { digest: digest2 });
    expect(verdict.status).toBe('fail');
    expect(verdict.assertions[0]).toMatchObject({ path: 'digest', expected: digest2, actual: digest1, pass: false });
    expect(verdict.reason).toContain(digest1);
    expect(verdict.reason).toContain(digest2);
  });

  it('reports no digest for an image never pushed', async () => {
    const { observation, verdict } = await step(containerImage, { container: names.local }, { digest: digest2 });
    expect(observation.actual.digest).toBeNull();
    expect(verdict.status).toBe('fail');
  });

  it('errors (throws) for a container that does not exist', async () => {
    await expect(step(containerImage, { container: 'qualify-no-such-container' })).rejects.toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
  });
});

describe('container.config', () => {
  it('observes env, user, restart policy, labels and network', async () => {
    const { observation, verdict } = await step(containerConfig, { container: names.web }, {
      user: '65534:65534',
      restart_policy: 'unless-stopped',
      network_mode: 'host',
      env: { LOG_LEVEL: 'info', DEBUG: { absent: true } },
      env_keys: { contains: 'SECRET_TOKEN' },
      labels: { 'org.opencontainers.image.version': '1.4.2' },
      privileged: false,
    });
    expect(verdict.reason).toBeNull();
    expect(verdict.status).toBe('pass');
    expect((observation.actual.env as Record<string, string>).SECRET_TOKEN).toBe('tok-123'); // the runner masks it
    const wrong = await step(containerConfig, { container: names.web }, { env: { LOG_LEVEL: 'debug' } });
    expect(wrong.verdict.status).toBe('fail');
  });
});

describe('container.logs', () => {
  it('passes a clean boot log and keeps an excerpt as evidence', async () => {
    const { observation, verdict } = await step(containerLogs, { container: names.web }, { contains: 'starting example-app version 1.4.2', not_contains: { matches: 'ERROR|FATAL|panic' } });
    expect(verdict.status).toBe('pass');
    expect(observation.actual.lines).toBeGreaterThanOrEqual(2);
    expect(observation.actual.since).toBeNull(); // never exited: its whole log is the current run
    expect(String(observation.evidence![0]!.content)).toMatch(/Z stdout starting example-app version 1\.4\.2/);
  });

  it('fails a boot log with an ERROR line, naming the line', async () => {
    const { verdict } = await step(containerLogs, { container: names.noisy }, { not_contains: { matches: 'ERROR|FATAL|panic' } });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toContain('ERROR boot: configuration check failed');
  });

  it('reads one stream, everything, or a recent window', async () => {
    const out = await step(containerLogs, { container: names.noisy, stream: 'stdout', since: 'all' }, { not_contains: 'ERROR' });
    expect(out.verdict.status).toBe('pass');
    const recent = await step(containerLogs, { container: names.noisy, since: '10m', stream: 'stderr' }, { lines: 1 });
    expect(recent.verdict.status).toBe('pass');
    await expect(step(containerLogs, { container: names.noisy, since: 'yesterday' })).rejects.toMatchObject({ code: 'CHECK_PARAM_INVALID' });
  });

  it('shows the last boot of a crash loop by default', async () => {
    const { observation } = await step(containerLogs, { container: names.crash }, undefined, probes.fresh());
    const boots = (logs: unknown) => String(logs).split('\n').filter((l) => l.startsWith('starting')).length;
    const all = await step(containerLogs, { container: names.crash, since: 'all' }, undefined, probes.fresh());
    // Boots before the observed start are left out; a boot that began after the snapshot (a crash loop
    // restarts within a second on a busy machine) may be in both.
    expect(boots(observation.actual.logs)).toBeGreaterThanOrEqual(1);
    expect(boots(all.observation.actual.logs)).toBeGreaterThan(boots(observation.actual.logs));
  });
});

describe('image.inspect', () => {
  it('observes labels, digests and user of an image', async () => {
    const { observation, verdict } = await step(imageInspect, { image: v2 }, {
      labels: { 'org.opencontainers.image.version': '1.4.2', 'org.opencontainers.image.revision': '2222222222222222222222222222222222222222' },
      digests: { contains: digest2 },
      user: '65534:65534',
    });
    expect(verdict.status).toBe('pass');
    expect(observation.actual.tags).toContain(v2);
    const old = await step(imageInspect, { image: v1 }, { labels: { 'org.opencontainers.image.version': '1.4.2' } });
    expect(old.verdict.status).toBe('fail');
  });

  it('errors for an image the engine does not have', async () => {
    await expect(step(imageInspect, { image: `${repo}:9.9.9` })).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });
  });
});

describe('without an engine', () => {
  it('every container check throws DOCKER_UNREACHABLE', async () => {
    const dead = createProbes({ docker: { host: 'unix:///nonexistent/qualify.sock' } });
    for (const [def, params] of [[containerRunning, { container: 'x' }], [containerImage, { container: 'x' }], [containerLogs, { container: 'x' }], [imageInspect, { image: 'x' }]] as const) {
      await expect(def.observe(params, context(dead))).rejects.toMatchObject({ code: 'DOCKER_UNREACHABLE' });
    }
    dead.close();
  });
});
