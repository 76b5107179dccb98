// Computed document-control status: front matter claims, approval signatures and dates.
// With a signer registry, every state change comes from a signature (ES-10): approved/effective from
// the approvals of every listed approver, obsolete from an "obsoleted" signature, superseded from a later
// revision that is effective (set across files by the repository). Front matter alone only counts in a
// repository that never had signers, with a warning.
import type { ControlledDocument, DocumentStatus, DocumentStatusInfo } from '../model/index.js';
import { addMonths } from './dates.js';

/** One valid signature over the document's current bytes: who (signer id) and when (UTC). */
export interface SignedEvent {
  signerId: string;
  time: string;
}

/** What the signature layer knows about the signatures of one document. */
export interface ApprovalState {
  /** A signer registry (signers.yaml) exists: only signed approvals count. */
  registry: boolean;
  /** Valid approval signatures over the document's current sha256. */
  signatures: SignedEvent[];
  /** Approval signatures over an earlier content of the file (edited after approval). */
  stale: number;
  /**
   * The signer id a front-matter name designates (by id or by an alias of signers.yaml), null when no
   * signer matches. Absent: names are taken as signer ids.
   */
  resolve?: (name: string) => string | null;
  /** Valid "reviewed" signatures over the current bytes (those after the approval are periodic reviews). */
  reviews?: SignedEvent[];
  /** Valid "trained" signatures over the current bytes, by the trainees. */
  trained?: SignedEvent[];
  /** Valid "obsoleted" signatures over the current bytes: the document is withdrawn. */
  obsoleted?: SignedEvent[];
}

/** Gives the approval state of a document; the signing module provides the real one. */
export type ApprovalProvider = (doc: ControlledDocument) => Promise<ApprovalState>;

/** Used until signatures exist for a repository: no registry, no signatures. */
export const NO_SIGNATURES: ApprovalProvider = async () => ({ registry: false, signatures: [], stale: 0 });

export const APPROVAL_NOT_SIGNED = 'approval recorded but not signed';

/**
 * Codes of the problems the computed status reports to lint. They judge signatures and dates, not the
 * text: the run's gate turns them into "not effective" (exit 3), not into an invalid document.
 */
export const STATUS_FINDING_CODES: ReadonlySet<string> = new Set(['APPROVER_UNKNOWN', 'EFFECTIVE_BEFORE_APPROVAL', 'REVIEW_DUE']);

/** Whether the listed approvers have all signed, and when the last of them did. */
export interface ApprovalOutcome {
  complete: boolean;
  /** Front-matter names (as written) whose approval over these bytes is missing. */
  missing: string[];
  /** Front-matter names that designate no enrolled signer (by id or alias): they can never sign. */
  unknown: string[];
  /** Time of the approval that completed the set; null when incomplete. */
  completedAt: string | null;
}

/**
 * Every listed approver must have signed "approved" over these bytes, matched by signer id or alias; a
 * name no signer answers to blocks the approval (it fails closed). With no approver listed, one valid
 * approval is needed.
 */
export function approvalOutcome(approvers: readonly string[], signatures: readonly SignedEvent[], resolve: (name: string) => string | null = (n) => n): ApprovalOutcome {
  const unknown: string[] = [];
  const missing: string[] = [];
  const times: string[] = [];
  for (const name of approvers) {
    const id = resolve(name);
    if (id === null) {
      unknown.push(name);
      missing.push(name);
      continue;
    }
    const signed = signatures.filter((s) => s.signerId === id).map((s) => s.time).sort();
    if (signed.length) times.push(signed[0]!);
    else missing.push(name);
  }
  if (approvers.length === 0) {
    const first = signatures.map((s) => s.time).sort()[0];
    return { complete: first !== undefined, missing: [], unknown: [], completedAt: first ?? null };
  }
  const complete = missing.length === 0;
  return { complete, missing, unknown, completedAt: complete ? times.sort().at(-1)! : null };
}

/** A revision after the first ("02", "3"...) comes from a change and must name it (DC-09). */
export function revisionNeedsChangeControl(revision: string | null): boolean {
  return revision !== null && /^\d+$/.test(revision.trim()) && Number(revision) > 1;
}

/**
 * Computes the status rules allow, given today's date (YYYY-MM-DD) and the signatures. "approved" and
 * "effective" need an approval (every listed approver signed, when a registry exists; else the front
 * matter with a warning), a change_control for a revision after 01, and, for effective, an effective
 * date reached that is not before the last approval signature (DC-03).
 */
