// Fan-out planning (issue 11) as pure logic: which targets a check block runs on, the ids of its steps,
// replicas expanded from a snapshot, prerequisites on the same target, and the invariant that every
// step derives from exactly one check block. (The real engines are in test/e2e/fleet.test.ts.)
import { describe, expect, it } from 'vitest';
import { assertPlanFromCheckBlocks, planRun, type PlanOptions, type PlanTarget } from './plan.js';
import { expandReplicas } from './fanout.js';
import { executeRun, judgeWith } from './run.js';
import { equalsEvaluate, fakeCheck, protocol, spec, steppingClock, testCase } from '../../test/helpers/runner-fixtures.js';
import type { CheckTypeInfo } from '../model/check.js';
import type { ContainerInfo, EngineSnapshot } from '../probes/types.js';

const scope = { run: { id: 'r', started: 's' }, app: 'orders' };
const types = new Map<string, Pick<CheckTypeInfo, 'scope' | 'params'>>([
  ['container.image', { scope: 'engine', params: { container: { kind: 'string', description: 'c' } } }],
  ['container.running', { scope: 'engine', params: { container: { kind: 'string', description: 'c' }, label: { kind: 'string', description: 'l' } } }],
  ['service.running', { scope: 'swarm', params: { service: { kind: 'string', description: 's' } } }],
  ['command', { scope: 'container-param', params: { container: { kind: 'string', description: 'c' }, argv: { kind: 'string[]', description: 'a' } } }],
  ['http.get', { params: { url: { kind: 'string', description: 'u' } } }],
]);
const fleet: PlanTarget[] = [
  { name: 'eu-1', named: true, role: 'none' },
  { name: 'eu-2', named: true, role: 'worker', clusterId: 'c1' },
  { name: 'swarm', named: true, role: 'manager', clusterId: 'c1' },
  { name: 'swarm-b', named: true, role: 'manager', clusterId: 'c1' },
];
const opts = (targets: PlanTarget[] = fleet): PlanOptions => ({ scope, targets, types, environment: 'production' });

function container(name: string, labels: Record<string, string>, running = true, startedAt = '2026-01-01T00:00:00Z'): ContainerInfo {
  return { name, id: `${name}-id`, image: 'repo:1', imageId: 'sha256:1', state: running ? 'running' : 'exited', running, health: null, restartCount: 0, startedAt, finishedAt: null, exitCode: running ? null : 1, labels, env: {}, user: null, tty: false, ports: [], mounts: [], restartPolicy: { name: 'no', maximumRetryCount: 0 }, networkMode: 'host', inspect: {} };
}
const snapshot = (endpoint: string, containers: ContainerInfo[]): EngineSnapshot => ({ endpoint, takenAt: 't', containers, images: {} });

