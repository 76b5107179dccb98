// Verification of a report folder (and the rules shared with signing): the record and evidence hashes,
// every signature and disposition with the Part 11 rules (roles, order, segregation, open deviations),
// the PDF's embedded record and digital signature, the protocol's approval at run time, the
// attestation, and the audit trail (chain, and that every signature on disk is the one it recorded).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../model/report.js';
import { DocumentError, QualifyError } from '../model/errors.js';
import { auditFindings, readAuditTrail, type AuditTrail } from './audit.js';
import { buildStatement, STATEMENT_TYPE } from './attest.js';
import { documentApprovalState } from './documents.js';
import { checkEnvelope, type CheckedEnvelope } from './envelope-check.js';
import { canonicalHash, sha256Hex } from './hash.js';
import { DISPOSITION_PAYLOAD_TYPE, INTOTO_PAYLOAD_TYPE, readDispositionPayload, REPORT_MEANINGS, type DispositionPayload } from './payload.js';
import { inspectPdf, type PdfInspection } from './pdf-inspect.js';
import { ATTESTATION_FILE, checkEvidence, loadRecord, PDF_FILE, RECORD_FILE, readReportEnvelopes, recordView } from './report-record.js';
import { recordTrailFindings, signersBefore } from './record-trail.js';
import { findQmsRoot, loadSignerRegistry, repoRelative } from './repo.js';
import { checkSignatureFolder, settle, verdictFor, type FolderEntry, type SignedFile } from './signature-folder.js';
import { rolePermits, rolesAt, short, type SignerRegistry } from './signers.js';
import { segregationPolicy, segregationProblem, STRICT_SEGREGATION, type SegregationPolicy } from './segregation.js';
import { witnessTrail, type WitnessResult } from './trail-witness.js';
import type { Finding, SignatureVerdict, VerifyResult } from './verdict.js';

export type ReportState = 'recorded' | 'executed' | 'reviewed' | 'approved';

export interface DispositionEntry {
  checked: CheckedEnvelope;
  payload: DispositionPayload | null;
  verdict: SignatureVerdict;
}

export interface ReportEvaluation {
  signatures: FolderEntry[];
  dispositions: DispositionEntry[];
  state: ReportState;
  /** The record with valid dispositions applied (what the PDF shows and embeds). */
  view: Report;
  /** The valid approval signature, when approved. */
  approval: FolderEntry | null;
  /** Signers who executed the record (the record's executor and valid "executed" signers). */
  executors: Set<string>;
}

/**
 * Applies the report rules to the signature and disposition files of a record. Used by `verify` and, with
 * the new envelope appended, by `sign` and `deviation close` before anything is written.
 */
