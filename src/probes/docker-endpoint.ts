// Which Docker engine a run talks to, and how: resolved once, before any step runs, from the
// environment's `docker:` entry in qualify.yaml, else from DOCKER_HOST, DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH as the docker CLI reads them, else the local socket.
//
// An engine that cannot be used as written (a URL that does not parse, an unsupported scheme, a
// certificate or key file that is missing or is not PEM, a docker context qualify cannot follow) is a
// UsageError (exit 2). There is never a fall-back to another engine: a run qualifies the engine the
// repository or the shell names, or none.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../model/errors.js';
import type { DockerEngineConfig } from '../model/config.js';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** TLS material of a tcp:// engine, read and checked. */
export interface DockerTls {
  ca: Buffer | null;
  cert: Buffer | null;
  key: Buffer | null;
  /** Verify the engine's certificate (DOCKER_TLS_VERIFY, or `tls.verify` not false). */
  verify: boolean;
}

/** How ssh reaches an ssh:// engine; the ssh program does the rest (its config, agent, known_hosts). */
export interface DockerSsh {
  /** The ssh program found on the PATH. */
  program: string;
  user: string | null;
  host: string;
  port: number | null;
  /** Private key file (`ssh -i`, only this key is offered). */
  identity: string | null;
  /** known_hosts file the host key must be in. */
  knownHosts: string | null;
  /** ssh_config file, or `none` for no configuration file at all. */
  config: string | null;
}

interface EndpointBase {
  /** The URL as shown in records and messages: never a password, never a key. */
  display: string;
  /** Where the engine was named: `qualify.yaml:5:3 environment "production"`, `DOCKER_HOST`, `the default`. */
  source: string;
}

/** A resolved, usable engine endpoint. */
export type DockerEndpoint =
  | (EndpointBase & { kind: 'unix'; socketPath: string })
  | (EndpointBase & { kind: 'tcp'; host: string; port: number; tls: DockerTls | null })
  | (EndpointBase & { kind: 'ssh'; ssh: DockerSsh });

export interface ResolveEndpointOptions {
  /** Environment variables (the CLI passes its own; never process.env implicitly). */
  env?: Record<string, string | undefined>;
  /** Folder that relative paths of the configuration are relative to (the repository root). */
  baseDir?: string;
}

function invalid(source: string, message: string, cause?: unknown): UsageError {
  return new UsageError('DOCKER_ENDPOINT_INVALID', `${source}: ${message}`, cause === undefined ? undefined : { cause });
}

/** Resolves the engine of a run; throws DOCKER_ENDPOINT_INVALID (exit 2) for one that cannot be used. */
export function resolveDockerEndpoint(config: DockerEngineConfig | undefined, options: ResolveEndpointOptions = {}): DockerEndpoint {
  const env = options.env ?? {};
  const endpoint = pickEndpoint(config, env, resolve(options.baseDir ?? '.'));
  if (endpoint.kind === 'ssh') {
    const program = findSshProgram(env);
    if (!program) throw invalid(endpoint.source, `${endpoint.display} is reached with the ssh program (as the docker CLI does), and there is no "ssh" on the PATH; install the OpenSSH client`);
    endpoint.ssh.program = program;
  }
  return endpoint;
}

function pickEndpoint(config: DockerEngineConfig | undefined, env: Record<string, string | undefined>, baseDir: string): DockerEndpoint {
  if (config?.host) return fromConfig(config, baseDir);
  const where = config?.at ?? 'the environment';
  if (config?.tls) throw invalid(where, 'docker.tls is given without docker.host; name the tcp:// engine it is for');
  if (config?.ssh) throw invalid(where, 'docker.ssh is given without docker.host; name the ssh:// engine it is for');
  const fromEnv = env.DOCKER_HOST?.trim();
  if (fromEnv) return fromEnvironment(fromEnv, env);
  refuseDockerContext(env);
  return parseHost(DEFAULT_DOCKER_HOST, 'the default engine', { tls: null });
}

