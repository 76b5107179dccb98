// The Docker probe of one engine: containers, images, logs, exec and files, through dockerode.
// One snapshot (list + one inspect per container) and one inspect per image serve every check of a
// run; a retry attempt gets fresh memos (Probes.fresh()) over the same connection. Every answer is
// checked (docker-answers.ts) before it is read.

import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { EnvironmentError } from '../model/errors.js';
import type { EngineInfo } from '../model/report.js';
import { mapLimit } from '../map-limit.js';
import { readContainer, readContainerList, readEngineFacts, readImage } from './docker-answers.js';
import { abortReason, callEngine, isNotFound, type DockerEngine } from './docker-engine.js';
import { execInContainer } from './docker-exec.js';
import { parseLogLines, toDockerSince } from './docker-logs.js';
import { readEngineStream } from './docker-read.js';
import { composeConfigHashes } from './docker-compose.js';
import type { CallOptions, ComposeHashes, ContainerInfo, DockerProbe, EngineSnapshot, ImageInfo, LogsOptions, LogsResult, SwarmSnapshot } from './types.js';
import { readNodes, readServices, readTasks, swarmError } from './docker-swarm.js';

const LOG_CAP = 16 * 1024 * 1024;
const FILE_CAP = 64 * 1024 * 1024;

/** dockerode's version() and info() as they are: taking an abort signal (their type declarations omit it). */
interface EngineCalls {
  version(options: { abortSignal: AbortSignal }): Promise<unknown>;
  info(options: { abortSignal: AbortSignal }): Promise<unknown>;
}

/** Memos of one Probes instance. */
interface DockerMemo {
  snapshot?: Promise<EngineSnapshot>;
  swarm?: Promise<SwarmSnapshot>;
  images: Map<string, Promise<ImageInfo | null>>;
  logs: Map<string, Promise<LogsResult>>;
  compose: Map<string, Promise<ComposeHashes>>;
}

/** Keeps a promise in a memo until it fails: a failed call must not poison the memo for a later retry. */
function remember<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = make();
    map.set(key, p);
    p.catch(() => map.delete(key));
  }
  return p;
}

/** Waits for a shared promise, but lets one caller's abort end its own wait. */
function waitShared<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  // A dependent signal: many checks waiting on one shared signal must not pile listeners onto it.
  const own = AbortSignal.any([signal]);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    own.addEventListener('abort', onAbort, { once: true });
    shared.then(resolve, reject).finally(() => own.removeEventListener('abort', onAbort));
  });
}

