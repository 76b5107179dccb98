// From a Protocol to an executable plan: one step per `check` block, parameters interpolated,
// timeouts resolved, `depends_on` expanded (a case id means every step of that case) and ordering
// constraints added for steps that must not run side by side.
//
// Concurrency rule (documented for protocol authors): checks observe, they do not change the
// deployment, so every step is independent of the others unless `depends_on` says otherwise, and
// steps run concurrently up to the concurrency bound, including the steps of one case. Two kinds of
// steps are ordered anyway:
// - `manual` steps ask a person, one question at a time, in document order across the protocol;
// - `command` steps may change state, so those of one case run in document order.
// Ordering only waits for the previous step to finish; it never skips (that is `depends_on`).

import type { CheckSpec, Protocol, TestCase } from '../model/document.js';
import { QualifyError } from '../model/errors.js';
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
  /** Why the step cannot run as written (an interpolation error); it then ends in `error`. */
  planError: string | null;
  spec: CheckSpec;
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

export interface PlanOptions {
  scope: TemplateScope;
  defaultTimeoutMs?: number;
}

/**
 * The invariant between what QA approved and what runs: the steps are exactly the protocol's check
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

/** Builds the plan of a run. Pure: same protocol and scope, same plan. */
export function planRun(protocol: Pick<Protocol, 'cases'> & Partial<Pick<Protocol, 'tree' | 'path'>>, options: PlanOptions): RunPlan {
  assertStepsAreCheckBlocks(protocol);
  const defaultTimeout = options.defaultTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const stepsOfCase = new Map<string, string[]>();
  for (const c of protocol.cases) stepsOfCase.set(c.id, c.checks.map((s) => s.id));
  const allStepIds = new Set(protocol.cases.flatMap((c) => c.checks.map((s) => s.id)));

  const cases: PlannedCase[] = [];
  const steps: PlannedStep[] = [];
  let lastManual: string | null = null;
  for (const testCase of protocol.cases) {
    let lastCommand: string | null = null;
    const planned: PlannedStep[] = [];
    for (const spec of testCase.checks) {
      let params: Record<string, unknown> = spec.params;
      let expect = spec.expect;
      let planError: string | null = null;
      try {
        params = interpolateDeep(spec.params, options.scope);
        expect = spec.expect === undefined ? undefined : interpolateDeep(spec.expect, options.scope);
      } catch (err) {
        planError = (err as Error).message;
      }
      const requires: string[] = [];
      const unknownPrerequisites: string[] = [];
      for (const dep of spec.dependsOn) {
        if (stepsOfCase.has(dep)) requires.push(...stepsOfCase.get(dep)!.filter((id) => id !== spec.id));
        else if (allStepIds.has(dep)) requires.push(dep);
        else unknownPrerequisites.push(dep);
      }
      const after: string[] = [];
      if (spec.type === 'manual') {
        if (lastManual) after.push(lastManual);
        lastManual = spec.id;
      }
      if (spec.type === 'command') {
        if (lastCommand) after.push(lastCommand);
        lastCommand = spec.id;
      }
      const step: PlannedStep = {
        index: steps.length,
        id: spec.id,
        caseId: testCase.id,
        type: spec.type,
        params,
        expect,
        timeoutMs: spec.timeoutMs ?? defaultTimeout,
        retry: spec.retry,
        requires: [...new Set(requires)],
        unknownPrerequisites,
        after,
        planError,
        spec,
      };
      planned.push(step);
      steps.push(step);
    }
    cases.push({ testCase, steps: planned });
  }
  return { cases, steps };
}