export function evaluateReport(record: Report, recordHash: string, registry: SignerRegistry | null, files: { signatures: SignedFile[]; dispositions: SignedFile[] }, now: Date, policy: SegregationPolicy = STRICT_SEGREGATION): ReportEvaluation {
  const entries = checkSignatureFolder(files.signatures, registry, { now, meanings: REPORT_MEANINGS });
  // Who may sign "executed" is taken from the record (EX-13): the executor the run authenticated, the
  // person a service run names (a service identity never signs), or the id an unattributed run recorded.
  const responsible = executedSignerOf(record);
  // Executors first: dispositions and reviews are judged against them.
  const executors = new Set<string>([record.executor?.id, record.executor?.initiatedBy?.id].filter((x): x is string => Boolean(x)));
  for (const e of entries) if (e.payload?.meaning === 'executed' && e.verdict.reasons.length === 0) executors.add(e.payload.signer.id);

  const dispositions: DispositionEntry[] = files.dispositions.map((f) => {
    const checked = checkEnvelope(f.file, f.bytes, registry, DISPOSITION_PAYLOAD_TYPE);
    const reasons = [...checked.problems];
    let payload: DispositionPayload | null = null;
    if (checked.payload !== null) {
      const read = readDispositionPayload(checked.payload);
      if ('problem' in read) reasons.push(`payload: ${read.problem}`);
      else payload = read.payload;
    }
    if (payload) {
      const base = f.file.slice(f.file.lastIndexOf('/') + 1);
      if (base !== `${payload.deviation.id}.dsse.json`) reasons.push(`file name ${base} does not match the deviation it closes (${payload.deviation.id})`);
      if (payload.subject.sha256 !== recordHash) reasons.push(`closes a deviation of record sha256 ${short(payload.subject.sha256)}, this record is ${short(recordHash)}: it belongs to another record or the record was altered`);
      if (!record.deviations.some((d) => d.id === payload!.deviation.id)) reasons.push(`the record has no deviation ${payload.deviation.id}`);
      const signer = registry?.signer(payload.signer.id);
      const held = signer && registry ? rolesAt(registry, signer.id, payload.time) : [];
      if (signer && !rolePermits(held, 'dispositioned')) reasons.push(`the role(s) ${held.join(', ') || 'none'} of "${signer.id}" at ${payload.time} do not permit dispositioning deviations (needs qa or approver)`);
      if (executors.has(payload.signer.id)) reasons.push(`"${payload.signer.id}" executed the record and cannot disposition its deviations`);
      if (record.ended && payload.time < record.ended) reasons.push(`dispositioned at ${payload.time}, before the run ended (${record.ended})`);
    }
    const verdict = verdictFor(f.file, payload ? { signer: payload.signer, meaning: 'dispositioned', time: payload.time, key: payload.key, comment: payload.disposition } : null, reasons);
    return { checked, payload, verdict };
  });
  const validDispositions = new Map<string, DispositionEntry>();
  for (const d of dispositions) if (d.verdict.valid && d.payload) validDispositions.set(d.payload.deviation.id, d);

  let approval: FolderEntry | null = null;
  let reviewed = false;
  let executed = false;
  // Who signed what validly so far, for the segregation pairs beyond the executor (reviewer ≠ approver).
  const signedBy = new Map<string, Set<string>>();
  const beyondExecutor: SegregationPolicy = { ...policy, pairs: policy.pairs.filter(([a, b]) => a !== 'executed' && b !== 'executed') };
  for (const e of entries) {
    const p = e.payload;
    const reasons = e.verdict.reasons;
    if (!p) continue;
    if (p.subject.kind !== 'report') reasons.push('signs a document, not a report');
    else {
      if (p.subject.sha256 !== recordHash) reasons.push(`signs record sha256 ${short(p.subject.sha256)}, this record is ${short(recordHash)}: the signature belongs to another record, or the record was altered`);
      if (p.subject.reportId !== record.reportId) reasons.push(`signs report ${p.subject.reportId}, this is ${record.reportId}`);
    }
    if (record.dryRun) reasons.push('a dry run is not a GxP record and cannot be signed');
    if (record.ended && p.time < record.ended) reasons.push(`signed at ${p.time}, before the run ended (${record.ended})`);
    if (approval) reasons.push(`signed after the record was approved in ${approval.checked.file}: an approved record is closed`);
    if (p.meaning === 'executed') {
      if (p.signer.id !== responsible) reasons.push(record.executor?.initiatedBy ? `the record was executed by the service identity "${record.executor.id}" for "${responsible}"; only "${responsible}" can sign it as executed, not "${p.signer.id}"` : `the record was executed by "${record.executor?.id}"${record.executor?.attribution === 'unattributed' ? ' (unattributed)' : ''}; "${p.signer.id}" cannot sign it as executed`);
    } else if (p.meaning === 'reviewed' || p.meaning === 'approved') {
      if (record.incomplete) reasons.push('the run is incomplete (interrupted); it can only be signed as executed');
      if (executors.has(p.signer.id)) reasons.push(`"${p.signer.id}" executed the record and cannot sign it as ${p.meaning} (segregation of duties)`);
      const apart = segregationProblem(beyondExecutor, signedBy, p.signer.id, p.meaning);
      if (apart) reasons.push(apart);
      if (p.meaning === 'reviewed' && !executed) reasons.push('no valid "executed" signature precedes this review');
      if (p.meaning === 'approved') {
        if (!reviewed) reasons.push('no valid "reviewed" signature precedes this approval');
        const open = record.deviations.filter((d) => {
          const disp = validDispositions.get(d.id);
          return !disp || disp.payload!.time > p.time;
        });
        if (open.length) reasons.push(`deviation(s) ${open.map((d) => d.id).join(', ')} have no QA disposition: an approval needs every deviation dispositioned ("qualify deviation close")`);
        const listed = [...p.dispositions].map((d) => `${d.deviation}=${d.sha256}`).sort();
        const actual = record.deviations.filter((d) => validDispositions.has(d.id)).map((d) => `${d.id}=${validDispositions.get(d.id)!.checked.envelopeHash}`).sort();
        if (!open.length && listed.join(',') !== actual.join(',')) reasons.push('the dispositions this approval relied on differ from the disposition files now in the folder');
      }
    }
    if (reasons.length === 0) {
      if (!signedBy.has(p.meaning)) signedBy.set(p.meaning, new Set());
      signedBy.get(p.meaning)!.add(p.signer.id);
      if (p.meaning === 'executed') executed = true;
      if (p.meaning === 'reviewed') reviewed = true;
      if (p.meaning === 'approved') approval = e;
    }
  }
  settle(entries);
  const state: ReportState = approval ? 'approved' : reviewed ? 'reviewed' : executed ? 'executed' : 'recorded';
  const view = recordView(record, [...validDispositions.values()].map((d) => ({ file: d.checked.file, payload: d.payload! })));
  return { signatures: entries, dispositions, state, view, approval, executors };
}

