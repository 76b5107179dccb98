// A connection to one Docker engine: dockerode (docker-modem underneath) over a keep-alive agent for
// the endpoint's transport: the unix socket, tcp, tcp with TLS, or ssh (docker-ssh.ts).
// One DockerEngine serves every probe of a run and the fresh() copies its retries use; a fleet
// (several targets per environment) is one DockerEngine per target.

import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as netConnect, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { inspect } from 'node:util';
import { connect as tlsConnect } from 'node:tls';
import Docker from 'dockerode';
import { EnvironmentError } from '../model/errors.js';
import type { DockerEndpoint } from './docker-endpoint.js';
import { createSshAgent } from './docker-ssh.js';
import type { CallOptions } from './types.js';

/** Requests at once per engine over a socket or tcp (the snapshot inspects in parallel). */
const MAX_SOCKETS = 16;

export interface DockerEngine {
  endpoint: DockerEndpoint;
  docker: Docker;
  /** Default deadline of one engine call (ms). */
  timeoutMs: number;
  now: () => Date;
  /** The environment programs reaching this engine run with (ssh, docker-compose). */
  env: Record<string, string | undefined>;
  /**
   * A raw byte stream to the engine's API over its transport (the socket, TCP with its TLS, or one ssh
   * process running `docker system dial-stdio`), for a program that speaks the API itself (docker-compose).
   */
  connect(): Duplex;
  /** Closes the keep-alive connections (and stops the ssh processes of an ssh engine). */
  close(): void;
}

/**
 * docker-modem reads DOCKER_HOST, DOCKER_CERT_PATH (reading its files), DOCKER_TLS_VERIFY and
 * SSH_AUTH_SOCK from process.env in its constructor and lets them override what it is given. The
 * engine of a run is the one resolved from qualify.yaml or the given environment, so the modem is
 * built with those variables out of sight (synchronously: nothing else runs meanwhile).
 */
const MODEM_VARIABLES = ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'DOCKER_CLIENT_TIMEOUT', 'DOCKER_PATH_PREFIX', 'SSH_AUTH_SOCK'];

function withoutModemVariables<T>(build: () => T): T {
  const saved = new Map<string, string>();
  for (const name of MODEM_VARIABLES) {
    const v = process.env[name];
    if (v !== undefined) {
      saved.set(name, v);
      delete process.env[name];
    }
  }
  try {
    return build();
  } finally {
    for (const [name, v] of saved) process.env[name] = v;
  }
}

/** Opens (lazily: nothing connects before the first call) the connection to an engine. */
export function openDockerEngine(endpoint: DockerEndpoint, options: { timeoutMs: number; now: () => Date; env?: Record<string, string | undefined> }): DockerEngine {
  // Every option docker-modem would otherwise take from the process environment is given, undefined when unused.
  const base = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined, timeout: undefined, pathPrefix: '/', sshOptions: {} } as Record<string, unknown>;
  let agent: HttpAgent;
  let modemOptions: Record<string, unknown>;
  switch (endpoint.kind) {
    case 'unix':
      agent = new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });
      modemOptions = { ...base, socketPath: endpoint.socketPath, agent };
      break;
    case 'tcp': {
      const tls = endpoint.tls;
      if (tls) {
        agent = new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, ca: tls.ca ?? undefined, cert: tls.cert ?? undefined, key: tls.key ?? undefined, rejectUnauthorized: tls.verify });
        modemOptions = { ...base, host: endpoint.host, port: endpoint.port, protocol: 'https', ca: tls.ca ?? undefined, cert: tls.cert ?? undefined, key: tls.key ?? undefined, agent };
      } else {
        agent = new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });
        modemOptions = { ...base, host: endpoint.host, port: endpoint.port, protocol: 'http', agent };
      }
      break;
    }
    case 'ssh':
      agent = createSshAgent(endpoint.ssh, { display: endpoint.display, env: options.env ?? {}, connectTimeoutMs: options.timeoutMs });
      // The agent carries the bytes over ssh; to docker-modem it is plain HTTP to the engine's host.
      modemOptions = { ...base, host: endpoint.ssh.host, port: endpoint.ssh.port ?? 22, protocol: 'http', agent };
      break;
  }
  // docker-modem formats every request's options for its debug log (util.inspect, hidden fields, no depth
  // limit) even when that log is off; the options hold this agent, whose sockets, requests and TLS
  // material made that formatting the largest cost of a fleet run. The agent shows itself as one line.
  Object.defineProperty(agent, inspect.custom, { value: () => `[Agent ${endpoint.display}]`, enumerable: false });
  const docker = withoutModemVariables(() => new Docker(modemOptions as Docker.DockerOptions));
  const connect = (): Duplex => {
    switch (endpoint.kind) {
      case 'unix':
        return netConnect({ path: endpoint.socketPath });
      case 'tcp': {
        const tls = endpoint.tls;
        if (!tls) return netConnect({ host: endpoint.host, port: endpoint.port });
        return tlsConnect({ host: endpoint.host, port: endpoint.port, ca: tls.ca ?? undefined, cert: tls.cert ?? undefined, key: tls.key ?? undefined, rejectUnauthorized: tls.verify, ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }) });
      }
      case 'ssh':
        return (agent as unknown as { createConnection: () => Duplex }).createConnection();
    }
  };
  return { endpoint, docker, timeoutMs: options.timeoutMs, now: options.now, env: options.env ?? {}, connect, close: () => agent.destroy() };
}

