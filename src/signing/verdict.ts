// What verification reports: one verdict per signature, and findings for everything else.

export interface SignatureVerdict {
  /** File of the envelope, relative to the report folder (reports) or the repository (documents). */
  file: string;
  signerId: string | null;
  name: string | null;
  meaning: string | null;
  time: string | null;
  keyFingerprint: string | null;
  comment: string | null;
  valid: boolean;
  /** Why the signature does not hold; empty when valid. */
  reasons: string[];
  /** Facts a reader should know that do not invalidate it (e.g. the key was revoked later). */
  notes: string[];
}

export interface Finding {
  /** Stable code, e.g. RECORD_ALTERED, EVIDENCE_ALTERED, AUDIT_CHAIN_BROKEN. */
  code: string;
  message: string;
  file?: string;
}

export interface VerifyResult {
  /** What was verified, as given. */
  target: string;
  kind: 'report' | 'document' | 'pdf';
  ok: boolean;
  /** Report id or document id. */
  id: string | null;
  /** Record hash (canonical report.json) or document file sha256. */
  sha256: string | null;
  /** Report: recorded | executed | reviewed | approved. Document: approved | not approved. */
  state: string;
  signatures: SignatureVerdict[];
  /** Deviation dispositions (reports). */
  dispositions: SignatureVerdict[];
  /** Failures other than a signature's own (record, evidence, PDF, audit trail...). */
  findings: Finding[];
  /** What was checked and held, one line each, for the human summary. */
  passed: string[];
  /** Informative remarks that are not failures. */
  notes: string[];
}

/** Number of problems that make verification fail. */
export function failureCount(r: VerifyResult): number {
  return r.findings.length + r.signatures.filter((s) => !s.valid).length + r.dispositions.filter((s) => !s.valid).length;
}
