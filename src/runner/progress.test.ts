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
      '✓ IQ-01 Case IQ-01  (2 pass)',
      '! error   OQ-01.1  leak  0 ms',
      '    login failed with [MASKED]',
      '! OQ-01 Uses [MASKED]  (1 error)',
      '',
    ].join('\n'));
  });

  it('on a terminal: live lines redrawn in place, final case lines kept, colour only when allowed', async () => {
    const live = await show(true, true);
    expect(live).toContain('\x1b[');
    expect(live).toContain('\x1b[32m✓ IQ-01\x1b[0m Case IQ-01  (2 pass)');
    expect(live).not.toContain(SECRET);
    const noColour = await show(true, false);
    expect(noColour).not.toMatch(/\x1b\[\d+m/);
    // Cursor movement still redraws the live region; what remains is the final lines.
    const finalText = noColour.replace(/[^\n]*\n(?=\x1b\[\d+F)/g, '').replace(/\x1b\[\d+F\x1b\[J/g, '');
    expect(finalText).toContain('✓ IQ-01 Case IQ-01  (2 pass)');
    expect(finalText).toContain('! OQ-01 Uses [MASKED]  (1 error)');
  });
});
