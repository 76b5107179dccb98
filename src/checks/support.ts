// Small pieces several check types share: image references, container selection, evidence shapes.

import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { EvidenceInput } from '../model/check.js';
import { EnvironmentError } from '../model/errors.js';
import type { ContainerInfo, EngineSnapshot, ImageInfo } from '../probes/types.js';
import type { CheckContext } from './define.js';

/** Parts of an image reference `registry:port/repo/name:tag@sha256:...`. */
export interface ImageRef {
  repository: string;
  tag: string | null;
  digest: string | null;
}

export function parseImageRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | null = null;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, tag, digest };
}

/**
 * The digest a container runs, as `repo@sha256:...`: the digest pinned in its configured reference,
 * else the image's repo digest for the configured repository, else its first repo digest; null when
 * the image never came from a registry.
 */
export function runningDigest(container: ContainerInfo, image: ImageInfo | null): string | null {
  const ref = parseImageRef(container.image);
  if (ref.digest) return `${ref.repository}@${ref.digest}`;
  const digests = image?.repoDigests ?? [];
  return digests.find((d) => parseImageRef(d).repository === ref.repository) ?? digests[0] ?? null;
}

/** Finds a container by name (leading slash optional) or full id. */
export function findContainer(snapshot: EngineSnapshot, ref: string): ContainerInfo | undefined {
  const name = ref.replace(/^\//, '');
  return snapshot.containers.find((c) => c.name === name || c.id === ref);
}

/** Containers carrying label `key=value` (or just `key`). */
export function selectByLabel(snapshot: EngineSnapshot, selector: string): ContainerInfo[] {
  const eq = selector.indexOf('=');
  const key = eq === -1 ? selector : selector.slice(0, eq);
  const value = eq === -1 ? undefined : selector.slice(eq + 1);
  return snapshot.containers.filter((c) => key in c.labels && (value === undefined || c.labels[key] === value));
}

/** The snapshot's container named `ref`, or CONTAINER_NOT_FOUND listing what the engine has. */
export async function requireContainer(ctx: CheckContext, ref: string): Promise<{ container: ContainerInfo; snapshot: EngineSnapshot }> {
  const snapshot = await ctx.probes.docker.snapshot({ signal: ctx.signal });
  const container = findContainer(snapshot, ref);
  if (!container) {
    const names = snapshot.containers.map((c) => c.name);
    const shown = names.length === 0 ? 'none' : `${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`;
    throw new EnvironmentError('CONTAINER_NOT_FOUND', `no container named "${ref}" on the Docker engine at ${snapshot.endpoint}; containers: ${shown}`);
  }
  return { container, snapshot };
}

/** The image of a container: from the snapshot, else inspected. */
export async function imageOf(ctx: CheckContext, snapshot: EngineSnapshot, container: ContainerInfo): Promise<ImageInfo | null> {
  return snapshot.images[container.imageId] ?? (await ctx.probes.docker.image(container.imageId, { signal: ctx.signal }));
}

/** A path from a parameter, relative to the repository root unless absolute. */
export function repoPath(ctx: CheckContext, path: string): string {
  return isAbsolute(path) ? path : resolve(ctx.repoRoot, path);
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Pretty JSON of answers several steps attach (a container's inspect): written once per answer. */
const prettyJson = new WeakMap<object, string>();

/** Pretty, stable JSON evidence. */
export function jsonEvidence(name: string, description: string, value: unknown): EvidenceInput {
  const key = value !== null && typeof value === 'object' ? value : null;
  let content = key ? prettyJson.get(key) : undefined;
  if (content === undefined) {
    content = `${JSON.stringify(value, null, 2)}\n`;
    if (key) prettyJson.set(key, content);
  }
  return { name, mediaType: 'application/json', description, content };
}

export function textEvidence(name: string, description: string, text: string): EvidenceInput {
  return { name, mediaType: 'text/plain; charset=utf-8', description, content: text.endsWith('\n') || text === '' ? text : `${text}\n` };
}

/** Docker-ps style port strings: `127.0.0.1:8080->80/tcp`, or `80/tcp` when not published. */
export function portStrings(container: ContainerInfo): string[] {
  return container.ports.map((p) => (p.hostPort ? `${p.hostIp ? `${p.hostIp}:` : ''}${p.hostPort}->${p.containerPort}` : p.containerPort));
}

/** Text of bytes when they look like text (valid UTF-8 without NULs), else null. */
export function asText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
