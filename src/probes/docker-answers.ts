// What the Docker Engine API answered, checked before anything reads it. An answer that is not JSON,
// or lacks a field the probes need, or holds it with the wrong type, is DOCKER_ANSWER_INVALID naming
// the call, the field and what was found: a broken or impostor engine is reported, never read as
// "undefined" further down.

import { EnvironmentError } from '../model/errors.js';
import type { ContainerInfo, ImageInfo, MountInfo, PortBinding } from './types.js';
import type { SwarmRole } from '../model/report.js';

type Json = Record<string, unknown>;
type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array';

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Buffer.isBuffer(v)) return `${v.length} bytes that are not JSON`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function kindOf(v: unknown): Kind | null {
  if (Array.isArray(v)) return 'array';
  if (v === null || Buffer.isBuffer(v)) return null;
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'object' ? (t as Kind) : null;
}

const ARTICLE: Record<Kind, string> = { string: 'a string', number: 'a number', boolean: 'true or false', object: 'an object', array: 'a list' };

/** Reads typed fields of one Engine API answer; every problem names the call and the field. */
export class EngineAnswer {
  constructor(
    private readonly raw: unknown,
    /** `inspect container web`: the call, as people read it. */
    private readonly what: string,
    private readonly endpoint: string,
  ) {}

  private fail(path: string, expected: string, found: unknown): never {
    const field = path ? ` field ${path}` : '';
    throw new EnvironmentError(
      'DOCKER_ANSWER_INVALID',
      `the Docker engine at ${this.endpoint} answered "${this.what}" with an invalid${field || ' answer'}: expected ${expected}, found ${describe(found)}`,
      { final: true },
    );
  }

  private at(path: string): unknown {
    let v: unknown = this.raw;
    for (const part of path ? path.split('.') : []) {
      if (Array.isArray(v)) v = /^\d+$/.test(part) ? v[Number(part)] : undefined;
      else if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return undefined;
      else v = (v as Json)[part];
    }
    return v;
  }

  /** The whole answer, which must be of `kind`. */
  root(kind: 'object'): Json;
  root(kind: 'array'): unknown[];
  root(kind: 'object' | 'array'): Json | unknown[] {
    if (kindOf(this.raw) !== kind) this.fail('', `${ARTICLE[kind]} (JSON)`, this.raw);
    return this.raw as Json | unknown[];
  }

  /** A field that must be present with its type. */
  need(path: string, kind: 'string'): string;
  need(path: string, kind: 'number'): number;
  need(path: string, kind: 'boolean'): boolean;
  need(path: string, kind: 'object'): Json;
  need(path: string, kind: 'array'): unknown[];
  need(path: string, kind: Kind): unknown {
    const v = this.at(path);
    if (kindOf(v) !== kind) this.fail(path, ARTICLE[kind], v);
    return v;
  }

  /** A field that may be absent or null (then `undefined`); present, it must be of its type. */
  may(path: string, kind: 'string'): string | undefined;
  may(path: string, kind: 'number'): number | undefined;
  may(path: string, kind: 'boolean'): boolean | undefined;
  may(path: string, kind: 'object'): Json | undefined;
  may(path: string, kind: 'array'): unknown[] | undefined;
  may(path: string, kind: Kind): unknown {
    const v = this.at(path);
    if (v === undefined || v === null) return undefined;
    if (kindOf(v) !== kind) this.fail(path, `${ARTICLE[kind]} or nothing`, v);
    return v;
  }

  /** A map of strings (labels); absent or null is empty. */
  strings(path: string): Record<string, string> {
    const o = this.may(path, 'object') ?? {};
    const out: Record<string, string> = {};
    for (const key of Object.keys(o).sort()) {
      const v = o[key];
      if (typeof v !== 'string') this.fail(`${path}.${key}`, 'a string', v);
      out[key] = v;
    }
    return out;
  }

  /** A list of strings; absent or null is empty. */
  stringList(path: string): string[] {
    const list = this.may(path, 'array') ?? [];
    list.forEach((v, i) => {
      if (typeof v !== 'string') this.fail(`${path}[${i}]`, 'a string', v);
    });
    return list as string[];
  }
}

const ZERO_TIME = /^0001-01-01T/;

function time(v: string | undefined): string | null {
  return v && !ZERO_TIME.test(v) ? v : null;
}

/** The ids of `GET /containers/json?all=1`. */
export function readContainerList(raw: unknown, endpoint: string): string[] {
  const a = new EngineAnswer(raw, 'list containers', endpoint);
  return a.root('array').map((_, i) => a.need(`${i}.Id`, 'string'));
}