function fromConfig(config: DockerEngineConfig, baseDir: string): DockerEndpoint {
  const source = `${config.at ?? 'the environment'} docker.host`;
  const host = config.host!;
  const scheme = schemeOf(host);
  if (config.tls && scheme !== 'tcp') throw invalid(source, `docker.tls applies to tcp:// engines only; "${host}" is ${scheme === 'ssh' ? 'reached over ssh' : 'a local socket'}`);
  if (config.ssh && scheme !== 'ssh') throw invalid(source, `docker.ssh applies to ssh:// engines only; "${host}" is not one`);
  const tls = config.tls ? readTls(source, config.tls, baseDir) : null;
  const endpoint = parseHost(host, source, { tls });
  if (endpoint.kind === 'ssh' && config.ssh) {
    const path = (key: string, p: string | undefined): string | null => {
      if (p === undefined) return null;
      if (key === 'config' && p === 'none') return 'none';
      const file = isAbsolute(p) ? p : resolve(baseDir, p);
      if (!isFile(file)) throw invalid(source, `docker.ssh.${key} ${p} is not a file (resolved to ${file})`);
      return file;
    };
    endpoint.ssh.identity = path('identity', config.ssh.identity);
    endpoint.ssh.knownHosts = path('known_hosts', config.ssh.knownHosts);
    endpoint.ssh.config = path('config', config.ssh.config);
  }
  return endpoint;
}

/** DOCKER_HOST with DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH, read as the docker CLI reads them. */
function fromEnvironment(host: string, env: Record<string, string | undefined>): DockerEndpoint {
  const source = `DOCKER_HOST=${maskCredentials(host)}`;
  // The docker CLI turns TLS on when either variable is set to anything non-empty ("0" included).
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  const useTls = verify || Boolean(env.DOCKER_TLS);
  let tls: DockerTls | null = null;
  if (useTls && schemeOf(host) === 'tcp') {
    const configDir = env.DOCKER_CONFIG || (env.HOME ? join(env.HOME, '.docker') : null);
    const certPath = env.DOCKER_CERT_PATH || configDir;
    const where = env.DOCKER_CERT_PATH ? `DOCKER_CERT_PATH=${env.DOCKER_CERT_PATH}` : `the default certificate folder ${certPath ?? '~/.docker'}`;
    if (!certPath || !isDirectory(certPath)) throw invalid(source, `DOCKER_TLS_VERIFY/DOCKER_TLS ask for TLS, but ${where} is not a folder holding ca.pem, cert.pem and key.pem`);
    // As the CLI: a file of the three that is absent is not used (the system CAs, no client certificate).
    const file = (name: string): string | undefined => (existsSync(join(certPath, name)) ? join(certPath, name) : undefined);
    tls = readTls(`${source} (${where})`, { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem'), verify }, '/');
  }
  return parseHost(host, source, { tls });
}

/** A docker context the CLI would follow and qualify does not read: using the default engine instead would qualify another engine. */
function refuseDockerContext(env: Record<string, string | undefined>): void {
  const fromEnv = env.DOCKER_CONTEXT?.trim();
  let context = fromEnv && fromEnv !== 'default' ? { name: fromEnv, where: 'DOCKER_CONTEXT' } : null;
  if (!context && !fromEnv) {
    const dir = env.DOCKER_CONFIG || (env.HOME ? join(env.HOME, '.docker') : null);
    const file = dir ? join(dir, 'config.json') : null;
    if (file && existsSync(file)) {
      try {
        const current = (JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown }).currentContext;
        if (typeof current === 'string' && current !== '' && current !== 'default') context = { name: current, where: `currentContext of ${file}` };
      } catch {
        // An unreadable docker config names no context.
      }
    }
  }
  if (context) {
    throw invalid(
      context.where,
      `the docker CLI would use the docker context "${context.name}", which qualify does not read; name the engine in qualify.yaml (environments.<name>.docker) or in DOCKER_HOST (docker context inspect ${context.name} shows its host)`,
    );
  }
}

type Scheme = 'unix' | 'tcp' | 'ssh' | 'other';

function schemeOf(host: string): Scheme {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host);
  if (!m) return /^[^/:]*:\d+$/.test(host) || !host.includes('/') ? 'tcp' : 'other';
  const s = m[1]!.toLowerCase();
  if (s === 'unix') return 'unix';
  if (s === 'tcp' || s === 'http') return 'tcp';
  if (s === 'ssh') return 'ssh';
  return 'other';
}

function maskCredentials(host: string): string {
  return host.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_m, scheme: string, creds: string) => (scheme.toLowerCase() === 'ssh://' && !creds.includes(':') ? `${scheme}${creds}@` : `${scheme}***@`));
}

