// Real remote engines for tests, on this machine: extra dockerd instances on their own unix sockets, one
// reached over mutual TLS on 127.0.0.1 (certificates made here with openssl), a single-node Swarm on an
// extra engine, and sshd on 127.0.0.1 with a key made here, so that ssh://USER@127.0.0.1:PORT reaches an
// engine as the docker CLI does (`docker system dial-stdio`).
// Needs root (dockerd, a network bridge, sshd), openssl, iproute2 and openssh-server: scripts/setup.sh.
//
// Each extra dockerd has its own data root, exec root, pid file, unix socket and bridge (dockerd.mjs).
// Its bridge is one made here, never `--bridge none`: with `none`, dockerd deletes the host's docker0
// interface at start-up, which breaks the main engine's builds and containers for every other test.
// Everything started is stopped by its own ChildProcess (pid), and everything made is removed.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './docker.js';
// The engines themselves are started by dockerd.mjs (plain JavaScript, shared with bench/fleet.mjs).
import { makeEngineCertificates as makeCertificates, sh, startDockerd, stopChild, tail } from './dockerd.mjs';

/** Certificates of a mutual-TLS engine: a CA, the server's (SAN IP:127.0.0.1) and a client's. */
export interface EngineCertificates {
  /** The client's folder, laid out as DOCKER_CERT_PATH expects: ca.pem, cert.pem, key.pem. */
  clientDir: string;
  ca: string;
  cert: string;
  key: string;
  serverCert: string;
  serverKey: string;
}

/** Makes a CA, a server certificate for 127.0.0.1 and a client certificate with openssl, under `dir`. */
export function makeEngineCertificates(dir: string): Promise<EngineCertificates> {
  return makeCertificates(dir) as Promise<EngineCertificates>;
}

/** An extra dockerd on its own unix socket, data root and bridge. */
export interface ExtraEngine {
  /** `unix:///tmp/.../d.sock` */
  unix: string;
  /** The engine as a client names it: `tcp://127.0.0.1:PORT` (mutual TLS) or the unix URL. */
  host: string;
  /** The unix socket, for the test's own setup (docker -H unix://...). */
  socket: string;
  /** The dockerd's pid (stop it with stop(), or kill it by this pid to make the engine unreachable). */
  pid: number;
  /** Runs the docker CLI against this engine (over its unix socket). */
  docker(...args: string[]): Promise<string>;
  /** Copies an image of the main engine into this one (docker save | docker load): no registry needed. */
  loadImage(ref: string): Promise<void>;
  /** Makes it a single-node Swarm manager on 127.0.0.1 with its own gateway bridge; stop() ends it. */
  initSwarm(): Promise<{ nodeId: string }>;
  stop(): Promise<void>;
}

export interface TlsEngine extends ExtraEngine {
  /** `tcp://127.0.0.1:PORT`, mutual TLS. */
  host: string;
  port: number;
  certs: EngineCertificates;
}

/** Starts an extra dockerd on a unix socket of its own (about a second). Call stop() in afterAll. */
export async function startEngine(): Promise<ExtraEngine> {
  return (await startDockerd({})) as ExtraEngine;
}

/** Starts a second dockerd with `--tlsverify` on 127.0.0.1 (about a second). Call stop() in afterAll. */
export async function startTlsEngine(): Promise<TlsEngine> {
  return (await startDockerd({ tls: true })) as TlsEngine;
}

export interface SshServer {
  /** `ssh://USER@127.0.0.1:PORT` */
  host: string;
  port: number;
  user: string;
  /** The client's private key (its public half is the only authorized key). */
  identity: string;
  /** A known_hosts file holding the server's host key for [127.0.0.1]:PORT. */
  knownHosts: string;
  dir: string;
  stop(): Promise<void>;
}

function sshdProgram(): string {
  for (const p of ['/usr/sbin/sshd', '/usr/local/sbin/sshd']) if (existsSync(p)) return p;
  throw new Error('sshd is not installed (Debian: apt-get install openssh-server; scripts/setup.sh installs it)');
}

/**
 * Starts sshd on 127.0.0.1 with a host key and one authorized key made here, for the current user.
 * `dockerHost`: the engine the sessions' `docker system dial-stdio` reaches (sshd's SetEnv DOCKER_HOST).
 */
export async function startSshServer(options: { dockerHost?: string } = {}): Promise<SshServer> {
  const program = sshdProgram();
  const dir = mkdtempSync(join(tmpdir(), 'qualify-sshd-'));
  chmodSync(dir, 0o700);
  let child: ChildProcess | null = null;
  const stop = async (): Promise<void> => {
    if (child) await stopChild(child, 5_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // sshd's privilege separation folder (Debian creates it when the service starts, which tests never do).
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    await sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'qualify test host', '-f', join(dir, 'host_key')]);
    await sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'qualify test client', '-f', join(dir, 'client_key')]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
    const port = await freePort();
    const user = userInfo().username;
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${readFileSync(join(dir, 'host_key.pub'), 'utf8').trim()}\n`);
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        `AllowUsers ${user}`,
        'LogLevel ERROR',
        ...(options.dockerHost ? [`SetEnv DOCKER_HOST=${options.dockerHost}`] : []),
        '',
      ].join('\n'),
    );
    const log = join(dir, 'sshd.log');
    const fd = openSync(log, 'a');
    child = spawn(program, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`sshd exited (${code}):\n${tail(log)}`))));
    exited.catch(() => undefined);
    const listening = (async () => {
      for (let i = 0; i < 200; i++) {
        const ok = await new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1', () => {
            s.destroy();
            resolve(true);
          });
          s.on('error', () => resolve(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`sshd did not listen on 127.0.0.1:${port} within 10 s:\n${tail(log)}`);
    })();
    await Promise.race([listening, exited]);
    return { host: `ssh://${user}@127.0.0.1:${port}`, port, user, identity: join(dir, 'client_key'), knownHosts: join(dir, 'known_hosts'), dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
