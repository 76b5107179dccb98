// sop.effective and manual: they observe through the run's document lookup and the executor's answers
// (contracts provided by the runner), so these tests pass small in-memory implementations of both.
import { describe, expect, it } from 'vitest';
import type { DocumentStatusInfo, ManualAsk } from '../model/check.js';
import { createProbes } from '../probes/index.js';
import type { CheckContext } from './define.js';
import { judgeObservation } from './define.js';
import { manual } from './manual.js';
import { sopEffective } from './sop-effective.js';

const probes = createProbes({ env: {} });

function doc(over: Partial<DocumentStatusInfo>): DocumentStatusInfo {
  return {
    documentId: 'SOP-0013', title: 'Release and Operations', revision: '05', path: 'sops/SOP-0013.md', sha256: 'f'.repeat(64),
    claimedStatus: 'effective', computedStatus: 'effective', effective: true, approval: 'signed', approvers: ['quinn'],
    approvalDate: '2026-10-01', effectiveDate: '2026-10-05', notes: [], ...over,
  };
}

function context(over: Partial<CheckContext> = {}): CheckContext {
  return { probes, signal: AbortSignal.timeout(5000), repoRoot: process.cwd(), now: () => new Date('2026-11-01T00:00:00Z'), documents: async () => null, ask: async () => null, ...over };
}

describe('sop.effective', () => {
  const lookup = (d: DocumentStatusInfo | null) => async (id: string) => (d && d.documentId === id ? d : null);

  it('passes an effective document at or above the minimum revision', async () => {
    const obs = await sopEffective.observe({ document_id: 'SOP-0013', min_revision: '5' }, context({ documents: lookup(doc({})) }));
    expect(judgeObservation(sopEffective, undefined, obs)).toMatchObject({ status: 'pass', expected: null });
    expect(obs.actual).toMatchObject({ document_id: 'SOP-0013', revision: '05', status: 'effective', approval: 'signed' });
    expect(JSON.parse(String(obs.evidence![0]!.content)).sha256).toBe('f'.repeat(64));
  });

  it('fails a document that is not effective, with the reasons, or below the revision, or absent', async () => {
    const draft = await sopEffective.observe({ document_id: 'SOP-0013' }, context({ documents: lookup(doc({ effective: false, computedStatus: 'approved', notes: ['approval recorded but not signed'] })) }));
    expect(judgeObservation(sopEffective, undefined, draft).reason).toBe('effective: SOP-0013 is approved, not effective: approval recorded but not signed');
    const old = await sopEffective.observe({ document_id: 'SOP-0013', min_revision: '06' }, context({ documents: lookup(doc({})) }));
    expect(judgeObservation(sopEffective, undefined, old).reason).toBe('revision: SOP-0013 is at revision 05, below 06');
    const none = await sopEffective.observe({ document_id: 'SOP-9999' }, context({ documents: lookup(doc({})) }));
    expect(judgeObservation(sopEffective, undefined, none)).toMatchObject({ status: 'fail', reason: 'document_id: no controlled document SOP-9999 in this repository' });
  });
});

describe('manual', () => {
  it('asks with the step id, instruction and expect; records who and when', async () => {
    const questions: unknown[] = [];
    const ask: ManualAsk = async (q) => {
      questions.push(q);
      return { answer: 'pass: footer shows 1.4.2', by: 'erin', at: '2026-11-01T10:00:00Z' };
    };
    const expectBlock = { observation: 'The footer shows 1.4.2' };
    const obs = await manual.observe({ instruction: 'Open the dashboard' }, context({ ask, stepId: 'PQ-01.1', expect: expectBlock }));
    expect(questions).toEqual([{ stepId: 'PQ-01.1', instruction: 'Open the dashboard', expect: expectBlock }]);
    expect(obs.actual).toEqual({ answer: 'pass: footer shows 1.4.2', result: 'pass', comment: 'footer shows 1.4.2', observed_by: 'erin', observed_at: '2026-11-01T10:00:00Z' });
    expect(judgeObservation(manual, expectBlock, obs).status).toBe('pass');
  });

  it('fails on a recorded failure, errors without an answer or with an unclear one', async () => {
    const failed = await manual.observe({ instruction: 'x' }, context({ ask: async () => ({ answer: 'fail - banner missing', by: 'erin', at: 't' }) }));
    expect(judgeObservation(manual, undefined, failed)).toMatchObject({ status: 'fail', reason: 'result: erin recorded a failure: banner missing' });
    await expect(manual.observe({ instruction: 'x' }, context({ stepId: 'PQ-01.1' }))).rejects.toMatchObject({ code: 'MANUAL_NO_ANSWER' });
    await expect(manual.observe({ instruction: 'x' }, context({ ask: async () => ({ answer: 'looks fine', by: 'erin', at: 't' }) }))).rejects.toMatchObject({ code: 'MANUAL_ANSWER_UNCLEAR' });
  });
});
