// Real remote engines for tests, on this machine: a second dockerd reached over mutual TLS on
// 127.0.0.1 (certificates made here with openssl), and sshd on 127.0.0.1 with a key made here, so that
// ssh://USER@127.0.0.1:PORT reaches an engine as the docker CLI does (`docker system dial-stdio`).
// Needs root (dockerd, a network bridge, sshd), openssl, iproute2 and openssh-server: scripts/setup.sh.
//
// The second dockerd has its own data root, exec root, pid file, unix socket and bridge. Its bridge is
// one made here, never `--bridge none`: with `none`, dockerd deletes the host's docker0 interface at
// start-up, which breaks the main engine's builds and containers for every other test.
// Everything started is stopped by its own ChildProcess (pid), and everything made is removed.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './docker.js';

const run = promisify(execFile);

async function sh(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { ...options, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits for a child to exit; SIGKILL after `ms`. */
function stopChild(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Unmounts everything mounted under `dir` (dockerd leaves its network namespace mounted), deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => Boolean(p) && (p === dir || p!.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const p of points) await run('umount', ['-l', p]).catch(() => undefined);
}

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
export async function makeEngineCertificates(dir: string): Promise<EngineCertificates> {
  const server = join(dir, 'server');
  const client = join(dir, 'client');
  mkdirSync(server, { recursive: true });
  mkdirSync(client, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await sh('openssl', ['req', '-x509', ...ec, '-keyout', join(dir, 'ca-key.pem'), '-out', join(client, 'ca.pem'), '-days', '2', '-subj', '/CN=qualify test CA']);
  const sign = async (name: string, folder: string, keyFile: string, certFile: string, ext: string): Promise<void> => {
    const csr = join(dir, `${name}.csr`);
    const extFile = join(dir, `${name}.ext`);
    writeFileSync(extFile, ext);
    await sh('openssl', ['req', ...ec, '-keyout', join(folder, keyFile), '-out', csr, '-subj', `/CN=${name}`]);
    await sh('openssl', ['x509', '-req', '-in', csr, '-CA', join(client, 'ca.pem'), '-CAkey', join(dir, 'ca-key.pem'), '-CAcreateserial', '-out', join(folder, certFile), '-days', '2', '-extfile', extFile]);
  };
  await sign('127.0.0.1', server, 'key.pem', 'cert.pem', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await sign('qualify-client', client, 'key.pem', 'cert.pem', 'extendedKeyUsage=clientAuth\n');
  return { clientDir: client, ca: join(client, 'ca.pem'), cert: join(client, 'cert.pem'), key: join(client, 'key.pem'), serverCert: join(server, 'cert.pem'), serverKey: join(server, 'key.pem') };
}

export interface TlsEngine {
  /** `tcp://127.0.0.1:PORT`, mutual TLS. */
  host: string;
  port: number;
  /** The same engine's unix socket, for the test's own setup (docker -H unix://...). */
  socket: string;
  certs: EngineCertificates;
  /** Runs the docker CLI against this engine (over its unix socket). */
  docker(...args: string[]): Promise<string>;
  /** Copies an image of the main engine into this one (docker save | docker load): no registry needed. */
  loadImage(ref: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a second dockerd with `--tlsverify` on 127.0.0.1 (about a second). Call stop() in afterAll. */
export async function startTlsEngine(): Promise<TlsEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'qualify-engine-'));
  const certs = await makeEngineCertificates(dir);
  const bridge = `qb${randomBytes(5).toString('hex')}`;
  const subnet = `10.${200 + (randomBytes(1)[0]! % 50)}.${randomBytes(1)[0]!}`;
  await sh('ip', ['link', 'add', bridge, 'type', 'bridge']);
  let child: ChildProcess | null = null;
  const socket = join(dir, 'd.sock');
  const log = join(dir, 'dockerd.log');
  const stop = async (): Promise<void> => {
    if (child) {
      const names = await sh('docker', ['-H', `unix://${socket}`, 'ps', '-aq']).catch(() => '');
      if (names) await sh('docker', ['-H', `unix://${socket}`, 'rm', '-f', '-v', ...names.split('\n')]).catch(() => undefined);
      await stopChild(child, 20_000);
    }
    await unmountUnder(dir);
    await run('ip', ['link', 'del', bridge]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await sh('ip', ['addr', 'add', `${subnet}.1/24`, 'dev', bridge]);
    await sh('ip', ['link', 'set', bridge, 'up']);
    const port = await freePort();
    const fd = openSync(log, 'a');
    child = spawn('dockerd', [
      '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid'),
      '-H', `unix://${socket}`, '-H', `tcp://127.0.0.1:${port}`,
      '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey,
      '--bridge', bridge, '--iptables=false', '--ip6tables=false', '--ip-masq=false',
    ], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const docker = (...args: string[]): Promise<string> => sh('docker', ['-H', `unix://${socket}`, ...args]);
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`the second dockerd exited (${code}):\n${tail(log)}`))));
    exited.catch(() => undefined);
    const ready = (async () => {
      for (let i = 0; i < 300; i++) {
        if (existsSync(socket) && (await docker('version', '--format', '{{.Server.Version}}').catch(() => ''))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the second dockerd did not answer within 30 s:\n${tail(log)}`);
    })();
    await Promise.race([ready, exited]);
    const loadImage = async (ref: string): Promise<void> => {
      const save = spawn('docker', ['save', ref], { stdio: ['ignore', 'pipe', 'pipe'] });
      const load = spawn('docker', ['-H', `unix://${socket}`, 'load', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
      save.stdout!.pipe(load.stdin!);
      let err = '';
      save.stderr!.on('data', (d) => (err += d));
      load.stderr!.on('data', (d) => (err += d));
      const done = (p: ChildProcess) => new Promise<number | null>((r) => p.once('close', r));
      const [a, b] = await Promise.all([done(save), done(load)]);
      if (a !== 0 || b !== 0) throw new Error(`docker save ${ref} | docker load failed: ${err}`);
    };
    return { host: `tcp://127.0.0.1:${port}`, port, socket, certs, docker, loadImage, stop };
  } catch (err) {
    await stop();
    throw err;
  }
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
