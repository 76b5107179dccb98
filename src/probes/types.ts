// What the probes observe of the world, as plain data. Checks read these; only probes/ produces them.

import type { EngineInfo } from '../model/report.js';
import type { DockerEngineConfig } from '../model/config.js';

export type { EngineInfo };

/** Options common to every probe call. */
export interface CallOptions {
  /** Aborts the call (step timeout, Ctrl-C). */
  signal?: AbortSignal;
  /** Overrides the probe-wide timeout for this call. */
  timeoutMs?: number;
}

export interface PortBinding {
  /** Port inside the container with protocol, e.g. `8080/tcp`. */
  containerPort: string;
  hostIp: string | null;
  hostPort: string | null;
}

export interface MountInfo {
  type: string;
  /** Volume name or host path. */
  source: string;
  destination: string;
  readOnly: boolean;
}

/** One container as observed in a snapshot: list + one inspect. */
export interface ContainerInfo {
  /** Name without the leading slash. */
  name: string;
  id: string;
  /** Image reference as configured (`Config.Image`), e.g. `127.0.0.1:5000/app:1.4.2`. */
  image: string;
  /** Local image id `sha256:...`. */
  imageId: string;
  /** `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`. */
  state: string;
  running: boolean;
  /** `starting`, `healthy`, `unhealthy`; null when the container has no health check. */
  health: string | null;
  restartCount: number;
  /** UTC ISO time with the engine's precision (nanoseconds); null when never started. */
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  labels: Record<string, string>;
  /** Environment as configured, keys and values. Values can be secrets: mask before writing anywhere. */
  env: Record<string, string>;
  /** `Config.User`; null when unset (the image's default, usually root). */
  user: string | null;
  tty: boolean;
  ports: PortBinding[];
  mounts: MountInfo[];
  restartPolicy: { name: string; maximumRetryCount: number };
  networkMode: string;
  /** The raw `GET /containers/{id}/json` answer, for evidence (contains env values). */
  inspect: Record<string, unknown>;
}

/** One image as inspected. */
export interface ImageInfo {
  /** `sha256:...` */
  id: string;
  /** `repo@sha256:...` entries, sorted. */
  repoDigests: string[];
  /** `repo:tag` entries, sorted. */
  repoTags: string[];
  labels: Record<string, string>;
  user: string | null;
  created: string | null;
  architecture: string | null;
  os: string | null;
  size: number | null;
  /** The raw `GET /images/{name}/json` answer, for evidence. */
  inspect: Record<string, unknown>;
}

/** All containers of the engine, observed once per Probes instance. */
export interface EngineSnapshot {
  endpoint: string;
  /** UTC time (probe clock) the listing was taken. */
  takenAt: string;
  /** Every container (running or not), sorted by name. */
  containers: ContainerInfo[];
  /** Images of those containers by image id; null when the image could not be inspected (removed). */
  images: Record<string, ImageInfo | null>;
}

export type LogStream = 'stdout' | 'stderr' | 'both';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** Engine timestamp (RFC 3339 with nanoseconds), or null when absent. */
  time: string | null;
  text: string;
}

export interface LogsResult {
  lines: LogLine[];
  /** Lines joined with `\n` (stdout and stderr interleaved in time order). */
  text: string;
  /** True when the byte cap cut the output. */
  truncated: boolean;
}

export interface LogsOptions extends CallOptions {
  /** Lower bound: a Date, an RFC 3339 time (nanoseconds kept) or unix seconds as a string. */
  since?: Date | string;
  stream?: LogStream;
  /** Only the last N lines. */
  tail?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when output was cut at the byte cap. */
  truncated: boolean;
}

/** A Swarm service as the manager describes it (`GET /services`). */
export interface ServiceInfo {
  id: string;
  name: string;
  /** The image of its task template as the service names it (Swarm pins `@sha256:` when it resolved one). */
  image: string;
  mode: 'replicated' | 'global' | 'other';
  /** Desired replicas of a replicated service; null for global. */
  replicas: number | null;
  /** The last update: `updating`, `paused`, `completed`, `rollback_started`, `rollback_paused`, `rollback_completed`; null when never updated. */
  update: { state: string; message: string | null; startedAt: string | null; completedAt: string | null } | null;
  labels: Record<string, string>;
  /** The raw answer, for evidence. */
  inspect: Record<string, unknown>;
}

