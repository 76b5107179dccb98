// What a check type is, what it may use while observing, and how an observation is judged.
// A check type observes (through probes) and never judges its own `expect`: judging is shared here,
// so every type gets the same matchers. A failed expectation is data; only trouble observing throws.

import type { CheckTypeInfo, DocumentLookup, ManualAsk, Observation } from '../model/check.js';
import { DocumentError } from '../model/errors.js';
import type { Assertion } from '../model/report.js';
import type { Probes } from '../probes/types.js';
import { abbreviate, evaluateExpect } from './matchers.js';

/** Everything a check may use while observing one step. */
export interface CheckContext {
  probes: Probes;
  /** Aborted on step timeout or Ctrl-C; every probe call passes it on. */
  signal: AbortSignal;
  /** Root of the QMS repository: relative paths in parameters (repo, file) resolve against it. */
  repoRoot: string;
  now(): Date;
  documents: DocumentLookup;
  ask: ManualAsk;
  /** Id of the step being observed (`IQ-02.1`); manual checks pass it to `ask`. */
  stepId?: string;
  /** The step's interpolated `expect`, shown to the person answering a manual check. */
  expect?: Record<string, unknown>;
}

export interface CheckDefinition extends CheckTypeInfo {
  /** Observes the world for one step. Throws (EnvironmentError...) only when it cannot observe. */
  observe(params: Record<string, unknown>, ctx: CheckContext): Promise<Observation>;
  /** Replaces the shared matchers for types whose `expect` is not compared with `actual` (manual). */
  evaluate?(expect: Record<string, unknown> | undefined, observation: Observation): Assertion[];
}

/** Identity with a type: each catalog file exports `defineCheck({...})`. */
export function defineCheck(def: CheckDefinition): CheckDefinition {
  return def;
}

/** Check types by name; refuses two definitions of one type (a plugin must not shadow a builtin). */
export function createCheckRegistry(defs: CheckDefinition[]): Map<string, CheckDefinition> {
  const registry = new Map<string, CheckDefinition>();
  for (const def of defs) {
    if (registry.has(def.type)) {
      throw new DocumentError('CHECK_TYPE_DUPLICATE', `check type "${def.type}" is defined twice; each type name must be unique`);
    }
    registry.set(def.type, def);
  }
  return registry;
}

/** The verdict of one observed step. */
export interface Verdict {
  status: 'pass' | 'fail';
  /** The type's own assertions (implicit verdicts) followed by those of `expect`. */
  assertions: Assertion[];
  /** The acceptance actually applied: the step's `expect`, else the type's default; null when none. */
  expected: Record<string, unknown> | null;
  /** Why it failed, in one sentence; null on pass. */
  reason: string | null;
}

function describeFailure(a: Assertion): string {
  return a.message ? `${a.path}: ${a.message}` : `${a.path}: expected ${a.matcher} ${abbreviate(a.expected)}, found ${abbreviate(a.actual)}`;
}

/**
 * Judges an observation: the type's assertions plus `expect` (or the type's default) through the shared
 * matchers. A step with nothing to judge fails, so that a check without acceptance criteria never passes.
 */
export function judgeObservation(def: CheckTypeInfo & Pick<CheckDefinition, 'evaluate'>, expect: Record<string, unknown> | undefined | null, observation: Observation): Verdict {
  const given = expect && Object.keys(expect).length > 0 ? expect : undefined;
  const effective = given ?? def.defaultExpect;
  const assertions: Assertion[] = [...(observation.assertions ?? [])];
  if (def.evaluate) assertions.push(...def.evaluate(given, observation));
  else assertions.push(...evaluateExpect(effective, observation.actual, { primaryKey: def.primaryKey }));
  if (assertions.length === 0) {
    return { status: 'fail', assertions, expected: effective ?? null, reason: `nothing to judge: a ${def.type} step needs an expect block` };
  }
  const failed = assertions.filter((a) => !a.pass);
  if (failed.length === 0) return { status: 'pass', assertions, expected: effective ?? null, reason: null };
  const shown = failed.slice(0, 3).map(describeFailure).join('; ');
  const more = failed.length > 3 ? ` (and ${failed.length - 3} more)` : '';
  return { status: 'fail', assertions, expected: effective ?? null, reason: `${shown}${more}` };
}
