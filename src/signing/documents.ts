// Approval of controlled documents (SOPs, protocols): signatures over the file's sha256 at a revision,
// stored in the repository under approvals/<document_id>/<revision>/NN-<meaning>-<signer>.dsse.json.
// "Approved" is computed from valid approval signatures over the file's current bytes, so a file
// edited after its approval is no longer approved.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApprovalError } from '../model/errors.js';
import { formatIssue } from '../model/issue.js';
import type { ControlledDocument } from '../model/document.js';
import { approvalOutcome, type ApprovalProvider } from '../documents/status.js';
import type { SignatureManifestation } from '../model/signature.js';
import { auditFindings, readAuditTrail, type AuditTrail } from './audit.js';
import { documentRef, readDocumentRef, type DocumentRef } from './document-source.js';
import { DOCUMENT_MEANINGS } from './payload.js';
import { APPROVALS_DIR, loadSignerRegistry } from './repo.js';
import { signersEvidence } from './signers-history.js';
import { checkSignatureFolder, manifestationOf, readSignedFiles, settle, type FolderEntry, type SignedFile } from './signature-folder.js';
import { short, type SignerRegistry } from './signers.js';
import type { Finding, VerifyResult } from './verdict.js';
import type { WitnessResult } from './trail-witness.js';

/** A valid signature as shown to readers, with its file (relative to the repository). */
export interface ApprovalSignature extends SignatureManifestation {
  file: string;
}

