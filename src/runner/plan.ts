// From a Protocol to an executable plan: every `check` block becomes one step, or, in a fleet, one step
// per target it runs on (`IQ-02.1@eu-1`); with `each: replica`, one step per replica on each target
// (`IQ-02.1@eu-1/orders.2`, expanded by expandReplicas once the targets' containers are observed).
// Parameters are interpolated, timeouts resolved, `depends_on` expanded (a case id means every step of
// that case) and ordering constraints added for steps that must not run side by side.
//
// Concurrency rule (documented for protocol authors): checks observe, they do not change the
// deployment, so every step is independent of the others unless `depends_on` says otherwise, and
// steps run concurrently up to the concurrency bound, including the steps of one case. Two kinds of
// steps are ordered anyway:
// - `manual` steps ask a person, one question at a time, in document order across the protocol;
// - `command` steps may change state, so those of one case run in document order (per target).
// Ordering only waits for the previous step to finish; it never skips (that is `depends_on`).
//
// Fan-out never changes what runs: every step derives from exactly one check block of the tree, and
// every check block gives at least one step, in document order (assertPlanFromCheckBlocks).

import type { CheckSpec, Protocol, ReplicaSelector, TargetSelection, TestCase } from '../model/document.js';
import type { CheckTypeInfo } from '../model/check.js';
import type { ReplicaRef, StepFanout, SwarmRole } from '../model/report.js';
import { QualifyError, UsageError } from '../model/errors.js';
import { interpolateDeep } from '../documents/template.js';
import { checkBlocks } from '../markdown/check-blocks.js';

/** Values a template can name: the run parameters plus the reserved `run` object. */
export type TemplateScope = Record<string, unknown> & { run: { id: string; started: string } };

export const DEFAULT_STEP_TIMEOUT_MS = 30_000;

export interface PlannedStep {
  /** Position in document order across the protocol. */
  index: number;
  id: string;
  caseId: string;
  type: string;
  /** Parameters after interpolation (not yet masked). */
  params: Record<string, unknown>;
  /** `expect` after interpolation; undefined when the block has none. */
  expect: Record<string, unknown> | undefined;
  timeoutMs: number;
  retry: { untilMs: number; everyMs: number } | undefined;
  /** Step ids that must pass before this one runs; otherwise it is skipped. */
  requires: string[];
  /** `depends_on` entries that name no step or case of the protocol. */
  unknownPrerequisites: string[];
  /** Step ids that must have finished (any status) before this one starts. */
  after: string[];
  /** Why the step cannot run as written (an interpolation error, an unreachable target); it then ends in `error`. */
  planError: string | null;
  /** A fan-out that found nothing to observe (no replica matched): the step ends in `fail` with this. */
  planFail?: { reason: string; actual: Record<string, unknown> } | null;
  spec: CheckSpec;
  /** The check block's id (`IQ-02.1`): the step's id without `@target` and `/replica`. */
  checkId: string;
  /** The target it observes (`default` for the environment's only engine); null: this machine. */
  target: string | null;
  /** True when the target is a named one of a fleet (the id then carries `@target`). */
  targetNamed: boolean;
  /** `each: replica` still to expand (interpolated), until expandReplicas replaces the step. */
  replicaSelector: ReplicaSelector | null;
  /** The replica this step observes, once expanded. */
  replica: ReplicaRef | null;
}

export interface PlannedCase {
  testCase: TestCase;
  steps: PlannedStep[];
}

export interface RunPlan {
  cases: PlannedCase[];
  /** All steps in document order. */
  steps: PlannedStep[];
}

/** A target of the environment as planning sees it: its name and, once observed, its Swarm role. */
export interface PlanTarget {
  name: string;
  /** False for the environment's only engine: step ids stay as the block's. */
  named: boolean;
  /** Swarm role observed before planning; null when the engine could not be asked (then it is kept for `managers`). */
  role?: SwarmRole | null;
  /** Swarm cluster id: of several managers of one Swarm, service checks run on the first. */
  clusterId?: string | null;
}

