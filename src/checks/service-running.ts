// service.running — A Swarm service runs all the replicas it should, its last update completed, no task failed lately.
//
// Example:
//   type: service.running
//   service: orders
//   window: 10m
//   expect:
//     replicas: 3
//
// Observes (through a Swarm manager target): exists, mode (replicated/global), replicas (desired; for a
// global service the nodes it should run on), running (tasks running that should run), update_state
// (none, updating, paused, completed, rollback_started, rollback_paused, rollback_completed),
// failed_tasks (tasks that failed, were rejected or ended within `window`, default 10m), failures
// (which), nodes (how many nodes run it) and placement (per replica: node, state, task, digest).
// Judges by itself, unless `expect` names the key: running equals replicas, update_state is none or
// completed (not paused, not rolled back), failed_tasks is 0. A service that does not exist fails at once.

import type { Assertion } from '../model/report.js';
import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { jsonEvidence } from './support.js';
import { FAILED_TASK_STATES, nodeName, noService, observeService, taskDigest, taskReplica, windowMs } from './swarm.js';

const SETTLED_UPDATES = ['none', 'completed'];

export const serviceRunning = defineCheck({
  type: 'service.running',
  summary: 'A Swarm service runs its desired replicas, its last update completed, and no task failed within a window.',
  scope: 'swarm',
  params: {
    service: { kind: 'string', description: 'Swarm service name (or id)', required: true },
    window: { kind: 'string', description: 'How far back a failed task counts (default 10m): a duration such as 10m, 1h, 2d' },
  },
  expectKeys: ['exists', 'mode', 'replicas', 'running', 'update_state', 'failed_tasks', 'failures', 'nodes', 'placement'],
  implicitVerdict: true,
  example: ['type: service.running', 'service: orders', 'window: 10m', 'expect:', '  replicas: 3', ''].join('\n'),

  async observe(params, ctx) {
    const p = readParams('service.running', params);
    const name = p.string('service');
    const window = windowMs('service.running', p.optionalString('window'), '10m');
    const { swarm, service, tasks } = await observeService(ctx, name);
    if (!service) {
      const actual = { exists: false, replicas: null, running: 0 };
      return { actual, assertions: [{ path: 'exists', matcher: 'equals', expected: true, actual: false, pass: false, message: noService(swarm, name) }], final: noService(swarm, name), evidence: [jsonEvidence('services', `Swarm services on ${swarm.endpoint}`, swarm.services.map((s) => ({ name: s.name, id: s.id, image: s.image })))] };
    }
    const current = tasks.filter((t) => t.desiredState === 'running');
    const running = current.filter((t) => t.state === 'running');
    const since = ctx.now().getTime() - window;
    const failures = tasks
      .filter((t) => FAILED_TASK_STATES.has(t.state) && t.timestamp !== null && Date.parse(t.timestamp) >= since)
      .map((t) => ({ replica: taskReplica(service, t), task: t.id, state: t.state, at: t.timestamp, error: t.error, exit_code: t.exitCode, node: nodeName(swarm, t.nodeId) }));
    const desired = service.replicas ?? current.length;
    const placement = current.map((t) => ({ replica: taskReplica(service, t), node: nodeName(swarm, t.nodeId), node_id: t.nodeId, state: t.state, task: t.id, digest: taskDigest(t) }));
    const actual: Record<string, unknown> = {
      exists: true,
      mode: service.mode,
      replicas: desired,
      running: running.length,
      update_state: service.update?.state ?? 'none',
      failed_tasks: failures.length,
      failures,
      nodes: new Set(running.map((t) => t.nodeId)).size,
      placement,
    };
    const given = ctx.expect ?? {};
    const assertions: Assertion[] = [];
    const own = (path: string, pass: boolean, expected: unknown, message: string): void => {
      if (!(path in given)) assertions.push({ path, matcher: path === 'update_state' ? 'one_of' : 'equals', expected, actual: actual[path], pass, ...(pass ? {} : { message }) });
    };
    const notRunning = placement.filter((t) => t.state !== 'running').map((t) => `${t.replica} ${t.state} on ${t.node ?? 'no node'}`);
    own('running', running.length === desired, desired, `${running.length} of ${desired} replicas running${notRunning.length ? ` (${notRunning.join(', ')})` : ''}`);
    own('update_state', SETTLED_UPDATES.includes(String(actual.update_state)), SETTLED_UPDATES, `the last update is ${actual.update_state}${service.update?.message ? ` (${service.update.message})` : ''}, not completed`);
    own('failed_tasks', failures.length === 0, 0, `${failures.length} task${failures.length === 1 ? '' : 's'} ended within ${p.optionalString('window') ?? '10m'}: ${failures.slice(0, 3).map((f) => `${f.replica} ${f.state}${f.error ? ` (${f.error})` : ''} at ${f.at}`).join('; ')}`);
    const evidence = [jsonEvidence(`service-${service.name}`, `docker service inspect of ${service.name} on ${swarm.endpoint}`, service.inspect), jsonEvidence(`tasks-${service.name}`, `tasks of service ${service.name} on ${swarm.endpoint}`, tasks.map((t) => t.inspect))];
    return { actual, assertions, evidence };
  },
});
