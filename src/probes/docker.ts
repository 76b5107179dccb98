// The Docker probe: the engine's containers, images, logs, exec and files, over the engine's HTTP API
// (node:http on the unix socket or tcp).
// One snapshot (list + one inspect per container) and one inspect per image serve every check of a run.

import { Agent, request, type IncomingMessage, type RequestOptions } from 'node:http';
import { stringify as stringifyQuery } from 'node:querystring';
import { posix } from 'node:path';
import { addAbortSignal, type Readable } from 'node:stream';
import { EnvironmentError, UsageError } from '../model/errors.js';
import type { EngineInfo } from '../model/report.js';
import { collectStreams, demuxDockerStream, parseLogLines } from './docker-stream.js';
import { readTar } from './tar.js';
import { createCappedBody } from './capped-body.js';
import type {
  CallOptions,
  ContainerInfo,
  DockerProbe,
  EngineSnapshot,
  ExecResult,
  ImageInfo,
  LogsOptions,
  LogsResult,
  MountInfo,
  PortBinding,
} from './types.js';
import { mapLimit } from '../map-limit.js';

export const DEFAULT_DOCKER_ENDPOINT = 'unix:///var/run/docker.sock';

/** Where to reach an engine, parsed from `unix:///path` or `tcp://host:port`. */
export interface DockerEndpoint {
  /** As shown to people: credentials masked. */
  display: string;
  socketPath?: string;
  host?: string;
  port?: string;
}

/** Parses an endpoint; throws DOCKER_ENDPOINT_INVALID naming what was given. */
export function parseDockerEndpoint(endpoint: string): DockerEndpoint {
  if (endpoint.startsWith('unix://')) {
    const socketPath = endpoint.slice('unix://'.length);
    if (!socketPath.startsWith('/')) {
      throw new UsageError('DOCKER_ENDPOINT_INVALID', `Docker endpoint "${endpoint}" must name an absolute socket path, e.g. unix:///var/run/docker.sock`);
    }
    return { display: endpoint, socketPath };
  }
  if (endpoint.startsWith('tcp://') || endpoint.startsWith('http://')) {
    let url: URL;
    try {
      url = new URL(endpoint.replace(/^tcp:/, 'http:'));
    } catch (cause) {
      throw new UsageError('DOCKER_ENDPOINT_INVALID', `Docker endpoint "${endpoint}" is not a valid URL; expected tcp://host:port`, { cause });
    }
    const port = url.port || '2375';
    const display = `tcp://${url.username ? '***@' : ''}${url.hostname}:${port}`;
    return { display, host: url.hostname, port };
  }
  throw new UsageError(
    'DOCKER_ENDPOINT_INVALID',
    `Docker endpoint "${endpoint}" is not supported; expected unix:///path/to/docker.sock or tcp://host:port`,
  );
}

/** What createDockerProbe shares between a Probes instance and its fresh() copies. */
export interface DockerConnection {
  endpoint: DockerEndpoint;
  /** The Host header of every request (given, because node:http's own derivation runs a cold IPv6 regex, ~4 ms). */
  hostHeader: string;
  agent: Agent;
  timeoutMs: number;
  now: () => Date;
}

/**
 * Opens (lazily: no connection until the first call) a keep-alive connection pool to the engine.
 * The engine API is spoken with node:http directly: the probes need JSON GETs, a JSON POST and three
 * streams, and loading dockerode's dependency tree (docker-modem, ssh2, @grpc/*, protobufjs) cost
 * 150-200 ms of every process's start-up, more than all the checks of a 50-check run.
 */
export function connectDocker(endpoint: string, options: { timeoutMs: number; now: () => Date }): DockerConnection {
  const parsed = parseDockerEndpoint(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const { socketPath, host, port } = parsed;
  const hostHeader = socketPath ? 'localhost' : `${host!.includes(':') && !host!.startsWith('[') ? `[${host}]` : host}:${port}`;
  return { endpoint: parsed, hostHeader, agent, timeoutMs: options.timeoutMs, now: options.now };
}

const UNREACHABLE_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'ENOTSOCK']);

/** A failed engine call: a transport error (code) or an API answer outside the expected statuses (statusCode). */
interface DialError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: unknown;
  name?: string;
}

