// The targets of an environment, observed concurrently with a bounded pool: each engine's identity
// (version, engine id, Swarm role and node) for the record and for planning, and each engine's one
// container snapshot of the run (memoized by its probe; the steps read it). `qualify targets` and
// `qualify run` both start here.

import type { EngineInfo } from '../model/report.js';
import type { EngineSnapshot, Probes } from '../probes/types.js';
import { mapLimit } from '../map-limit.js';
import type { PlanTarget } from './plan.js';

/** Engines observed at the same time. Each engine's own snapshot inspects containers 16 at a time. */
export const TARGET_CONCURRENCY = 8;

/** Each target's engine facts, in qualify.yaml order, named for a fleet; never throws (errors are in `error`). */
export function observeTargets(probes: Probes, options: { signal?: AbortSignal } = {}): Promise<EngineInfo[]> {
  return mapLimit(probes.targets, TARGET_CONCURRENCY, async (t) => {
    const info = await t.docker.engineInfo({ signal: options.signal });
    return t.named ? { name: t.name, ...info } : info;
  });
}

/** Starts every target's container snapshot (bounded); failures are left to the steps that read it. */
export function prefetchSnapshots(probes: Probes, options: { signal?: AbortSignal } = {}): Promise<Array<EngineSnapshot | null>> {
  return mapLimit(probes.targets, TARGET_CONCURRENCY, (t) => t.docker.snapshot({ signal: options.signal }).catch(() => null));
}

/** What planning needs of each target: its name and the Swarm role it answered with (null: not observed). */
export function planTargets(probes: Probes, infos: readonly EngineInfo[]): PlanTarget[] {
  return probes.targets.map((t, i) => {
    const info = infos[i];
    const swarm = info && !info.error ? info.swarm ?? null : null;
    return { name: t.name, named: t.named, role: swarm ? swarm.role : null, clusterId: swarm?.clusterId ?? null };
  });
}