/** A Swarm task (`GET /tasks`): one replica's placement and state, or a past one. */
export interface SwarmTask {
  id: string;
  serviceId: string;
  /** Replica slot of a replicated service; null for global services. */
  slot: number | null;
  nodeId: string | null;
  /** `running`, `shutdown`, ... what the orchestrator wants. */
  desiredState: string;
  /** `new` ... `running`, `complete`, `shutdown`, `failed`, `rejected`, `orphaned`, `remove`. */
  state: string;
  message: string | null;
  error: string | null;
  /** When the task reached its current state (UTC). */
  timestamp: string | null;
  /** The image of its spec (`repo:tag@sha256:...`). */
  image: string;
  containerId: string | null;
  exitCode: number | null;
  inspect: Record<string, unknown>;
}

export interface SwarmNode {
  id: string;
  hostname: string | null;
  role: string | null;
  availability: string | null;
  state: string | null;
  addr: string | null;
}

/** A Swarm manager's view, observed once per Probes instance: services, their tasks, the nodes. */
export interface SwarmSnapshot {
  endpoint: string;
  takenAt: string;
  services: ServiceInfo[];
  tasks: SwarmTask[];
  nodes: SwarmNode[];
}

/** Config hashes of a compose file's services as Compose computes them against one engine. */
export interface ComposeHashes {
  /** The program that computed them (`docker-compose`, `docker compose`). */
  program: string;
  version: string | null;
  /** Service name → sha256 hex (the value of com.docker.compose.config-hash). */
  hashes: Record<string, string>;
}

/**
 * One Docker engine as the checks see it. A run has one (Probes.docker); a fleet environment will
 * have one per target, each over its own connection (probes/docker-engine.ts), with the same memos.
 */
export interface DockerProbe {
  /** The engine's URL as records show it (no credentials). */
  readonly endpoint: string;
  /** Engine version and identity; never throws (unreachable → fields null, `error` set). */
  engineInfo(options?: CallOptions): Promise<EngineInfo>;
  /** Every container, listed and inspected once per Probes instance (memoized). Throws DOCKER_UNREACHABLE. */
  snapshot(options?: CallOptions): Promise<EngineSnapshot>;
  /**
   * Services, tasks and nodes of the Swarm this engine manages, observed once per Probes instance
   * (memoized). Throws SWARM_NOT_MANAGER for an engine that is not a Swarm manager, DOCKER_UNREACHABLE...
   */
  swarm(options?: CallOptions): Promise<SwarmSnapshot>;
  /**
   * The config hash of every service of a compose file as Compose computes it against this engine
   * (`docker-compose config --hash=*`, reaching the engine over this probe's own connection), memoized.
   * Throws COMPOSE_NOT_FOUND, COMPOSE_FAILED.
   */
  composeHashes(file: string, project: string, options?: CallOptions): Promise<ComposeHashes>;
  /** Image inspect by reference or id, memoized; null when the engine has no such image. */
  image(ref: string, options?: CallOptions): Promise<ImageInfo | null>;
  /** Logs of a container (name or id), demultiplexed. */
  logs(container: string, options?: LogsOptions): Promise<LogsResult>;
  /**
   * Runs argv inside a running container (no shell), with QUALIFY_EXEC=<id> added to its environment.
   * When `options.signal` aborts first (step timeout, Ctrl-C), the command is stopped in the container
   * and the call rejects with EXEC_STOPPED (or EXEC_NOT_STOPPED saying why it could not be).
   */
  exec(container: string, argv: string[], options?: CallOptions): Promise<ExecResult>;
  /** A regular file's bytes from inside a container; null when absent. Throws NOT_A_FILE for directories. */
  readFile(container: string, path: string, options?: CallOptions): Promise<Uint8Array | null>;
}

export interface GitState {
  /** Full commit id of HEAD; null in a repository without commits. */
  head: string | null;
  /** Current branch; null when HEAD is detached. */
  branch: string | null;
  clean: boolean;
  /** Tags pointing at HEAD, sorted. */
  tagsAtHead: string[];
  /** Paths with uncommitted changes (including untracked files), sorted. */
  dirtyFiles: string[];
}

