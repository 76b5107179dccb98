// Public API of the signing layer: keys and signers, signing, verification, document approvals,
// the audit trail and attestations.
export { appendAuditEntry, appendAuditEntries, readAuditTrail, checkAuditChain, type AuditEntry, type AuditEntryInput, type AuditTrail, type AuditProblem } from './audit.js';
export { approvalsFor, createApprovalProvider, documentApprovalState, approvalFolder, verifyDocument, type ApprovalSignature, type DocumentApprovalState } from './documents.js';
export { documentRef, readDocumentRef, type DocumentRef } from './document-source.js';
export { verifyReport, createVerifySession, evaluateReport, type VerifySession, type ReportState } from './verify-report.js';
export { verifyPdf } from './verify-pdf.js';
export { signReport, signDocument, closeDeviation, attestReport, resumeReport, type SigningContext, type SignResult } from './sign.js';
export { createSignerKey, requestSignerKey, issueSignerKey, readKeyRequest, unlockSigner, revokeSignerKeys, type CreateKeyOptions, type RequestKeyOptions, type IssueKeyOptions, type KeyRequest, type RevokeOptions } from './enrol.js';
export { acknowledgeSignaturePolicy, requireAcknowledged } from './acknowledge.js';
export { ACKNOWLEDGEMENT_STATEMENT, ACKNOWLEDGEMENTS_DIR, loadAcknowledgements } from './acknowledgement.js';
export { lockState, type LockState } from './lockout.js';
export { signaturePolicy, type SignaturePolicy } from './policy.js';
export { loadSignerRegistry, signersFile, AUDIT_TRAIL, APPROVALS_DIR } from './repo.js';
export { parseSignerRegistry, MEANING_ROLES, ROLES, rolePermits, type SignerRegistry, type SignerRecord, type SignerKey, type Meaning } from './signers.js';
export { canonicalHash as recordHash, canonicalJson, sha256Hex } from './hash.js';
export { buildStatement, type TestResultStatement } from './attest.js';
export { inspectPdf, type PdfInspection, type PdfSignatureInfo } from './pdf-inspect.js';
export { signPdf, type PdfSignOptions } from './pdf-sign.js';
export type { PdfRenderer } from './pdf-render.js';
export { failureCount, type VerifyResult, type SignatureVerdict, type Finding } from './verdict.js';
export { SIGNATURE_PAYLOAD_TYPE, DISPOSITION_PAYLOAD_TYPE, type SignaturePayload, type DispositionPayload } from './payload.js';
