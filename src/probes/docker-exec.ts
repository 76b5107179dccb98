// A program run inside a container (docker exec), and what happens when its step ends first.
//
// The Engine API has no call that stops an exec. A step that times out (or a run that is
// interrupted) must not leave its command running inside the qualified deployment, so:
// 1. every exec carries a marker in its environment (QUALIFY_EXEC=<uuid>), inherited by its children;
// 2. at the step's end a second exec, `sh -c` with the marker, kills every process of the container
//    whose environment holds it. This works on remote engines (tcp, TLS, ssh) and needs `sh`, `grep`
//    and `kill` in the image (busybox, any distribution image);
// 3. an image without them (FROM scratch, distroless) on an engine of this machine (unix socket): the
//    exec's process, which the engine names by its host pid, is killed on the host with its
//    descendants, after checking that the pid belongs to the container (its cgroup names the container);
// 4. otherwise the step's error says the command could not be stopped and where it runs.
// The exec is then inspected until the engine reports it ended.

import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { EnvironmentError, UsageError } from '../model/errors.js';
import { readExecState } from './docker-answers.js';
import { abortReason, callEngine, type DockerEngine } from './docker-engine.js';
import { readEngineStream } from './docker-read.js';
import { holdStep } from '../step-holds.js';
import type { CallOptions, ContainerInfo, ExecResult } from './types.js';
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';

/** Name of the environment variable marking the processes of one exec. */
export const EXEC_MARKER = 'QUALIFY_EXEC';
const EXEC_CAP = 4 * 1024 * 1024;
/** Time allowed to stop a command once its step ended. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Kills every process whose environment holds "$1" (the marker), then succeeds. environ is
 * NUL-separated: -z reads each variable as a line (busybox, GNU grep); -a is GNU grep's fallback.
 */
const STOP_SCRIPT = 'for d in /proc/[0-9]*; do { grep -qzxF "$1" "$d/environ" || grep -qaF "$1" "$d/environ"; } 2>/dev/null && kill -KILL "${d#/proc/}" 2>/dev/null; done; exit 0';