/** Who may sign a record as executed: the authenticated executor, the person a service run names, or the id an unattributed run recorded. */
export function executedSignerOf(record: Pick<Report, 'executor'>): string | null {
  return record.executor?.initiatedBy?.id ?? record.executor?.id ?? null;
}

/** The record of a view: deviations as the run recorded them (the view applies dispositions to them). */
function recordWithout(view: Report): Report {
  return { ...view, deviations: view.deviations.map((d) => (d.disposition?.signature ? { ...d, status: 'open' as const, disposition: null } : d)) };
}

/** State shared when verifying many reports of one repository: the registry, the audit trail, approvals. */
export interface VerifySession {
  root: string;
  registry: SignerRegistry | null;
  /** Segregation of duties of the repository (qualify.yaml `segregation`, else strict). */
  segregation: SegregationPolicy;
  /** Why qualify.yaml `segregation` could not be used, or null. */
  segregationProblem: string | null;
  /** The repository as witness of the audit trail (anchors, report folders, signers.yaml, roles, git), once per session. */
  witness(): Promise<WitnessResult>;
  /** Why signers.yaml could not be used (it is invalid: altered), or null. */
  registryProblem: string | null;
  now: Date;
  audit(): AuditTrail;
  protocolApproval(documentId: string, revision: string, sha256: string): { approvedAt: string | null; by: string[] };
}

/**
 * Creates a session for the repository at `root` (registry and audit trail read once). `trail`: the
 * repository's audit trail as readAuditTrail returned it in this build (read and chain-checked once).
 */
export function createVerifySession(root: string, now: Date, options: { trail?: AuditTrail } = {}): VerifySession {
  let registry: SignerRegistry | null = null;
  let registryProblem: string | null = null;
  try {
    registry = loadSignerRegistry(root, { trail: options.trail });
  } catch (err) {
    // An invalid identity store is an integrity failure of everything signed against it (exit 4, not 2).
    if (!(err instanceof DocumentError)) throw err;
    registryProblem = err.message;
  }
  let trail: AuditTrail | null = options.trail ?? null;
  let witness: Promise<WitnessResult> | null = null;
  const approvals = new Map<string, { approvedAt: string | null; by: string[] }>();
  let segregation = STRICT_SEGREGATION;
  let segregationProblem: string | null = null;
  try {
    segregation = segregationPolicy(root);
  } catch (err) {
    if (!(err instanceof DocumentError)) throw err;
    segregationProblem = err.message;
  }
  const audit = () => (trail ??= readAuditTrail(root));
  return {
    root,
    registry,
    registryProblem,
    segregation,
    segregationProblem,
    witness: () => (witness ??= witnessTrail(root, audit(), registry, { now, git: { env: process.env } })),
    now,
    audit,
    protocolApproval(documentId, revision, sha256) {
      const key = `${documentId}\u0000${revision}\u0000${sha256}`;
      let hit = approvals.get(key);
      if (!hit) {
        const doc = { path: '', sha256, documentId, revision, claimedStatus: null, approvers: [], effectiveDate: null };
        const state = documentApprovalState(root, doc, { now, registry });
        hit = { approvedAt: state.approvedAt, by: state.approvals.map((a) => a.signerId) };
        approvals.set(key, hit);
      }
      return hit;
    },
  };
}

