// The Swarm of an engine that manages one: services (GET /services), tasks (GET /tasks) and nodes
// (GET /nodes), read once per Probes instance like the container snapshot. Every answer is checked
// (EngineAnswer) before it is read. An engine that is not a manager answers 503 "This node is not a
// swarm manager": that is SWARM_NOT_MANAGER, final (waiting does not make it one).

import { EnvironmentError } from '../model/errors.js';
import { EngineAnswer } from './docker-answers.js';
import type { ServiceInfo, SwarmNode, SwarmTask } from './types.js';

const ZERO_TIME = /^0001-01-01T/;
const time = (v: string | undefined): string | null => (v && !ZERO_TIME.test(v) ? v : null);

/** `GET /services`, one checked ServiceInfo per service, sorted by name. */
export function readServices(raw: unknown, endpoint: string): ServiceInfo[] {
  const list = new EngineAnswer(raw, 'list services', endpoint).root('array');
  return list
    .map((item, n): ServiceInfo => {
      const a = new EngineAnswer(item, `list services (entry ${n + 1})`, endpoint);
      a.root('object');
      const replicated = a.may('Spec.Mode.Replicated', 'object');
      const global = a.may('Spec.Mode.Global', 'object');
      const update = a.may('UpdateStatus', 'object');
      return {
        id: a.need('ID', 'string'),
        name: a.need('Spec.Name', 'string'),
        image: a.need('Spec.TaskTemplate.ContainerSpec.Image', 'string'),
        mode: replicated ? 'replicated' : global ? 'global' : 'other',
        replicas: replicated ? (a.may('Spec.Mode.Replicated.Replicas', 'number') ?? 1) : null,
        update: update
          ? { state: a.may('UpdateStatus.State', 'string') ?? 'unknown', message: a.may('UpdateStatus.Message', 'string') ?? null, startedAt: time(a.may('UpdateStatus.StartedAt', 'string')), completedAt: time(a.may('UpdateStatus.CompletedAt', 'string')) }
          : null,
        labels: a.strings('Spec.Labels'),
        inspect: item as Record<string, unknown>,
      };
    })
    .sort((x, y) => x.name.localeCompare(y.name));
}

/** `GET /tasks`, checked, sorted by service, slot (or node) and time. */
export function readTasks(raw: unknown, endpoint: string): SwarmTask[] {
  const list = new EngineAnswer(raw, 'list tasks', endpoint).root('array');
  return list
    .map((item, n): SwarmTask => {
      const a = new EngineAnswer(item, `list tasks (entry ${n + 1})`, endpoint);
      a.root('object');
      return {
        id: a.need('ID', 'string'),
        serviceId: a.need('ServiceID', 'string'),
        slot: a.may('Slot', 'number') ?? null,
        nodeId: a.may('NodeID', 'string') || null,
        desiredState: a.may('DesiredState', 'string') ?? 'unknown',
        state: a.need('Status.State', 'string'),
        message: a.may('Status.Message', 'string') || null,
        error: a.may('Status.Err', 'string') || null,
        timestamp: time(a.may('Status.Timestamp', 'string')),
        image: a.may('Spec.ContainerSpec.Image', 'string') ?? '',
        containerId: a.may('Status.ContainerStatus.ContainerID', 'string') || null,
        exitCode: a.may('Status.ContainerStatus.ExitCode', 'number') ?? null,
        inspect: item as Record<string, unknown>,
      };
    })
    .sort((x, y) => x.serviceId.localeCompare(y.serviceId) || (x.slot ?? 0) - (y.slot ?? 0) || (x.nodeId ?? '').localeCompare(y.nodeId ?? '') || (x.timestamp ?? '').localeCompare(y.timestamp ?? ''));
}

/** `GET /nodes`, checked, sorted by host name. */
export function readNodes(raw: unknown, endpoint: string): SwarmNode[] {
  const list = new EngineAnswer(raw, 'list nodes', endpoint).root('array');
  return list
    .map((item, n): SwarmNode => {
      const a = new EngineAnswer(item, `list nodes (entry ${n + 1})`, endpoint);
      a.root('object');
      return {
        id: a.need('ID', 'string'),
        hostname: a.may('Description.Hostname', 'string') ?? null,
        role: a.may('Spec.Role', 'string') ?? null,
        availability: a.may('Spec.Availability', 'string') ?? null,
        state: a.may('Status.State', 'string') ?? null,
        addr: a.may('Status.Addr', 'string') ?? null,
      };
    })
    .sort((x, y) => (x.hostname ?? x.id).localeCompare(y.hostname ?? y.id));
}

/** The error of an engine that answered a Swarm call with "not a swarm manager" (503), else the error itself. */
export function swarmError(err: unknown, endpoint: string): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (/HTTP 503|not a swarm manager|not part of a swarm/i.test(message)) {
    return new EnvironmentError(
      'SWARM_NOT_MANAGER',
      `the Docker engine at ${endpoint} is not a Swarm manager (${message.replace(/^.*?HTTP 503: /, '')}); name a manager of the Swarm as the target of service checks`,
      { cause: err, final: true },
    );
  }
  return err;
}
