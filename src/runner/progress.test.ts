import { describe, expect, it } from 'vitest';
import { createProgressReporter } from './progress.js';
import { executeRun, judgeWith } from './run.js';
import { planRun } from './plan.js';
import { equalsEvaluate, fakeCheck, protocol, spec, steppingClock, testCase } from '../../test/helpers/runner-fixtures.js';

const SECRET = 'hunter2-secret';

async function show(live: boolean, color: boolean): Promise<string> {
  let out = '';
  const reporter = createProgressReporter({ out: { write: (t) => (out += t), isTTY: live }, live, color, mask: (t) => t.replaceAll(SECRET, '[MASKED]') });
  const p = protocol([
    testCase('IQ-01', [spec('IQ-01.1', 'ok'), spec('IQ-01.2', 'ok')]),
    testCase('OQ-01', [spec('OQ-01.1', 'leak')], { title: `Uses ${SECRET}` }),
  ]);
  await executeRun<object>({
    plan: planRun(p, { scope: { run: { id: 'r', started: 's' } } }),
    checks: new Map([
      ['ok', fakeCheck('ok', () => ({ actual: { ok: true } }))],
      ['leak', fakeCheck('leak', () => { throw new Error(`login failed with ${SECRET}`); })],
    ]),
    context: {},
    judge: judgeWith(equalsEvaluate),
    now: steppingClock('2026-10-05T10:15:00.000Z', 0),
    reporter,
    concurrency: 1,
  });
  return out;
}

describe('createProgressReporter', () => {
  it('plain lines when not a terminal: one per step and per case, no escape codes, secrets masked', async () => {
    const out = await show(false, false);
    expect(out).toBe([
      'running 3 steps in 2 cases',
      '✓ pass    IQ-01.1  ok  0 ms',
      '✓ pass    IQ-01.2  ok  0 ms',
      '✓ IQ-01 Case IQ-01  (2 passed)',
      '! error   OQ-01.1  leak  0 ms',
      '    login failed with [MASKED]',
      '! OQ-01 Uses [MASKED]  (1 error)',
      '',
    ].join('\n'));
  });

  it('on a terminal: live lines redrawn in place, final case lines kept, colour only when allowed', async () => {
    const live = await show(true, true);
    expect(live).toContain('\x1b[');
    expect(live).toContain('\x1b[32m✓ IQ-01\x1b[0m Case IQ-01  (2 passed)');
    expect(live).not.toContain(SECRET);
    const noColour = await show(true, false);
    expect(noColour).not.toMatch(/\x1b\[\d+m/);
    // Cursor movement still redraws the live region; what remains is the final lines.
    const finalText = noColour.replace(/[^\n]*\n(?=\x1b\[\d+F)/g, '').replace(/\x1b\[\d+F\x1b\[J/g, '');
    expect(finalText).toContain('✓ IQ-01 Case IQ-01  (2 passed)');
    expect(finalText).toContain('! OQ-01 Uses [MASKED]  (1 error)');
  });
});

/** A promise resolved from outside. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('protocol order and the prompt (issue 9 item 22)', () => {
  const p = protocol([
    testCase('IQ-01', [spec('IQ-01.1', 'slow')]),
    testCase('IQ-02', [spec('IQ-02.1', 'fast'), spec('IQ-02.2', 'fast')]),
    testCase('OQ-01', [spec('OQ-01.1', 'fast')]),
  ]);

  it.each([false, true])('cases finishing out of order are printed in protocol order (live: %s)', async (live) => {
    let out = '';
    const reporter = createProgressReporter({ out: { write: (t) => (out += t), isTTY: live }, live, color: false, mask: (t) => t });
    const fastDone = deferred();
    let fastLeft = 3;
    await executeRun<object>({
      plan: planRun(p, { scope: { run: { id: 'r', started: 's' } } }),
      checks: new Map([
        // IQ-01 finishes only after every other case did.
        ['slow', fakeCheck('slow', async () => { await fastDone.promise; return { actual: { ok: true } }; })],
        ['fast', fakeCheck('fast', () => { if (--fastLeft === 0) setTimeout(fastDone.resolve, 0); return { actual: { ok: true } }; })],
      ]),
      context: {},
      judge: judgeWith(equalsEvaluate),
      now: steppingClock('2026-10-05T10:15:00.000Z', 0),
      reporter,
      concurrency: 4,
    });
    const finalText = out.replace(/[^\n]*\n(?=\x1b\[\d+F)/g, '').replace(/\x1b\[\d+F\x1b\[J/g, '');
    const at = (id: string) => finalText.indexOf(`✓ ${id} `);
    expect(at('IQ-01')).toBeGreaterThan(-1);
    expect(at('IQ-01')).toBeLessThan(at('IQ-02'));
    expect(at('IQ-02')).toBeLessThan(at('OQ-01'));
    if (!live) {
      expect(out).toBe([
        'running 4 steps in 3 cases',
        '✓ pass    IQ-01.1  slow  0 ms',
        '✓ IQ-01 Case IQ-01  (1 passed)',
        '✓ pass    IQ-02.1  fast  0 ms',
        '✓ pass    IQ-02.2  fast  0 ms',
        '✓ IQ-02 Case IQ-02  (2 passed)',
        '✓ pass    OQ-01.1  fast  0 ms',
        '✓ OQ-01 Case OQ-01  (1 passed)',
        '',
      ].join('\n'));
    }
  });

  it.each([false, true])('nothing is printed while the prompt is on the screen; held lines follow the answer (live: %s)', async (live) => {
    let out = '';
    const reporter = createProgressReporter({ out: { write: (t) => (out += t), isTTY: live }, live, color: false, mask: (t) => t });
    const othersDone = deferred();
    const duringPrompt: string[] = [];
    const m = protocol([testCase('OQ-03', [spec('OQ-03.1', 'manual')]), testCase('OQ-04', [spec('OQ-04.1', 'fast'), spec('OQ-04.2', 'fast'), spec('OQ-04.3', 'fast')])]);
    await executeRun<object>({
      plan: planRun(m, { scope: { run: { id: 'r', started: 's' } } }),
      checks: new Map([
        ['manual', fakeCheck('manual', async () => {
          await reporter.suspend(async () => {
            const before = out.length;
            // The other case finishes (its end reaches the reporter) while the person reads the question.
            await othersDone.promise;
            duringPrompt.push(out.slice(before));
          });
          return { actual: { ok: true } };
        })],
        ['fast', fakeCheck('fast', () => ({ actual: { ok: true } }))],
      ]),
      context: {},
      judge: judgeWith(equalsEvaluate),
      now: steppingClock('2026-10-05T10:15:00.000Z', 0),
      reporter: {
        ...reporter,
        caseEnd(c) {
          reporter.caseEnd!(c);
          if (c.testCase.id === 'OQ-04') othersDone.resolve();
        },
      },
      concurrency: 4,
    });
    expect(duringPrompt).toEqual(['']);
    expect(out).toContain('✓ OQ-04 Case OQ-04  (3 passed)');
    expect(out.indexOf('✓ OQ-03 ')).toBeLessThan(out.indexOf('✓ OQ-04 '));
  });
});