/** Checks a report PDF against the evaluated record: embedded record, PDF signatures, approval signature. */
export async function pdfFindings(bytes: Buffer | null, ev: ReportEvaluation, recordHash: string, registry: SignerRegistry | null, PDF_FILE = 'report.pdf', inspected?: PdfInspection, record?: { fileSha256: string | null }): Promise<{ findings: Finding[]; passed: string[]; notes: string[] }> {
  const findings: Finding[] = [];
  const passed: string[] = [];
  const notes: string[] = [];
  if (!bytes) {
    if (ev.state === 'approved') findings.push({ code: 'PDF_MISSING', file: PDF_FILE, message: `${PDF_FILE} is missing: an approved record carries its signed PDF` });
    else notes.push(`no ${PDF_FILE} in the folder`);
    return { findings, passed, notes };
  }
  const pdf = inspected ?? (await inspectPdf(bytes));
  const embedded = pdf.embedded.get('report.json');
  if (!embedded) findings.push({ code: 'PDF_RECORD_MISSING', file: PDF_FILE, message: `${PDF_FILE} embeds no report.json: it was not rendered from this record` });
  else {
    let h: string | null = null;
    // The very bytes of report.json (`record.fileSha256`) have the record's canonical hash: not computed again.
    if (record?.fileSha256 && sha256Hex(embedded) === record.fileSha256) h = recordHash;
    else {
      try {
        h = canonicalHash(JSON.parse(embedded.toString('utf8')));
      } catch { /* unreadable */ }
    }
    // An approved PDF embeds the record with the dispositions its approval listed (by envelope hash): that
    // is what it is compared with, whatever else the folder holds now.
    const listed = ev.approval ? new Set(ev.approval.payload!.dispositions.map((d) => d.sha256)) : null;
    // The view is hashed only when the embedded record is not the record itself (one canonical hash less per report).
    const viewHash = (): string => canonicalHash(listed ? recordView(recordWithout(ev.view), ev.dispositions.filter((d) => d.payload && listed.has(d.checked.envelopeHash ?? '')).map((d) => ({ file: d.checked.file, payload: d.payload! }))) : ev.view);
    if (h === recordHash) passed.push(`${PDF_FILE}: embedded report.json matches the record`);
    else if (h !== null && h === viewHash()) passed.push(`${PDF_FILE}: embedded report.json matches the record (with its dispositions)`);
    else findings.push({ code: 'PDF_RECORD_MISMATCH', file: PDF_FILE, message: `${PDF_FILE} embeds a report.json with sha256 ${h ? short(h) : '(unreadable)'}, the record is ${short(recordHash)}: the PDF is stale or was altered` });
  }
  const sig = pdfSignatureFindings(pdf, ev, registry, PDF_FILE);
  findings.push(...sig.findings);
  passed.push(...sig.passed);
  notes.push(...sig.notes);
  return { findings, passed, notes };
}

/**
 * The PDF signatures of a report: one per signature of the record (executed, reviewed, dispositions,
 * approved), in the order they were made, each the incremental update of one revision and signed with the
 * key of the envelope it names (/Reason "envelope sha256"). The last one covers the whole file; in an
 * approved PDF it is the approval's. A revision without its signature, a signature no valid envelope backs,
 * or bytes after the last signature fail.
 */
