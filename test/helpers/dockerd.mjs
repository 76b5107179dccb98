// Extra Docker engines on this machine, for tests (test/helpers/engines.ts) and benches (bench/fleet.mjs):
// a dockerd with its own data root, exec root, pid file, unix socket and network bridge, optionally
// reached over mutual TLS on 127.0.0.1, optionally a single-node Swarm manager. Plain JavaScript so that
// a bench run by node (no TypeScript loader) starts engines exactly as the tests do.
//
// Each engine's bridge is one made here, never `--bridge none`: with `none`, dockerd deletes the host's
// docker0 interface at start-up, which breaks the main engine's builds and containers for every other
// test. A Swarm manager's docker_gwbridge is made here too, under its own interface name, so that no
// interface of the host is named after (or shared with) another engine's. Everything started is stopped
// by its own ChildProcess (pid), and everything made is removed.
// Needs root (dockerd, bridges), openssl and iproute2: scripts/setup.sh installs them.

import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a program; trimmed stdout, or an error naming the command and its stderr. */
export async function sh(cmd, args, options = {}) {
  try {
    const { stdout } = await run(cmd, args, { ...options, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A TCP port free on 127.0.0.1 right now. */
export function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A UDP port free on 127.0.0.1 right now in 20000-49151 (the range Swarm's data path port must be in). */
export async function freeUdpPort() {
  for (;;) {
    const port = 20000 + (randomBytes(2).readUInt16BE(0) % 29151);
    const free = await new Promise((resolve) => {
      const s = createSocket('udp4');
      s.on('error', () => resolve(false));
      s.bind(port, '0.0.0.0', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** Waits for a child to exit; SIGKILL after `ms`. */
export function stopChild(child, ms) {
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

/** Unmounts everything mounted under `dir` (dockerd leaves its network namespaces mounted), deepest first. */
export async function unmountUnder(dir) {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p) => Boolean(p) && (p === dir || p.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const p of points) await run('umount', ['-l', p]).catch(() => undefined);
}

/** Makes a CA, a server certificate for 127.0.0.1 and a client certificate with openssl, under `dir`. */
export async function makeEngineCertificates(dir) {
  const server = join(dir, 'server');
  const client = join(dir, 'client');
  mkdirSync(server, { recursive: true });
  mkdirSync(client, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await sh('openssl', ['req', '-x509', ...ec, '-keyout', join(dir, 'ca-key.pem'), '-out', join(client, 'ca.pem'), '-days', '2', '-subj', '/CN=qualify test CA']);
  const sign = async (name, folder, keyFile, certFile, ext) => {
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

/** An interface name and a /24 no other engine of this process picked (random; checked against the host's). */
async function newBridge(prefix) {
  const links = await sh('ip', ['-o', 'link', 'show']).catch(() => '');
  const addrs = await sh('ip', ['-o', '-4', 'addr', 'show']).catch(() => '');
  for (;;) {
    const name = `${prefix}${randomBytes(5).toString('hex')}`;
    const subnet = `10.${200 + (randomBytes(1)[0] % 50)}.${randomBytes(1)[0]}`;
    if (!links.includes(`${name}:`) && !addrs.includes(` ${subnet}.`)) return { name, subnet };
  }
}

/**
 * Starts a dockerd beside the main one (about a second). Options: `tls: true` adds a mutual-TLS tcp
 * listener on 127.0.0.1 (certificates made here). Call stop() when done (afterAll, or the bench's end).
 */
export async function startDockerd(options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'qualify-engine-'));
  const certs = options.tls ? await makeEngineCertificates(dir) : null;
  const bridge = await newBridge('qb');
  /** Interfaces of the host this engine owns (its bridge, a Swarm's gateway bridge): deleted at stop. */
  const links = [bridge.name];
  await sh('ip', ['link', 'add', bridge.name, 'type', 'bridge']);
  let child = null;
  const socket = join(dir, 'd.sock');
  const log = join(dir, 'dockerd.log');
  const docker = (...args) => sh('docker', ['-H', `unix://${socket}`, ...args]);
  const stop = async () => {
    if (child) {
      const ids = await docker('ps', '-aq').catch(() => '');
      if (ids) await docker('rm', '-f', '-v', ...ids.split('\n')).catch(() => undefined);
      await stopChild(child, 20_000);
      child = null;
    }
    await unmountUnder(dir);
    for (const l of links) await run('ip', ['link', 'del', l]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await sh('ip', ['addr', 'add', `${bridge.subnet}.1/24`, 'dev', bridge.name]);
    await sh('ip', ['link', 'set', bridge.name, 'up']);
    const port = options.tls ? await freeTcpPort() : null;
    const fd = openSync(log, 'a');
    child = spawn('dockerd', [
      '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid'),
      '-H', `unix://${socket}`,
      ...(certs ? ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey] : []),
      '--bridge', bridge.name, '--iptables=false', '--ip6tables=false', '--ip-masq=false',
    ], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const started = child;
    const exited = new Promise((_, reject) => started.once('exit', (code) => reject(new Error(`the extra dockerd exited (${code}):\n${tail(log)}`))));
    exited.catch(() => undefined);
    const ready = (async () => {
      for (let i = 0; i < 300; i++) {
        if (existsSync(socket) && (await docker('version', '--format', '{{.Server.Version}}').catch(() => ''))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the extra dockerd did not answer within 30 s:\n${tail(log)}`);
    })();
    await Promise.race([ready, exited]);

    /** Copies an image of the main engine into this one (docker save | docker load): no registry needed. */
    const loadImage = async (ref) => {
      const save = spawn('docker', ['save', ref], { stdio: ['ignore', 'pipe', 'pipe'] });
      const load = spawn('docker', ['-H', `unix://${socket}`, 'load', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
      save.stdout.pipe(load.stdin);
      let err = '';
      save.stderr.on('data', (d) => (err += d));
      load.stderr.on('data', (d) => (err += d));
      const done = (p) => new Promise((r) => p.once('close', r));
      const [a, b] = await Promise.all([done(save), done(load)]);
      if (a !== 0 || b !== 0) throw new Error(`docker save ${ref} | docker load failed: ${err}`);
    };

    /**
     * Makes this engine a single-node Swarm manager on 127.0.0.1 (ports picked free). Its gateway bridge
     * (docker_gwbridge, which Swarm otherwise creates as a host interface of that name) is made first
     * under an interface name of its own, deleted at stop. The Swarm is left as it is: stop() ends it.
     */
    const initSwarm = async () => {
      const gw = await newBridge('qg');
      links.push(gw.name);
      await docker('network', 'create', '--driver', 'bridge', '--subnet', `${gw.subnet}.0/24`,
        '--opt', `com.docker.network.bridge.name=${gw.name}`,
        '--opt', 'com.docker.network.bridge.enable_icc=false',
        '--opt', 'com.docker.network.bridge.enable_ip_masquerade=false',
        'docker_gwbridge');
      const listen = await freeTcpPort();
      const dataPort = await freeUdpPort();
      await docker('swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', `127.0.0.1:${listen}`, '--data-path-addr', '127.0.0.1', '--data-path-port', String(dataPort));
      return { nodeId: await docker('info', '--format', '{{.Swarm.NodeID}}') };
    };

    return { socket, unix: `unix://${socket}`, host: certs ? `tcp://127.0.0.1:${port}` : `unix://${socket}`, port, certs, dir, pid: started.pid, docker, loadImage, initSwarm, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
