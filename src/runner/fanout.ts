// The second half of a fan-out: `each: replica` steps become one step per replica their target runs,
// read from the target's container snapshot (the run's one snapshot of that engine). A target that
// cannot be observed keeps one step, which ends in `error` with the reason; a selector that matches
// nothing on a reachable target keeps one step, which fails (nothing to qualify is not a pass).

import type { Protocol } from '../model/document.js';
import type { EngineSnapshot } from '../probes/types.js';
import { describeSelector, selectReplicas } from '../checks/replicas.js';
import { relinkPlan, type PlannedCase, type PlannedStep, type RunPlan } from './plan.js';
import { describeError } from './run.js';

/** Expands every `each: replica` step of the plan; the plan's invariant (one block, its steps) is checked again. */
export async function expandReplicas(
  protocol: Pick<Protocol, 'cases'> & Partial<Pick<Protocol, 'tree' | 'path'>>,
  plan: RunPlan,
  snapshotOf: (target: string) => Promise<EngineSnapshot>,
): Promise<RunPlan> {
  if (!plan.steps.some((s) => s.replicaSelector && s.target !== null && !s.planError)) return plan;
  const snapshots = new Map<string, Promise<EngineSnapshot>>();
  const observe = (target: string): Promise<EngineSnapshot> => {
    let p = snapshots.get(target);
    if (!p) snapshots.set(target, (p = snapshotOf(target)));
    return p;
  };
  const cases: PlannedCase[] = [];
  for (const c of plan.cases) {
    const steps: PlannedStep[] = [];
    for (const step of c.steps) steps.push(...(await expandStep(step, observe)));
    cases.push({ testCase: c.testCase, steps });
  }
  return relinkPlan(protocol, cases);
}

async function expandStep(step: PlannedStep, observe: (target: string) => Promise<EngineSnapshot>): Promise<PlannedStep[]> {
  const selector = step.replicaSelector;
  if (!selector || step.target === null || step.planError) return [step];
  const where = step.targetNamed ? `target ${step.target}` : 'the engine';
  let snapshot: EngineSnapshot;
  try {
    snapshot = await observe(step.target);
  } catch (err) {
    return [{ ...step, replicaSelector: null, planError: `${describeError(err)} (the replicas of ${describeSelector(selector)} on ${where} could not be listed)` }];
  }
  const replicas = selectReplicas(snapshot, selector);
  if (replicas.length === 0) {
    const reason = `no replica matched ${describeSelector(selector)} on ${where} (${snapshot.endpoint}); ${snapshot.containers.length} container${snapshot.containers.length === 1 ? '' : 's'} there`;
    return [{ ...step, replicaSelector: null, planFail: { reason, actual: { replicas: 0, selector: describeSelector(selector), endpoint: snapshot.endpoint } } }];
  }
  return replicas.map((r) => ({
    ...step,
    id: `${step.id}/${r.name}`,
    params: { ...step.params, container: r.container.name },
    replicaSelector: null,
    replica: { name: r.name, container: r.container.name, containerId: r.container.id },
  }));
}