export interface PlanOptions {
  scope: TemplateScope;
  defaultTimeoutMs?: number;
  /** The targets of the environment; absent: no fan-out (every step as its block, on the default engine). */
  targets?: PlanTarget[];
  /** The environment's name, for messages. */
  environment?: string | null;
  /** What planning needs of each check type: where it observes (scope) and its parameters. */
  types?: ReadonlyMap<string, Pick<CheckTypeInfo, 'scope' | 'params'>>;
}

/**
 * The invariant between what QA approved and what runs: the protocol's checks are exactly its check
 * blocks (the root-level `check` code nodes of its tree, which the PDF prints), in document order.
 * A protocol assembled without its tree (a library user's own) has nothing to compare with.
 */
export function assertStepsAreCheckBlocks(protocol: Pick<Protocol, 'cases'> & Partial<Pick<Protocol, 'tree' | 'path'>>): void {
  if (!protocol.tree) return;
  const blocks = checkBlocks(protocol.tree).map((b) => `${b.position?.start.line}:${b.position?.start.column}`);
  const steps = protocol.cases.flatMap((c) => c.checks.map((s) => `${s.position.line}:${s.position.column}`));
  if (blocks.length !== steps.length || blocks.some((b, i) => b !== steps[i])) {
    throw new QualifyError('internal', 'STEPS_NOT_CHECK_BLOCKS', `${protocol.path ?? 'the protocol'}: the steps to run (at ${steps.join(', ') || 'none'}) are not the check blocks of the document (at ${blocks.join(', ') || 'none'}); nothing was run`);
  }
}

/**
 * The same invariant after fan-out: the check blocks the planned steps derive from (each run of steps
 * of one block counted once) are exactly the protocol's check blocks, in document order. A fan-out
 * adds steps of a block, never a block, never drops one, never mixes two.
 */
export function assertPlanFromCheckBlocks(protocol: Pick<Protocol, 'cases'> & Partial<Pick<Protocol, 'tree' | 'path'>>, steps: ReadonlyArray<Pick<PlannedStep, 'spec'>>): void {
  const derived: CheckSpec[] = [];
  for (const s of steps) if (derived[derived.length - 1] !== s.spec) derived.push(s.spec);
  const specs = protocol.cases.flatMap((c) => c.checks);
  const at = (list: CheckSpec[]) => list.map((s) => `${s.position.line}:${s.position.column}`);
  const blocks = protocol.tree ? checkBlocks(protocol.tree).map((b) => `${b.position?.start.line}:${b.position?.start.column}`) : at(specs);
  const found = at(derived);
  if (derived.length !== specs.length || derived.some((s, i) => s !== specs[i]) || found.some((p, i) => p !== blocks[i]) || found.length !== blocks.length) {
    throw new QualifyError('internal', 'STEPS_NOT_CHECK_BLOCKS', `${protocol.path ?? 'the protocol'}: the check blocks the planned steps derive from (at ${found.join(', ') || 'none'}) are not the check blocks of the document (at ${blocks.join(', ') || 'none'}); nothing was run`);
  }
}

