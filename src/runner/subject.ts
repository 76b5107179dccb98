// The subject of a record: exactly what was qualified. Every container a step looked at (by name or
// label) with the image it runs (repository, tag, registry digest, image id), images inspected
// directly, and the application's git commit and tag (from release.provenance or git.state steps, else
// the run's `repo` parameter).

import { isAbsolute, resolve } from 'node:path';
import type { Report, SubjectImage } from '../model/report.js';
import type { ContainerInfo, EngineSnapshot, ImageInfo, Probes } from '../probes/types.js';
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

/** Collects the subject; engine or git trouble leaves parts empty and returns a warning instead of throwing. */
export async function collectSubject(steps: StepOutcome[], options: SubjectOptions): Promise<{ subject: Report['subject']; warnings: string[] }> {
  const warnings: string[] = [];
  const { probes, signal } = options;
  const names = new Set<string>();
  const labels = new Set<string>();
  const images = new Set<string>();
  for (const s of steps) {
    if (s.status === 'skipped' && s.attempts.length === 0) continue;
    const container = str(s.params.container);
    if (container) names.add(container);
    const label = str(s.params.label);
    if (label && s.type.startsWith('container.')) labels.add(label);
    const image = str(s.params.image);
    if (image && s.type === 'image.inspect') images.add(image);
  }

  const found: SubjectImage[] = [];
  if (names.size > 0 || labels.size > 0) {
    let snapshot: EngineSnapshot | null = null;
    try {
      snapshot = await probes.docker.snapshot({ signal });
    } catch (err) {
      warnings.push(`Subject incomplete: the running images could not be listed (${describeError(err)}).`);
    }
    if (snapshot) {
      const containers = new Map<string, ContainerInfo>();
      for (const n of names) {
        const c = findContainer(snapshot, n);
        if (c) containers.set(c.name, c);
      }
      for (const l of labels) for (const c of selectByLabel(snapshot, l)) containers.set(c.name, c);
      for (const c of containers.values()) {
        let image = snapshot.images[c.imageId] ?? null;
        if (!image) image = await probes.docker.image(c.imageId, { signal }).catch(() => null);
        found.push(imageOfContainer(c, image));
      }
    }
  }
  for (const ref of images) {
    const image = await probes.docker.image(ref, { signal }).catch(() => null);
    if (!image) continue;
    const parsed = parseImageRef(ref);
    const digest = parsed.digest ? `${parsed.repository}@${parsed.digest}` : image.repoDigests.find((d) => parseImageRef(d).repository === parsed.repository) ?? image.repoDigests[0] ?? null;
    found.push({ container: null, repository: parsed.repository || null, tag: parsed.tag, digest, imageId: image.id });
  }
  // One entry per container (and per directly inspected image not already running).
  const unique = new Map<string, SubjectImage>();
  for (const i of found) {
    const key = i.container ? `c:${i.container}` : `i:${i.imageId}:${i.repository}`;
    if (!unique.has(key)) unique.set(key, i);
  }
  const running = new Set(found.filter((i) => i.container).map((i) => i.imageId));
  const subjectImages = [...unique.values()]
    .filter((i) => i.container !== null || !running.has(i.imageId))
    .sort((a, b) => (a.container ?? '\uffff').localeCompare(b.container ?? '\uffff') || (a.repository ?? '').localeCompare(b.repository ?? ''));

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
  return { subject: { images: subjectImages, application }, warnings };
}
