// How a signature is shown to a reader (signature page, verify output). The cryptographic envelope lives in signing/.

/**
 * What a signature means. Reports: executed, reviewed, approved. Controlled documents: authored, reviewed
 * (before approval, or a periodic review after it), approved, trained (the signer was trained on this
 * revision) and obsoleted (the document is withdrawn).
 */
export type SignatureMeaning = 'authored' | 'executed' | 'reviewed' | 'approved' | 'trained' | 'obsoleted';

export interface SignatureManifestation {
  signerId: string;
  /** Printed name from signers.yaml, never free text. */
  name: string;
  meaning: SignatureMeaning;
  /** UTC, ISO 8601 with Z. */
  time: string;
  /** sha256 of what was signed (canonical record, or document file). */
  subjectHash: string;
  /** Fingerprint (sha256 of the public key or certificate) of the signing key. */
  keyFingerprint: string;
  comment: string | null;
  /** Role(s) of the signer at signing time, for the page. */
  roles?: string[];
}
