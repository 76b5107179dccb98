// The subject of a record: exactly what was qualified. Every container a step looked at (by name or
// label) with the image it runs (repository, tag, registry digest, image id), images inspected
// directly, and the application's git commit and tag (from release.provenance or git.state steps, else
// the run's `repo` parameter).

import { isAbsolute, resolve } from 'node:path';
import type { Report, SubjectImage, SubjectTask } from '../model/report.js';
import type { ContainerInfo, EngineSnapshot, ImageInfo, Probes, SwarmSnapshot } from '../probes/types.js';
import { COMPOSE_PROJECT_LABEL, replicaName } from '../checks/replicas.js';
import { taskReplica, taskDigest } from '../checks/swarm.js';
import { findContainer, parseImageRef, runningDigest, selectByLabel } from '../checks/support.js';
import type { StepOutcome } from './run.js';
import { describeError } from './run.js';

export interface SubjectOptions {
  probes: Probes;
  repoRoot: string;
  parameters: Record<string, string>;
  signal?: AbortSignal;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function imageOfContainer(c: ContainerInfo, image: ImageInfo | null): SubjectImage {
  const ref = parseImageRef(c.image);
  // Deployed by digest: the tag the engine knows for that repository (informative; the digest is the identity).
  const known = image?.repoTags.map(parseImageRef).find((t) => t.repository === ref.repository)?.tag ?? null;
  return {
    container: c.name,
    repository: ref.repository || null,
    tag: ref.tag ?? known,
    digest: runningDigest(c, image),
    imageId: c.imageId,
  };
}

/** What the steps of one target looked at. */
interface Looked {
  names: Set<string>;
  labels: Set<string>;
  images: Set<string>;
  services: Set<string>;
}

/** Groups what the steps looked at by the target they ran on (null: the environment's only, or first, engine). */
function lookedAt(steps: StepOutcome[]): Map<string | null, Looked> {
  const out = new Map<string | null, Looked>();
  for (const s of steps) {
    if (s.status === 'skipped' && s.attempts.length === 0) continue;
    const key = s.fanout?.target ?? null;
    let l = out.get(key);
    if (!l) out.set(key, (l = { names: new Set(), labels: new Set(), images: new Set(), services: new Set() }));
    const container = str(s.params.container);
    if (container) l.names.add(container);
    const label = str(s.params.label);
    if (label && s.type.startsWith('container.')) l.labels.add(label);
    const project = str(s.params.project);
    if (project && s.type.startsWith('compose.')) l.labels.add(`${COMPOSE_PROJECT_LABEL}=${project}`);
    const image = str(s.params.image);
    if (image && s.type === 'image.inspect') l.images.add(image);
    const service = str(s.params.service);
    if (service && s.type.startsWith('service.')) l.services.add(service);
  }
  return out;
}

const collator = new Intl.Collator('en', { numeric: true });

/** Position of a target in qualify.yaml order (the environment's only engine first). */
function targetOrder(probes: Probes, target: string | undefined): number {
  return target === undefined ? -1 : probes.targets.findIndex((t) => t.name === target);
}

/** The current tasks (desired running) of a service, as the subject lists them. */
function serviceTasks(swarm: SwarmSnapshot, name: string): SubjectTask[] {
  const service = swarm.services.find((s) => s.name === name || s.id === name);
  if (!service) return [];
  return swarm.tasks
    .filter((t) => t.serviceId === service.id && t.desiredState === 'running')
    .map((t) => ({
      service: service.name,
      replica: taskReplica(service, t),
      taskId: t.id,
      nodeId: t.nodeId,
      node: swarm.nodes.find((n) => n.id === t.nodeId)?.hostname ?? null,
      state: t.state,
      desiredState: t.desiredState,
      digest: taskDigest(t),
      containerId: t.containerId,
    }));
}

/** Collects the subject; engine or git trouble leaves parts empty and returns a warning instead of throwing. */
export async function collectSubject(steps: StepOutcome[], options: SubjectOptions): Promise<{ subject: Report['subject']; warnings: string[] }> {
  const warnings: string[] = [];
  const { probes, signal } = options;
  const found: SubjectImage[] = [];
  const tasks: SubjectTask[] = [];
  for (const [target, looked] of lookedAt(steps)) {
    const docker = target === null ? probes.docker : probes.forTarget(target).docker;
    const on = target === null ? '' : ` on target ${target}`;
    const tag = target === null ? {} : { target };
    if (looked.names.size > 0 || looked.labels.size > 0) {
      let snapshot: EngineSnapshot | null = null;
      try {
        snapshot = await docker.snapshot({ signal });
      } catch (err) {
        warnings.push(`Subject incomplete: the running images${on} could not be listed (${describeError(err)}).`);
      }
      if (snapshot) {
        const containers = new Map<string, ContainerInfo>();
        for (const n of looked.names) {
          const c = findContainer(snapshot, n);
          if (c) containers.set(c.name, c);
        }
        for (const l of looked.labels) for (const c of selectByLabel(snapshot, l)) containers.set(c.name, c);
        for (const c of containers.values()) {
          let image = snapshot.images[c.imageId] ?? null;
          if (!image) image = await docker.image(c.imageId, { signal }).catch(() => null);
          const replica = replicaName(c);
          found.push({ ...tag, ...(replica !== c.name ? { replica } : {}), ...imageOfContainer(c, image) });
        }
      }
    }
    for (const ref of looked.images) {
      const image = await docker.image(ref, { signal }).catch(() => null);
      if (!image) continue;
      const parsed = parseImageRef(ref);
      const digest = parsed.digest ? `${parsed.repository}@${parsed.digest}` : image.repoDigests.find((d) => parseImageRef(d).repository === parsed.repository) ?? image.repoDigests[0] ?? null;
      found.push({ ...tag, container: null, repository: parsed.repository || null, tag: parsed.tag, digest, imageId: image.id });
    }
    if (looked.services.size > 0) {
      try {
        const swarm = await docker.swarm({ signal });
        for (const name of looked.services) tasks.push(...serviceTasks(swarm, name).map((t) => ({ ...tag, ...t })));
      } catch (err) {
        warnings.push(`Subject incomplete: the Swarm tasks${on} could not be listed (${describeError(err)}).`);
      }
    }
  }
  // One entry per container of a target (and per directly inspected image not already running there).
  const unique = new Map<string, SubjectImage>();
  for (const i of found) {
    const key = `${i.target ?? ''}\u0000${i.container ? `c:${i.container}` : `i:${i.imageId}:${i.repository}`}`;
    if (!unique.has(key)) unique.set(key, i);
  }
  const running = new Set(found.filter((i) => i.container).map((i) => `${i.target ?? ''}\u0000${i.imageId}`));
  const subjectImages = [...unique.values()]
    .filter((i) => i.container !== null || !running.has(`${i.target ?? ''}\u0000${i.imageId}`))
    .sort((a, b) => targetOrder(probes, a.target) - targetOrder(probes, b.target) || (a.container ?? '\uffff').localeCompare(b.container ?? '\uffff') || (a.repository ?? '').localeCompare(b.repository ?? ''));
  tasks.sort((a, b) => targetOrder(probes, a.target) - targetOrder(probes, b.target) || a.service.localeCompare(b.service) || collator.compare(a.replica, b.replica));

  // The application: the release tag's commit from provenance, else the repository's HEAD from git.state.
  let application: Report['subject']['application'] = null;
  const provenance = steps.find((s) => s.type === 'release.provenance' && s.actual);
  const gitState = steps.find((s) => s.type === 'git.state' && s.actual);
  if (provenance?.actual) {
    application = { repo: String(provenance.params.repo ?? provenance.actual.repo ?? ''), commit: str(provenance.actual.commit), tag: str(provenance.actual.tag) };
  } else if (gitState?.actual) {
    application = { repo: String(gitState.params.repo ?? ''), commit: str(gitState.actual.commit), tag: str(gitState.actual.tag) };
  } else if (options.parameters.repo) {
    const given = options.parameters.repo;
    try {
      const state = await probes.git.state(isAbsolute(given) ? given : resolve(options.repoRoot, given), { signal });
      const tag = [...state.tagsAtHead].sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))[0] ?? null;
      application = { repo: given, commit: state.head, tag };
    } catch (err) {
      application = { repo: given, commit: null, tag: null };
      warnings.push(`Subject incomplete: the application repository ${given} could not be read (${describeError(err)}).`);
    }
  }
  return { subject: { images: subjectImages, ...(tasks.length > 0 ? { tasks } : {}), application }, warnings };
}
