// The runner: executes a plan with bounded concurrency, per-step timeouts and retries, `depends_on`
// skips, and a clean stop on abort. A check that throws gives status `error` with its cause, never a
// pass; a failed expectation is data (`fail`). Results come back in document order whatever the
// order of execution, unmasked: masking happens when the record is assembled.
//
// Timing: `timeout` bounds each attempt. With `retry: { until, every }` the step is observed again
// `every` ms after an attempt that did not pass, as long as the next attempt starts within `until` ms
// of the first one; every attempt is recorded, and the step's result is its last attempt.
// Recorded times come from the injected clock; deadlines use the monotonic clock.

import type { Observation, ManualAsk, EvidenceInput } from '../model/check.js';
import type { Assertion, Attempt, StepResult, StepStatus } from '../model/report.js';
import type { TestCase } from '../model/document.js';
import { stepFanout, type PlannedStep, type RunPlan } from './plan.js';
import { waitForHolds } from '../step-holds.js';

/** What the runner needs of a check type (a subset of the checks module's CheckDefinition). */
export interface RunnableCheck<C> {
  type: string;
  observe(params: Record<string, unknown>, ctx: C & StepContext): Promise<Observation>;
}

/** What the runner adds to the check context for each step. */
export interface StepContext {
  signal: AbortSignal;
  ask: ManualAsk;
  stepId: string;
  expect?: Record<string, unknown>;
}

/** The verdict on one observation (checks/define.ts judgeObservation has this shape). */
export interface Judgement {
  status: 'pass' | 'fail';
  assertions: Assertion[];
  /** The acceptance applied (the step's `expect`, else the type's default); null when none. */
  expected: Record<string, unknown> | null;
  reason: string | null;
}

/** Judges an observation of a check against the step's `expect`. */
export type Judge<C> = (check: RunnableCheck<C>, expect: Record<string, unknown> | undefined, observation: Observation) => Judgement;

/** A judge from a plain matcher function: the type's own assertions, then `expect`; nothing judged is a fail. */
export function judgeWith<C>(evaluate: (expect: Record<string, unknown>, actual: Record<string, unknown>) => Assertion[]): Judge<C> {
  return (_check, expect, observation) => {
    const assertions = [...(observation.assertions ?? [])];
    if (expect !== undefined) assertions.push(...evaluate(expect, observation.actual ?? {}));
    if (assertions.length === 0) return { status: 'fail', assertions, expected: expect ?? null, reason: 'nothing to judge: the step has no expect and its check type gives no verdict' };
    const pass = assertions.every((a) => a.pass);
    return { status: pass ? 'pass' : 'fail', assertions, expected: expect ?? null, reason: pass ? null : describeFailures(assertions) };
  };
}

/** A step as the runner finishes it: the record's StepResult before its evidence is stored. */
export interface StepOutcome extends Omit<StepResult, 'evidence' | 'observedBy'> {
  caseId: string;
  /** Raw evidence of the last attempt; masked and hashed by the evidence store. */
  evidence: EvidenceInput[];
  observedBy: { id: string; at: string } | null;
}

export interface CaseOutcome {
  testCase: TestCase;
  status: StepStatus;
  steps: StepOutcome[];
}

export interface RunOutcome {
  started: string;
  ended: string;
  /** True when the run was interrupted before every step ran. */
  incomplete: boolean;
  cases: CaseOutcome[];
}

/** Progress events, e.g. a terminal display. Strings in outcomes are NOT masked: reporters mask. */
export interface RunReporter {
  start?(plan: RunPlan): void;
  stepStart?(step: PlannedStep): void;
  stepEnd?(step: StepOutcome): void;
  caseEnd?(outcome: CaseOutcome): void;
  end?(outcome: RunOutcome): void;
}

export interface RunOptions<C> {
  plan: RunPlan;
  checks: ReadonlyMap<string, RunnableCheck<C>>;
  /** Context given to every check (probes, repoRoot, documents, now...); signal, ask, stepId, expect are added per step. */
  context: C;
  /** A context with fresh observations (empty probe memos) for a retry attempt; default: the same context. */
  fresh?: (context: C) => C;
  /** The context of one step (its target's probes in a fleet); default: the context as it is. */
  contextFor?: (step: PlannedStep, context: C) => C;
  judge: Judge<C>;
  /** Manual observations; the runner records who answered and when on the step. */
  ask?: ManualAsk;
  /** Steps running at the same time (default 8). */
  concurrency?: number;
  /** Clock for recorded times (UTC). */
  now: () => Date;
  /** Aborting stops the run: running attempts are aborted, steps not run are skipped. */
  signal?: AbortSignal;
  reporter?: RunReporter;
  /** Waits between retry attempts (injectable for tests); resolves early on abort. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Time a probe holding an aborted step (step-holds.ts) gets before the step is recorded (default CLEANUP_GRACE_MS). */
  cleanupGraceMs?: number;
}