export function pdfSignatureFindings(pdf: PdfInspection, ev: ReportEvaluation, registry: SignerRegistry | null, PDF_FILE = 'report.pdf'): { findings: Finding[]; passed: string[]; notes: string[] } {
  const findings: Finding[] = [];
  const passed: string[] = [];
  const notes: string[] = [];
  const valid = [...ev.signatures.map((e) => ({ e, p: e.payload ? { id: e.payload.signer.id, meaning: e.payload.meaning as string, time: e.payload.time, key: e.payload.key.fingerprint } : null })),
    ...ev.dispositions.map((d) => ({ e: d, p: d.payload ? { id: d.payload.signer.id, meaning: `dispositioned ${d.payload.deviation.id}`, time: d.payload.time, key: d.payload.key.fingerprint } : null }))]
    .filter((x) => x.e.verdict.valid && x.p && x.e.checked.envelopeHash);
  const byHash = new Map(valid.map((x) => [x.e.checked.envelopeHash!, x]));
  const approvalHash = ev.approval?.checked.envelopeHash ?? null;
  const approvalIndex = pdf.signatures.findIndex((s) => s.envelopeSha256 !== null && s.envelopeSha256 === approvalHash);
  const used = new Set<string>();
  let lastTime = '';
  let approvalSigned = false;
  const revisionsSigned = new Set<number>();
  pdf.signatures.forEach((s, i) => {
    const label = `${PDF_FILE} signature ${i + 1}${s.name ? ` (${s.name})` : ''}`;
    for (const p of s.problems) findings.push({ code: 'PDF_SIGNATURE_INVALID', file: PDF_FILE, message: `${label}: ${p}` });
    if (s.revision !== null) revisionsSigned.add(s.revision);
    else if (!s.problems.length) findings.push({ code: 'PDF_SIGNATURE_INVALID', file: PDF_FILE, message: `${label}: its ByteRange ends inside a revision of the file, not at its end: it does not cover its revision` });
    const isLast = i === pdf.signatures.length - 1;
    if (s.byteRange[0] === 0 && s.bytesAfter > 0 && (isLast || i === approvalIndex)) findings.push({ code: 'PDF_CONTENT_APPENDED', file: PDF_FILE, message: `${label}: ${s.bytesAfter} bytes were appended after the signed range` });
    const enrolled = s.keyFingerprint ? registry?.key(s.keyFingerprint) : undefined;
    if (s.signatureValid && !enrolled) findings.push({ code: 'PDF_SIGNER_UNKNOWN', file: PDF_FILE, message: `${label}: signed with key ${s.keyFingerprint ? short(s.keyFingerprint) : '?'}, not enrolled in the signer registry` });
    if (enrolled) {
      // Every certificate the CMS carries is the enrolled one or the registry's CA: nothing in it was swapped.
      const known = [enrolled.cert.x509.raw, ...(registry?.caCert ? [registry.caCert.raw] : [])];
      if (s.certificates.some((c) => !known.some((k) => k.equals(c.raw)))) findings.push({ code: 'PDF_SIGNATURE_INVALID', file: PDF_FILE, message: `${label}: the signature carries a certificate that is neither the enrolled certificate of "${enrolled.signer.id}" nor the registry's CA: the signature container was altered` });
    }
    const backing = s.envelopeSha256 ? byHash.get(s.envelopeSha256) : undefined;
    if (!backing || used.has(s.envelopeSha256!)) {
      const who = s.keyFingerprint && enrolled ? `signed with the key of "${enrolled.signer.id}"` : 'a signature';
      if (approvalIndex >= 0 && i > approvalIndex) findings.push({ code: 'PDF_SIGNATURE_EXTRA', file: PDF_FILE, message: `${label}: ${who} added after the approval's PDF signature: the approval is the last signature of an approved PDF, covering the whole file` });
      else if (ev.approval || (s.envelopeSha256 && used.has(s.envelopeSha256))) findings.push({ code: 'PDF_SIGNATURE_EXTRA', file: PDF_FILE, message: `${label}: ${who} that is the PDF signature of none of the record's valid signatures` });
      else findings.push({ code: 'PDF_SIGNATURE_UNBACKED', file: PDF_FILE, message: `${label}: ${who} that no valid signature of the record backs${s.envelopeSha256 ? ` (it names envelope sha256 ${short(s.envelopeSha256)})` : ''}` });
      return;
    }
    used.add(s.envelopeSha256!);
    if (s.keyFingerprint !== backing.p!.key) findings.push({ code: 'PDF_SIGNATURE_INVALID', file: PDF_FILE, message: `${label}: names ${backing.e.checked.file} but is signed with key ${s.keyFingerprint ? short(s.keyFingerprint) : '?'}, not the envelope's key ${short(backing.p!.key)}` });
    if (backing.p!.time < lastTime) findings.push({ code: 'PDF_SIGNATURE_ORDER', file: PDF_FILE, message: `${label}: ${backing.e.checked.file} (${backing.p!.time}) comes after a PDF signature made later: the revisions are out of order` });
    lastTime = backing.p!.time > lastTime ? backing.p!.time : lastTime;
    const ok = s.signatureValid && !s.problems.length && s.keyFingerprint === backing.p!.key && s.revision !== null;
    if (i === approvalIndex && ok && isLast && s.coversWholeFile) approvalSigned = true;
    if (ok) passed.push(`${label}: valid, ${backing.p!.meaning} by ${backing.p!.id} (${backing.e.checked.file}), covers revision ${s.revision} of ${pdf.revisions}${s.coversWholeFile ? ' (the whole file)' : ''}, bytes 0-${s.byteRange[2] + s.byteRange[3]}, key ${short(s.keyFingerprint!)}${s.timestamp ? `; TSA time ${s.timestamp.genTime} by ${s.timestamp.tsa} (RFC 3161 token over the signature; the TSA certificate is not checked against a trust anchor)` : '; no signature time-stamp (the signed time is the tool\'s clock)'}`);
    // The signed time (tool clock) and the TSA's time agree within a few minutes, or one of them lies.
    if (ok && s.timestamp?.genTime && Math.abs(Date.parse(s.timestamp.genTime) - Date.parse(backing.p!.time)) > 10 * 60_000) findings.push({ code: 'PDF_TIMESTAMP_MISMATCH', file: PDF_FILE, message: `${label}: signed at ${backing.p!.time} by the tool's clock, time-stamped at ${s.timestamp.genTime} by the TSA: more than 10 minutes apart` });
  });
  // Every revision is closed by its signature: an unsigned update appended to the file is content no one signed.
  const unsigned = pdf.revisionEnds.map((_, i) => i + 1).filter((r) => !revisionsSigned.has(r));
  if (pdf.signatures.length === 0 ? pdf.revisions > 1 : unsigned.length > 0) findings.push({ code: 'PDF_INCREMENTAL_UPDATE', file: PDF_FILE, message: `${PDF_FILE} has ${pdf.revisions} revisions; revision(s) ${unsigned.join(', ')} carry no PDF signature of the record: an incremental update was appended that no signer made` });
  for (const x of valid) if (!used.has(x.e.checked.envelopeHash!)) notes.push(`${x.e.checked.file}: no PDF signature in ${PDF_FILE} (the envelope is the signature; its PDF signature was not applied or the PDF was rendered again after it)`);
  if (ev.approval && !approvalSigned) {
    findings.push({ code: 'PDF_NOT_SIGNED', file: PDF_FILE, message: `the record is approved (${ev.approval.checked.file}) but ${PDF_FILE} does not end with a valid PDF signature by the approver's key ${short(ev.approval.payload!.key.fingerprint)} covering the whole file` });
  }
  return { findings, passed, notes };
}