/** Builds the plan of a run. Pure: same protocol, scope and targets, same plan. */
export function planRun(protocol: Pick<Protocol, 'cases'> & Partial<Pick<Protocol, 'tree' | 'path'>>, options: PlanOptions): RunPlan {
  assertStepsAreCheckBlocks(protocol);
  const defaultTimeout = options.defaultTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  refuseUnknownTargets(protocol, options);

  const cases: PlannedCase[] = [];
  const steps: PlannedStep[] = [];
  for (const testCase of protocol.cases) {
    const planned: PlannedStep[] = [];
    for (const spec of testCase.checks) {
      let params: Record<string, unknown> = spec.params;
      let expect = spec.expect;
      let planError: string | null = null;
      const each = eachOf(spec, testCase, options);
      let selector: ReplicaSelector | null = each;
      try {
        params = interpolateDeep(spec.params, options.scope);
        expect = spec.expect === undefined ? undefined : interpolateDeep(spec.expect, options.scope);
        if (each) selector = { by: each.by, value: interpolateDeep(each.value, options.scope) };
      } catch (err) {
        planError = (err as Error).message;
      }
      const base = { caseId: testCase.id, type: spec.type, params, expect, timeoutMs: spec.timeoutMs ?? defaultTimeout, retry: spec.retry, requires: [], unknownPrerequisites: [], after: [], planError, spec, checkId: spec.id, replica: null };
      for (const t of targetsOf(spec, testCase, options)) {
        const step: PlannedStep = {
          ...base,
          index: 0,
          id: t.named ? `${spec.id}@${t.name}` : spec.id,
          target: t.name,
          targetNamed: t.named,
          replicaSelector: t.name === null ? null : selector,
          planError: base.planError ?? t.error,
        };
        planned.push(step);
        steps.push(step);
      }
    }
    cases.push({ testCase, steps: planned });
  }
  return linkPlan(protocol, cases);
}

/** Replaces each `each: replica` step by one step per replica the target runs (see expandReplicas in fanout.ts). */
export function relinkPlan(protocol: Pick<Protocol, 'cases'> & Partial<Pick<Protocol, 'tree' | 'path'>>, cases: PlannedCase[]): RunPlan {
  return linkPlan(protocol, cases);
}

/** Indexes, `depends_on` and ordering of the steps of a plan, then the check-block invariant. */
function linkPlan(protocol: Pick<Protocol, 'cases'> & Partial<Pick<Protocol, 'tree' | 'path'>>, cases: PlannedCase[]): RunPlan {
  const steps = cases.flatMap((c) => c.steps);
  steps.forEach((s, i) => (s.index = i));
  const ofCase = new Map<string, PlannedStep[]>();
  const ofBlock = new Map<string, PlannedStep[]>();
  for (const s of steps) {
    let c = ofCase.get(s.caseId);
    if (!c) ofCase.set(s.caseId, (c = []));
    c.push(s);
    let b = ofBlock.get(s.checkId);
    if (!b) ofBlock.set(s.checkId, (b = []));
    b.push(s);
  }
  let lastManual: string | null = null;
  const lastCommand = new Map<string, string>();
  for (const step of steps) {
    const requires: string[] = [];
    const unknown: string[] = [];
    for (const dep of step.spec.dependsOn) {
      if (ofCase.has(dep)) requires.push(...ofCase.get(dep)!.filter((s) => s.checkId !== step.checkId).map((s) => s.id));
      else if (ofBlock.has(dep)) {
        // A fanned-out prerequisite: its steps on the same target when it ran there, else all of them.
        const all = ofBlock.get(dep)!;
        const same = all.filter((s) => s.target !== null && s.target === step.target);
        requires.push(...(same.length > 0 ? same : all).filter((s) => s !== step).map((s) => s.id));
      } else unknown.push(dep);
    }
    const after: string[] = [];
    if (step.type === 'manual') {
      if (lastManual) after.push(lastManual);
      lastManual = step.id;
    }
    if (step.type === 'command') {
      const key = `${step.caseId}\u0000${step.target ?? ''}`;
      const last = lastCommand.get(key);
      if (last) after.push(last);
      lastCommand.set(key, step.id);
    }
    step.requires = [...new Set(requires)];
    step.unknownPrerequisites = unknown;
    step.after = after;
  }
  assertPlanFromCheckBlocks(protocol, steps);
  return { cases, steps };
}

/** `each` of the block, else of its case for a check of one container that names none (no container, no label). */
function eachOf(spec: CheckSpec, testCase: TestCase, options: PlanOptions): ReplicaSelector | null {
  if (spec.each) return spec.each;
  if (!testCase.each || !options.types?.get(spec.type)?.params.container) return null;
  return spec.params.container === undefined && spec.params.label === undefined ? testCase.each : null;
}