function shellWord(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** Runs `argv` in the container and waits for its exit code; stops it when `options.signal` aborts first. */
export async function execInContainer(engine: DockerEngine, c: ContainerInfo, argv: string[], options: CallOptions = {}): Promise<ExecResult> {
  if (argv.length === 0) throw new UsageError('COMMAND_EMPTY', 'exec needs a program to run: argv is empty');
  const { display } = engine.endpoint;
  const handle = engine.docker.getContainer(c.id);
  const marker = `${EXEC_MARKER}=${randomUUID()}`;
  const what = `exec ${argv.map(shellWord).join(' ')} in container ${c.name}`;
  const exec = await callEngine(engine, `create ${what}`, options, (signal) =>
    handle.exec({ Cmd: argv, Env: [marker], AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, abortSignal: signal } as Docker.ExecCreateOptions),
  );
  if (typeof exec?.id !== 'string' || exec.id === '') {
    throw new EnvironmentError('DOCKER_ANSWER_INVALID', `the Docker engine at ${display} answered "create ${what}" without an exec Id`, { final: true });
  }
  let started = false;
  // From here the step may not be recorded before a command left running is stopped (step-holds.ts).
  const release = holdStep(options.signal);
  try {
    const stream = await callEngine(engine, what, options, (signal) => exec.start({ hijack: true, stdin: false, Detach: false, Tty: false, abortSignal: signal } as Docker.ExecStartOptions) as Promise<Readable>);
    started = true;
    // The step's timeout bounds the output; without a caller signal, the engine's.
    const bound = options.signal ?? AbortSignal.timeout(options.timeoutMs ?? engine.timeoutMs);
    const out = await readEngineStream(stream, {
      maxBytes: EXEC_CAP,
      demux: true,
      modem: engine.docker.modem,
      signal: bound,
      onAbort: () => abortReason(bound),
      onError: (err) => new EnvironmentError('DOCKER_API_ERROR', `${what} failed at ${display}: ${err.message}`, { cause: err }),
    });
    // The exit code is set once the process is reaped, which can trail the end of the stream.
    let state = readExecState(await callEngine(engine, `inspect ${what}`, options, (signal) => exec.inspect({ abortSignal: signal })), `inspect ${what}`, display);
    for (let i = 0; i < 100 && (state.running || state.exitCode === null); i++) {
      await new Promise((r) => setTimeout(r, 10));
      state = readExecState(await callEngine(engine, `inspect ${what}`, options, (signal) => exec.inspect({ abortSignal: signal })), `inspect ${what}`, display);
    }
    if (state.exitCode === null) throw new EnvironmentError('EXEC_NO_EXIT_CODE', `${what}: the engine reported no exit code`);
    const text = (name: 'stdout' | 'stderr') => Buffer.concat(out.chunks.filter((k) => k.stream === name).map((k) => k.data)).toString('utf8');
    return { exitCode: state.exitCode, stdout: text('stdout'), stderr: text('stderr'), truncated: out.truncated };
  } catch (err) {
    if (!started && !options.signal?.aborted) throw err;
    const stopped = await stopExec(engine, c, exec, marker);
    const cause = options.signal?.aborted ? abortReason(options.signal) : err;
    if (stopped.ok && stopped.how === null) throw cause;
    if (stopped.ok) {
      throw new EnvironmentError('EXEC_STOPPED', `${argv.map(shellWord).join(' ')} was still running in container ${c.name} when the step ended; it was stopped ${stopped.how}`, { cause });
    }
    throw new EnvironmentError('EXEC_NOT_STOPPED', `${argv.map(shellWord).join(' ')} is still running in container ${c.name} at ${display} and could not be stopped: ${stopped.how}; stop it by hand`, { cause });
  } finally {
    release();
  }
}

/** Stops the processes of one exec; says how (null: it was not running), or why it could not. Never throws. */
async function stopExec(engine: DockerEngine, c: ContainerInfo, exec: Docker.Exec, marker: string): Promise<{ ok: boolean; how: string | null }> {
  const { display } = engine.endpoint;
  const options = (): CallOptions => ({ timeoutMs: STOP_TIMEOUT_MS });
  const state = async () => readExecState(await callEngine(engine, 'inspect exec', options(), (signal) => exec.inspect({ abortSignal: signal })), 'inspect exec', display);
  const ended = async (): Promise<boolean> => {
    for (let i = 0; i < 40; i++) {
      if (!(await state()).running) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };
  let first: Awaited<ReturnType<typeof state>>;
  try {
    first = await state();
  } catch (err) {
    return { ok: false, how: `its state could not be read (${(err as Error).message})` };
  }
  if (!first.running) return { ok: true, how: null }; // it ended by itself
  const tried: string[] = [];
  try {
    const handle = engine.docker.getContainer(c.id);
    const killer = await callEngine(engine, 'create stop exec', options(), (signal) =>
      handle.exec({ Cmd: ['sh', '-c', STOP_SCRIPT, 'qualify-stop', marker], AttachStdout: true, AttachStderr: true, Tty: false, abortSignal: signal } as Docker.ExecCreateOptions),
    );
    const stream = await callEngine(engine, 'stop exec', options(), (signal) => killer.start({ hijack: true, stdin: false, Detach: false, Tty: false, abortSignal: signal } as Docker.ExecStartOptions) as Promise<Readable>);
    const signal = AbortSignal.timeout(STOP_TIMEOUT_MS);
    const out = await readEngineStream(stream, { maxBytes: 64 * 1024, demux: true, modem: engine.docker.modem, signal, onAbort: () => new Error('timed out'), onError: (err) => err });
    let killed = readExecState(await callEngine(engine, 'inspect stop exec', options(), (s) => killer.inspect({ abortSignal: s })), 'inspect stop exec', display);
    for (let i = 0; i < 50 && killed.running; i++) {
      await new Promise((r) => setTimeout(r, 20));
      killed = readExecState(await callEngine(engine, 'inspect stop exec', options(), (s) => killer.inspect({ abortSignal: s })), 'inspect stop exec', display);
    }
    const said = Buffer.concat(out.chunks.map((k) => k.data)).toString('utf8').trim().replace(/\s+/g, ' ');
    if (killed.exitCode === 0 && (await ended())) return { ok: true, how: 'inside the container (kill -KILL of every process of the exec)' };
    tried.push(`killing it from inside the container did not work (sh exited with ${killed.exitCode ?? 'no exit code'}${said ? `: ${said.slice(0, 200)}` : ''})`);
  } catch (err) {
    tried.push(`killing it from inside the container failed (${(err as Error).message})`);
  }
  if (engine.endpoint.kind === 'unix' && first.pid) {
    const host = killOnHost(first.pid, c.id);
    if (host.ok && (await ended().catch(() => false))) return { ok: true, how: `on the engine's host (kill -KILL of pid ${first.pid} and its descendants)` };
    tried.push(host.how);
  } else {
    tried.push(engine.endpoint.kind === 'unix' ? 'the engine did not name its host pid' : `the engine is not on this machine (${display}), so its host pid cannot be signalled`);
  }
  return { ok: false, how: tried.join('; ') };
}

/** Kills a host process of container `containerId` and its descendants; checks the pid belongs to it first. */
function killOnHost(pid: number, containerId: string): { ok: boolean; how: string } {
  let cgroup: string;
  try {
    cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return { ok: false, how: `host pid ${pid} is not visible on this machine` };
  }
  if (!cgroup.includes(containerId)) return { ok: false, how: `host pid ${pid} does not belong to the container (its cgroup does not name it)` };
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [p, pp] of parents) if (pp === tree[i] && !tree.includes(p)) tree.push(p);
  const failed: string[] = [];
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') failed.push(`${p}: ${(err as NodeJS.ErrnoException).code}`);
    }
  }
  return failed.length ? { ok: false, how: `killing host pid ${pid} failed (${failed.join(', ')})` } : { ok: true, how: 'killed' };
}
