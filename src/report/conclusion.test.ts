import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../model/report.js';
import { qualificationConclusion } from './conclusion.js';

/** The fixture record: IQ-01.1 passed, OQ-01.1 failed with DEV-001 open. */
const base = (): Report => JSON.parse(readFileSync(new URL('../../test/fixtures/render/record/report.json', import.meta.url), 'utf8')) as Report;
const closed = (r: Report): Report => ({ ...r, deviations: r.deviations.map((d) => ({ ...d, status: 'closed' as const, disposition: { text: 'Impact assessed: none; retest passed in record X', by: 'quinn', at: '2026-10-09T08:00:00Z' } })) });
const allPass = (r: Report): Report => ({ ...r, deviations: [], cases: r.cases.map((c) => ({ ...c, status: 'pass' as const, steps: c.steps.map((s) => ({ ...s, status: 'pass' as const, reason: null })) })) });

describe('the conclusion statement (RC-03)', () => {
  it('is "qualified" when every step passed', () => {
    const c = qualificationConclusion(allPass(base()));
    expect(c.verdict).toBe('qualified');
    expect(c.statement).toMatch(/^QUALIFIED\. Every step of QP-0001 revision 01 met its acceptance criteria/);
  });

  it('is "not qualified" while a deviation is open, and names it', () => {
    const c = qualificationConclusion(base());
    expect(c.verdict).toBe('not qualified');
    expect(c.reasons).toEqual(['deviation DEV-001 (step OQ-01.1) is open: it has no QA disposition']);
  });

  it('is "qualified with restrictions" once every deviation is closed, the dispositions being the restrictions', () => {
    const c = qualificationConclusion(closed(base()));
    expect(c.verdict).toBe('qualified with restrictions');
    expect(c.restrictions).toEqual(['DEV-001 (step OQ-01.1): Impact assessed: none; retest passed in record X (dispositioned by quinn at 2026-10-09T08:00:00Z)']);
  });

  it('is "not qualified" for a dry run, an interrupted run, no steps, a failure without deviation or unexplained skips', () => {
    expect(qualificationConclusion({ ...allPass(base()), dryRun: true }).reasons).toEqual(['this is a dry run, NOT A GxP RECORD: a dry run cannot qualify a deployment']);
    expect(qualificationConclusion({ ...allPass(base()), incomplete: true }).reasons).toEqual(['the run was interrupted: not every step ran']);
    expect(qualificationConclusion({ ...base(), cases: [], deviations: [] }).reasons).toEqual(['no step was executed']);
    expect(qualificationConclusion({ ...base(), deviations: [] }).reasons).toEqual(['step OQ-01.1 failed and no deviation records it']);
    const skipped = allPass(base());
    skipped.cases[1]!.steps[0] = { ...skipped.cases[1]!.steps[0]!, status: 'skipped', reason: 'prerequisite did not pass' };
    expect(qualificationConclusion(skipped).reasons).toEqual(['step OQ-01.1 was skipped and no deviation explains it']);
  });
});