function attestationVerdict(dir: string, ev: ReportEvaluation, record: Report, recordHash: string, registry: SignerRegistry | null, recordPath: string): { verdict: SignatureVerdict | null; file: SignedFile | null } {
  const path = join(dir, ATTESTATION_FILE);
  if (!existsSync(path)) return { verdict: null, file: null };
  const file = { file: ATTESTATION_FILE, bytes: readFileSync(path) };
  const checked = checkEnvelope(ATTESTATION_FILE, file.bytes, registry, INTOTO_PAYLOAD_TYPE, { claims: false });
  const reasons = [...checked.problems];
  const st = checked.payload as Record<string, unknown> | null;
  if (st && st._type !== STATEMENT_TYPE) reasons.push(`not an in-toto Statement v1 (_type ${JSON.stringify(st._type)})`);
  else if (st) {
    const expected = buildStatement(record, recordHash, recordPath);
    if (canonicalHash(st.subject) !== canonicalHash(expected.subject)) reasons.push('its subjects differ from the record\'s image digests');
    if (canonicalHash(st.predicate) !== canonicalHash(expected.predicate) || st.predicateType !== expected.predicateType) reasons.push('its test result differs from the record');
  }
  const signer = checked.enrolled?.signer;
  if (signer && !rolePermits(signer.roles, 'attested')) reasons.push(`the role(s) of "${signer.id}" do not permit attesting (needs approver or qa)`);
  if (checked.enrolled?.key.revoked) reasons.push(`the attesting key was revoked at ${checked.enrolled.key.revoked.at}`);
  if (ev.state !== 'approved') reasons.push('the record is not approved: an attestation claims a qualified deployment');
  const verdict = verdictFor(ATTESTATION_FILE, signer ? { signer, meaning: 'attested', time: null, key: checked.enrolled!.key, comment: null } : null, reasons);
  return { verdict, file };
}