function engineMessage(err: DialError): string {
  const json = err.json as { message?: string } | null | undefined;
  if (json && typeof json === 'object' && typeof json.message === 'string') return json.message;
  if (Buffer.isBuffer(err.json)) return err.json.toString('utf8').trim();
  return String(err.message ?? err).trim();
}

/** Combines the caller's signal with a per-call deadline. */
function deadline(conn: DockerConnection, options: CallOptions | undefined): { signal: AbortSignal; timeout: AbortSignal; ms: number } {
  const ms = options?.timeoutMs ?? conn.timeoutMs;
  const timeout = AbortSignal.timeout(ms);
  const signal = options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  return { signal, timeout, ms };
}

interface DialSpec {
  /** API path; a trailing `?` takes `options` as the query string. */
  path: string;
  method: 'GET' | 'POST' | 'HEAD';
  /** Query parameters (path ending in `?`) or the JSON body of a POST. */
  options?: Record<string, unknown>;
  statusCodes: Record<number, true | string>;
  /** Resolve with the response stream instead of its parsed body. */
  isStream?: boolean;
  /** Upgrade the connection (exec start) and resolve with the raw socket. */
  hijack?: boolean;
  /** Describes the call in errors: "inspect container web". */
  what: string;
}

/** The query string of a call: objects as JSON, lists repeated, like the engine's other clients. */
function queryString(options: Record<string, unknown>): string {
  const clone: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) clone[k] = v && typeof v === 'object' && !Array.isArray(v) ? JSON.stringify(v) : v;
  return stringifyQuery(clone as Record<string, string>);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** An answer outside the expected statuses, shaped as the engine's other clients report it. */
function statusError(res: IncomingMessage, spec: DialSpec, body: Buffer, json: unknown): DialError & Error {
  const text = body.toString('utf8');
  const cause = (parseJson(text) ?? text) as { message?: string; error?: string } | string;
  const why = typeof cause === 'object' && cause !== null ? cause.message || cause.error || cause : cause;
  const err = new Error(`(HTTP code ${res.statusCode}) ${spec.statusCodes[res.statusCode!] || 'unexpected'} - ${String(why)} `) as DialError & Error & { reason?: unknown };
  err.reason = spec.statusCodes[res.statusCode!];
  err.statusCode = res.statusCode;
  err.json = json;
  return err;
}

function readBody(res: IncomingMessage, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
  res.on('error', (err) => done(err, Buffer.alloc(0)));
}

/** One engine API call; maps transport failures to DOCKER_UNREACHABLE / DOCKER_TIMEOUT and API errors to DOCKER_API_ERROR. */
function dial<T>(conn: DockerConnection, spec: DialSpec, options?: CallOptions): Promise<T> {
  const { signal, timeout, ms } = deadline(conn, options);
  if (options?.signal?.aborted) return Promise.reject(abortReason(options.signal));
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      reject(mapDockerError(conn, err as DialError, spec.what, { caller: options?.signal, timeout, ms }));
    };
    const succeed = (value: unknown): void => {
      if (settled) return;
      settled = true;
      resolve(value as T);
    };
    const query = spec.options ?? {};
    let path = spec.path;
    if (path.includes('?')) path = Object.keys(query).length > 0 ? path + queryString(query) : path.slice(0, -1);
    const headers: Record<string, string | number> = { Host: conn.hostHeader };
    let body: string | undefined;
    if (spec.method === 'POST' && spec.options) {
      body = JSON.stringify(spec.options);
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    if (spec.hijack) {
      headers.Connection = 'Upgrade';
      headers.Upgrade = 'tcp';
    }
    const { socketPath, host, port } = conn.endpoint;
    // No TLS here: an empty servername (an agent option) spares its SNI guess (a cold IPv6 regex, ~4 ms).
    const requestOptions: RequestOptions & { servername: string } = {
      ...(socketPath ? { socketPath } : { host, port }),
      servername: '',
      path,
      method: spec.method,
      headers,
      agent: conn.agent,
      signal,
    };
    const req = request(requestOptions);
    if (spec.hijack) {
      req.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        succeed(socket);
      });
    }
    req.on('response', (res) => {
      const ok = spec.statusCodes[res.statusCode!] === true;
      if (spec.isStream && ok) return succeed(res);
      addAbortSignal(signal, res);
      readBody(res, (err, buf) => {
        if (err) return fail(err);
        if (spec.isStream) return fail(statusError(res, spec, buf, null));
        const json = parseJson(buf.toString('utf8')) ?? buf;
        if (ok) succeed(json);
        else fail(statusError(res, spec, buf, json));
      });
    });
    req.on('error', fail);
    req.end(body);
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new EnvironmentError('ABORTED', 'the operation was aborted');
}