export function computeDocumentStatus(doc: ControlledDocument, today: string, approvals: ApprovalState): DocumentStatusInfo {
  const m = doc.meta;
  const notes: string[] = [];
  const findings: DocumentStatusInfo['findings'] = [];
  const claimed = m.status;
  let approval: DocumentStatusInfo['approval'] = 'none';
  let approvalDate = m.approvalDate;
  let approvedAt: string | null = null;

  const claimsApproval = claimed === 'approved' || claimed === 'effective' || claimed === 'superseded' || (claimed === null && m.approvalDate !== null);
  if (approvals.registry) {
    const outcome = approvalOutcome(m.approvers, approvals.signatures, approvals.resolve);
    for (const name of outcome.unknown) {
      const message = `approver "${name}" matches no signer id or alias of the signer registry: nobody can sign for this name, so the document cannot be approved; add "${name}" to the person's aliases in signers.yaml`;
      notes.push(message);
      findings.push({ code: 'APPROVER_UNKNOWN', severity: 'warning', field: 'approvers', message });
    }
    if (outcome.complete) {
      approval = 'signed';
      // The approval took effect with the last required signature.
      approvedAt = outcome.completedAt!;
      approvalDate = approvedAt.slice(0, 10);
    } else if (approvals.signatures.length > 0) {
      notes.push(`approval signatures missing from: ${outcome.missing.join(', ')}`);
    } else if (claimsApproval) {
      notes.push(APPROVAL_NOT_SIGNED);
    }
    if (approvals.stale > 0 && approval !== 'signed') notes.push('the file changed after it was approved: the approval signature covers an earlier content');
  } else if (claimsApproval) {
    approval = 'front-matter';
    notes.push(APPROVAL_NOT_SIGNED);
  }

  const needsChange = revisionNeedsChangeControl(m.revision) && !m.changeControl;
  let computed: DocumentStatus;
  const obsoleted = approvals.obsoleted ?? [];
  if (approvals.registry && obsoleted.length) {
    computed = 'obsolete';
    const o = [...obsoleted].sort((a, b) => a.time.localeCompare(b.time))[0]!;
    notes.push(`withdrawn (obsoleted) by ${o.signerId} at ${o.time}`);
  } else if (!approvals.registry && (claimed === 'superseded' || claimed === 'obsolete')) {
    // No signatures in this repository yet: the front matter is all there is (warned above).
    computed = claimed;
  } else if (approval === 'none') {
    computed = claimed === 'draft' ? 'draft' : claimed === null && !m.approvalDate ? 'draft' : 'in-review';
    if (claimed === 'approved' || claimed === 'effective') notes.push(`claimed "${claimed}" is not established`);
  } else if (needsChange) {
    computed = 'in-review';
    notes.push(`revision ${m.revision} names no change_control: a revision after 01 is approved only with the change record that justifies it (DC-09)`);
  } else if (!m.effectiveDate) {
    computed = 'approved';
    notes.push('no effective_date recorded');
  } else if (approvalDate && m.effectiveDate < approvalDate) {
    // A document cannot take effect before its approval; signed late, the date in the signed bytes is wrong.
    computed = 'approved';
    const message = approval === 'signed'
      ? `effective_date ${m.effectiveDate} is before the last approval signature (${approvedAt}): a document cannot take effect before it is approved (DC-03); set an effective_date on or after the approval and have it approved again`
      : `effective_date ${m.effectiveDate} is before approval_date ${approvalDate}`;
    notes.push(message);
    if (approval === 'signed') findings.push({ code: 'EFFECTIVE_BEFORE_APPROVAL', severity: 'error', field: 'effective_date', message });
  } else if (m.effectiveDate > today) {
    computed = 'approved';
    notes.push(`not effective before ${m.effectiveDate}`);
  } else {
    computed = 'effective';
  }
  if (approvals.registry && computed !== 'obsolete' && (claimed === 'superseded' || claimed === 'obsolete')) {
    notes.push(`claimed "${claimed}" is not established by signature: no "obsoleted" signature covers this file and no later revision is effective`);
  }

  const review = periodicReview(m.reviewPeriodMonths, m.effectiveDate, approvedAt, approvals.reviews ?? [], computed, today);
  if (review.due) {
    const message = `periodic review due since ${review.next} (review_period_months: ${m.reviewPeriodMonths}, counted from ${review.last ? `the last review on ${review.last}` : `the effective date ${m.effectiveDate}`}); record it with "qualify sign <file> --meaning reviewed"`;
    notes.push(message);
    findings.push({ code: 'REVIEW_DUE', severity: 'warning', field: 'review_period_months', message });
  }
  const trained = approvals.registry ? [...(approvals.trained ?? [])].sort((a, b) => a.time.localeCompare(b.time)) : [];

  return {
    documentId: m.documentId ?? doc.path,
    title: m.title,
    revision: m.revision,
    path: doc.path,
    sha256: doc.sha256,
    claimedStatus: claimed,
    computedStatus: computed,
    effective: computed === 'effective',
    approval,
    approvers: m.approvers,
    approvalDate,
    effectiveDate: m.effectiveDate,
    changeControl: m.changeControl,
    reviewPeriodMonths: m.reviewPeriodMonths,
    lastReview: review.last,
    nextReviewDate: review.next,
    reviewDue: review.due,
    trainingRequired: m.trainingRequired === true,
    trained,
    notes,
    findings,
  };
}

/**
 * The periodic review (DC-06): due `months` after the effective date, or after the last review (a valid
 * "reviewed" signature over these bytes made after the approval), whichever is later.
 */
function periodicReview(months: number | null, effectiveDate: string | null, approvedAt: string | null, reviews: SignedEvent[], computed: DocumentStatus, today: string): { last: string | null; next: string | null; due: boolean } {
  const after = approvedAt ? reviews.filter((r) => r.time > approvedAt).map((r) => r.time.slice(0, 10)).sort() : [];
  const last = after.at(-1) ?? null;
  if (!months || !effectiveDate || (computed !== 'effective' && computed !== 'approved')) return { last, next: null, due: false };
  const from = last && last > effectiveDate ? last : effectiveDate;
  const next = addMonths(from, months);
  return { last, next, due: computed === 'effective' && next <= today };
}

/**
 * A warning when a protocol approved by signature requires training and the executor has not signed
 * "trained" on this revision; null otherwise. The run calls it with the executor's signer id.
 */
export function trainingWarning(status: DocumentStatusInfo, executorId: string): string | null {
  // Training is recorded by signature: a repository without signers has no records to look for.
  if (!status.trainingRequired || status.approval !== 'signed') return null;
  if (status.trained.some((t) => t.signerId === executorId)) return null;
  const who = status.trained.length ? `trained: ${status.trained.map((t) => t.signerId).join(', ')}` : 'nobody has signed "trained" on it yet';
  return `No training record: ${executorId} has not signed "trained" on ${status.documentId} revision ${status.revision ?? '(none)'}, which requires training (${who}); record it with "qualify sign ${status.path} --as ${executorId} --meaning trained".`;
}