/**
 * Verifies one report folder. Never throws for a content problem: everything found is in the result
 * (`ok` false when anything fails).
 */
export async function verifyReport(dir: string, options: { now: Date; session?: VerifySession; target?: string; pdf?: boolean; renderings?: boolean }): Promise<VerifyResult> {
  const root = options.session?.root ?? findQmsRoot(dir);
  const session = options.session ?? createVerifySession(root, options.now);
  const rel = repoRelative(root, dir);
  const result: VerifyResult = { target: options.target ?? rel, kind: 'report', ok: false, id: null, sha256: null, state: 'recorded', signatures: [], dispositions: [], findings: [], passed: [], notes: [] };
  const loaded = loadRecord(dir);
  result.findings.push(...loaded.findings);
  const record = loaded.record;
  if (!record || !loaded.recordHash) return result;
  const recordHash = loaded.recordHash;
  result.id = record.reportId;
  result.sha256 = recordHash;
  if (!loaded.findings.length) result.passed.push(`record report.json: canonical sha256 ${recordHash}`);
  if (session.registryProblem) result.findings.push({ code: 'SIGNERS_INVALID', message: `${session.registryProblem.split('\n').join('; ')}: the signer registry was altered, no signature can be checked against it` });

  try {
    // The record is the one its run wrote (the trail's run entry), and its renderings the ones qualify wrote.
    const bound = recordTrailFindings(session.audit(), dir, record, loaded.fileSha256!, { renderings: options.renderings !== false && options.pdf !== false });
    result.findings.push(...bound.findings);
    result.passed.push(...bound.passed);

    const evidence = checkEvidence(dir, record);
    result.findings.push(...evidence.findings);
    if (!evidence.findings.length) result.passed.push(`evidence: ${evidence.checked} file(s), every sha256 matches the record`);

    const files = readReportEnvelopes(dir);
    if (!session.registry && !session.registryProblem && (files.signatures.length || files.dispositions.length) && !session.audit().entries.some((e) => e.action === 'keys.create')) {
      result.findings.push({ code: 'SIGNERS_MISSING', message: 'the report carries signatures but the repository has no signer registry (signers.yaml) to check them' });
    }
    if (session.segregationProblem) result.findings.push({ code: 'CONFIG_INVALID', file: 'qualify.yaml', message: `${session.segregationProblem}: the strict default was applied` });
    const ev = evaluateReport(record, recordHash, session.registry, files, session.now, session.segregation);
    result.state = ev.state;
    result.signatures = ev.signatures.map((e) => e.verdict);
    result.dispositions = ev.dispositions.map((d) => d.verdict);
    const open = record.deviations.filter((d) => !ev.dispositions.some((x) => x.verdict.valid && x.payload?.deviation.id === d.id));
    if (open.length) result.notes.push(`open deviation(s): ${open.map((d) => d.id).join(', ')}`);

    const att = attestationVerdict(dir, ev, record, recordHash, session.registry, `${rel}/report.json`);
    if (att.verdict) result.signatures.push(att.verdict);

    if (options.pdf !== false) {
      let bytes: Buffer | null = null;
      try {
        bytes = readFileSync(join(dir, PDF_FILE));
      } catch { /* reported as missing */ }
      const pdf = await pdfFindings(bytes, ev, recordHash, session.registry, PDF_FILE, undefined, loaded);
      result.findings.push(...pdf.findings);
      result.passed.push(...pdf.passed);
      result.notes.push(...pdf.notes);
    }

    if (session.registry && record.protocol?.approval === 'signed') {
      const pa = session.protocolApproval(record.protocol.documentId, record.protocol.revision, record.protocol.sha256);
      if (!pa.approvedAt) result.findings.push({ code: 'PROTOCOL_NOT_APPROVED', message: `the record says protocol ${record.protocol.documentId} revision ${record.protocol.revision} (sha256 ${short(record.protocol.sha256)}) was approved by signature, but no valid approval signature covers those bytes` });
      else if (approvedAfter(pa.approvedAt, record.started)) result.findings.push({ code: 'PROTOCOL_APPROVED_AFTER_RUN', message: `protocol ${record.protocol.documentId} was approved at ${pa.approvedAt}, after the run started (${record.started})` });
      else result.passed.push(`protocol ${record.protocol.documentId} revision ${record.protocol.revision}: approved by ${pa.by.join(', ')} at ${pa.approvedAt}, before the run`);
    } else if (record.protocol?.approval === 'front-matter' && !record.dryRun) {
      // Once a repository has signers, only signed approvals count, for ever: a record whose run relied on
      // the front matter after signers were enrolled bypassed the gate (signers.yaml moved aside).
      if (bound.run && signersBefore(session.audit(), bound.run)) result.findings.push({ code: 'PROTOCOL_APPROVAL_UNSIGNED', message: `the record relies on the front-matter approval of protocol ${record.protocol.documentId} revision ${record.protocol.revision}, but the repository had enrolled signers before the run (audit trail): only a signed approval counts, and no run may fall back to the front matter` });
      else result.notes.push(`approval not signed: protocol ${record.protocol.documentId} was approved in its front matter only`);
    }
    if (!session.registry && !session.registryProblem && session.audit().entries.some((e) => e.action === 'keys.create')) {
      result.findings.push({ code: 'SIGNERS_MISSING', message: 'the repository has had enrolled signers (audit trail) but its signer registry (signers.yaml) is missing: it was moved or removed' });
    }

    const signed = [...files.signatures, ...files.dispositions, ...(att.file ? [att.file] : [])];
    const audit = auditFindings(session.audit(), { type: 'report', id: record.reportId }, signed);
    result.findings.push(...audit.findings);
    result.passed.push(...audit.passed);
    // The trail as the whole repository witnesses it: no entry removed or rewritten up to any signed head,
    // no report folder deleted, signers.yaml and roles changed only through qualify.
    const witness = await session.witness();
    result.findings.push(...witness.findings);
    result.passed.push(...witness.passed);
  } catch (err) {
    // Whatever a damaged record does to the checks, it is a verification failure, never a crash.
    if (err instanceof QualifyError) throw err;
    result.findings.push({ code: 'RECORD_INVALID', file: RECORD_FILE, message: `the report could not be checked further: ${(err as Error).message}` });
  }
  result.ok = result.findings.length === 0 && result.signatures.every((s) => s.valid) && result.dispositions.every((s) => s.valid);
  return result;
}


/**
 * True when an approval (signature times have whole seconds) came after the run started (milliseconds).
 * Compared as instants, not as text: "…:50Z" sorts after "…:50.906Z" as a string, yet an approval
 * stamped in the run's starting second was made before the run.
 */
export function approvedAfter(approvedAt: string, started: string): boolean {
  const approved = Date.parse(approvedAt);
  const start = Date.parse(started);
  if (Number.isNaN(approved) || Number.isNaN(start)) return approvedAt > started;
  return approved > Math.floor(start / 1000) * 1000;
}
