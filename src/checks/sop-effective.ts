// sop.effective — A controlled document of this repository (SOP, protocol) is effective today.
//
// Example:
//   type: sop.effective
//   document_id: SOP-0013
//   min_revision: "05"
//
// Judges itself (no expect needed): the document exists, its computed status is effective (approved,
// signed when a signer registry exists, effective date reached), and its revision is at least
// `min_revision` when given (numeric revisions compare as numbers).
// Observes: document_id, title, revision, status (computed), claimed_status, effective, approval
// (signed, front-matter, none), approvers, approval_date, effective_date, change_control,
// next_review_date, review_due, path, sha256, notes. Effective means: every listed approver signed these
// bytes, the effective date is reached and not before the approval, a revision after 01 names its change.

import type { Assertion } from '../model/report.js';
import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { jsonEvidence } from './support.js';

/** Compares revisions: as numbers when both are numeric ("05" < "10"), else naturally. */
export function compareRevisions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return Number(a) - Number(b);
  return a.localeCompare(b, 'en', { numeric: true });
}

export const sopEffective = defineCheck({
  type: 'sop.effective',
  summary: 'A controlled document (SOP, protocol) of this repository is effective today, at a minimum revision.',
  params: {
    document_id: { kind: 'string', description: 'Document id, e.g. SOP-0013', required: true },
    min_revision: { kind: 'string', description: 'Lowest acceptable revision, e.g. "05"' },
  },
  implicitVerdict: true,
  expectKeys: ['document_id', 'title', 'revision', 'status', 'claimed_status', 'effective', 'approval', 'approvers', 'approval_date', 'effective_date', 'change_control', 'next_review_date', 'review_due', 'path', 'sha256', 'notes'],
  example: ['type: sop.effective', 'document_id: SOP-0013', 'min_revision: "05"', ''].join('\n'),

  async observe(params, ctx) {
    const p = readParams('sop.effective', params);
    const id = p.string('document_id');
    const min = p.optionalString('min_revision');
    const doc = await ctx.documents(id);
    if (!doc) {
      return {
        actual: { document_id: id, exists: false },
        assertions: [{ path: 'document_id', matcher: 'absent', expected: false, actual: null, pass: false, message: `no controlled document ${id} in this repository` }],
        evidence: [jsonEvidence('document', `document control status of ${id}`, { documentId: id, found: false })],
      };
    }
    const actual = {
      document_id: doc.documentId,
      title: doc.title,
      revision: doc.revision,
      status: doc.computedStatus,
      claimed_status: doc.claimedStatus,
      effective: doc.effective,
      approval: doc.approval,
      approvers: doc.approvers,
      approval_date: doc.approvalDate,
      effective_date: doc.effectiveDate,
      change_control: doc.changeControl ?? null,
      next_review_date: doc.nextReviewDate ?? null,
      review_due: doc.reviewDue ?? false,
      path: doc.path,
      sha256: doc.sha256,
      notes: doc.notes,
    };
    const assertions: Assertion[] = [
      {
        path: 'effective', matcher: 'equals', expected: true, actual: doc.effective, pass: doc.effective,
        ...(doc.effective ? {} : { message: `${id} is ${doc.computedStatus}, not effective${doc.notes.length ? `: ${doc.notes.join('; ')}` : ''}` }),
      },
    ];
    if (min !== undefined) {
      const pass = doc.revision !== null && compareRevisions(doc.revision, min) >= 0;
      assertions.push({ path: 'revision', matcher: 'gte', expected: min, actual: doc.revision, pass, ...(pass ? {} : { message: `${id} is at revision ${doc.revision ?? '(none)'}, below ${min}` }) });
    }
    return { actual, assertions, evidence: [jsonEvidence('document', `document control status of ${id}`, doc)] };
  },
});
