// Real Docker for tests: build the example app (FROM scratch + busybox-static), push it to the local
// registry for a real digest, run it with host networking on a free 127.0.0.1 port, clean up by name.
// Uses the docker CLI (present wherever the engine is). Several test processes share one engine:
// every name is unique and only what a test created is removed.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const EXAMPLE_APP_DIR = fileURLToPath(new URL('../../examples/app/', import.meta.url));
export const BUILD_SCRIPT = `${EXAMPLE_APP_DIR}build.sh`;

/** The local registry (127.0.0.1 only); QUALIFY_REGISTRY overrides. */
export const REGISTRY = process.env.QUALIFY_REGISTRY || '127.0.0.1:5000';

/** Runs the docker CLI; returns trimmed stdout. */
export async function docker(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('docker', args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`docker ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** A name no other test process uses: `prefix-<pid>-<random>`. */
export function uniqueName(prefix = 'qualify-test'): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface BuiltImage {
  /** The tag it was built as, e.g. `127.0.0.1:5000/qualify-test-123-ab12cd34:1.4.2`. */
  tag: string;
  /** Local image id `sha256:...`. */
  imageId: string;
}

/**
 * Builds the example application as `tag` with its version and OCI revision label.
 * Identical inputs reuse the engine's build cache (about a second when cold).
 */
export async function buildExampleImage(options: { tag: string; version: string; revision: string }): Promise<BuiltImage> {
  try {
    const { stdout } = await run('bash', [BUILD_SCRIPT, options.tag, options.version, options.revision]);
    return { tag: options.tag, imageId: stdout.trim().split('\n').pop()!.trim() };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`building the example image ${options.tag} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** A repository name in the local registry for this test process, e.g. `127.0.0.1:5000/qualify-test-123-ab12cd34`. */
export function registryRepo(prefix = 'qualify-test'): string {
  return `${REGISTRY}/${uniqueName(prefix)}`;
}

function repoOf(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at === -1 ? ref : ref.slice(0, at);
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** Pushes `ref` (a tag in the local registry) and returns its repo digest `127.0.0.1:5000/name@sha256:...`. */
export async function pushImage(ref: string): Promise<string> {
  await docker('push', '-q', ref);
  const digests = JSON.parse(await docker('image', 'inspect', '--format', '{{json .RepoDigests}}', ref)) as string[] | null;
  const repo = repoOf(ref);
  const digest = (digests ?? []).find((d) => d.startsWith(`${repo}@`));
  if (!digest) throw new Error(`pushed ${ref} but the engine lists no digest for ${repo}: ${JSON.stringify(digests)}`);
  return digest;
}

/** Adds a tag to an image. */
export async function tagImage(source: string, target: string): Promise<void> {
  await docker('tag', source, target);
}

export interface StartOptions {
  name: string;
  image: string;
  /** Port the app's httpd listens on (127.0.0.1, host network). */
  port?: number;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  /** Restart policy, e.g. `always`, `on-failure:3`. */
  restart?: string;
  /** Health check interval (default 500ms so tests see `healthy` quickly). */
  healthInterval?: string;
  tty?: boolean;
}

/** Starts a container with host networking; returns its id. */
export async function startContainer(options: StartOptions): Promise<string> {
  const args = ['run', '-d', '--name', options.name, '--network', 'host', '--health-interval', options.healthInterval ?? '500ms'];
  if (options.port !== undefined) args.push('-e', `PORT=${options.port}`);
  for (const [k, v] of Object.entries(options.env ?? {})) args.push('-e', `${k}=${v}`);
  for (const [k, v] of Object.entries(options.labels ?? {})) args.push('--label', `${k}=${v}`);
  if (options.restart) args.push('--restart', options.restart);
  if (options.tty) args.push('-t');
  args.push(options.image);
  return docker(...args);
}

/** Polls until `check` returns true or the time is up. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until the container's health check reports healthy. */
export async function waitHealthy(name: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(`${name} to be healthy`, async () => (await docker('inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{end}}', name)) === 'healthy', timeoutMs);
}

/** Removes containers by name (force); absent ones are ignored. */
export async function removeContainer(...names: string[]): Promise<void> {
  if (names.length === 0) return;
  await run('docker', ['rm', '-f', '-v', ...names]).catch(() => undefined);
}

/** Removes image tags this test created (untags; never forces, never touches other tags). */
export async function removeImage(...refs: string[]): Promise<void> {
  if (refs.length === 0) return;
  await run('docker', ['image', 'rm', ...refs]).catch(() => undefined);
}
