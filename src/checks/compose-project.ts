// compose.project — A Compose project runs every service of its compose file, as the file says, and nothing else.
//
// Example:
//   type: compose.project
//   file: deploy/docker-compose.yml
//   project: shop
//   expect:
//     digests: { web: "{{image}}" }
//
// Parameters: `file`, the compose file in this repository (the one deployed); `project`, the Compose
// project name (default: the file's folder name, as Compose names it).
// Observes, on each target: services (of the file), missing (services of the file without a
// container), extra (services of the project not in the file), running (every service has containers
// and all run), digests (per service: the digest its containers run; a list when they differ),
// config_hashes (per service: the hash Compose computes for the file today), containers (per replica
// `web.1`: state, digest, config hash label and whether it matches) and compose (the program used).
// Judges by itself: no service missing or extra; every service's containers running; each container
// running the digest its service pins in the file (`image: repo@sha256:...`); each container's
// com.docker.compose.config-hash equal to what Compose computes from the file against that engine
// (`docker-compose config --hash=*`), so a container started from another revision of the file, or
// changed since, is found. `expect.digests` gives approved digests for services the file does not pin.

import { basename, dirname } from 'node:path';
import { parse } from 'yaml';
import { EnvironmentError } from '../model/errors.js';
import type { Assertion } from '../model/report.js';
import type { ContainerInfo } from '../probes/types.js';
import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { COMPOSE_HASH_LABEL, COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, replicaName } from './replicas.js';
import { asText, jsonEvidence, parseImageRef, repoPath, runningDigest, textEvidence } from './support.js';

/** What the check reads of a compose file: its services and the image each declares. */
export interface ComposeFile {
  services: Record<string, { image: string | null }>;
}

