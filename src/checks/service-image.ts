// service.image — Every running task of a Swarm service runs exactly the approved image digest.
//
// Example:
//   type: service.image
//   service: orders
//   expect:
//     digest: "{{image}}"
//
// Observes (through a Swarm manager target): image (the service's image as its spec names it), digest
// (the digest Swarm pinned in the spec), running (tasks running), tasks (per replica: node, state,
// digest, task id) and digests (every digest running tasks use). `expect.digest` is compared with
// every running task's digest, one assertion per replica, so a deviation names the replica and its
// node; a service without a running task fails. Other keys are compared as written.

import type { Assertion } from '../model/report.js';
import { defineCheck } from './define.js';
import { evaluateExpect } from './matchers.js';
import { readParams } from './params.js';
import { jsonEvidence, parseImageRef } from './support.js';
import { nodeName, noService, observeService, taskDigest, taskReplica } from './swarm.js';

interface TaskRow {
  replica: string;
  node: string | null;
  state: string;
  digest: string | null;
  task: string;
}

export const serviceImage = defineCheck({
  type: 'service.image',
  summary: 'Every running task of a Swarm service runs the approved image digest (one verdict per replica).',
  scope: 'swarm',
  params: {
    service: { kind: 'string', description: 'Swarm service name (or id)', required: true },
  },
  expectKeys: ['image', 'digest', 'digests', 'running', 'tasks'],
  example: ['type: service.image', 'service: orders', 'expect:', '  digest: "{{image}}"', ''].join('\n'),

  async observe(params, ctx) {
    const name = readParams('service.image', params).string('service');
    const { swarm, service, tasks } = await observeService(ctx, name);
    if (!service) {
      return { actual: { exists: false, running: 0, tasks: [], digests: [] }, final: noService(swarm, name), evidence: [jsonEvidence('services', `Swarm services on ${swarm.endpoint}`, swarm.services.map((s) => ({ name: s.name, id: s.id, image: s.image })))] };
    }
    const running = tasks.filter((t) => t.desiredState === 'running' && t.state === 'running');
    const rows: TaskRow[] = running.map((t) => ({ replica: taskReplica(service, t), node: nodeName(swarm, t.nodeId), state: t.state, digest: taskDigest(t), task: t.id }));
    const ref = parseImageRef(service.image);
    const actual = {
      image: service.image,
      digest: ref.digest ? `${ref.repository}@${ref.digest}` : null,
      running: rows.length,
      tasks: rows,
      digests: [...new Set(rows.map((r) => r.digest ?? '(not pinned)'))].sort(),
    };
    const evidence = [jsonEvidence(`service-${service.name}`, `docker service inspect of ${service.name} on ${swarm.endpoint}`, service.inspect), jsonEvidence(`tasks-${service.name}`, `running tasks of service ${service.name} on ${swarm.endpoint}`, running.map((t) => t.inspect))];
    return { actual, evidence };
  },

  /** `digest` is the approved digest of every running task: one assertion per replica; the rest as written. */
  evaluate(expect, observation) {
    if (!expect) return [];
    const { digest, ...rest } = expect;
    const actual = observation.actual;
    const out: Assertion[] = evaluateExpect(rest, actual);
    if (digest === undefined) return out;
    const rows = (actual.tasks as TaskRow[] | undefined) ?? [];
    if (actual.exists === false || rows.length === 0) {
      out.push({ path: 'digest', matcher: 'equals', expected: digest, actual: null, pass: false, message: actual.exists === false ? 'the service does not exist' : 'no task of the service is running' });
      return out;
    }
    for (const row of rows) {
      for (const a of evaluateExpect({ digest }, { digest: row.digest })) {
        const where = `${row.replica}${row.node ? ` on ${row.node}` : ''}`;
        out.push({ ...a, path: `${row.replica}.digest`, ...(a.pass ? {} : { message: `replica ${where} (task ${row.task}) runs ${row.digest ?? 'an image not pinned by digest'}, not the approved ${String(typeof digest === 'string' ? digest : JSON.stringify(digest))}` }) });
      }
    }
    return out;
  },
});