export const DEFAULT_CONCURRENCY = 8;
/** How long a step that timed out or was interrupted waits for a probe holding it (stopping a command it started). */
export const CLEANUP_GRACE_MS = 8_000;
export const INTERRUPTED = 'run interrupted';

const noAsk: ManualAsk = async () => null;

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

class StepTimeout extends Error {
  constructor(ms: number) {
    super(`no observation within ${ms} ms (step timeout)`);
  }
}

class Interrupted extends Error {
  constructor() {
    super(INTERRUPTED);
  }
}

/** A thrown error as one sentence: code, message and the cause's message when it adds something. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  let text = typeof code === 'string' && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message && !text.includes(cause.message)) text += ` (cause: ${cause.message})`;
  else if (typeof cause === 'string' && !text.includes(cause)) text += ` (cause: ${cause})`;
  return text || err.name;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s;
  } catch {
    return String(v);
  }
}

/** One sentence for the failed assertions of a step. */
export function describeFailures(assertions: Assertion[]): string {
  const failed = assertions.filter((a) => !a.pass);
  return failed
    .map((a) => a.message ?? `${a.path}: expected ${a.matcher === 'equals' ? '' : `${a.matcher} `}${show(a.expected)}, found ${show(a.actual)}`)
    .join('; ');
}

function caseStatus(steps: StepOutcome[]): StepStatus {
  if (steps.some((s) => s.status === 'fail')) return 'fail';
  if (steps.some((s) => s.status === 'error')) return 'error';
  if (steps.length === 0 || steps.some((s) => s.status === 'skipped')) return 'skipped';
  return 'pass';
}

interface AttemptResult {
  status: StepStatus;
  reason: string | null;
  /** Why another attempt cannot help (the observation's `final`, or an error marked final). */
  final: string | null;
  expected: Record<string, unknown> | null;
  actual: Record<string, unknown> | null;
  assertions: Assertion[];
  evidence: EvidenceInput[];
  interrupted: boolean;
}

/** `fanout` of a step's outcome: present only for a step of a fan-out (a named target or a replica). */
function fanoutOf(step: PlannedStep): Pick<StepOutcome, 'fanout'> {
  const fanout = stepFanout(step);
  return fanout ? { fanout } : {};
}