function mapDockerError(
  conn: DockerConnection,
  err: DialError,
  what: string,
  ctx: { caller?: AbortSignal; timeout: AbortSignal; ms: number },
): unknown {
  if (ctx.caller?.aborted) return abortReason(ctx.caller);
  const endpoint = conn.endpoint.display;
  if (ctx.timeout.aborted) {
    return new EnvironmentError('DOCKER_TIMEOUT', `the Docker engine at ${endpoint} did not answer within ${ctx.ms} ms (${what})`, { cause: err });
  }
  if (err.statusCode === undefined) {
    const code = err.code ?? '';
    if (UNREACHABLE_CODES.has(code) || /socket|connect/i.test(String(err.message))) {
      return new EnvironmentError(
        'DOCKER_UNREACHABLE',
        `cannot reach the Docker engine at ${endpoint} (${code || err.message}); start dockerd, or set DOCKER_HOST or the environment's docker.host in qualify.yaml`,
        { cause: err },
      );
    }
    return new EnvironmentError('DOCKER_API_ERROR', `${what} failed at ${endpoint}: ${err.message ?? String(err)}`, { cause: err });
  }
  return new EnvironmentError('DOCKER_API_ERROR', `${what} failed at ${endpoint}: HTTP ${err.statusCode}: ${engineMessage(err)}`, { cause: err });
}

function isNotFound(err: unknown): boolean {
  return err instanceof EnvironmentError && (err.cause as DialError | undefined)?.statusCode === 404;
}

/** Reads a stream to its end, keeping at most maxBytes; aborts with the signal. */
function readAll(stream: Readable, maxBytes: number, options: CallOptions | undefined, conn: DockerConnection, what: string): Promise<{ data: Buffer; truncated: boolean }> {
  const { signal, timeout, ms } = deadline(conn, options);
  return new Promise((resolve, reject) => {
    const body = createCappedBody(maxBytes);
    let settled = false;
    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve({ data: body.bytes(), truncated: body.truncated });
    };
    const onAbort = (): void => {
      stream.destroy();
      if (options?.signal?.aborted) finish(abortReason(options.signal));
      else if (timeout.aborted) finish(new EnvironmentError('DOCKER_TIMEOUT', `the Docker engine at ${conn.endpoint.display} did not finish ${what} within ${ms} ms`));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => {
      if (body.push(chunk)) {
        stream.destroy();
        finish();
      }
    });
    stream.on('end', () => finish());
    stream.on('close', () => finish());
    stream.on('error', (err) => finish(body.truncated ? undefined : new EnvironmentError('DOCKER_API_ERROR', `${what} failed: ${err.message}`, { cause: err })));
  });
}


const ZERO_TIME = /^0001-01-01T/;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function sortedRecord(input: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(input ?? {}).sort()) out[key] = input![key]!;
  return out;
}