/** The Docker probe over a shared engine connection, with its own memos. */
export function createDockerProbe(engine: DockerEngine): DockerProbe {
  const { docker } = engine;
  const display = engine.endpoint.display;
  const memo: DockerMemo = { images: new Map(), logs: new Map(), compose: new Map() };

  /** A GET through dockerode's modem: the parsed answer (or the raw bytes when it is not JSON), or a stream. */
  const dial = <T = unknown>(path: string, signal: AbortSignal, statusCodes: Record<number, true | string>, extra: { options?: Record<string, unknown>; isStream?: boolean } = {}): Promise<T> =>
    new Promise<T>((resolve, reject) =>
      docker.modem.dial({ path, method: 'GET', abortSignal: signal, statusCodes, ...extra }, (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as T))),
    );

  const inspectImage = (ref: string, options?: CallOptions): Promise<ImageInfo | null> =>
    remember(memo.images, ref, () => {
      const what = `inspect image ${ref}`;
      // dockerode's image.inspect() takes no abort signal: the modem's call does.
      return callEngine(engine, what, options, (signal) =>
        dial(`/images/${encodeURIComponent(ref)}/json`, signal, { 200: true, 404: 'no such image', 500: 'server error' }).catch((err: unknown) => (isNotFound(err) ? null : Promise.reject(err))),
      ).then((raw) =>
        raw === null ? null : readImage(raw, what, display),
      );
    });

  const inspectContainer = (ref: string, options?: CallOptions): Promise<ContainerInfo | null> => {
    const what = `inspect container ${ref}`;
    return callEngine(engine, what, options, (signal) => docker.getContainer(ref).inspect({ abortSignal: signal }).catch((err: unknown) => (isNotFound(err) ? null : Promise.reject(err)))).then((raw) =>
      raw === null ? null : readContainer(raw, what, display),
    );
  };

  const takeSnapshot = async (options?: CallOptions): Promise<EngineSnapshot> => {
    const list = await callEngine(engine, 'list containers', options, (signal) => docker.listContainers({ all: true, abortSignal: signal }));
    const ids = readContainerList(list, display);
    const inspected = await mapLimit(ids, 16, (id) => inspectContainer(id, options));
    // A container removed between list and inspect is simply gone.
    const containers = inspected.filter((c): c is ContainerInfo => c !== null).sort((a, b) => a.name.localeCompare(b.name));
    const imageIds = [...new Set(containers.map((c) => c.imageId).filter(Boolean))].sort();
    const infos = await mapLimit(imageIds, 16, (id) => inspectImage(id, options));
    const images: Record<string, ImageInfo | null> = {};
    imageIds.forEach((id, i) => (images[id] = infos[i]!));
    return { endpoint: display, takenAt: engine.now().toISOString(), containers, images };
  };

  const takeSwarm = async (options?: CallOptions): Promise<SwarmSnapshot> => {
    const get = (path: string, what: string): Promise<unknown> =>
      callEngine(engine, what, options, (signal) => dial(path, signal, { 200: true, 500: 'server error', 503: 'node is not part of a swarm' })).catch((err: unknown) => Promise.reject(swarmError(err, display)));
    // Services first: an engine that is not a manager says so once, before the other calls.
    const services = readServices(await get('/services', 'list services'), display);
    const [tasks, nodes] = await Promise.all([get('/tasks', 'list tasks'), get('/nodes', 'list nodes')]);
    return { endpoint: display, takenAt: engine.now().toISOString(), services, tasks: readTasks(tasks, display), nodes: readNodes(nodes, display) };
  };

  const snapshot = (options?: CallOptions): Promise<EngineSnapshot> => {
    if (!memo.snapshot) {
      const p = takeSnapshot(options);
      memo.snapshot = p;
      p.catch(() => {
        if (memo.snapshot === p) memo.snapshot = undefined;
      });
    }
    return waitShared(memo.snapshot, options?.signal);
  };

  /** Finds a container by name or id, from the snapshot first, else by a direct inspect. */
  const container = async (ref: string, options?: CallOptions): Promise<ContainerInfo> => {
    const snap = await snapshot(options);
    const name = ref.replace(/^\//, '');
    const found = snap.containers.find((c) => c.name === name || c.id === ref) ?? (await inspectContainer(ref, options));
    if (!found) throw new EnvironmentError('CONTAINER_NOT_FOUND', `no container named "${ref}" on the Docker engine at ${display}`, { final: true });
    return found;
  };

  const readLogs = async (c: ContainerInfo, options: LogsOptions): Promise<LogsResult> => {
    const stream = options.stream ?? 'both';
    const query: Record<string, unknown> = { stdout: stream !== 'stderr', stderr: stream !== 'stdout', timestamps: true, follow: false };
    if (options.since !== undefined) query.since = toDockerSince(options.since);
    if (options.tail !== undefined) query.tail = String(options.tail);
    const what = `read logs of container ${c.name}`;
    // dockerode's container.logs() buffers a whole non-follow answer; the modem's streaming call keeps the cap.
    const res = await callEngine(engine, what, options, (signal) =>
      dial<Readable>(`/containers/${c.id}/logs?`, signal, { 200: true, 404: 'no such container', 500: 'server error' }, { options: query, isStream: true }),
    );
    const bound = AbortSignal.any([...(options.signal ? [options.signal] : []), AbortSignal.timeout(options.timeoutMs ?? engine.timeoutMs)]);
    const out = await readEngineStream(res, {
      maxBytes: LOG_CAP,
      demux: !c.tty,
      modem: docker.modem,
      signal: bound,
      onAbort: () => (options.signal?.aborted ? abortReason(options.signal) : new EnvironmentError('DOCKER_TIMEOUT', `the Docker engine at ${display} did not finish sending the logs of ${c.name} in time`)),
      onError: (err) => new EnvironmentError('DOCKER_API_ERROR', `${what} failed at ${display}: ${err.message}`, { cause: err }),
    });
    const lines = parseLogLines(out.chunks, { timestamps: true });
    return { lines, text: lines.map((l) => l.text).join('\n'), truncated: out.truncated };
  };

  /** The first entry of a container archive (GET /containers/{id}/archive): a file's bytes, a directory, a link. */
  const readArchiveEntry = async (c: ContainerInfo, path: string, options: CallOptions): Promise<{ type: string; data: Buffer; linkName: string | null } | null> => {
    const what = `read ${path} from container ${c.name}`;
    const res = await callEngine(engine, what, options, (signal) =>
      docker.getContainer(c.id).getArchive({ path, abortSignal: signal } as { path: string }).catch((err: unknown) => (isNotFound(err) ? null : Promise.reject(err))),
    );
    if (res === null) return null;
    const stream = res as unknown as Readable;
    return new Promise((resolve, reject) => {
      const extract = tar.extract();
      let done = false;
      const bound = AbortSignal.any([...(options.signal ? [options.signal] : []), AbortSignal.timeout(options.timeoutMs ?? engine.timeoutMs)]);
      const onAbort = (): void => finish(options.signal?.aborted ? abortReason(options.signal) : new EnvironmentError('DOCKER_TIMEOUT', `the Docker engine at ${display} did not finish ${what} in time`));
      const finish = (err: unknown, value?: { type: string; data: Buffer; linkName: string | null } | null): void => {
        if (done) return;
        done = true;
        bound.removeEventListener('abort', onAbort);
        stream.destroy();
        extract.destroy();
        if (err) reject(err);
        else resolve(value ?? null);
      };
      // Only the first entry matters: the path itself (a file, a directory, a link).
      extract.on('entry', (header, entry) => {
        if (header.type !== 'file' || (header.size ?? 0) > FILE_CAP) {
          entry.resume();
          if (header.type === 'file') return finish(new EnvironmentError('FILE_TOO_LARGE', `${path} in container ${c.name} is larger than ${FILE_CAP} bytes`));
          return finish(null, { type: header.type ?? 'other', data: Buffer.alloc(0), linkName: header.linkname ?? null });
        }
        const parts: Buffer[] = [];
        entry.on('data', (d: Buffer) => parts.push(d));
        entry.on('end', () => finish(null, { type: 'file', data: Buffer.concat(parts), linkName: null }));
        entry.on('error', (err: Error) => finish(err));
      });
      extract.on('finish', () => finish(null, null));
      extract.on('error', (err: Error) => finish(new EnvironmentError('DOCKER_ANSWER_INVALID', `the Docker engine at ${display} answered "${what}" with an archive that cannot be read: ${err.message}`, { cause: err })));
      stream.on('error', (err: Error) => finish(new EnvironmentError('DOCKER_API_ERROR', `${what} failed at ${display}: ${err.message}`, { cause: err })));
      if (bound.aborted) return onAbort();
      bound.addEventListener('abort', onAbort, { once: true });
      stream.pipe(extract);
    });
  };

  return {
    endpoint: display,

    async engineInfo(options) {
      const info: EngineInfo = { endpoint: display, version: null, apiVersion: null, os: null, arch: null, hostname: null, time: null, engineId: null, swarm: null, error: null };
      // The record's facts of the target: asked a second time when the first ask timed out (a remote engine
      // reached over ssh opens a new connection per call, which can be slow on a busy host), never more, so an
      // engine that is really gone costs two timeouts, not a pass.
      for (let attempt = 1; ; attempt++) {
        try {
          const [version, system] = await Promise.all([
            callEngine(engine, 'engine version', options, (signal) => (docker as unknown as EngineCalls).version({ abortSignal: signal })),
            callEngine(engine, 'engine info', options, (signal) => (docker as unknown as EngineCalls).info({ abortSignal: signal })),
          ]);
          Object.assign(info, readEngineFacts(version, system, display), { error: null });
          return info;
        } catch (err) {
          info.error = err instanceof Error ? err.message : String(err);
          const timedOut = err instanceof EnvironmentError && err.code === 'DOCKER_TIMEOUT';
          if (!timedOut || attempt >= 2 || options?.signal?.aborted) return info;
        }
      }
    },

    snapshot,

    swarm(options) {
      if (!memo.swarm) {
        const p = takeSwarm(options);
        memo.swarm = p;
        p.catch(() => {
          if (memo.swarm === p) memo.swarm = undefined;
        });
      }
      return waitShared(memo.swarm, options?.signal);
    },

    composeHashes(file, project, options = {}) {
      const key = JSON.stringify([file, project]);
      return waitShared(remember(memo.compose, key, () => composeConfigHashes(engine, file, project, { timeoutMs: options.timeoutMs })), options.signal);
    },

    image: inspectImage,

    async logs(ref, options = {}): Promise<LogsResult> {
      const c = await container(ref, options);
      // Several checks reading the same logs in one run share one read (a retry's fresh() reads again).
      const key = JSON.stringify([c.id, options.stream ?? 'both', options.since ?? null, options.tail ?? null]);
      return waitShared(remember(memo.logs, key, () => readLogs(c, { ...options, signal: undefined })), options.signal);
    },

    async exec(ref, argv, options = {}) {
      const c = await container(ref, options);
      return execInContainer(engine, c, argv, options);
    },

    async readFile(ref, path, options = {}) {
      const c = await container(ref, options);
      let current = path;
      for (let hops = 0; hops < 8; hops++) {
        const entry = await readArchiveEntry(c, current, options);
        if (!entry) return null;
        if (entry.type === 'file') return new Uint8Array(entry.data);
        if (entry.type === 'directory') throw new EnvironmentError('NOT_A_FILE', `${current} in container ${c.name} is a directory, not a file`);
        if (entry.type === 'symlink' && entry.linkName) {
          current = posix.resolve(posix.dirname(current), entry.linkName);
          continue;
        }
        throw new EnvironmentError('NOT_A_FILE', `${current} in container ${c.name} is not a regular file`);
      }
      throw new EnvironmentError('NOT_A_FILE', `${path} in container ${c.name}: too many symbolic links`);
    },
  };
}