/** Parses a compose file (YAML, merge keys allowed as Compose allows them); throws COMPOSE_FILE_INVALID. */
export function parseComposeFile(text: string, shown: string): ComposeFile {
  let doc: unknown;
  try {
    doc = parse(text, { merge: true, maxAliasCount: 100 });
  } catch (err) {
    throw new EnvironmentError('COMPOSE_FILE_INVALID', `${shown} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { final: true });
  }
  const services = (doc as { services?: unknown } | null)?.services;
  if (!services || typeof services !== 'object' || Array.isArray(services)) {
    throw new EnvironmentError('COMPOSE_FILE_INVALID', `${shown} has no "services:" mapping (a compose file of format 2 or 3 names its services under services:)`, { final: true });
  }
  const out: ComposeFile = { services: {} };
  for (const [name, def] of Object.entries(services as Record<string, unknown>)) {
    const image = def && typeof def === 'object' && typeof (def as { image?: unknown }).image === 'string' ? (def as { image: string }).image : null;
    out.services[name] = { image };
  }
  return out;
}

/** The project name Compose derives from a folder name (lower case, letters, digits, - and _). */
export function defaultProjectName(file: string): string {
  return basename(dirname(file)).toLowerCase().replace(/[^-_a-z0-9]/g, '');
}

/** `repo@sha256:...` a compose service pins, or null (a tag, or a variable Compose fills in). */
function declaredDigest(image: string | null): string | null {
  if (!image || image.includes('${') || image.includes('$')) return null;
  const ref = parseImageRef(image);
  return ref.digest ? `${ref.repository}@${ref.digest}` : null;
}

interface Row {
  service: string;
  replica: string;
  name: string;
  state: string;
  digest: string | null;
  config_hash: string | null;
  hash_matches: boolean | null;
}

export const composeProject = defineCheck({
  type: 'compose.project',
  summary: 'A Compose project runs every service of its compose file with the declared digests and config hashes, and no other service.',
  scope: 'engine',
  params: {
    file: { kind: 'string', description: 'The compose file in this repository (path relative to the repository root)', required: true },
    project: { kind: 'string', description: "Compose project name (default: the file's folder name)" },
  },
  expectKeys: ['services', 'missing', 'extra', 'running', 'digests', 'config_hashes', 'containers', 'compose'],
  implicitVerdict: true,
  example: ['type: compose.project', 'file: deploy/docker-compose.yml', 'project: shop', 'expect:', '  digests: { web: "{{image}}" }', ''].join('\n'),

  async observe(params, ctx) {
    const p = readParams('compose.project', params);
    const shown = p.string('file');
    const path = repoPath(ctx, shown);
    const bytes = await ctx.probes.fs.readFile(path, { signal: ctx.signal });
    if (bytes === null) throw new EnvironmentError('COMPOSE_FILE_INVALID', `the compose file ${shown} does not exist (resolved to ${path})`, { final: true });
    const text = asText(bytes);
    if (text === null) throw new EnvironmentError('COMPOSE_FILE_INVALID', `the compose file ${shown} is not text`, { final: true });
    const file = parseComposeFile(text, shown);
    const project = p.optionalString('project') ?? defaultProjectName(path);
    const snapshot = await ctx.probes.docker.snapshot({ signal: ctx.signal });
    const ours = snapshot.containers.filter((c) => c.labels[COMPOSE_PROJECT_LABEL] === project);
    const declared = Object.keys(file.services).sort();
    const observed = [...new Set(ours.map((c) => c.labels[COMPOSE_SERVICE_LABEL] ?? ''))].sort();
    const compose = await ctx.probes.docker.composeHashes(path, project, { signal: ctx.signal });

    const rows: Row[] = [];
    const digests: Record<string, unknown> = {};
    const ofService = (s: string): ContainerInfo[] => ours.filter((c) => c.labels[COMPOSE_SERVICE_LABEL] === s);
    for (const s of declared) {
      const containers = ofService(s);
      const found = [...new Set(containers.map((c) => runningDigest(c, snapshot.images[c.imageId] ?? null)))];
      digests[s] = found.length === 0 ? null : found.length === 1 ? found[0] : found;
      for (const c of containers) {
        const hash = c.labels[COMPOSE_HASH_LABEL] ?? null;
        const want = compose.hashes[s] ?? null;
        rows.push({ service: s, replica: replicaName(c), name: c.name, state: c.state, digest: runningDigest(c, snapshot.images[c.imageId] ?? null), config_hash: hash, hash_matches: want === null ? null : hash === want });
      }
    }
    const missing = declared.filter((s) => ofService(s).length === 0);
    const extra = observed.filter((s) => !declared.includes(s));
    const actual: Record<string, unknown> = {
      project,
      services: declared,
      missing,
      extra,
      running: declared.every((s) => ofService(s).length > 0 && ofService(s).every((c) => c.running)),
      digests,
      config_hashes: Object.fromEntries(declared.map((s) => [s, compose.hashes[s] ?? null])),
      containers: rows,
      compose: `${compose.program}${compose.version ? ` ${compose.version}` : ''}`,
    };
    const evidence = [
      textEvidence('compose-file', `the compose file ${shown} as read for the run`, text),
      jsonEvidence('containers', `containers of Compose project ${project} on ${snapshot.endpoint}`, ours.map((c) => c.inspect)),
      jsonEvidence('config-hashes', `config hashes computed by ${actual.compose} for ${shown} against ${snapshot.endpoint}`, compose.hashes),
    ];
    return { actual, assertions: judgeProject(actual, file, rows, ctx.expect ?? {}), evidence };
  },
});

/** The implicit verdicts of a project (each skipped when `expect` names its key). */
function judgeProject(actual: Record<string, unknown>, file: ComposeFile, rows: Row[], given: Record<string, unknown>): Assertion[] {
  const out: Assertion[] = [];
  const push = (path: string, key: string, expected: unknown, found: unknown, pass: boolean, message: string): void => {
    if (!(key in given)) out.push({ path, matcher: 'equals', expected, actual: found, pass, ...(pass ? {} : { message }) });
  };
  const missing = actual.missing as string[];
  const extra = actual.extra as string[];
  push('missing', 'missing', [], missing, missing.length === 0, `services of the file without a container: ${missing.join(', ')}`);
  push('extra', 'extra', [], extra, extra.length === 0, `services of project ${actual.project} not in the file: ${extra.join(', ')}`);
  for (const s of Object.keys(file.services).sort()) {
    const mine = rows.filter((r) => r.service === s);
    if (mine.length === 0) continue;
    const stopped = mine.filter((r) => r.state !== 'running');
    push(`${s}.running`, 'running', true, stopped.length === 0, stopped.length === 0, `${stopped.map((r) => `${r.replica} (${r.name}) is ${r.state}`).join(', ')}`);
    const pinned = declaredDigest(file.services[s]!.image);
    for (const r of mine) {
      if (pinned) push(`${r.replica}.digest`, 'digests', pinned, r.digest, r.digest === pinned, `replica ${r.replica} (${r.name}) runs ${r.digest ?? 'an image without a registry digest'}, not ${pinned} that the file declares`);
      if (r.hash_matches !== null) push(`${r.replica}.config_hash`, 'containers', (actual.config_hashes as Record<string, string | null>)[s], r.config_hash, r.hash_matches, `replica ${r.replica} (${r.name}) carries config hash ${r.config_hash ?? 'none'}, not the hash of the service in the file: it was created from another configuration`);
    }
  }
  return out;
}