describe('planRun over the targets of an environment', () => {
  it('a container check runs on every target, a service check on the first manager of each Swarm, a check of this machine once', () => {
    const p = protocol([testCase('IQ-01', [spec('IQ-01.1', 'container.image', { container: 'web' }), spec('IQ-01.2', 'service.running', { service: 'orders' }), spec('IQ-01.3', 'http.get', { url: 'http://x' }), spec('IQ-01.4', 'command', { argv: ['true'] })])]);
    const plan = planRun(p, opts());
    expect(plan.steps.map((s) => [s.id, s.target])).toEqual([
      ['IQ-01.1@eu-1', 'eu-1'], ['IQ-01.1@eu-2', 'eu-2'], ['IQ-01.1@swarm', 'swarm'], ['IQ-01.1@swarm-b', 'swarm-b'],
      ['IQ-01.2@swarm', 'swarm'],
      ['IQ-01.3', null],
      ['IQ-01.4', null],
    ]);
    expect(plan.steps.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('targets of the block, else of its case; all and managers; a manager that could not be asked is kept', () => {
    const p = protocol([
      testCase('IQ-01', [spec('IQ-01.1', 'container.image', { container: 'web' }), spec('IQ-01.2', 'container.image', { container: 'web' }, { targets: 'all' }), spec('IQ-01.3', 'http.get', { url: 'u' })], { targets: ['eu-2'] }),
      testCase('IQ-02', [spec('IQ-02.1', 'container.image', { container: 'db' }, { targets: 'managers' })]),
    ]);
    const unknown = fleet.map((t) => (t.name === 'eu-1' ? { ...t, role: null } : t));
    expect(planRun(p, opts(unknown)).steps.map((s) => s.id)).toEqual(['IQ-01.1@eu-2', 'IQ-01.2@eu-1', 'IQ-01.2@eu-2', 'IQ-01.2@swarm', 'IQ-01.2@swarm-b', 'IQ-01.3', 'IQ-02.1@eu-1', 'IQ-02.1@swarm']);
  });

  it('an environment of one engine keeps the ids of the blocks', () => {
    const p = protocol([testCase('IQ-01', [spec('IQ-01.1', 'container.image', { container: 'web' }), spec('IQ-01.2', 'service.running', { service: 'orders' })])]);
    const plan = planRun(p, opts([{ name: 'default', named: false, role: 'manager' }]));
    expect(plan.steps.map((s) => [s.id, s.target, s.targetNamed])).toEqual([['IQ-01.1', 'default', false], ['IQ-01.2', 'default', false]]);
  });

  it('no Swarm manager among the targets: the service check is one error step saying so', () => {
    const p = protocol([testCase('IQ-01', [spec('IQ-01.1', 'service.running', { service: 'orders' })])]);
    const plan = planRun(p, opts([{ name: 'eu-1', named: true, role: 'none' }, { name: 'eu-2', named: true, role: 'worker' }]));
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]!.id).toBe('IQ-01.1');
    expect(plan.steps[0]!.planError).toBe('SWARM_NOT_MANAGER: no target of environment "production" is a Swarm manager (eu-1: none, eu-2: worker); a service check observes a Swarm through a manager');
  });

  it('a target name the environment does not have: exit 2 naming every place, before anything runs', () => {
    const p = protocol([
      testCase('IQ-01', [spec('IQ-01.1', 'container.image', { container: 'web' }, { targets: ['eu-1', 'eu-9'], keyPositions: { targets: { line: 12, column: 1 } } })], { targets: ['mars'], targetsAt: { line: 8, column: 1 } }),
    ]);
    expect(() => planRun(p, opts())).toThrow(/TARGET_UNKNOWN/);
    try {
      planRun(p, opts());
    } catch (err) {
      expect((err as { code: string }).code).toBe('TARGET_UNKNOWN');
      expect((err as Error).message).toContain('protocols/QP-0009-test.md:8:1 TARGET_UNKNOWN case IQ-01 names "mars", not a target of environment "production" in qualify.yaml (its targets: eu-1, eu-2, swarm, swarm-b)');
      expect((err as Error).message).toContain('protocols/QP-0009-test.md:12:1 TARGET_UNKNOWN check IQ-01.1 names "eu-9"');
    }
    // An environment of one engine has no named targets at all.
    expect(() => planRun(protocol([testCase('IQ-01', [spec('IQ-01.1', 'container.image', { container: 'web' }, { targets: ['eu-1'] })])]), opts([{ name: 'default', named: false }]))).toThrow(/it is one engine \(docker:\), without named targets/);
  });

  it('depends_on a fanned-out block waits for its steps on the same target; command steps are ordered per case and target', () => {
    const p = protocol([
      testCase('IQ-01', [spec('IQ-01.1', 'container.image', { container: 'web' }, { targets: ['eu-1', 'eu-2'] })]),
      testCase('IQ-02', [
        spec('IQ-02.1', 'command', { container: 'web', argv: ['a'] }, { targets: ['eu-1', 'eu-2'], dependsOn: ['IQ-01.1'] }),
        spec('IQ-02.2', 'command', { container: 'web', argv: ['b'] }, { targets: ['eu-1', 'swarm'], dependsOn: ['IQ-01'] }),
      ]),
    ]);
    const byId = new Map(planRun(p, opts()).steps.map((s) => [s.id, s]));
    expect(byId.get('IQ-02.1@eu-2')!.requires).toEqual(['IQ-01.1@eu-2']);
    expect(byId.get('IQ-02.2@swarm')!.requires).toEqual(['IQ-01.1@eu-1', 'IQ-01.1@eu-2']);
    expect(byId.get('IQ-02.2@eu-1')!.after).toEqual(['IQ-02.1@eu-1']);
    expect(byId.get('IQ-02.2@swarm')!.after).toEqual([]);
  });
});

describe('expandReplicas', () => {
  const snapshots: Record<string, EngineSnapshot> = {
    'eu-1': snapshot('unix:///eu-1.sock', [container('orders-1', { app: 'orders' }), container('orders-2', { app: 'orders' }), container('db', { app: 'db' })]),
    swarm: snapshot('ssh://deploy@swarm', [
      container('orders.2.aaa', { 'com.docker.swarm.service.name': 'orders', 'com.docker.swarm.task.name': 'orders.2.aaa' }, false, '2026-01-01T00:00:00Z'),
      container('orders.2.bbb', { 'com.docker.swarm.service.name': 'orders', 'com.docker.swarm.task.name': 'orders.2.bbb' }, true, '2026-01-01T00:01:00Z'),
      container('orders.10.ccc', { 'com.docker.swarm.service.name': 'orders', 'com.docker.swarm.task.name': 'orders.10.ccc' }),
      container('shop_web_1', { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web', 'com.docker.compose.container-number': '1' }),
    ]),
  };
  const observe = async (t: string): Promise<EngineSnapshot> => {
    const s = snapshots[t];
    if (!s) throw Object.assign(new Error('cannot reach the Docker engine at tcp://eu-2:2376 (ECONNREFUSED)'), { code: 'DOCKER_UNREACHABLE' });
    return s;
  };

  it('one step per replica on each target, named as readers know replicas; an unreachable target errors, an empty selection fails', async () => {
    const p = protocol([
      testCase('IQ-02', [
        spec('IQ-02.1', 'container.image', {}, { targets: ['eu-1', 'eu-2'], each: { by: 'label', value: 'app={{app}}' } }),
        spec('IQ-02.2', 'container.image', {}, { targets: ['swarm'], each: { by: 'service', value: 'orders' } }),
        spec('IQ-02.3', 'container.image', {}, { targets: ['swarm'], each: { by: 'service', value: 'shop/web' } }),
        spec('IQ-02.4', 'container.image', {}, { targets: ['eu-1'], each: { by: 'name', value: 'orders-*' } }),
        spec('IQ-02.5', 'container.image', {}, { targets: ['eu-1'], each: { by: 'label', value: 'app=nothing' } }),
      ]),
    ]);
    const plan = await expandReplicas(p, planRun(p, opts()), observe);
    expect(plan.steps.map((s) => s.id)).toEqual([
      'IQ-02.1@eu-1/orders-1', 'IQ-02.1@eu-1/orders-2', 'IQ-02.1@eu-2',
      'IQ-02.2@swarm/orders.2', 'IQ-02.2@swarm/orders.10',
      'IQ-02.3@swarm/web.1',
      'IQ-02.4@eu-1/orders-1', 'IQ-02.4@eu-1/orders-2',
      'IQ-02.5@eu-1',
    ]);
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    // The running container of a restarted slot is the replica; the check gets its container's name.
    expect(byId.get('IQ-02.2@swarm/orders.2')!.params.container).toBe('orders.2.bbb');
    expect(byId.get('IQ-02.2@swarm/orders.2')!.replica).toEqual({ name: 'orders.2', container: 'orders.2.bbb', containerId: 'orders.2.bbb-id' });
    expect(byId.get('IQ-02.1@eu-2')!.planError).toMatch(/^DOCKER_UNREACHABLE: cannot reach .* \(the replicas of label app=orders on target eu-2 could not be listed\)$/);
    expect(byId.get('IQ-02.5@eu-1')!.planFail).toEqual({ reason: 'no replica matched label app=nothing on target eu-1 (unix:///eu-1.sock); 3 containers there', actual: { replicas: 0, selector: 'label app=nothing', endpoint: 'unix:///eu-1.sock' } });
    expect(plan.steps.map((s) => s.index)).toEqual(plan.steps.map((_, i) => i));
  });

  it('the runner gives each step its target and replica; a planned failure or error is recorded as such', async () => {
    const p = protocol([testCase('IQ-02', [spec('IQ-02.1', 'container.image', {}, { targets: ['eu-1', 'eu-2'], each: { by: 'label', value: 'app=orders' }, expect: { ok: true } })])]);
    const plan = await expandReplicas(p, planRun(p, opts()), observe);
    const check = fakeCheck('container.image', (params) => ({ actual: { ok: true, container: params.container } }));
    const outcome = await executeRun<{ target: string | null }>({
      plan,
      checks: new Map([['container.image', check]]),
      context: { target: null },
      contextFor: (step, c) => ({ ...c, target: step.target }),
      judge: judgeWith(equalsEvaluate),
      now: steppingClock(),
    });
    const steps = outcome.cases[0]!.steps;
    expect(steps.map((s) => [s.id, s.status])).toEqual([['IQ-02.1@eu-1/orders-1', 'pass'], ['IQ-02.1@eu-1/orders-2', 'pass'], ['IQ-02.1@eu-2', 'error']]);
    expect(steps[0]!.fanout).toEqual({ check: 'IQ-02.1', target: 'eu-1', replica: { name: 'orders-1', container: 'orders-1', containerId: 'orders-1-id' } });
    expect(steps[2]!.fanout).toEqual({ check: 'IQ-02.1', target: 'eu-2', replica: null });
  });
});

describe('the check-block invariant after fan-out', () => {
  const p = protocol([testCase('IQ-01', [spec('IQ-01.1', 'container.image', { container: 'a' }, { position: { line: 5, column: 1 } }), spec('IQ-01.2', 'container.image', { container: 'b' }, { position: { line: 9, column: 1 } })])]);

  it('holds for a plan fanned out over targets', () => {
    expect(() => planRun(p, opts())).not.toThrow();
    expect(planRun(p, opts()).steps).toHaveLength(8);
  });

  it('refuses steps that drop a block, repeat one out of its run, mix blocks, or derive from no block of the protocol', () => {
    const steps = planRun(p, opts()).steps;
    expect(() => assertPlanFromCheckBlocks(p, steps.filter((s) => s.checkId !== 'IQ-01.2'))).toThrow(/STEPS_NOT_CHECK_BLOCKS|are not the check blocks/);
    expect(() => assertPlanFromCheckBlocks(p, [...steps, steps[0]!])).toThrow(/are not the check blocks/);
    expect(() => assertPlanFromCheckBlocks(p, [steps[4]!, ...steps.slice(0, 4), ...steps.slice(5)])).toThrow(/are not the check blocks/);
    const stray = { ...steps[0]!, spec: { ...steps[0]!.spec } };
    expect(() => assertPlanFromCheckBlocks(p, [stray, ...steps.slice(1)])).toThrow(/are not the check blocks/);
  });
});