/** Parses an engine URL: unix:///path, tcp://host[:port] (http:// and bare host:port as aliases), ssh://[user@]host[:port]. */
export function parseHost(host: string, source: string, options: { tls: DockerTls | null }): DockerEndpoint {
  const scheme = schemeOf(host);
  const shown = maskCredentials(host);
  if (scheme === 'unix') {
    const socketPath = host.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw invalid(source, `"${shown}" must name an absolute socket path, e.g. unix:///var/run/docker.sock`);
    return { kind: 'unix', display: `unix://${socketPath}`, source, socketPath };
  }
  if (scheme === 'other') {
    const m = /^([a-z][a-z0-9+.-]*):/i.exec(host);
    throw invalid(source, `"${shown}" is not an engine qualify can reach${m ? ` (scheme "${m[1]}:")` : ''}; expected unix:///path/to/docker.sock, tcp://host:port or ssh://user@host`);
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(host) ? host : `tcp://${host}`;
  let url: URL;
  try {
    url = new URL(withScheme.replace(/^(tcp|http):/i, 'http:').replace(/^ssh:/i, 'ssh:'));
  } catch (cause) {
    throw invalid(source, `"${shown}" is not a valid URL; expected ${scheme === 'ssh' ? 'ssh://user@host[:port]' : 'tcp://host:port'}`, cause);
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!hostname) throw invalid(source, `"${shown}" names no host`);
  if (url.pathname && url.pathname !== '/') throw invalid(source, `"${shown}" has a path (${url.pathname}); an engine URL is scheme://host:port`);
  if (url.search || url.hash) throw invalid(source, `"${shown}" has a query or fragment; an engine URL is scheme://host:port`);
  const port = url.port === '' ? null : Number(url.port);
  if (scheme === 'ssh') {
    if (url.password) throw invalid(source, `"${shown}" holds a password; ssh engines log in with a key (docker.ssh.identity, or the ssh agent)`);
    const user = url.username ? decodeURIComponent(url.username) : null;
    // Never let a user or host name be read by ssh as an option (ssh://-oProxyCommand=...).
    if (hostname.startsWith('-') || user?.startsWith('-')) throw invalid(source, `"${shown}": a user or host name must not start with "-"`);
    const display = `ssh://${user ? `${user}@` : ''}${url.host}`;
    return { kind: 'ssh', display, source, ssh: { program: 'ssh', user, host: hostname, port, identity: null, knownHosts: null, config: null } };
  }
  const tcpPort = port ?? (options.tls ? 2376 : 2375);
  const display = `tcp://${url.username ? '***@' : ''}${url.hostname}:${tcpPort}`;
  return { kind: 'tcp', display, source, host: hostname, port: tcpPort, tls: options.tls };
}

/** Reads and checks the PEM files of a TLS engine (relative to baseDir); a missing or unreadable one is DOCKER_ENDPOINT_INVALID. */
function readTls(source: string, tls: { ca?: string; cert?: string; key?: string; verify?: boolean }, baseDir: string): DockerTls {
  if (Boolean(tls.cert) !== Boolean(tls.key)) {
    throw invalid(source, `a client certificate needs both files: ${tls.cert ? 'tls.cert is given without tls.key' : 'tls.key is given without tls.cert'}`);
  }
  const read = (name: 'ca' | 'cert' | 'key'): Buffer | null => {
    const p = tls[name];
    if (p === undefined) return null;
    const file = isAbsolute(p) ? p : resolve(baseDir, p);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw invalid(source, `TLS ${name} file ${p} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(cause)})`}${file !== p ? ` (resolved to ${file})` : ''}`, cause);
    }
    try {
      if (name === 'key') createPrivateKey(bytes);
      else new X509Certificate(bytes);
    } catch (cause) {
      throw invalid(source, `TLS ${name} file ${p} is not a PEM ${name === 'key' ? 'private key' : 'certificate'}: ${(cause as Error).message}`, cause);
    }
    return bytes;
  };
  return { ca: read('ca'), cert: read('cert'), key: read('key'), verify: tls.verify !== false };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The ssh program on the PATH of `env`, or null. */
export function findSshProgram(env: Record<string, string | undefined>): string | null {
  const names = process.platform === 'win32' ? ['ssh.exe'] : ['ssh'];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        if (isFile(candidate)) return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}