/** Normalises a container inspect answer. */
export function toContainerInfo(raw: Json): ContainerInfo {
  const config: Json = raw.Config ?? {};
  const state: Json = raw.State ?? {};
  const hostConfig: Json = raw.HostConfig ?? {};
  const env: Record<string, string> = {};
  for (const entry of (config.Env ?? []) as string[]) {
    const eq = entry.indexOf('=');
    if (eq === -1) env[entry] = '';
    else env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const ports: PortBinding[] = [];
  const bindings: Json = raw.NetworkSettings?.Ports ?? hostConfig.PortBindings ?? {};
  const seen = new Set<string>();
  for (const [containerPort, list] of Object.entries(bindings)) {
    seen.add(containerPort);
    if (!Array.isArray(list) || list.length === 0) {
      ports.push({ containerPort, hostIp: null, hostPort: null });
      continue;
    }
    for (const b of list as Json[]) ports.push({ containerPort, hostIp: b.HostIp || null, hostPort: b.HostPort || null });
  }
  for (const containerPort of Object.keys(config.ExposedPorts ?? {})) {
    if (!seen.has(containerPort)) ports.push({ containerPort, hostIp: null, hostPort: null });
  }
  ports.sort((a, b) => `${a.containerPort} ${a.hostIp} ${a.hostPort}`.localeCompare(`${b.containerPort} ${b.hostIp} ${b.hostPort}`));
  const mounts: MountInfo[] = ((raw.Mounts ?? []) as Json[])
    .map((m) => ({ type: String(m.Type ?? ''), source: String(m.Type === 'volume' ? m.Name ?? m.Source : m.Source ?? ''), destination: String(m.Destination ?? ''), readOnly: m.RW === false }))
    .sort((a, b) => a.destination.localeCompare(b.destination));
  const policy: Json = hostConfig.RestartPolicy ?? {};
  return {
    name: String(raw.Name ?? '').replace(/^\//, ''),
    id: String(raw.Id),
    image: String(config.Image ?? ''),
    imageId: String(raw.Image ?? ''),
    state: String(state.Status ?? 'unknown'),
    running: Boolean(state.Running),
    health: state.Health?.Status ?? null,
    restartCount: Number(raw.RestartCount ?? 0),
    startedAt: state.StartedAt && !ZERO_TIME.test(state.StartedAt) ? String(state.StartedAt) : null,
    finishedAt: state.FinishedAt && !ZERO_TIME.test(state.FinishedAt) ? String(state.FinishedAt) : null,
    exitCode: typeof state.ExitCode === 'number' ? state.ExitCode : null,
    labels: sortedRecord(config.Labels),
    env: sortedRecord(env),
    user: config.User ? String(config.User) : null,
    tty: Boolean(config.Tty),
    ports,
    mounts,
    restartPolicy: { name: String(policy.Name || 'no'), maximumRetryCount: Number(policy.MaximumRetryCount ?? 0) },
    networkMode: String(hostConfig.NetworkMode ?? ''),
    inspect: raw,
  };
}

/** Normalises an image inspect answer. */
export function toImageInfo(raw: Json): ImageInfo {
  const config: Json = raw.Config ?? {};
  return {
    id: String(raw.Id),
    repoDigests: [...((raw.RepoDigests ?? []) as string[])].sort(),
    repoTags: [...((raw.RepoTags ?? []) as string[])].filter((t) => t !== '<none>:<none>').sort(),
    labels: sortedRecord(config.Labels),
    user: config.User ? String(config.User) : null,
    created: raw.Created ? String(raw.Created) : null,
    architecture: raw.Architecture ? String(raw.Architecture) : null,
    os: raw.Os ? String(raw.Os) : null,
    size: typeof raw.Size === 'number' ? raw.Size : null,
    inspect: raw,
  };
}

/** Converts a `since` bound to the engine's unix-seconds form, keeping nanoseconds of RFC 3339 times. */
export function toDockerSince(since: Date | string): string {
  if (since instanceof Date) return (since.getTime() / 1000).toFixed(3);
  const s = since.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return s;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) throw new UsageError('SINCE_INVALID', `log bound "${since}" is not an RFC 3339 time or unix seconds`);
  const seconds = Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000);
  const nanos = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  return `${seconds}.${nanos}`;
}

const LOG_CAP = 16 * 1024 * 1024;
const EXEC_CAP = 4 * 1024 * 1024;
const FILE_CAP = 64 * 1024 * 1024;

/** Memos of one Probes instance. */
interface DockerMemo {
  snapshot?: Promise<EngineSnapshot>;
  images: Map<string, Promise<ImageInfo | null>>;
  logs: Map<string, Promise<LogsResult>>;
}

