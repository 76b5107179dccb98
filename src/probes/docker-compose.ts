// What Compose says a project's containers should carry: `docker-compose config --hash=*` computes,
// for each service of a compose file, the config hash Compose labels its containers with
// (com.docker.compose.config-hash). The hash covers the service's resolved options and the engine's
// image id, so Compose itself computes it, against the target's engine.
//
// Compose reaches the engine through a private unix socket this probe opens (a folder only this user
// can read) and forwards, byte for byte, over the target's own transport (the socket, TCP with its
// TLS, or ssh with the identity and known_hosts qualify.yaml names): Compose never gets credentials,
// and the engine it asks is exactly the target's.

import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { EnvironmentError } from '../model/errors.js';
import type { DockerEngine } from './docker-engine.js';
import type { CallOptions, ComposeHashes } from './types.js';

const OUTPUT_CAP = 1024 * 1024;

/** The programs tried, in order: Compose v1 (docker-compose), then the v2 plugin (docker compose). */
const PROGRAMS: string[][] = [['docker-compose'], ['docker', 'compose']];

/** A unix socket in a private folder that forwards every connection to the engine. */
async function openForwarder(engine: DockerEngine): Promise<{ socket: string; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'qualify-compose-'));
  chmodSync(dir, 0o700);
  const socket = join(dir, 'engine.sock');
  const open = new Set<Socket | Duplex>();
  const server: Server = createServer((client) => {
    const upstream = engine.connect();
    open.add(client);
    open.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  return {
    socket,
    close() {
      for (const s of open) s.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  missing: boolean;
}

function runProgram(argv: string[], options: { cwd: string; env: Record<string, string>; signal: AbortSignal }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString('utf8')).slice(0, OUTPUT_CAP)));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(0, OUTPUT_CAP)));
    const onAbort = (): void => {
      child.kill('SIGKILL');
      reject(options.signal.reason);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      options.signal.removeEventListener('abort', onAbort);
      if (err.code === 'ENOENT') resolve({ code: null, stdout: '', stderr: '', missing: true });
      else reject(err);
    });
    child.on('close', (code) => {
      options.signal.removeEventListener('abort', onAbort);
      resolve({ code, stdout, stderr, missing: false });
    });
  });
}

/** `service hash` lines of `config --hash=*`. */
function parseHashes(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^(\S+)\s+([0-9a-f]{64})$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** The config hash of every service of `file` (project `project`) as Compose computes it against `engine`. */
export async function composeConfigHashes(engine: DockerEngine, file: string, project: string, options: CallOptions = {}): Promise<ComposeHashes> {
  const display = engine.endpoint.display;
  const signal = AbortSignal.any([...(options.signal ? [options.signal] : []), AbortSignal.timeout(options.timeoutMs ?? Math.max(engine.timeoutMs, 30_000))]);
  const forwarder = await openForwarder(engine);
  try {
    // Only what Compose needs: the PATH (and HOME for its own files); never the caller's DOCKER_* variables.
    const env: Record<string, string> = { DOCKER_HOST: `unix://${forwarder.socket}` };
    for (const k of ['PATH', 'HOME', 'LANG', 'LC_ALL']) if (engine.env[k]) env[k] = engine.env[k]!;
    const tried: string[] = [];
    for (const program of PROGRAMS) {
      const argv = [...program, '--file', file, '--project-name', project, 'config', '--hash=*'];
      // The version is asked at the same time (each start of Compose costs a Python start-up).
      const version = runProgram([...program, 'version', '--short'], { cwd: dirname(file), env, signal }).catch(() => null);
      const ran = await runProgram(argv, { cwd: dirname(file), env, signal }).catch((err: unknown) => {
        if (signal.aborted && !options.signal?.aborted) throw new EnvironmentError('COMPOSE_TIMEOUT', `${program.join(' ')} config --hash did not finish in time against the Docker engine at ${display}`, { cause: err });
        throw err;
      });
      if (ran.missing) {
        tried.push(program.join(' '));
        continue;
      }
      // `docker compose` without the plugin: docker says it is not a command.
      if (program[0] === 'docker' && ran.code !== 0 && /is not a docker command|unknown (shorthand )?flag/i.test(ran.stderr)) {
        tried.push(program.join(' '));
        continue;
      }
      if (ran.code !== 0) {
        const said = ran.stderr.trim().split(/\r?\n/).slice(-3).join(' ');
        throw new EnvironmentError('COMPOSE_FAILED', `${program.join(' ')} could not compute the config hashes of ${file} (project ${project}) against the Docker engine at ${display}: exit ${ran.code}${said ? `: ${said}` : ''}`, { final: true });
      }
      const v = await version;
      return { program: program.join(' '), version: v?.code === 0 ? v.stdout.trim() || null : null, hashes: parseHashes(ran.stdout) };
    }
    throw new EnvironmentError('COMPOSE_NOT_FOUND', `computing Compose config hashes needs docker-compose (or the docker compose plugin) on this machine; tried ${tried.join(', ')}: not found. Install it (Debian: apt-get install docker-compose)`, { final: true });
  } finally {
    forwarder.close();
  }
}
