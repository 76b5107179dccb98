import { describe, expect, it } from 'vitest';
import { executeRun, INTERRUPTED, judgeWith, type RunnableCheck, type RunReporter } from './run.js';
import { planRun } from './plan.js';
import { equalsEvaluate, fakeCheck, protocol, sleep, spec, steppingClock, testCase } from '../../test/helpers/runner-fixtures.js';
import type { Protocol } from '../model/document.js';
import type { ManualAsk } from '../model/check.js';

const scope = { run: { id: 'QP-0009-20261005T101500Z-abcd', started: '2026-10-05T10:15:00Z' }, service: 'web' };

function run(p: Protocol, checks: RunnableCheck<object>[], extra: Partial<Parameters<typeof executeRun<object>>[0]> = {}) {
  return executeRun<object>({
    plan: planRun(p, { scope, defaultTimeoutMs: 2_000 }),
    checks: new Map(checks.map((c) => [c.type, c])),
    context: {},
    judge: judgeWith(equalsEvaluate),
    now: steppingClock(),
    ...extra,
  });
}

const okCheck = fakeCheck('ok', () => ({ actual: { ok: true } }));
const badCheck = fakeCheck('bad', () => ({ actual: { ok: false } }));

describe('executeRun', () => {
  it('runs independent steps concurrently, bounded, and returns them in document order', async () => {
    let running = 0;
    let peak = 0;
    const slow = fakeCheck('slow', async (p) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(Number(p.ms));
      running--;
      return { actual: { ok: true } };
    });
    const steps = Array.from({ length: 12 }, (_, i) => spec(`OQ-01.${i + 1}`, 'slow', { ms: 40 - i * 3 }));
    const t0 = performance.now();
    const outcome = await run(protocol([testCase('OQ-01', steps)]), [slow], { concurrency: 4 });
    const wall = performance.now() - t0;
    expect(peak).toBe(4);
    expect(outcome.cases[0]!.steps.map((s) => s.id)).toEqual(steps.map((s) => s.id));
    expect(outcome.cases[0]!.steps.every((s) => s.status === 'pass')).toBe(true);
    expect(outcome.cases[0]!.status).toBe('pass');
    expect(outcome.incomplete).toBe(false);
    // 12 steps of ≤40 ms, 4 at a time: well under the 300+ ms a serial run takes.
    expect(wall).toBeLessThan(250);
  });

  it('interpolates parameters and run values into params and expect', async () => {
    const echo = fakeCheck('echo', (p) => ({ actual: { ok: true, name: p.container, id: p.id } }));
    const p = protocol([testCase('IQ-01', [spec('IQ-01.1', 'echo', { container: '{{service}}', id: '{{run.id}}' }, { expect: { name: '{{service}}' } })])]);
    const outcome = await run(p, [echo]);
    const s = outcome.cases[0]!.steps[0]!;
    expect(s.params).toEqual({ container: 'web', id: scope.run.id });
    expect(s.expected).toEqual({ name: 'web' });
    expect(s.status).toBe('pass');
  });

  it('an unknown template name makes the step an error, not a blank', async () => {
    const p = protocol([testCase('IQ-01', [spec('IQ-01.1', 'ok', { container: '{{nope}}' })])]);
    const s = (await run(p, [okCheck])).cases[0]!.steps[0]!;
    expect(s.status).toBe('error');
    expect(s.reason).toContain('"nope" not defined');
  });

  it('a failed expectation is a fail with expected and actual in the reason', async () => {
    const s = (await run(protocol([testCase('IQ-01', [spec('IQ-01.1', 'bad')])]), [badCheck])).cases[0]!.steps[0]!;
    expect(s.status).toBe('fail');
    expect(s.reason).toBe('ok: expected true, found false');
    expect(s.assertions).toEqual([{ path: 'ok', matcher: 'equals', expected: true, actual: false, pass: false }]);
  });

  it('a thrown probe error is an error with its code and cause, never a pass', async () => {
    const boom = fakeCheck('boom', () => {
      const err = new Error('cannot reach the Docker engine at unix:///nope.sock', { cause: new Error('connect ENOENT /nope.sock') }) as Error & { code: string };
      err.code = 'DOCKER_UNREACHABLE';
      throw err;
    });
    const s = (await run(protocol([testCase('IQ-01', [spec('IQ-01.1', 'boom')])]), [boom])).cases[0]!.steps[0]!;
    expect(s.status).toBe('error');
    expect(s.reason).toBe('DOCKER_UNREACHABLE: cannot reach the Docker engine at unix:///nope.sock (cause: connect ENOENT /nope.sock)');
    expect(s.actual).toBeNull();
  });

  it('a step whose check ignores its signal still ends at its timeout', async () => {
    const hang = fakeCheck('hang', () => new Promise(() => undefined));
    let aborted = false;
    const polite = fakeCheck('polite', (_p, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => { aborted = true; reject(new Error('aborted')); })));
    const t0 = performance.now();
    const outcome = await run(protocol([testCase('OQ-01', [spec('OQ-01.1', 'hang', {}, { timeoutMs: 80 }), spec('OQ-01.2', 'polite', {}, { timeoutMs: 80 })])]), [hang, polite]);
    expect(performance.now() - t0).toBeLessThan(400);
    for (const s of outcome.cases[0]!.steps) {
      expect(s.status).toBe('error');
      expect(s.reason).toBe('no observation within 80 ms (step timeout)');
    }
    expect(aborted).toBe(true);
  });

  it('retries until pass, recording every attempt', async () => {
    let calls = 0;
    const settling = fakeCheck('settling', () => ({ actual: { ok: ++calls >= 3 } }));
    const s = (await run(protocol([testCase('IQ-01', [spec('IQ-01.1', 'settling', {}, { retry: { untilMs: 2_000, everyMs: 10 } })])]), [settling])).cases[0]!.steps[0]!;
    expect(s.status).toBe('pass');
    expect(s.reason).toBeNull();
    expect(s.attempts.map((a) => a.status)).toEqual(['fail', 'fail', 'pass']);
    expect(s.attempts.map((a) => a.n)).toEqual([1, 2, 3]);
    expect(s.attempts[0]!.reason).toBe('ok: expected true, found false');
  });

  it('retries an error too, and gives up at the deadline with the last result', async () => {
    let calls = 0;
    const never = fakeCheck('never', () => {
      calls++;
      throw new Error('connection refused');
    });
    const t0 = performance.now();
    const s = (await run(protocol([testCase('IQ-01', [spec('IQ-01.1', 'never', {}, { retry: { untilMs: 120, everyMs: 30 } })])]), [never])).cases[0]!.steps[0]!;
    const wall = performance.now() - t0;
    expect(s.status).toBe('error');
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(s.attempts).toHaveLength(calls);
    expect(s.reason).toMatch(/^connection refused \(after \d+ attempts over \d+ ms\)$/);
    expect(wall).toBeLessThan(400);
  });

  it('skips a step whose prerequisite (step or whole case) did not pass, with the reason', async () => {
    const p = protocol([
      testCase('IQ-01', [spec('IQ-01.1', 'bad'), spec('IQ-01.2', 'ok')]),
      testCase('IQ-02', [spec('IQ-02.1', 'ok', {}, { dependsOn: ['IQ-01.1'] }), spec('IQ-02.2', 'ok', {}, { dependsOn: ['IQ-01.2'] })]),
      testCase('IQ-03', [spec('IQ-03.1', 'ok', {}, { dependsOn: ['IQ-01'] }), spec('IQ-03.2', 'ok', {}, { dependsOn: ['IQ-99'] })]),
    ]);
    const outcome = await run(p, [okCheck, badCheck]);
    const byId = new Map(outcome.cases.flatMap((c) => c.steps).map((s) => [s.id, s]));
    expect(byId.get('IQ-02.1')!.status).toBe('skipped');
    expect(byId.get('IQ-02.1')!.reason).toBe('prerequisite did not pass: IQ-01.1 fail');
    expect(byId.get('IQ-02.2')!.status).toBe('pass');
    expect(byId.get('IQ-03.1')!.reason).toBe('prerequisite did not pass: IQ-01.1 fail');
    expect(byId.get('IQ-03.2')!.reason).toBe('prerequisite "IQ-99" is not a step or case of this protocol');
    expect(outcome.cases.map((c) => c.status)).toEqual(['fail', 'skipped', 'skipped']);
  });

  it('a dependency cycle skips the steps instead of hanging', async () => {
    const p = protocol([testCase('IQ-01', [spec('IQ-01.1', 'ok', {}, { dependsOn: ['IQ-01.2'] }), spec('IQ-01.2', 'ok', {}, { dependsOn: ['IQ-01.1'] })])]);
    const outcome = await run(p, [okCheck]);
    expect(outcome.cases[0]!.steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect(outcome.cases[0]!.steps[0]!.reason).toContain('dependency cycle');
  });

  it('a step with nothing to judge fails (never passes); an unknown type is an error', async () => {
    const mute = fakeCheck('mute', () => ({ actual: { x: 1 } }));
    const p = protocol([testCase('IQ-01', [spec('IQ-01.1', 'mute', {}, { expect: undefined }), spec('IQ-01.2', 'nope')])]);
    const [a, b] = (await run(p, [mute])).cases[0]!.steps;
    expect(a!.status).toBe('fail');
    expect(a!.reason).toContain('nothing to judge');
    expect(b!.status).toBe('error');
    expect(b!.reason).toBe('unknown check type "nope"; known: mute');
  });

  it('uses verdicts a check computes itself (implicit checks)', async () => {
    const implicit = fakeCheck('implicit', () => ({ actual: { a: 1 }, assertions: [{ path: 'agree', matcher: 'equals', expected: true, actual: false, pass: false, message: 'tag commit differs from the image revision' }] }));
    const s = (await run(protocol([testCase('IQ-01', [spec('IQ-01.1', 'implicit', {}, { expect: undefined })])]), [implicit])).cases[0]!.steps[0]!;
    expect(s.status).toBe('fail');
    expect(s.reason).toBe('tag commit differs from the image revision');
  });

  it('on abort: running steps stop, the rest are skipped as interrupted, the run is incomplete', async () => {
    const controller = new AbortController();
    const slow = fakeCheck('slow', (_p, ctx) => new Promise((resolve, reject) => {
      const t = setTimeout(() => resolve({ actual: { ok: true } }), 2_000);
      ctx.signal.addEventListener('abort', () => { clearTimeout(t); reject(new Error('aborted')); });
    }));
    const first = fakeCheck('first', () => {
      setTimeout(() => controller.abort(), 20);
      return { actual: { ok: true } };
    });
    const p = protocol([testCase('OQ-01', [spec('OQ-01.1', 'first'), spec('OQ-01.2', 'slow', {}, { dependsOn: ['OQ-01.1'] }), spec('OQ-01.3', 'slow', {}, { dependsOn: ['OQ-01.2'] })])]);
    const t0 = performance.now();
    const outcome = await run(p, [first, slow], { signal: controller.signal });
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(outcome.incomplete).toBe(true);
    expect(outcome.cases[0]!.steps.map((s) => [s.status, s.reason])).toEqual([
      ['pass', null],
      ['skipped', INTERRUPTED],
      ['skipped', INTERRUPTED],
    ]);
  });

  it('asks manual steps one at a time in document order and records who answered', async () => {
    const order: string[] = [];
    let inFlight = 0;
    const ask: ManualAsk = async (q) => {
      inFlight++;
      expect(inFlight).toBe(1);
      order.push(q.stepId);
      await sleep(5);
      inFlight--;
      return { answer: 'yes', by: 'erin', at: '2026-10-05T10:16:00.000Z' };
    };
    const manual: RunnableCheck<object> = {
      type: 'manual',
      observe: async (p, ctx) => {
        const a = await ctx.ask({ stepId: String(p.id), instruction: 'look', expect: 'yes' });
        return { actual: { ok: a?.answer === 'yes' } };
      },
    };
    const p = protocol([
      testCase('PQ-01', [spec('PQ-01.1', 'manual', { id: 'PQ-01.1' }), spec('PQ-01.2', 'manual', { id: 'PQ-01.2' })]),
      testCase('PQ-02', [spec('PQ-02.1', 'manual', { id: 'PQ-02.1' })]),
    ]);
    const outcome = await run(p, [manual], { ask });
    expect(order).toEqual(['PQ-01.1', 'PQ-01.2', 'PQ-02.1']);
    expect(outcome.cases[0]!.steps[0]!.observedBy).toEqual({ id: 'erin', at: '2026-10-05T10:16:00.000Z' });
    expect(outcome.cases.flatMap((c) => c.steps).every((s) => s.status === 'pass')).toBe(true);
  });

  it('reports progress events: every step starts and ends, every case ends once', async () => {
    const events: string[] = [];
    const reporter: RunReporter = {
      start: (plan) => events.push(`start ${plan.steps.length}`),
      stepStart: (s) => events.push(`+${s.id}`),
      stepEnd: (s) => events.push(`-${s.id} ${s.status}`),
      caseEnd: (c) => events.push(`case ${c.testCase.id} ${c.status}`),
      end: () => events.push('end'),
    };
    await run(protocol([testCase('IQ-01', [spec('IQ-01.1', 'ok')]), testCase('IQ-02', [spec('IQ-02.1', 'bad', {}, { dependsOn: ['IQ-01'] })])]), [okCheck, badCheck], { reporter, concurrency: 1 });
    expect(events).toEqual(['start 2', '+IQ-01.1', '-IQ-01.1 pass', 'case IQ-01 pass', '+IQ-02.1', '-IQ-02.1 fail', 'case IQ-02 fail', 'end']);
  });

  it('records times from the injected clock (UTC, Z)', async () => {
    const outcome = await run(protocol([testCase('IQ-01', [spec('IQ-01.1', 'ok')])]), [okCheck], { now: () => new Date('2026-10-05T10:15:00.000Z') });
    expect(outcome.started).toBe('2026-10-05T10:15:00.000Z');
    expect(outcome.cases[0]!.steps[0]!.durationMs).toBe(0);
    expect(outcome.cases[0]!.steps[0]!.attempts[0]!.started).toBe('2026-10-05T10:15:00.000Z');
  });
});