/** The Docker probe over a shared connection, with its own memos. */
export function createDockerProbe(conn: DockerConnection): DockerProbe {
  const memo: DockerMemo = { images: new Map(), logs: new Map() };

  const inspectImage = (ref: string, options?: CallOptions): Promise<ImageInfo | null> => {
    let p = memo.images.get(ref);
    if (!p) {
      p = dial<Json>(conn, { path: `/images/${encodeURIComponent(ref)}/json`, method: 'GET', statusCodes: { 200: true, 404: 'no such image', 500: 'server error' }, what: `inspect image ${ref}` }, options)
        .then((raw) => toImageInfo(raw))
        .catch((err) => {
          if (isNotFound(err)) return null;
          throw err;
        });
      memo.images.set(ref, p);
      // A failed call must not poison the memo for a later retry.
      p.catch(() => memo.images.delete(ref));
    }
    return p;
  };

  const inspectContainer = (ref: string, options?: CallOptions): Promise<ContainerInfo | null> =>
    dial<Json>(conn, { path: `/containers/${encodeURIComponent(ref)}/json`, method: 'GET', statusCodes: { 200: true, 404: 'no such container', 500: 'server error' }, what: `inspect container ${ref}` }, options)
      .then((raw) => toContainerInfo(raw))
      .catch((err) => {
        if (isNotFound(err)) return null;
        throw err;
      });

  const takeSnapshot = async (options?: CallOptions): Promise<EngineSnapshot> => {
    const list = await dial<Json[]>(conn, { path: '/containers/json?', method: 'GET', options: { all: true }, statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' }, what: 'list containers' }, options);
    const inspected = await mapLimit(list, 16, (c) => inspectContainer(String(c.Id), options));
    // A container removed between list and inspect is simply gone.
    const containers = inspected.filter((c): c is ContainerInfo => c !== null).sort((a, b) => a.name.localeCompare(b.name));
    const imageIds = [...new Set(containers.map((c) => c.imageId).filter(Boolean))].sort();
    const images: Record<string, ImageInfo | null> = {};
    const infos = await mapLimit(imageIds, 16, (id) => inspectImage(id, options));
    imageIds.forEach((id, i) => (images[id] = infos[i]!));
    return { endpoint: conn.endpoint.display, takenAt: conn.now().toISOString(), containers, images };
  };

  const snapshot = (options?: CallOptions): Promise<EngineSnapshot> => {
    if (!memo.snapshot) {
      const p = takeSnapshot(options);
      memo.snapshot = p;
      p.catch(() => {
        if (memo.snapshot === p) memo.snapshot = undefined;
      });
    }
    const p = memo.snapshot;
    // A caller's abort must not wait on a snapshot another caller started.
    const signal = options?.signal;
    if (!signal) return p;
    if (signal.aborted) return Promise.reject(abortReason(signal));
    // A dependent signal: many checks waiting on one shared signal must not pile listeners onto it.
    const own = AbortSignal.any([signal]);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(abortReason(signal));
      own.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => own.removeEventListener('abort', onAbort));
    });
  };

  /** Finds a container by name or id, from the snapshot first, else by a direct inspect. */
  const container = async (ref: string, options?: CallOptions): Promise<ContainerInfo> => {
    const snap = await snapshot(options);
    const name = ref.replace(/^\//, '');
    const found = snap.containers.find((c) => c.name === name || c.id === ref) ?? (await inspectContainer(ref, options));
    if (!found) {
      throw new EnvironmentError('CONTAINER_NOT_FOUND', `no container named "${ref}" on the Docker engine at ${conn.endpoint.display}`);
    }
    return found;
  };

  const readLogs = async (c: ContainerInfo, options: LogsOptions): Promise<LogsResult> => {
    const stream = options.stream ?? 'both';
    const query: Record<string, unknown> = {
      stdout: stream !== 'stderr',
      stderr: stream !== 'stdout',
      timestamps: true,
      follow: false,
    };
    if (options.since !== undefined) query.since = toDockerSince(options.since);
    if (options.tail !== undefined) query.tail = String(options.tail);
    const what = `read logs of container ${c.name}`;
    const res = await dial<Readable>(conn, { path: `/containers/${c.id}/logs?`, method: 'GET', options: query, statusCodes: { 200: true, 404: 'no such container', 500: 'server error' }, isStream: true, what }, options);
    const { data, truncated } = await readAll(res, LOG_CAP, options, conn, what);
    const lines = parseLogLines(demuxDockerStream(data, { tty: c.tty }), { timestamps: true });
    return { lines, text: lines.map((l) => l.text).join('\n'), truncated };
  };

  return {
    endpoint: conn.endpoint.display,

    async engineInfo(options) {
      const info: EngineInfo = { endpoint: conn.endpoint.display, version: null, apiVersion: null, os: null, arch: null, hostname: null, time: null, error: null };
      try {
        const [version, system] = await Promise.all([
          dial<Json>(conn, { path: '/version', method: 'GET', statusCodes: { 200: true, 500: 'server error' }, what: 'engine version' }, options),
          dial<Json>(conn, { path: '/info', method: 'GET', statusCodes: { 200: true, 500: 'server error' }, what: 'engine info' }, options),
        ]);
        info.version = version.Version ?? null;
        info.apiVersion = version.ApiVersion ?? null;
        info.os = version.Os ?? null;
        info.arch = version.Arch ?? null;
        info.hostname = system.Name ?? null;
        const t = Date.parse(String(system.SystemTime ?? ''));
        info.time = Number.isNaN(t) ? null : new Date(t).toISOString();
      } catch (err) {
        info.error = err instanceof Error ? err.message : String(err);
      }
      return info;
    },

    snapshot,

    image: inspectImage,

    async logs(ref, options = {}): Promise<LogsResult> {
      const c = await container(ref, options);
      // Several checks reading the same logs in one run share one read (a retry's fresh() reads again).
      const key = JSON.stringify([c.id, options.stream ?? 'both', options.since ?? null, options.tail ?? null]);
      let p = memo.logs.get(key);
      if (!p) {
        p = readLogs(c, options);
        memo.logs.set(key, p);
        p.catch(() => memo.logs.delete(key));
      }
      return p;
    },

    async exec(ref, argv, options = {}): Promise<ExecResult> {
      if (argv.length === 0) throw new UsageError('COMMAND_EMPTY', 'exec needs a program to run: argv is empty');
      const c = await container(ref, options);
      const created = await dial<Json>(conn, {
        path: `/containers/${c.id}/exec`,
        method: 'POST',
        options: { AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, Cmd: argv },
        statusCodes: { 201: true, 404: 'no such container', 409: 'container is paused', 500: 'server error' },
        what: `create exec in container ${c.name}`,
      }, options);
      const what = `exec ${JSON.stringify(argv)} in container ${c.name}`;
      const stream = await dial<Readable>(conn, {
        path: `/exec/${created.Id}/start`,
        method: 'POST',
        options: { Detach: false, Tty: false },
        statusCodes: { 200: true, 404: 'no such exec', 409: 'container stopped or paused', 500: 'container not running' },
        isStream: true,
        hijack: true,
        what,
      }, options);
      const { data, truncated } = await readAll(stream, EXEC_CAP, options, conn, what);
      const { stdout, stderr } = collectStreams(demuxDockerStream(data));
      // The exit code is set once the process is reaped, which can trail the end of the stream.
      let exitCode: number | null = null;
      for (let i = 0; i < 50 && exitCode === null; i++) {
        const info = await dial<Json>(conn, { path: `/exec/${created.Id}/json`, method: 'GET', statusCodes: { 200: true, 404: 'no such exec', 500: 'server error' }, what }, options);
        if (!info.Running && typeof info.ExitCode === 'number') exitCode = info.ExitCode;
        else await new Promise((r) => setTimeout(r, 10));
      }
      if (exitCode === null) throw new EnvironmentError('EXEC_NO_EXIT_CODE', `${what}: the engine reported no exit code`);
      return { exitCode, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), truncated };
    },

    async readFile(ref, path, options = {}) {
      const c = await container(ref, options);
      let current = path;
      for (let hops = 0; hops < 8; hops++) {
        const what = `read ${current} from container ${c.name}`;
        let res: Readable;
        try {
          res = await dial<Readable>(conn, { path: `/containers/${c.id}/archive?`, method: 'GET', options: { path: current }, statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such file', 500: 'server error' }, isStream: true, what }, options);
        } catch (err) {
          if (isNotFound(err)) return null;
          throw err;
        }
        const { data, truncated } = await readAll(res, FILE_CAP + 64 * 1024, options, conn, what);
        if (truncated) throw new EnvironmentError('FILE_TOO_LARGE', `${current} in container ${c.name} is larger than ${FILE_CAP} bytes`);
        const entry = readTar(data)[0];
        if (!entry) return null;
        if (entry.type === 'file') return new Uint8Array(entry.data);
        if (entry.type === 'directory') throw new EnvironmentError('NOT_A_FILE', `${current} in container ${c.name} is a directory, not a file`);
        if (entry.type === 'symlink') {
          current = posix.resolve(posix.dirname(current), entry.linkName);
          continue;
        }
        throw new EnvironmentError('NOT_A_FILE', `${current} in container ${c.name} is not a regular file`);
      }
      throw new EnvironmentError('NOT_A_FILE', `${path} in container ${c.name}: too many symbolic links`);
    },
  };
}