/** A transport or API failure of dockerode as docker-modem reports it. */
interface ModemError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: unknown;
  name?: string;
}

const UNREACHABLE_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'ENOTSOCK', 'SSH_FAILED']);

function isTlsFailure(err: ModemError): boolean {
  const code = err.code ?? '';
  return /^(ERR_SSL|ERR_TLS|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO$)/.test(code) || /ssl|tls|certificate/i.test(String(err.message ?? ''));
}

function engineMessage(err: ModemError): string {
  const json = err.json as { message?: unknown } | null | undefined;
  if (json && typeof json === 'object' && !Buffer.isBuffer(json) && typeof json.message === 'string') return json.message;
  if (Buffer.isBuffer(err.json)) return err.json.toString('utf8').trim().slice(0, 200);
  return String(err.message ?? err).replace(/^\(HTTP code \d+\)\s*/, '').trim();
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new EnvironmentError('ABORTED', 'the operation was aborted');
}

/** Maps a dockerode failure to the tool's errors: DOCKER_UNREACHABLE, DOCKER_TLS_FAILED, DOCKER_TIMEOUT, DOCKER_API_ERROR. */
export function mapEngineError(engine: DockerEngine, err: unknown, what: string, ctx: { caller?: AbortSignal; timeout?: AbortSignal; ms: number }): unknown {
  if (ctx.caller?.aborted) return abortReason(ctx.caller);
  if (err instanceof EnvironmentError) return err;
  const { display, source } = engine.endpoint;
  if (ctx.timeout?.aborted) {
    return new EnvironmentError('DOCKER_TIMEOUT', `the Docker engine at ${display} did not answer within ${ctx.ms} ms (${what})`, { cause: err });
  }
  const e = (err ?? {}) as ModemError;
  if (e.statusCode !== undefined) {
    return new EnvironmentError('DOCKER_API_ERROR', `${what} failed at ${display}: HTTP ${e.statusCode}: ${engineMessage(e)}`, { cause: err });
  }
  if (isTlsFailure(e)) {
    return new EnvironmentError('DOCKER_TLS_FAILED', `the TLS connection to the Docker engine at ${display} failed (${e.code ? `${e.code}: ` : ''}${e.message}); check the engine's certificate and the CA and client certificate named by ${source}`, { cause: err, final: true });
  }
  if (UNREACHABLE_CODES.has(e.code ?? '') || /socket hang up|connect/i.test(String(e.message))) {
    return new EnvironmentError(
      'DOCKER_UNREACHABLE',
      `cannot reach the Docker engine at ${display} (${e.code && e.code !== 'SSH_FAILED' ? `${e.code}: ` : ''}${e.message}); it was named by ${source}: start that engine or name the right one`,
      { cause: err, final: true },
    );
  }
  return new EnvironmentError('DOCKER_API_ERROR', `${what} failed at ${display}: ${e.message ?? String(err)}`, { cause: err });
}

/** True for an API answer 404 (no such container, image, file or exec). */
export function isNotFound(err: unknown): boolean {
  return (err as ModemError | null)?.statusCode === 404;
}

/**
 * One engine call under the caller's signal and a deadline (the engine's timeout unless the call
 * gives its own); failures mapped by mapEngineError. `deadline: false` for a call bounded only by the
 * caller (an exec's output, which the step timeout bounds).
 */
export async function callEngine<T>(engine: DockerEngine, what: string, options: CallOptions | undefined, fn: (signal: AbortSignal) => Promise<T>, settings: { deadline?: boolean } = {}): Promise<T> {
  const caller = options?.signal;
  if (caller?.aborted) throw abortReason(caller);
  const ms = options?.timeoutMs ?? engine.timeoutMs;
  const timeout = settings.deadline === false && caller ? undefined : AbortSignal.timeout(ms);
  const signal = timeout && caller ? AbortSignal.any([caller, timeout]) : (timeout ?? caller!);
  try {
    return await fn(signal);
  } catch (err) {
    throw mapEngineError(engine, err, what, { caller, timeout, ms });
  }
}

export { abortReason };
