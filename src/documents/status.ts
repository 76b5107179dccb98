// Computed document-control status: front matter claims, approval signatures and dates.
import type { ControlledDocument, DocumentStatus, DocumentStatusInfo } from '../model/index.js';

/** What the signature layer knows about approvals of one document. */
export interface ApprovalState {
  /** A signer registry (signers.yaml) exists: only signed approvals count. */
  registry: boolean;
  /** Valid approval signatures over the document's current sha256. */
  signatures: Array<{ signerId: string; time: string }>;
  /** Approval signatures over an earlier content of the file (edited after approval). */
  stale: number;
}

/** Gives the approval state of a document; the signing module provides the real one. */
export type ApprovalProvider = (doc: ControlledDocument) => Promise<ApprovalState>;

/** Used until signatures exist for a repository: no registry, no signatures. */
export const NO_SIGNATURES: ApprovalProvider = async () => ({ registry: false, signatures: [], stale: 0 });

export const APPROVAL_NOT_SIGNED = 'approval recorded but not signed';

/**
 * Computes the status rules allow, given today's date (YYYY-MM-DD) and the approval state.
 * Superseded/obsolete claims are kept; "approved"/"effective" need an approval (signed when a
 * registry exists, else the front matter with a warning) and, for effective, an effective date reached.
 */
export function computeDocumentStatus(doc: ControlledDocument, today: string, approvals: ApprovalState): DocumentStatusInfo {
  const m = doc.meta;
  const notes: string[] = [];
  const claimed = m.status;
  let approval: DocumentStatusInfo['approval'] = 'none';
  let approvalDate = m.approvalDate;

  const claimsApproval = claimed === 'approved' || claimed === 'effective' || claimed === 'superseded' || (claimed === null && m.approvalDate !== null);
  if (approvals.registry) {
    if (approvals.signatures.length > 0) {
      const signers = new Set(approvals.signatures.map((s) => s.signerId));
      const missing = m.approvers.filter((a) => !signers.has(a));
      if (missing.length === 0) {
        approval = 'signed';
        // The approval took effect with the last required signature.
        const last = approvals.signatures.map((s) => s.time).sort().at(-1)!;
        approvalDate = last.slice(0, 10);
      } else {
        notes.push(`approval signatures missing from: ${missing.join(', ')}`);
      }
    } else if (claimsApproval) {
      notes.push(APPROVAL_NOT_SIGNED);
    }
    if (approvals.stale > 0 && approval !== 'signed') notes.push('the file changed after it was approved: the approval signature covers an earlier content');
  } else if (claimsApproval) {
    approval = 'front-matter';
    notes.push(APPROVAL_NOT_SIGNED);
  }

  let computed: DocumentStatus;
  if (claimed === 'superseded' || claimed === 'obsolete') {
    computed = claimed;
  } else if (approval === 'none') {
    computed = claimed === 'draft' ? 'draft' : claimed === null && !m.approvalDate ? 'draft' : 'in-review';
    if (claimed === 'approved' || claimed === 'effective') notes.push(`claimed "${claimed}" is not established`);
  } else if (m.effectiveDate && m.effectiveDate <= today && (!approvalDate || m.effectiveDate >= approvalDate || approval === 'signed')) {
    computed = 'effective';
    if (approval === 'signed' && approvalDate && m.effectiveDate < approvalDate) {
      // Signed after the planned effective date: effective from the signature on.
      notes.push(`effective from ${approvalDate} (signed after the planned effective date ${m.effectiveDate})`);
    }
  } else {
    computed = 'approved';
    notes.push(m.effectiveDate ? `not effective before ${m.effectiveDate}` : 'no effective_date recorded');
  }
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
    notes,
  };
}
