// Pieces the Swarm service checks share: finding a service in the manager's snapshot, naming a task
// as the replica a reader knows (`orders.2`), the digest a task runs, the window of recent failures.

import { DocumentError } from '../model/errors.js';
import type { ServiceInfo, SwarmSnapshot, SwarmTask } from '../probes/types.js';
import type { CheckContext } from './define.js';
import { parseImageRef } from './support.js';

/** Task states that end a replica abnormally (a long-running service task does not complete). */
export const FAILED_TASK_STATES = new Set(['failed', 'rejected', 'orphaned', 'complete']);

/** `orders.2` (replicated: service and slot) or `orders.<node id>` (global: one task per node). */
export function taskReplica(service: Pick<ServiceInfo, 'name'>, task: Pick<SwarmTask, 'slot' | 'nodeId' | 'id'>): string {
  if (task.slot !== null && task.slot > 0) return `${service.name}.${task.slot}`;
  return `${service.name}.${task.nodeId ?? task.id}`;
}

/** `repo@sha256:...` of a task's spec image, null when Swarm did not pin a digest. */
export function taskDigest(task: Pick<SwarmTask, 'image'>): string | null {
  const ref = parseImageRef(task.image);
  return ref.digest ? `${ref.repository}@${ref.digest}` : null;
}

/** The service named (or with that id) in the manager's snapshot, with the tasks of it. */
export async function observeService(ctx: CheckContext, name: string): Promise<{ swarm: SwarmSnapshot; service: ServiceInfo | null; tasks: SwarmTask[] }> {
  const swarm = await ctx.probes.docker.swarm({ signal: ctx.signal });
  const service = swarm.services.find((s) => s.name === name) ?? swarm.services.find((s) => s.id === name) ?? null;
  return { swarm, service, tasks: service ? swarm.tasks.filter((t) => t.serviceId === service.id) : [] };
}

/** Why waiting cannot help: the service does not exist on this Swarm. */
export function noService(swarm: SwarmSnapshot, name: string): string {
  const names = swarm.services.map((s) => s.name);
  return `no Swarm service named "${name}" on the manager at ${swarm.endpoint}; services: ${names.length ? names.slice(0, 10).join(', ') : 'none'}`;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A window such as `10m`, `1h`, `2d` in milliseconds. */
export function windowMs(type: string, value: string | undefined, fallback: string): number {
  const s = (value ?? fallback).trim();
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(s);
  if (!m) throw new DocumentError('CHECK_PARAM_INVALID', `${type}: window "${value}" must be a duration such as 10m, 1h or 2d`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

/** The node a task runs on, by host name when the manager knows it. */
export function nodeName(swarm: SwarmSnapshot, nodeId: string | null): string | null {
  if (!nodeId) return null;
  return swarm.nodes.find((n) => n.id === nodeId)?.hostname ?? nodeId;
}