describe('executeRun context', () => {
  it('gives each step its id and expect, and a fresh context for retry attempts', async () => {
    const seen: Array<{ stepId: string; expect: unknown; gen: number }> = [];
    let calls = 0;
    const check: RunnableCheck<{ gen: number }> = {
      type: 'probe',
      observe: async (_p, ctx) => {
        seen.push({ stepId: ctx.stepId, expect: ctx.expect, gen: ctx.gen });
        return { actual: { ok: ++calls >= 2 } };
      },
    };
    const outcome = await executeRun<{ gen: number }>({
      plan: planRun(protocol([testCase('IQ-01', [spec('IQ-01.1', 'probe', {}, { retry: { untilMs: 1_000, everyMs: 5 } })])]), { scope }),
      checks: new Map([['probe', check]]),
      context: { gen: 0 },
      fresh: (c) => ({ gen: c.gen + 1 }),
      judge: judgeWith(equalsEvaluate),
      now: steppingClock(),
    });
    expect(outcome.cases[0]!.steps[0]!.status).toBe('pass');
    expect(seen).toEqual([
      { stepId: 'IQ-01.1', expect: { ok: true }, gen: 0 },
      { stepId: 'IQ-01.1', expect: { ok: true }, gen: 1 },
    ]);
  });
});
