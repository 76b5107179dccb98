// The fleet check types as pure logic (issue 11): what service.running and service.image judge from a
// Swarm manager's answer, and what compose.project reads of a compose file. The answers are shaped as
// dockerd 20.10 gives them (GET /services, /tasks, /nodes). The real Swarm and Compose project are in
// test/e2e/fleet.test.ts.
import { describe, expect, it } from 'vitest';
import { judgeObservation } from './define.js';
import { serviceImage } from './service-image.js';
import { serviceRunning } from './service-running.js';
import { defaultProjectName, parseComposeFile } from './compose-project.js';
import { readNodes, readServices, readTasks } from '../probes/docker-swarm.js';
import { readEngineFacts } from '../probes/docker-answers.js';
import type { CheckContext } from './define.js';
import type { Probes, SwarmSnapshot } from '../probes/types.js';

const A = `127.0.0.1:5000/orders@sha256:${'a'.repeat(64)}`;
const B = `127.0.0.1:5000/orders@sha256:${'b'.repeat(64)}`;
const now = new Date('2026-12-01T12:00:00Z');

function task(id: string, slot: number, state: string, image: string, desired = 'running', at = '2026-12-01T11:58:00Z'): unknown {
  return { ID: id, ServiceID: 'svc1', Slot: slot, NodeID: 'node1', DesiredState: desired, Status: { Timestamp: at, State: state, Message: state, ContainerStatus: { ContainerID: `c-${id}`, ExitCode: state === 'failed' ? 137 : 0 } }, Spec: { ContainerSpec: { Image: image.replace('@', ':1.0.0@') } } };
}

function swarm(tasks: unknown[], update: unknown = null): SwarmSnapshot {
  const service = { ID: 'svc1', Spec: { Name: 'orders', Mode: { Replicated: { Replicas: 3 } }, TaskTemplate: { ContainerSpec: { Image: A.replace('@', ':1.0.0@') } } }, ...(update ? { UpdateStatus: update } : {}) };
  return {
    endpoint: 'unix:///swarm.sock',
    takenAt: now.toISOString(),
    services: readServices([service], 'unix:///swarm.sock'),
    tasks: readTasks(tasks, 'unix:///swarm.sock'),
    nodes: readNodes([{ ID: 'node1', Description: { Hostname: 'vm-1' }, Spec: { Role: 'manager', Availability: 'active' }, Status: { State: 'ready', Addr: '127.0.0.1' } }], 'unix:///swarm.sock'),
  };
}

function ctx(snapshot: SwarmSnapshot, expect?: Record<string, unknown>): CheckContext {
  const probes = { docker: { swarm: async () => snapshot } } as unknown as Probes;
  return { probes, signal: new AbortController().signal, repoRoot: '/', now: () => now, documents: async () => null, ask: async () => null, ...(expect ? { expect } : {}) };
}

const healthy = [task('t1', 1, 'running', A), task('t2', 2, 'running', A), task('t3', 3, 'running', A)];

describe('service.running', () => {
  it('passes a service with its desired replicas running, its update completed and no failure in the window', async () => {
    const obs = await serviceRunning.observe({ service: 'orders' }, ctx(swarm(healthy, { State: 'completed' })));
    expect(obs.actual).toMatchObject({ exists: true, mode: 'replicated', replicas: 3, running: 3, update_state: 'completed', failed_tasks: 0, nodes: 1 });
    expect(obs.actual.placement).toEqual([1, 2, 3].map((n) => ({ replica: `orders.${n}`, node: 'vm-1', node_id: 'node1', state: 'running', task: `t${n}`, digest: A })));
    expect(judgeObservation(serviceRunning, undefined, obs).status).toBe('pass');
  });

  it('fails a missing replica, an update paused or rolled back, a task failed within the window (not one before it)', async () => {
    const tasks = [task('t1', 1, 'running', A), task('t2', 2, 'starting', A), task('t3', 3, 'running', A), task('t0', 3, 'failed', A, 'shutdown', '2026-12-01T11:55:00Z'), task('old', 1, 'failed', A, 'shutdown', '2026-11-30T00:00:00Z')];
    const obs = await serviceRunning.observe({ service: 'orders', window: '10m' }, ctx(swarm(tasks, { State: 'rollback_completed', Message: 'rollback completed' })));
    const v = judgeObservation(serviceRunning, undefined, obs);
    expect(v.status).toBe('fail');
    expect(v.assertions.filter((a) => !a.pass).map((a) => a.message)).toEqual([
      '2 of 3 replicas running (orders.2 starting on vm-1)',
      'the last update is rollback_completed (rollback completed), not completed',
      '1 task ended within 10m: orders.3 failed at 2026-12-01T11:55:00Z',
    ]);
  });

  it('a key named by expect replaces the implicit verdict of that key', async () => {
    const tasks = [...healthy, task('t0', 3, 'failed', A, 'shutdown', '2026-12-01T11:59:00Z')];
    const obs = await serviceRunning.observe({ service: 'orders' }, ctx(swarm(tasks), { failed_tasks: { lte: 1 } }));
    expect(judgeObservation(serviceRunning, { failed_tasks: { lte: 1 } }, obs).status).toBe('pass');
  });

  it('a service that does not exist fails at once (waiting does not create it)', async () => {
    const obs = await serviceRunning.observe({ service: 'nope' }, ctx(swarm(healthy)));
    expect(obs.final).toBe('no Swarm service named "nope" on the manager at unix:///swarm.sock; services: orders');
    expect(judgeObservation(serviceRunning, undefined, obs).status).toBe('fail');
  });
});

