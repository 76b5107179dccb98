// The transport of ssh:// engines: dockerode speaks the Engine API over connections this http.Agent
// opens by running `ssh [user@]host docker system dial-stdio`, exactly as the docker CLI does. The
// user's ssh program decides how to log in and whom to trust: ~/.ssh/config, the agent, keys,
// known_hosts (or the files qualify.yaml names). BatchMode: it never prompts, and an unknown host
// key is refused, never accepted.
//
// Why not docker-modem's own ssh transport (ssh2): it opens a new SSH connection for every API
// request (a 50-check run makes hundreds; sshd's MaxStartups then drops some) and it accepts any host
// key (no known_hosts). Here one ssh process carries many requests (keep-alive), at most
// MAX_CONNECTIONS at a time, and each is stopped (by its ChildProcess) when the agent is destroyed.

import { spawn, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { Duplex } from 'node:stream';
import type { DockerSsh } from './docker-endpoint.js';

/** ssh processes (HTTP connections) per engine; sshd allows 10 unauthenticated connections at once by default. */
const MAX_CONNECTIONS = 4;
/** Bytes of ssh's standard error kept for the message when it fails. */
const STDERR_CAP = 4096;

/** The ssh command line reaching `ssh`'s engine (the program not included). */
export function sshArguments(ssh: DockerSsh, connectTimeoutMs: number): string[] {
  const option = (name: string, value: string): string[] => ['-o', `${name}=${/\s/.test(value) ? `"${value}"` : value}`];
  const args: string[] = [];
  if (ssh.config) args.push('-F', ssh.config);
  args.push(...option('BatchMode', 'yes'), ...option('ConnectTimeout', String(Math.max(1, Math.ceil(connectTimeoutMs / 1000)))));
  if (ssh.identity) args.push('-i', ssh.identity, ...option('IdentitiesOnly', 'yes'));
  if (ssh.knownHosts) args.push(...option('UserKnownHostsFile', ssh.knownHosts), ...option('StrictHostKeyChecking', 'yes'));
  if (ssh.user) args.push('-l', ssh.user);
  if (ssh.port) args.push('-p', String(ssh.port));
  // `--`: the host is never read as an option.
  args.push('-T', '--', ssh.host, 'docker', 'system', 'dial-stdio');
  return args;
}

/** A failed ssh process: its exit status and what it said. */
export class SshTransportError extends Error {
  readonly code = 'SSH_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'SshTransportError';
  }
}

/** One ssh process as the socket of one HTTP connection. */
class SshSocket extends Duplex {
  timeout = 0;
  private stderr = '';
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly child: ChildProcess,
    private readonly display: string,
  ) {
    super({ allowHalfOpen: false });
    child.stdout!.on('data', (chunk: Buffer) => {
      this.touch();
      if (!this.push(chunk)) child.stdout!.pause();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (this.stderr.length < STDERR_CAP) this.stderr += chunk.toString('utf8');
    });
    child.stdin!.on('error', () => undefined); // the process ended; 'close' reports why
    child.on('error', (err: NodeJS.ErrnoException) => {
      this.destroy(new SshTransportError(err.code === 'ENOENT' ? `cannot run ssh to reach ${this.display}: the ssh program was not found` : `cannot run ssh to reach ${this.display}: ${err.message}`));
    });
    // 'close': the process ended and its output is read, so what it said is complete.
    child.on('close', (code, signal) => {
      if (this.destroyed) return;
      if (code === 0) {
        this.push(null);
        return;
      }
      const said = this.stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).slice(-3).join(' ');
      this.destroy(new SshTransportError(`ssh to ${this.display} ${code !== null ? `exited with status ${code}` : `was ended by ${signal}`}${said ? `: ${said}` : ''}`));
    });
  }

  override _read(): void {
    this.child.stdout!.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    this.child.stdin!.write(chunk, (err) => callback(err ?? null));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin!.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (error: Error | null) => void): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    callback(err);
  }

  // What node:http's keep-alive agent and client ask of a socket.
  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setTimeout(ms: number, callback?: () => void): this {
    this.timeout = ms;
    if (callback) this.once('timeout', callback);
    this.touch();
    return this;
  }

  ref(): this {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as { ref?: () => void } | null)?.ref?.();
    return this;
  }

  unref(): this {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as { unref?: () => void } | null)?.unref?.();
    return this;
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.timeout > 0) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.timeout);
      this.idleTimer.unref();
    }
  }
}

/** A keep-alive http.Agent whose connections are ssh processes running `docker system dial-stdio`. */
export function createSshAgent(ssh: DockerSsh, options: { display: string; env: Record<string, string | undefined>; connectTimeoutMs: number }): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_CONNECTIONS, maxFreeSockets: MAX_CONNECTIONS });
  const args = sshArguments(ssh, options.connectTimeoutMs);
  // The docker CLI's own environment handling: the ssh program sees the caller's environment (agent socket, HOME).
  const env = Object.fromEntries(Object.entries(options.env).filter((e): e is [string, string] => e[1] !== undefined));
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () => {
    const child = spawn(ssh.program, args, { env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    return new SshSocket(child, options.display);
  };
  return agent;
}