/** Executes the plan; never throws for a check's trouble. */
export async function executeRun<C extends object>(options: RunOptions<C>): Promise<RunOutcome> {
  const { plan, checks, now, reporter } = options;
  const runSignal = options.signal ?? new AbortController().signal;
  const limit = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const sleep = options.sleep ?? defaultSleep;
  const cleanupGraceMs = options.cleanupGraceMs ?? CLEANUP_GRACE_MS;
  const iso = (): string => now().toISOString();
  const started = iso();
  reporter?.start?.(plan);

  const results = new Map<string, StepOutcome>();
  const byId = new Map(plan.steps.map((s) => [s.id, s] as const));
  const caseRemaining = new Map(plan.cases.map((c) => [c.testCase.id, c.steps.length] as const));

  const finishCase = (caseId: string): void => {
    const planned = plan.cases.find((c) => c.testCase.id === caseId)!;
    const steps = planned.steps.map((s) => results.get(s.id)!);
    reporter?.caseEnd?.({ testCase: planned.testCase, status: caseStatus(steps), steps });
  };

  const record = (outcome: StepOutcome): void => {
    results.set(outcome.id, outcome);
    reporter?.stepEnd?.(outcome);
    const left = (caseRemaining.get(outcome.caseId) ?? 1) - 1;
    caseRemaining.set(outcome.caseId, left);
    if (left === 0) finishCase(outcome.caseId);
  };

  const skeleton = (step: PlannedStep, status: StepStatus, reason: string): StepOutcome => {
    const t = iso();
    return {
      id: step.id,
      caseId: step.caseId,
      type: step.type,
      params: step.params,
      expected: step.expect ?? null,
      actual: null,
      assertions: [],
      status,
      reason,
      attempts: [],
      started: t,
      ended: t,
      durationMs: 0,
      evidence: [],
      observedBy: null,
      ...fanoutOf(step),
    };
  };

  const attempt = async (step: PlannedStep, check: RunnableCheck<C>, context: C, observedBy: { value: StepOutcome['observedBy'] }): Promise<AttemptResult> => {
    const controller = new AbortController();
    const onRunAbort = (): void => controller.abort(new Interrupted());
    runSignal.addEventListener('abort', onRunAbort, { once: true });
    if (runSignal.aborted) onRunAbort();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stopped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => controller.abort(new StepTimeout(step.timeoutMs)), step.timeoutMs);
      const fail = (): void => reject(controller.signal.reason);
      if (controller.signal.aborted) fail();
      else controller.signal.addEventListener('abort', fail, { once: true });
    });
    stopped.catch(() => undefined);
    const ask: ManualAsk = async (question) => {
      const answer = await (options.ask ?? noAsk)(question);
      if (answer) observedBy.value = { id: answer.by, at: answer.at };
      return answer;
    };
    const expected = step.expect ?? null;
    const ctx = { ...context, signal: controller.signal, ask, stepId: step.id, ...(step.expect ? { expect: step.expect } : {}) } as C & StepContext;
    const observing = Promise.resolve().then(() => check.observe(step.params, ctx));
    let observeError: unknown;
    observing.catch((err: unknown) => (observeError = err));
    try {
      // The race bounds a check that ignores its signal: the step still ends at its timeout.
      const observation = await Promise.race([observing, stopped]);
      if (controller.signal.aborted) throw controller.signal.reason;
      const verdict = options.judge(check, step.expect, observation);
      return {
        status: verdict.status,
        reason: verdict.status === 'pass' ? null : verdict.reason ?? describeFailures(verdict.assertions),
        final: observation.final ?? null,
        expected: verdict.expected,
        actual: observation.actual ?? {},
        assertions: verdict.assertions,
        evidence: observation.evidence ?? [],
        interrupted: false,
      };
    } catch (err) {
      const cause = controller.signal.aborted ? controller.signal.reason : err;
      // A probe stopping what it started (a command inside a container) holds the step until it is done, so the step says so.
      if (controller.signal.aborted && (await waitForHolds(controller.signal, cleanupGraceMs)) === 'released') {
        // Released: the check's own answer (what the probe did) follows within a few ticks.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([observing.then(() => undefined, () => undefined), new Promise((r) => (timer = setTimeout(r, 1_000)))]);
        clearTimeout(timer);
      }
      if (cause instanceof Interrupted) return { status: 'skipped', reason: INTERRUPTED, final: null, expected, actual: null, assertions: [], evidence: [], interrupted: true };
      const told = observeError instanceof Error && (observeError as { cause?: unknown }).cause === cause ? observeError : cause;
      const final = (told as { final?: unknown } | null)?.final === true ? describeError(told) : null;
      return { status: 'error', reason: describeError(told), final, expected, actual: null, assertions: [], evidence: [], interrupted: false };
    } finally {
      clearTimeout(timer);
      runSignal.removeEventListener('abort', onRunAbort);
      // Lets a check's own cleanup (sockets, streams) stop when the step is over.
      if (!controller.signal.aborted) controller.abort(new Error('step finished'));
    }
  };

  const runStep = async (step: PlannedStep): Promise<StepOutcome> => {
    const check = checks.get(step.type);
    if (step.planError) return skeleton(step, 'error', step.planError);
    if (step.planFail) return { ...skeleton(step, 'fail', step.planFail.reason), actual: step.planFail.actual };
    if (!check) return skeleton(step, 'error', `unknown check type "${step.type}"; known: ${[...checks.keys()].sort().join(', ')}`);
    const startedAt = iso();
    const t0 = performance.now();
    const attempts: Attempt[] = [];
    const observedBy: { value: StepOutcome['observedBy'] } = { value: null };
    let last: AttemptResult;
    for (let n = 1; ; n++) {
      const aStart = iso();
      const shared = n === 1 || !options.fresh ? options.context : options.fresh(options.context);
      const context = options.contextFor ? options.contextFor(step, shared) : shared;
      last = await attempt(step, check, context, observedBy);
      attempts.push({ n, started: aStart, ended: iso(), status: last.status, ...(last.reason ? { reason: last.reason } : {}), actual: last.actual });
      if (last.status === 'pass' || last.interrupted || !step.retry || last.final) break;
      const elapsed = performance.now() - t0;
      if (elapsed + step.retry.everyMs > step.retry.untilMs) break;
      await sleep(step.retry.everyMs, runSignal);
      if (runSignal.aborted) {
        last = { ...last, status: 'skipped', reason: `${INTERRUPTED} (last attempt: ${last.status}${last.reason ? `: ${last.reason}` : ''})`, interrupted: true };
        break;
      }
    }
    const endedAt = iso();
    let reason = last.reason;
    if (attempts.length > 1 && last.status !== 'pass' && !last.interrupted) reason = `${reason} (after ${attempts.length} attempts over ${Math.round(performance.now() - t0)} ms)`;
    if (step.retry && last.final && last.status !== 'pass' && last.final !== last.reason) reason = `${reason}; not retried: ${last.final}`;
    else if (step.retry && last.final && last.status !== 'pass') reason = `${reason} (not retried: waiting cannot change this)`;
    return {
      id: step.id,
      caseId: step.caseId,
      type: step.type,
      params: step.params,
      expected: last.expected,
      actual: last.actual,
      assertions: last.assertions,
      status: last.status,
      reason,
      attempts,
      started: startedAt,
      ended: endedAt,
      durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)),
      evidence: last.evidence,
      observedBy: observedBy.value,
      ...fanoutOf(step),
    };
  };

  await new Promise<void>((resolveAll) => {
    const pending = [...plan.steps];
    let running = 0;
    const finished = (): boolean => results.size === plan.steps.length;

    const pump = (): void => {
      if (runSignal.aborted) {
        for (const step of pending.splice(0)) record(skeleton(step, 'skipped', INTERRUPTED));
      }
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (let i = 0; i < pending.length && running < limit; i++) {
          const step = pending[i]!;
          if (step.unknownPrerequisites.length > 0) {
            pending.splice(i--, 1);
            record(skeleton(step, 'skipped', `prerequisite ${step.unknownPrerequisites.map((d) => `"${d}"`).join(', ')} is not a step or case of this protocol`));
            progressed = true;
            continue;
          }
          const waits = [...step.requires, ...step.after];
          if (waits.some((id) => !results.has(id))) continue;
          const failedPrereqs = step.requires.filter((id) => results.get(id)!.status !== 'pass');
          pending.splice(i--, 1);
          progressed = true;
          if (failedPrereqs.length > 0) {
            const why = failedPrereqs.map((id) => `${id} ${results.get(id)!.status}`).join(', ');
            record(skeleton(step, 'skipped', `prerequisite did not pass: ${why}`));
            continue;
          }
          running++;
          reporter?.stepStart?.(step);
          void runStep(step)
            .catch((err: unknown) => skeleton(step, 'error', `internal error in the runner: ${describeError(err)}`))
            .then((outcome) => {
              running--;
              record(outcome);
              pump();
            });
        }
      }
      if (running === 0 && pending.length > 0 && !finished()) {
        // Nothing runs and nothing can start: the remaining steps wait on each other.
        for (const step of pending.splice(0)) {
          const waits = [...step.requires, ...step.after].filter((id) => !results.has(id) && byId.has(id));
          record(skeleton(step, 'skipped', `dependency cycle: waits on ${waits.join(', ')}`));
        }
      }
      if (finished() && running === 0) resolveAll();
    };
    const onAbort = (): void => pump();
    runSignal.addEventListener('abort', onAbort, { once: true });
    pump();
    if (plan.steps.length === 0) resolveAll();
  });

  const cases: CaseOutcome[] = plan.cases.map((c) => {
    const steps = c.steps.map((s) => results.get(s.id)!);
    return { testCase: c.testCase, status: caseStatus(steps), steps };
  });
  const outcome: RunOutcome = {
    started,
    ended: iso(),
    incomplete: runSignal.aborted || cases.some((c) => c.steps.some((s) => s.reason?.startsWith(INTERRUPTED))),
    cases,
  };
  reporter?.end?.(outcome);
  return outcome;
}