describe('service.image', () => {
  it('one verdict per running replica; a replica on another digest is named with its node and task', async () => {
    const tasks = [task('t1', 1, 'running', A), task('t2', 2, 'running', B), task('t3', 3, 'running', A), task('t9', 2, 'shutdown', A, 'shutdown')];
    const obs = await serviceImage.observe({ service: 'orders' }, ctx(swarm(tasks)));
    expect(obs.actual).toMatchObject({ image: A.replace('@', ':1.0.0@'), digest: A, running: 3, digests: [A, B] });
    const v = judgeObservation(serviceImage, { digest: A }, obs);
    expect(v.status).toBe('fail');
    expect(v.assertions.map((a) => [a.path, a.pass])).toEqual([['orders.1.digest', true], ['orders.2.digest', false], ['orders.3.digest', true]]);
    expect(v.reason).toBe(`orders.2.digest: replica orders.2 on vm-1 (task t2) runs ${B}, not the approved ${A}`);
    // An approved bare digest equals the repository's.
    expect(judgeObservation(serviceImage, { digest: `sha256:${'a'.repeat(64)}` }, await serviceImage.observe({ service: 'orders' }, ctx(swarm(healthy)))).status).toBe('pass');
  });

  it('no running task fails', async () => {
    const obs = await serviceImage.observe({ service: 'orders' }, ctx(swarm([task('t1', 1, 'pending', A)])));
    expect(judgeObservation(serviceImage, { digest: A }, obs)).toMatchObject({ status: 'fail', reason: 'digest: no task of the service is running' });
  });
});

describe('engine facts', () => {
  it('read the engine id and the Swarm role and node', () => {
    const version = { Version: '20.10.24', ApiVersion: '1.41' };
    const base = { ID: 'ABCD:EFGH', Name: 'vm-1', SystemTime: '2026-12-01T12:00:00Z' };
    expect(readEngineFacts(version, { ...base, Swarm: { LocalNodeState: 'active', ControlAvailable: true, NodeID: 'n1', Cluster: { ID: 'c1' } } }, 'x')).toMatchObject({ engineId: 'ABCD:EFGH', swarm: { role: 'manager', nodeId: 'n1', clusterId: 'c1' } });
    expect(readEngineFacts(version, { ...base, Swarm: { LocalNodeState: 'active', ControlAvailable: false, NodeID: 'n2' } }, 'x').swarm).toEqual({ role: 'worker', nodeId: 'n2', clusterId: null });
    expect(readEngineFacts(version, { ...base, Swarm: { LocalNodeState: 'inactive', NodeID: '' } }, 'x').swarm).toEqual({ role: 'none', nodeId: null, clusterId: null });
    expect(() => readEngineFacts(version, { ...base, Swarm: { LocalNodeState: 'active', ControlAvailable: 'yes' } }, 'x')).toThrow(/DOCKER_ANSWER_INVALID|invalid field Swarm\.ControlAvailable/);
  });
});

describe('compose files', () => {
  it('reads the services and the image each declares (merge keys as Compose reads them)', () => {
    const text = ['version: "3.7"', 'x-base: &base', '  image: repo@sha256:' + 'c'.repeat(64), '  network_mode: host', 'services:', '  web:', '    <<: *base', '  worker:', '    build: .', ''].join('\n');
    expect(parseComposeFile(text, 'deploy/docker-compose.yml')).toEqual({ services: { web: { image: `repo@sha256:${'c'.repeat(64)}` }, worker: { image: null } } });
  });

  it('refuses a file without services, or not YAML, naming it', () => {
    expect(() => parseComposeFile('web:\n  image: x\n', 'old.yml')).toThrow(/old\.yml has no "services:" mapping/);
    expect(() => parseComposeFile('services: [\n', 'bad.yml')).toThrow(/bad\.yml is not valid YAML/);
  });

  it('names the project as Compose does by default: the folder name, lower case, letters digits - _', () => {
    expect(defaultProjectName('/srv/My Shop.v2/docker-compose.yml')).toBe('myshopv2');
  });
});
