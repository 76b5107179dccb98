// Replicas: the containers an `each: replica` selector names on one engine, each with the name a reader
// knows it by. A Swarm task's container is `<service>.<slot>` (global services: `<service>.<node id>`),
// a Compose container `<service>.<number>`, any other container its own name. Pure: reads a snapshot.

import type { ReplicaSelector } from '../model/document.js';
import type { ContainerInfo, EngineSnapshot } from '../probes/types.js';
import { selectByLabel } from './support.js';

export const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.name';
export const SWARM_TASK_LABEL = 'com.docker.swarm.task.name';
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
export const COMPOSE_NUMBER_LABEL = 'com.docker.compose.container-number';
export const COMPOSE_HASH_LABEL = 'com.docker.compose.config-hash';

export interface Replica {
  /** `orders.2`, or the container name. */
  name: string;
  container: ContainerInfo;
}

/** The name a reader knows a container by as a replica (see the file's header). */
export function replicaName(c: ContainerInfo): string {
  const task = c.labels[SWARM_TASK_LABEL];
  if (task && c.labels[SWARM_SERVICE_LABEL]) {
    // `orders.2.<task id>`: the task id changes with every restart of the slot; the slot does not.
    const dot = task.lastIndexOf('.');
    return dot > 0 ? task.slice(0, dot) : task;
  }
  const service = c.labels[COMPOSE_SERVICE_LABEL];
  const number = c.labels[COMPOSE_NUMBER_LABEL];
  if (service && number) return `${service}.${number}`;
  return c.name;
}

/** `*` any run of characters, `?` one character; the rest literal. */
function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Containers of a Swarm service, or of a Compose service (`service` or `project/service`). */
function byService(snapshot: EngineSnapshot, value: string): ContainerInfo[] {
  const slash = value.indexOf('/');
  const project = slash === -1 ? null : value.slice(0, slash);
  const service = slash === -1 ? value : value.slice(slash + 1);
  return snapshot.containers.filter((c) =>
    project === null
      ? c.labels[SWARM_SERVICE_LABEL] === service || c.labels[COMPOSE_SERVICE_LABEL] === service
      : c.labels[COMPOSE_PROJECT_LABEL] === project && c.labels[COMPOSE_SERVICE_LABEL] === service,
  );
}

/** Natural order: orders.2 before orders.10. */
const collator = new Intl.Collator('en', { numeric: true });

/**
 * The replicas a selector names on one engine, in natural order of their names. Where one replica
 * name has several containers (a Swarm slot restarted: the old task's container stays, exited), the
 * running one counts, else the most recently started.
 */
export function selectReplicas(snapshot: EngineSnapshot, selector: ReplicaSelector): Replica[] {
  const matched =
    selector.by === 'label' ? selectByLabel(snapshot, selector.value) : selector.by === 'name' ? snapshot.containers.filter((c) => globToRegExp(selector.value).test(c.name)) : byService(snapshot, selector.value);
  const byName = new Map<string, ContainerInfo>();
  for (const c of matched) {
    const name = replicaName(c);
    const seen = byName.get(name);
    if (!seen || rank(c) > rank(seen)) byName.set(name, c);
  }
  return [...byName.entries()].map(([name, container]) => ({ name, container })).sort((a, b) => collator.compare(a.name, b.name));
}

function rank(c: ContainerInfo): string {
  return `${c.running ? 1 : 0}${c.startedAt ?? ''}`;
}

/** How a selector reads in a sentence: `label app=orders`, `name orders-*`, `service orders`. */
export function describeSelector(selector: ReplicaSelector): string {
  return `${selector.by} ${selector.value}`;
}