export interface GitProbe {
  /** State of the repository at `repo` (a path), memoized per Probes instance. Throws GIT_REPO_INVALID. */
  state(repo: string, options?: CallOptions): Promise<GitState>;
  /** The same without the tags at HEAD, memoized. Throws GIT_REPO_INVALID. */
  status(repo: string, options?: CallOptions): Promise<Omit<GitState, 'tagsAtHead'>>;
  /** Commit a tag points to (annotated tags peeled); null when there is no such tag. */
  tagCommit(repo: string, tag: string, options?: CallOptions): Promise<string | null>;
}

export interface TlsInfo {
  /** Whole days until the certificate expires (negative when expired). */
  daysLeft: number;
  validTo: string;
  subject: string;
  issuer: string;
  /** True when the chain verified against the trusted CAs. */
  authorized: boolean;
}

export interface HttpResponse {
  url: string;
  status: number;
  /** Response headers, lower-case names, sorted; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Body as UTF-8 text, cut at the cap. */
  body: string;
  bodyBytes: number;
  truncated: boolean;
  latencyMs: number;
  /** For https: the server certificate. */
  tls?: TlsInfo;
}

export interface HttpGetOptions extends CallOptions {
  headers?: Record<string, string>;
  /** Accept an untrusted certificate (still reported in `tls.authorized`). */
  insecure?: boolean;
  /** Body cap in bytes (default 1 MiB). */
  maxBytes?: number;
}

export interface HttpProbe {
  get(url: string, options?: HttpGetOptions): Promise<HttpResponse>;
}

export interface FileStat {
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  mode: number;
  mtime: string;
}

export interface FsProbe {
  /** Bytes of a host file; null when absent. Throws NOT_A_FILE for directories. */
  readFile(path: string, options?: CallOptions): Promise<Uint8Array | null>;
  /** Host file metadata (symlinks followed); null when absent. */
  stat(path: string, options?: CallOptions): Promise<FileStat | null>;
}

export interface HostExecOptions extends CallOptions {
  cwd?: string;
}

export interface HostProbe {
  /** Runs argv on the host without a shell. A missing program throws COMMAND_NOT_FOUND. */
  exec(argv: string[], options?: HostExecOptions): Promise<ExecResult>;
}

/**
 * One target of an environment: where workloads run and how they are observed. Today a Docker engine
 * (standalone, or a Swarm manager whose `swarm()` answers); a Kubernetes cluster would be another kind
 * with the same role (docs/fleets.md says what it takes).
 */
export interface TargetProbe {
  /** Its name in qualify.yaml; an environment of one engine has one target named `default` (named: false). */
  name: string;
  /** False for the environment's only engine (`docker:`): its steps keep their ids without `@target`. */
  named: boolean;
  kind: 'docker';
  docker: DockerProbe;
}

/** Everything a check may observe. One instance per run: it memoizes what several checks share. */
export interface Probes {
  /** The engine checks observe: the environment's only one, the step's target in a fleet (forTarget). */
  docker: DockerProbe;
  /** Every target of the environment, in qualify.yaml order (one, unnamed, for the single-engine form). */
  targets: readonly TargetProbe[];
  /** The same probes (same memos) with `docker` being the named target's; throws for an unknown name. */
  forTarget(name: string): Probes;
  git: GitProbe;
  http: HttpProbe;
  fs: FsProbe;
  host: HostProbe;
  /** A Probes sharing connections but with empty memos: the runner uses it for retry attempts. */
  fresh(): Probes;
  /** Releases keep-alive connections. */
  close(): void;
}

export interface ProbesOptions {
  /**
   * The engine, as an environment of qualify.yaml names it (`host`, `tls`, `ssh`); without `host`,
   * DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH of `env` apply, else the local socket.
   */
  docker?: DockerEngineConfig;
  /** The named targets of a fleet environment (then `docker` is not used), each opened on its own connection. */
  targets?: ReadonlyArray<{ name: string; docker: DockerEngineConfig }>;
  /** Folder relative paths of `docker` (certificates, keys) are relative to: the repository root. */
  baseDir?: string;
  /** Environment to read DOCKER_HOST and friends from, and that git and ssh run with (commands pass ctx.env; never process.env implicitly). */
  env?: Record<string, string | undefined>;
  /** Default timeout of one probe call (ms); default 10 000. */
  timeoutMs?: number;
  /** Clock for TLS days-left and snapshot times (tests inject one). */
  now?: () => Date;
}