/** A container inspect answer, normalised. */
export function readContainer(raw: unknown, what: string, endpoint: string): ContainerInfo {
  const a = new EngineAnswer(raw, what, endpoint);
  const inspect = a.root('object');
  const env: Record<string, string> = {};
  for (const entry of a.stringList('Config.Env')) {
    const eq = entry.indexOf('=');
    if (eq === -1) env[entry] = '';
    else env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const ports: PortBinding[] = [];
  const bindings = a.may('NetworkSettings.Ports', 'object') ?? a.may('HostConfig.PortBindings', 'object') ?? {};
  const seen = new Set<string>();
  for (const [containerPort, list] of Object.entries(bindings)) {
    seen.add(containerPort);
    if (!Array.isArray(list) || list.length === 0) {
      ports.push({ containerPort, hostIp: null, hostPort: null });
      continue;
    }
    for (const b of list as Array<Json | null>) {
      ports.push({ containerPort, hostIp: typeof b?.HostIp === 'string' && b.HostIp ? b.HostIp : null, hostPort: typeof b?.HostPort === 'string' && b.HostPort ? b.HostPort : null });
    }
  }
  for (const containerPort of Object.keys(a.may('Config.ExposedPorts', 'object') ?? {})) {
    if (!seen.has(containerPort)) ports.push({ containerPort, hostIp: null, hostPort: null });
  }
  ports.sort((x, y) => `${x.containerPort} ${x.hostIp} ${x.hostPort}`.localeCompare(`${y.containerPort} ${y.hostIp} ${y.hostPort}`));
  const mounts: MountInfo[] = (a.may('Mounts', 'array') ?? [])
    .map((_, i) => {
      const type = a.may(`Mounts.${i}.Type`, 'string') ?? '';
      const source = (type === 'volume' ? a.may(`Mounts.${i}.Name`, 'string') : undefined) ?? a.may(`Mounts.${i}.Source`, 'string') ?? '';
      return { type, source, destination: a.may(`Mounts.${i}.Destination`, 'string') ?? '', readOnly: a.may(`Mounts.${i}.RW`, 'boolean') === false };
    })
    .sort((x, y) => x.destination.localeCompare(y.destination));
  const exitCode = a.may('State.ExitCode', 'number');
  return {
    name: a.need('Name', 'string').replace(/^\//, ''),
    id: a.need('Id', 'string'),
    image: a.may('Config.Image', 'string') ?? '',
    imageId: a.need('Image', 'string'),
    state: a.need('State.Status', 'string'),
    running: a.need('State.Running', 'boolean'),
    health: a.may('State.Health.Status', 'string') ?? null,
    restartCount: a.may('RestartCount', 'number') ?? 0,
    startedAt: time(a.may('State.StartedAt', 'string')),
    finishedAt: time(a.may('State.FinishedAt', 'string')),
    exitCode: exitCode ?? null,
    labels: a.strings('Config.Labels'),
    env: Object.fromEntries(Object.entries(env).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
    user: a.may('Config.User', 'string') || null,
    tty: a.may('Config.Tty', 'boolean') ?? false,
    ports,
    mounts,
    restartPolicy: { name: a.may('HostConfig.RestartPolicy.Name', 'string') || 'no', maximumRetryCount: a.may('HostConfig.RestartPolicy.MaximumRetryCount', 'number') ?? 0 },
    networkMode: a.may('HostConfig.NetworkMode', 'string') ?? '',
    inspect,
  };
}

/** An image inspect answer, normalised. */
export function readImage(raw: unknown, what: string, endpoint: string): ImageInfo {
  const a = new EngineAnswer(raw, what, endpoint);
  const inspect = a.root('object');
  return {
    id: a.need('Id', 'string'),
    repoDigests: [...a.stringList('RepoDigests')].sort(),
    repoTags: a.stringList('RepoTags').filter((t) => t !== '<none>:<none>').sort(),
    labels: a.strings('Config.Labels'),
    user: a.may('Config.User', 'string') || null,
    created: a.may('Created', 'string') || null,
    architecture: a.may('Architecture', 'string') || null,
    os: a.may('Os', 'string') || null,
    size: a.may('Size', 'number') ?? null,
    inspect,
  };
}

/** The answer of `POST /containers/{id}/exec`: the exec id. */
export function readExecCreated(raw: unknown, what: string, endpoint: string): string {
  return new EngineAnswer(raw, what, endpoint).need('Id', 'string');
}

/** The answer of `GET /exec/{id}/json`. */
export function readExecState(raw: unknown, what: string, endpoint: string): { running: boolean; exitCode: number | null; pid: number | null } {
  const a = new EngineAnswer(raw, what, endpoint);
  a.root('object');
  const pid = a.may('Pid', 'number');
  return { running: a.need('Running', 'boolean'), exitCode: a.may('ExitCode', 'number') ?? null, pid: pid && pid > 0 ? pid : null };
}

/** `GET /version` and `GET /info`, as the record's engine facts. */
export function readEngineFacts(
  version: unknown,
  info: unknown,
  endpoint: string,
): { version: string; apiVersion: string | null; os: string | null; arch: string | null; hostname: string | null; time: string | null; engineId: string | null; swarm: { role: SwarmRole; nodeId: string | null; clusterId: string | null } } {
  const v = new EngineAnswer(version, 'engine version', endpoint);
  const i = new EngineAnswer(info, 'engine info', endpoint);
  v.root('object');
  i.root('object');
  const t = Date.parse(i.may('SystemTime', 'string') ?? '');
  // Swarm.LocalNodeState: inactive, pending, active, error, locked; ControlAvailable: a manager.
  const state = i.may('Swarm.LocalNodeState', 'string') ?? 'inactive';
  const inSwarm = state === 'active' || state === 'locked';
  const role: SwarmRole = !inSwarm ? 'none' : i.may('Swarm.ControlAvailable', 'boolean') ? 'manager' : 'worker';
  return {
    version: v.need('Version', 'string'),
    apiVersion: v.may('ApiVersion', 'string') ?? null,
    os: v.may('Os', 'string') ?? null,
    arch: v.may('Arch', 'string') ?? null,
    hostname: i.may('Name', 'string') ?? null,
    time: Number.isNaN(t) ? null : new Date(t).toISOString(),
    engineId: i.may('ID', 'string') || null,
    swarm: { role, nodeId: inSwarm ? i.may('Swarm.NodeID', 'string') || null : null, clusterId: inSwarm ? i.may('Swarm.Cluster.ID', 'string') || null : null },
  };
}