/** Whether a check type observes on a target by default (its scope), given the block's parameters. */
function defaultSelection(spec: CheckSpec, each: boolean, options: PlanOptions): TargetSelection | null {
  const scope = options.types?.get(spec.type)?.scope;
  if (scope === 'engine') return 'all';
  if (scope === 'swarm') return 'managers';
  if (scope === 'container-param' && (spec.params.container !== undefined || each)) return 'all';
  return null;
}

interface ResolvedTarget {
  name: string | null;
  named: boolean;
  error: string | null;
}

/** The targets a block runs on: its own `targets`, else its case's, else its type's default. */
function targetsOf(spec: CheckSpec, testCase: TestCase, options: PlanOptions): ResolvedTarget[] {
  const all = options.targets;
  if (!all || all.length === 0) return [{ name: null, named: false, error: null }];
  const each = eachOf(spec, testCase, options) !== null;
  const selection = spec.targets ?? (defaultSelection(spec, each, options) === null ? null : testCase.targets) ?? defaultSelection(spec, each, options);
  if (selection === null) return [{ name: null, named: false, error: null }];
  if (selection === 'all') return all.map((t) => ({ name: t.name, named: t.named, error: null }));
  if (selection === 'managers') {
    const clusters = new Set<string>();
    const picked = all.filter((t) => {
      if (t.role === 'manager') {
        if (t.clusterId && clusters.has(t.clusterId)) return false;
        if (t.clusterId) clusters.add(t.clusterId);
        return true;
      }
      // Not observed (unreachable): kept, so that its steps say why instead of vanishing.
      return t.role === null || t.role === undefined;
    });
    if (picked.length > 0) return picked.map((t) => ({ name: t.name, named: t.named, error: null }));
    const roles = all.map((t) => `${t.named ? t.name : 'its engine'}: ${t.role}`).join(', ');
    return [{ name: null, named: false, error: `SWARM_NOT_MANAGER: no target of ${options.environment ? `environment "${options.environment}"` : 'the environment'} is a Swarm manager (${roles}); a service check observes a Swarm through a manager` }];
  }
  return selection.map((name) => {
    const t = all.find((x) => x.name === name)!;
    return { name: t.name, named: t.named, error: null };
  });
}

/** Target names in `targets:` that the environment does not have: exit 2, every one named with where it is written. */
function refuseUnknownTargets(protocol: Pick<Protocol, 'cases'> & Partial<Pick<Protocol, 'path'>>, options: PlanOptions): void {
  const all = options.targets;
  if (!all || all.length === 0) return;
  const known = new Set(all.filter((t) => t.named).map((t) => t.name));
  const problems: string[] = [];
  const check = (selection: TargetSelection | undefined, at: { line: number; column: number } | undefined, what: string): void => {
    if (!Array.isArray(selection)) return;
    const missing = selection.filter((n) => !known.has(n));
    if (missing.length === 0) return;
    const where = `${protocol.path ?? 'protocol'}${at ? `:${at.line}:${at.column}` : ''}`;
    const has = known.size > 0 ? `its targets: ${[...known].join(', ')}` : 'it is one engine (docker:), without named targets';
    problems.push(`${where} TARGET_UNKNOWN ${what} names ${missing.map((n) => `"${n}"`).join(', ')}, not a target of ${options.environment ? `environment "${options.environment}"` : 'the environment'} in qualify.yaml (${has})`);
  };
  for (const c of protocol.cases) {
    check(c.targets, c.targetsAt, `case ${c.id}`);
    for (const s of c.checks) check(s.targets, s.keyPositions.targets ?? s.position, `check ${s.id}`);
  }
  if (problems.length) throw new UsageError('TARGET_UNKNOWN', `the protocol names targets the environment does not have:\n${problems.join('\n')}`);
}

/** Where a step ran, for the record; undefined for a step of a single engine without replicas (as before fan-out existed). */
export function stepFanout(step: Pick<PlannedStep, 'checkId' | 'target' | 'targetNamed' | 'replica'>): StepFanout | undefined {
  if (!step.targetNamed && !step.replica) return undefined;
  return { check: step.checkId, target: step.targetNamed ? step.target : null, replica: step.replica };
}