export interface DocumentApprovalState {
  documentId: string;
  revision: string | null;
  sha256: string;
  /** False when the repository has no signers.yaml: approvals come from front matter, unsigned. */
  registry: boolean;
  /** True when every listed approver (by signer id or alias) signed "approved" over the current bytes (or one did, when none is named). */
  approved: boolean;
  /** Valid "approved" signatures over the current bytes, in signing order. */
  approvals: ApprovalSignature[];
  /** Time of the approval that completed the set; null when not approved. */
  approvedAt: string | null;
  /** Front-matter approvers (as written) without an approval over the current bytes, including names no signer answers to. */
  missingApprovers: string[];
  /** The revision was approved with other bytes and the current bytes are not: edited after approval. */
  editedAfterApproval: boolean;
  notes: string[];
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/** Folder (relative to the repository) holding the signatures of a document revision. */
export function approvalFolder(documentId: string, revision: string | null): string {
  return `${APPROVALS_DIR}/${safe(documentId)}/${revision ? safe(revision) : '_'}`;
}

/** The signature files of the document's current revision, in order. */
export function documentSignatureFiles(root: string, doc: DocumentRef): SignedFile[] {
  const folder = approvalFolder(doc.documentId, doc.revision);
  return readSignedFiles(join(root, folder), folder);
}

/** Checks every signature of the document's current revision folder (plus `extra`, a signature being made). */
export function checkDocumentSignatures(root: string, doc: DocumentRef, registry: SignerRegistry | null, now: Date, extra: SignedFile[] = []): FolderEntry[] {
  const entries = checkSignatureFolder([...documentSignatureFiles(root, doc), ...extra], registry, { now, meanings: DOCUMENT_MEANINGS, repeatable: ['reviewed'] });
  for (const e of entries) {
    const s = e.payload?.subject;
    if (!s) continue;
    if (s.kind !== 'document') e.verdict.reasons.push('signs a report, not a document');
    else if (s.documentId !== doc.documentId || (s.revision ?? null) !== doc.revision) {
      e.verdict.reasons.push(`signs ${s.documentId} revision ${s.revision ?? 'none'}, but this folder holds ${doc.documentId} revision ${doc.revision ?? 'none'}`);
    }
  }
  settle(entries);
  return entries;
}

function emptyState(doc: DocumentRef, registry: boolean): DocumentApprovalState {
  return {
    documentId: doc.documentId,
    revision: doc.revision,
    sha256: doc.sha256,
    registry,
    approved: false,
    approvals: [],
    approvedAt: null,
    missingApprovers: [],
    editedAfterApproval: false,
    notes: [],
  };
}

/** The approval state of a document from its signatures (no signers.yaml: nothing is signed). */
export function documentApprovalState(root: string, doc: DocumentRef, options: { now?: Date; registry?: SignerRegistry | null } = {}): DocumentApprovalState {
  const registry = options.registry !== undefined ? options.registry : loadSignerRegistry(root);
  const state = emptyState(doc, registry !== null);
  if (!registry) {
    state.notes.push('approval not signed: the repository has no signer registry, the front matter approval is used');
    return state;
  }
  return approvalStateFrom(state, doc, registry, checkDocumentSignatures(root, doc, registry, options.now ?? new Date()));
}

function approvalStateFrom(state: DocumentApprovalState, doc: DocumentRef, registry: SignerRegistry, entries: FolderEntry[]): DocumentApprovalState {
  const approvals = entries.filter((e) => e.verdict.valid && e.payload!.meaning === 'approved');
  const current = approvals.filter((e) => e.payload!.subject.sha256 === doc.sha256);
  state.approvals = current.map((e) => ({ file: e.checked.file, ...manifestationOf(e) }));
  // The same rule as the computed status: every listed approver, by signer id or alias, signed these bytes.
  const outcome = approvalOutcome(doc.approvers, current.map((e) => ({ signerId: e.payload!.signer.id, time: e.payload!.time })), resolverOf(registry));
  for (const a of outcome.unknown) state.notes.push(`approver "${a}" named in the front matter matches no signer id or alias in ${registry.file}: nobody can approve for this name`);
  state.missingApprovers = outcome.missing;
  state.approved = outcome.complete;
  state.approvedAt = outcome.completedAt;
  if (!state.approved && approvals.some((e) => e.payload!.subject.sha256 !== doc.sha256)) {
    state.editedAfterApproval = true;
    const old = approvals.find((e) => e.payload!.subject.sha256 !== doc.sha256)!;
    state.notes.push(`edited after approval: revision ${doc.revision ?? '(none)'} was approved as sha256 ${short(old.payload!.subject.sha256)} (${old.checked.file}), the file is now ${short(doc.sha256)}`);
  }
  if (!state.approved && state.missingApprovers.length) state.notes.push(`awaiting approval by ${state.missingApprovers.join(', ')}`);
  for (const e of entries) if (!e.verdict.valid) state.notes.push(`${e.checked.file}: invalid: ${e.verdict.reasons.join('; ')}`);
  return state;
}

/** Front-matter name → enrolled signer id (by id or alias), null when no signer answers to it. */
export function resolverOf(registry: SignerRegistry): (name: string) => string | null {
  return (name) => registry.resolve(name)?.id ?? null;
}

/**
 * The valid approval signatures over the document's current bytes, for computeDocumentStatus.
 * `[]` when there are none or the repository has no signers.yaml (check `documentApprovalState` for why).
 */
export async function approvalsFor(doc: Pick<ControlledDocument, 'path' | 'sha256' | 'meta'> | DocumentRef, repoRoot: string, options: { now?: Date } = {}): Promise<ApprovalSignature[]> {
  const ref = 'meta' in doc ? documentRef(doc) : doc;
  return documentApprovalState(repoRoot, ref, options).approvals;
}

/**
 * What verifying many documents of one repository shares (a VerifySession of verify-report.ts): the signer
 * registry and the audit trail, read and checked once instead of once per document.
 */
export interface DocumentVerifySession {
  registry: SignerRegistry | null;
  registryProblem: string | null;
  audit(): AuditTrail;
  /** The repository as witness of the audit trail, computed once per session (verify-report.ts). */
  witness?(): Promise<WitnessResult>;
}

/** Verifies a document file: its signatures, and whether its bytes are the approved ones. */
export async function verifyDocument(root: string, file: string, options: { now: Date; target?: string; session?: DocumentVerifySession }): Promise<VerifyResult> {
  const doc = await readDocumentRef(root, file);
  const session = options.session;
  // An invalid signers.yaml throws here as without a session.
  const registry = session && !session.registryProblem ? session.registry : loadSignerRegistry(root);
  const result: VerifyResult = {
    target: options.target ?? doc.path, kind: 'document', ok: false, id: doc.documentId, sha256: doc.sha256,
    state: 'not approved', signatures: [], dispositions: [], findings: [], passed: [], notes: [],
  };
  const findings: Finding[] = result.findings;
  if (!registry) {
    const evidence = await signersEvidence(root);
    if (evidence) {
      findings.push({ code: 'SIGNERS_MISSING', file: doc.path, message: `the signer registry is missing, but this repository has had electronic signatures (${evidence}): the approval of ${doc.documentId} cannot be checked` });
      return result;
    }
    result.notes.push('no signer registry: nothing is signed in this repository');
    if (doc.claimedStatus === 'approved' || doc.claimedStatus === 'effective') result.notes.push(`approval not signed: the front matter claims "${doc.claimedStatus}"`);
    result.ok = true;
    return result;
  }
  const files = documentSignatureFiles(root, doc);
  const entries = checkDocumentSignatures(root, doc, registry, options.now);
  result.signatures = entries.map((e) => e.verdict);
  const audit = auditFindings(session ? session.audit() : readAuditTrail(root), { type: 'document', id: doc.documentId }, files, `${approvalFolder(doc.documentId, doc.revision)}/`);
  findings.push(...audit.findings);
  result.passed.push(...audit.passed);
  // The trail as the whole repository witnesses it (trail-witness.ts), without repeating this document's findings.
  // A session (many documents, one build) witnesses the trail once; a single document, here.
  const witness = session?.witness ? await session.witness() : await (await import('./trail-witness.js')).witnessTrail(root, readAuditTrail(root), registry, { now: options.now, git: { env: process.env } });
  findings.push(...witness.findings.filter((w) => !findings.some((f) => f.code === w.code && f.file === w.file)));
  result.passed.push(...witness.passed);
  const state = approvalStateFrom(emptyState(doc, true), doc, registry, entries);
  result.state = state.approved ? 'approved' : 'not approved';
  if (state.editedAfterApproval) {
    findings.push({ code: 'DOCUMENT_EDITED_AFTER_APPROVAL', file: doc.path, message: state.notes.find((n) => n.startsWith('edited after approval')) ?? 'edited after approval' });
  } else if (!state.approved && (doc.claimedStatus === 'approved' || doc.claimedStatus === 'effective')) {
    findings.push({ code: 'DOCUMENT_APPROVAL_UNSIGNED', file: doc.path, message: `the front matter claims "${doc.claimedStatus}" but no valid approval signature covers sha256 ${short(doc.sha256)}: approval recorded but not signed` });
  }
  if (state.approved) result.passed.push(`approved over sha256 ${short(doc.sha256)} by ${state.approvals.map((a) => a.signerId).join(', ')} (last at ${state.approvedAt})`);
  for (const n of state.notes) if (!n.startsWith('edited after approval') && !n.includes(': invalid: ')) result.notes.push(n);
  result.ok = findings.length === 0 && entries.every((e) => e.verdict.valid);
  return result;
}

/**
 * The approval provider of src/documents (computeDocumentStatus, loadRepository): valid approval
 * signatures over each document's current bytes, and how many cover an earlier content of the same revision.
 */
export function createApprovalProvider(repoRoot: string, options: { now?: Date } = {}): ApprovalProvider {
  // One read of signers.yaml per provider, not one per document (lint of 1,000 documents).
  let cached: Promise<{ registry: ReturnType<typeof loadSignerRegistry>; hadSigners: boolean }> | null = null;
  return async (doc) => {
    cached ??= (async () => {
      const registry = loadSignerRegistry(repoRoot);
      // A repository that has had signers never falls back to front-matter approval: nothing is approved.
      return { registry, hadSigners: registry !== null || (await signersEvidence(repoRoot)) !== null };
    })();
    const { registry, hadSigners } = await cached;
    if (!registry || !doc.meta.documentId) return { registry: hadSigners, signatures: [], stale: 0 };
    const ref = documentRef(doc);
    const entries = checkDocumentSignatures(repoRoot, ref, registry, options.now ?? new Date());
    const valid = entries.filter((e) => e.verdict.valid);
    const over = (meaning: string) => valid.filter((e) => e.payload!.meaning === meaning && e.payload!.subject.sha256 === doc.sha256).map((e) => ({ signerId: e.payload!.signer.id, time: e.payload!.time }));
    return {
      registry: true,
      signatures: over('approved'),
      stale: valid.filter((e) => e.payload!.meaning === 'approved' && e.payload!.subject.sha256 !== doc.sha256).length,
      resolve: resolverOf(registry),
      reviews: over('reviewed'),
      trained: over('trained'),
      obsoleted: over('obsoleted'),
    };
  };
}

/** Traceability rules that concern every protocol: a requirement untested, or high-risk without a negative or limit case. */
const REQUIREMENT_RULES = new Set(['TRACE_REQUIREMENT_UNTESTED', 'TRACE_HIGH_RISK_NO_NEGATIVE', 'REQUIREMENT_ID_DUPLICATE']);

/**
 * Refuses the approval of a protocol whose traceability is incomplete (PC-07): a case of it naming an
 * unknown requirement or none, or a requirement of the repository untested or high-risk without a
 * negative or limit case, unless a written justification accepts it. Other documents pass.
 */
export async function requireTraceable(root: string, doc: DocumentRef): Promise<void> {
  const { loadRepository, DOCUMENT_FOLDERS, TRACE_CODES } = await import('../documents/index.js');
  const folders = DOCUMENT_FOLDERS.filter((f) => f !== 'sops').map((f) => join(root, f)).filter((p) => existsSync(p));
  const repo = await loadRepository({ root, cwd: root, paths: [...folders, join(root, doc.path)] });
  if (!repo.protocols.some((p) => p.path === doc.path)) return;
  const problems = repo.issues.filter((i) => i.severity === 'error' && TRACE_CODES.has(i.code) && (i.file === doc.path || REQUIREMENT_RULES.has(i.code)));
  if (!problems.length) return;
  throw new ApprovalError('TRACEABILITY_INCOMPLETE', `${doc.documentId} revision ${doc.revision ?? '(none)'} cannot be approved: its requirements traceability is incomplete (PC-07):\n${problems.map(formatIssue).join('\n')}\nTrace every case to a requirement and test every requirement (a high-risk one with a negative or limit case), or write a "justification" in the case or requirement block.`);
}
