// Signing operations: a report (executed → reviewed → approved), a deviation disposition, a controlled
// document revision, and the in-toto attestation. Each checks the rules before asking the passphrase,
// signs in memory, evaluates the new envelope with exactly the rules `verify` applies, and only then
// writes it (never overwriting) and appends the audit trail. Refusals are audited too.
import { hostname } from 'node:os';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SignatureMeaning } from '../model/signature.js';
import type { Report } from '../model/report.js';
import { ApprovalError, IntegrityError, QualifyError, RefusedError, UsageError } from '../model/errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { appendAuditEntries, appendAuditEntry, readAuditTrail, trailHead, type AuditEntry, type AuditEntryInput } from './audit.js';
import { buildStatement } from './attest.js';
import { requireAcknowledged } from './acknowledge.js';
import { requireSigner, unlockKey, usableKeys, type PassphraseSource, type UnlockedKey } from './credentials.js';
import { approvalFolder, checkDocumentSignatures, documentApprovalState, requireTraceable } from './documents.js';
import { readDocumentRef } from './document-source.js';
import { keySigner, signEnvelope } from './dsse.js';
import { canonicalHash, canonicalJson, sha256Hex } from './hash.js';
import { serializeJson } from './json-file.js';
import {
  DISPOSITION_PAYLOAD_TYPE, DISPOSITION_SCHEMA, DOCUMENT_MEANINGS, INTOTO_PAYLOAD_TYPE, REPORT_MEANINGS, SIGNATURE_PAYLOAD_TYPE, SIGNATURE_SCHEMA,
  signatureFileName, utcSeconds, type DispositionPayload, type ReportSubject, type SignaturePayload, type SignerClaim,
} from './payload.js';
import { loadReportRenderer, removeStagedRenderings, stageReportRendering, type PdfRenderer, type StagedRendering } from './pdf-render.js';
import { ATTESTATION_FILE, DISPOSITIONS_DIR, loadRecord, PDF_FILE, readReportEnvelopes, SIGNATURES_DIR } from './report-record.js';
import { findQmsRoot, loadSignerRegistry, repoRelative } from './repo.js';
import { manifestationOf, type FolderEntry, type SignedFile } from './signature-folder.js';
import { withLock } from './lock.js';
import { rolePermits, rolesAt, short, type Meaning, type SignerRecord, type SignerRegistry } from './signers.js';
import { segregationPolicy, segregationProblem, type SegregationPolicy } from './segregation.js';
import type { ReportEvaluation as Evaluation } from './verify-report.js';
import { createFileExclusive } from './store.js';
import type { VerifyResult } from './verdict.js';
import { evaluateReport, executedSignerOf, verifyReport, type ReportEvaluation } from './verify-report.js';

export interface SigningContext {
  now: Date;
  env: Record<string, string | undefined>;
  passphrase: PassphraseSource;
  /** Host recorded in the audit trail and the PDF signature; default this machine. */
  host?: string;
  /** Report PDF renderer; default the report engine of this build (undefined), none (null). */
  renderPdf?: PdfRenderer | null;
}

export interface SignResult {
  /** The envelope written, relative to the report folder (reports) or repository (documents). */
  file: string;
  /** State before and after: recorded/executed/reviewed/approved, or a document's approval state. */
  from: string;
  to: string;
  payload: SignaturePayload | DispositionPayload | Record<string, unknown>;
  pdf: { path: string; sha256: string; signed: boolean } | null;
  audit: AuditEntry[];
}

function registryOf(root: string): SignerRegistry {
  const registry = loadSignerRegistry(root);
  if (!registry) throw new ApprovalError('SIGNERS_MISSING', `the repository ${root} has no signer registry (signers.yaml): enrol signers with "qualify keys create" first`);
  return registry;
}

/** What every report signing step starts from: the repository, the signer, the record, the audit context. */
function reportStep(reportDir: string, signerId: string, ctx: SigningContext) {
  const root = findQmsRoot(reportDir);
  const registry = registryOf(root);
  const signer = requireSigner(registry, signerId);
  const loaded = loadRecord(reportDir);
  const rel = repoRelative(root, reportDir);
  const base = {
    at: utcSeconds(ctx.now),
    who: { id: signer.id, name: signer.name },
    object: { type: 'report', id: loaded.record?.reportId ?? rel, path: rel },
    host: ctx.host ?? hostname(),
  };
  return { root, registry, signer, loaded, rel, base };
}

function reportSubject(record: Report, recordHash: string): ReportSubject {
  return { kind: 'report', reportId: record.reportId, protocol: { documentId: record.protocol.documentId, revision: record.protocol.revision, sha256: record.protocol.sha256 }, sha256: recordHash };
}

/** The signer as the payload names them, with the roles in force at `at` (the signed role history). */
function claim(registry: SignerRegistry, s: SignerRecord, at: string): SignerClaim {
  return { id: s.id, name: s.name, email: s.email, roles: rolesAt(registry, s.id, at) };
}

function requireRole(registry: SignerRegistry, signer: SignerRecord, meaning: Meaning, at: string): void {
  const roles = rolesAt(registry, signer.id, at);
  if (!rolePermits(roles, meaning)) {
    throw new RefusedError('SIGN_ROLE_FORBIDDEN', `"${signer.id}" has the role(s) ${roles.join(', ') || 'none'}, which do not permit the meaning "${meaning}"`);
  }
}

/**
 * Refuses (exit 5, before the passphrase is asked) a signature the segregation of duties forbids: whoever
 * executed the record, and by the repository's policy whoever reviewed it, may not also approve it.
 */
function requireSegregation(policy: SegregationPolicy, before: Evaluation, signerId: string, meaning: SignatureMeaning): void {
  if (meaning !== 'reviewed' && meaning !== 'approved') return;
  const signed = new Map<string, Set<string>>([['executed', new Set(before.executors)]]);
  for (const e of before.signatures) {
    if (!e.verdict.valid || !e.payload) continue;
    if (!signed.has(e.payload.meaning)) signed.set(e.payload.meaning, new Set());
    signed.get(e.payload.meaning)!.add(e.payload.signer.id);
  }
  const problem = segregationProblem(policy, signed, signerId, meaning);
  if (problem) throw new RefusedError('SEGREGATION_VIOLATED', `${problem}; nothing was signed`);
}

function requireVerified(result: VerifyResult, what: string): void {
  if (result.ok) return;
  const problems = [...result.findings.map((f) => `${f.code} ${f.message}`), ...result.signatures.filter((s) => !s.valid).map((s) => `${s.file}: ${s.reasons.join('; ')}`), ...result.dispositions.filter((s) => !s.valid).map((s) => `${s.file}: ${s.reasons.join('; ')}`)];
  throw new IntegrityError('RECORD_NOT_VERIFIED', `${what} does not verify, so it cannot be signed:\n  ${problems.join('\n  ')}`);
}

function envelopeBytes(payloadType: string, payload: unknown, unlocked: UnlockedKey): Buffer {
  const env = signEnvelope(payloadType, Buffer.from(canonicalJson(payload), 'utf8'), keySigner(unlocked.key.fingerprint, unlocked.privateKey));
  return Buffer.from(serializeJson(env), 'utf8');
}

/** Runs `fn`; a refusal is written to the audit trail (who tried what, why it was refused) and rethrown. */
async function audited<T>(root: string, base: { at: string; who: { id: string; name: string | null }; object: { type: string; id: string; path: string }; action: string; host: string }, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof QualifyError && (err.family === 'approval' || err.family === 'integrity' || err.family === 'refused')) {
      try {
        await appendAuditEntry(root, { ...base, action: `${base.action}.refused`, why: `${err.code}: ${err.message.split('\n')[0]}` });
      } catch { /* the refusal stands even when the trail cannot take it */ }
    }
    throw err;
  }
}

/** The render trail entries of staged renderings (report.md, report.pdf). */
function renderEntries(staged: StagedRendering, at: string, who: { id: string; name: string }, host: string, object: { type: string; id: string; path: string }, why: string): AuditEntryInput[] {
  return staged.files.map((f) => ({ at, who, action: 'render', host, object, field: f.name, new: f.sha256, why, ref: { path: f.name, sha256: f.sha256 } }));
}

/** Renders the report folder as `ev` shows it, with the PDF signature of the signature being made (or re-applied), staged. */
async function stageFor(dir: string, ev: ReportEvaluation, recordHash: string, ctx: SigningContext, host: string, pdfSig: { unlocked: UnlockedKey; signer: { id: string; name: string }; meaning: string; label?: string; time: string; envelope: SignedFile; envelopeSha256: string } | null, registry: SignerRegistry, extra: SignedFile[] = []): Promise<StagedRendering | null> {
  const renderer = ctx.renderPdf === undefined ? await loadReportRenderer() : ctx.renderPdf;
  const files = readReportEnvelopes(dir);
  const known = new Set([...files.signatures, ...files.dispositions].map((f) => f.file));
  const valid = [...ev.signatures, ...ev.dispositions].filter((e) => e.verdict.valid && e.checked.envelopeHash);
  return stageReportRendering({
    dir,
    view: ev.view,
    recordHash,
    signatures: ev.signatures.filter((e) => e.verdict.valid).map(manifestationOf),
    renderer,
    approval: pdfSig ? {
      unlocked: pdfSig.unlocked,
      manifestation: { signerId: pdfSig.signer.id, name: pdfSig.signer.name, meaning: pdfSig.meaning, time: pdfSig.time, keyFingerprint: pdfSig.unlocked.key.fingerprint },
      label: pdfSig.label,
      envelopeFile: pdfSig.envelope.file,
      envelopeSha256: pdfSig.envelopeSha256,
      caCertificate: registry.ca?.certificate ?? null,
      host,
    } : null,
    attachments: [...files.signatures, ...files.dispositions, ...extra.filter((f) => !known.has(f.file))].filter((f) => valid.some((e) => e.checked.file === f.file)).sort((a, b) => (a.file < b.file ? -1 : 1)),
    backed: new Set(valid.map((e) => e.checked.envelopeHash!)),
  });
}

/** Holds the signing lock of one report (two signers of one report take turns; a dead holder's lock is taken over). */
function withReportLock<T>(root: string, reportId: string, fn: () => Promise<T>): Promise<T> {
  const path = join(root, 'audit', `report-${reportId.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  mkdirSync(dirname(path), { recursive: true });
  return withLock(path, {
    timeoutMs: 60_000,
    staleMs: 10 * 60_000,
    busy: (owner) => new ApprovalError('SIGN_CONFLICT', `the report ${reportId} is being signed by ${owner ? `process ${owner.pid} on ${owner.host} since ${owner.at}` : 'another process'}; try again when it is done`),
  }, fn);
}

/**
 * Writes a signature envelope and its renderings in the order that keeps every interruption recoverable:
 * a PDF that carries the signature's PDF signature (every signature now: executed, reviewed, a
 * disposition, approved) is put in place and recorded BEFORE the envelope is created (a crash leaves the
 * record as it was and a last PDF revision nothing backs, which the next signing cuts off); without a PDF
 * signature (no renderer), the envelope is created first and the renderings after.
 */
async function commitSignature(o: { root: string; dir: string; rel: string; reportId: string; candidate: SignedFile; signEntry: AuditEntryInput; staged: StagedRendering | null; renderWhy: string; approval: boolean; host: string; who: { id: string; name: string }; at: string }): Promise<{ entries: AuditEntry[]; pdf: SignResult['pdf'] }> {
  const object = { type: 'report', id: o.reportId, path: o.rel };
  // A PDF that carries the new signature's PDF signature goes first (see above): any signature does now.
  o = { ...o, approval: o.approval || o.staged?.signed === true };
  const renders = o.staged ? renderEntries(o.staged, o.at, o.who, o.host, object, o.renderWhy) : [];
  const entries: AuditEntry[] = [];
  const target = join(o.dir, o.candidate.file);
  if (existsSync(target)) {
    o.staged?.abort();
    throw new ApprovalError('SIGN_CONFLICT', `another signature was added to ${o.rel} meanwhile (${o.candidate.file} exists); nothing was signed, try again`);
  }
  if (o.approval && o.staged) {
    o.staged.commit();
    entries.push(...(await appendAuditEntries(o.root, renders)));
  }
  if (!createFileExclusive(target, o.candidate.bytes)) {
    if (!o.approval) o.staged?.abort();
    throw new ApprovalError('SIGN_CONFLICT', `another signature was added to ${o.rel} meanwhile (${o.candidate.file} exists); nothing was signed, try again`);
  }
  if (o.approval || !o.staged) {
    entries.unshift(...(await appendAuditEntries(o.root, [o.signEntry])));
  } else {
    entries.push(...(await appendAuditEntries(o.root, [o.signEntry])));
    o.staged.commit();
    entries.push(...(await appendAuditEntries(o.root, renders)));
  }
  const pdf = o.staged?.files.find((f) => f.name === 'report.pdf');
  return { entries, pdf: pdf ? { path: join(o.dir, PDF_FILE), sha256: pdf.sha256, signed: o.staged!.signed } : null };
}

/** Signs a report folder as executed, reviewed or approved. */
export async function signReport(reportDir: string, signerId: string, meaning: SignatureMeaning, comment: string | null, ctx: SigningContext): Promise<SignResult> {
  const { root, registry, signer, loaded, rel, base } = reportStep(reportDir, signerId, ctx);
  const { at, who, host } = base;
  return audited(root, { ...base, action: 'sign' }, async () => {
    if (!REPORT_MEANINGS.includes(meaning)) throw new UsageError('MEANING_INVALID', `a report is signed as ${REPORT_MEANINGS.join(', ')}; found "${meaning}"`);
    requireRole(registry, signer, meaning, at);
    requireAcknowledged(registry, signer);
    // A segregation policy qualify.yaml cannot express is a document problem (exit 2), said before anything else.
    const policy = segregationPolicy(root);
    const current = await verifyReport(reportDir, { now: ctx.now, pdf: false });
    requireVerified(current, `the report ${rel}`);
    const record = loaded.record!;
    const recordHash = loaded.recordHash!;
    const responsible = executedSignerOf(record);
    if (meaning === 'executed' && signer.id !== responsible) {
      throw new RefusedError('SIGN_REFUSED', `"${signer.id}" cannot sign ${rel} as executed: ${record.executor.initiatedBy ? `the service identity "${record.executor.id}" ran it for "${responsible}", who alone signs it as executed` : `it was executed by "${record.executor.id}"${record.executor.attribution === 'unattributed' ? ' (unattributed run)' : ''}, who alone signs it as executed`}`);
    }
    return withReportLock(root, record.reportId, async () => {
      removeStagedRenderings(reportDir);
      const files = readReportEnvelopes(reportDir);
      const before = evaluateReport(record, recordHash, registry, files, ctx.now, policy);
      if (before.state === 'approved') throw new RefusedError('RECORD_CLOSED', `the report ${rel} is approved (${before.approval!.checked.file}); an approved record is closed: corrections go into a new record (if its report.pdf does not verify, its approver restores it: qualify sign ${rel} --resume --as ${before.approval!.payload!.signer.id})`);
      requireSegregation(policy, before, signer.id, meaning);
      usableKeys(signer, at, ctx.env, root);
      const unlocked = await unlockKey(signer, at, ctx.env, ctx.passphrase, root);
      const validDisp = before.dispositions.filter((d) => d.verdict.valid && d.payload);
      const payload: SignaturePayload = {
        schema: SIGNATURE_SCHEMA,
        subject: reportSubject(record, recordHash),
        signer: claim(registry, signer, at),
        meaning,
        time: at,
        comment: comment ?? null,
        key: { fingerprint: unlocked.key.fingerprint, algorithm: unlocked.key.algorithm },
        previous: before.signatures.at(-1)?.checked.envelopeHash ?? null,
        dispositions: meaning === 'approved' ? validDisp.map((d) => ({ deviation: d.payload!.deviation.id, sha256: d.checked.envelopeHash! })).sort((a, b) => (a.deviation < b.deviation ? -1 : 1)) : [],
        trail: trailHead(root),
        tool: { name: TOOL_NAME, version: TOOL_VERSION },
      };
      const name = signatureFileName(files.signatures.length + 1, meaning, signer.id);
      const candidate: SignedFile = { file: `${SIGNATURES_DIR}/${name}`, bytes: envelopeBytes(SIGNATURE_PAYLOAD_TYPE, payload, unlocked) };
      const after = evaluateReport(record, recordHash, registry, { signatures: [...files.signatures, candidate], dispositions: files.dispositions }, ctx.now, policy);
      const mine = after.signatures.at(-1)!;
      if (!mine.verdict.valid) throw new RefusedError('SIGN_REFUSED', `"${signer.id}" cannot sign ${rel} as ${meaning}: ${mine.verdict.reasons.join('; ')}`);
      const approval = meaning === 'approved';
      const staged = await stageFor(reportDir, after, recordHash, ctx, host, { unlocked, signer, meaning, time: at, envelope: candidate, envelopeSha256: mine.checked.envelopeHash! }, registry, [candidate]);
      const signEntry: AuditEntryInput = {
        at, who, action: 'sign', host, object: { type: 'report', id: record.reportId, path: rel }, field: 'status', old: before.state, new: after.state,
        why: comment?.trim() ? comment : `signed as ${meaning}`, ref: { path: candidate.file, sha256: sha256Hex(candidate.bytes) },
      };
      const done = await commitSignature({
        root, dir: reportDir, rel, reportId: record.reportId, candidate, signEntry, staged, approval, host, who, at,
        renderWhy: approval ? `approved PDF with the PDF digital signature of ${candidate.file}` : `report.md rendered again, report.pdf with the PDF digital signature of ${candidate.file}`,
      });
      return { file: candidate.file, from: before.state, to: after.state, payload, pdf: done.pdf, audit: done.entries };
    });
  });
}

/**
 * Completes an approved (or partly signed) report after an interruption or a lost file: renders report.md
 * and report.pdf again from the valid signatures, re-applies the approval's PDF signature (only its
 * approver can: the key signs the PDF), and records in the audit trail every valid signature of `signerId`
 * that the trail is missing. Every step is audited.
 */
export async function resumeReport(reportDir: string, signerId: string, ctx: SigningContext): Promise<SignResult> {
  const { root, registry, signer, loaded, rel, base } = reportStep(reportDir, signerId, ctx);
  const { at, who, host } = base;
  return audited(root, { ...base, action: 'sign.resume' }, async () => {
    if (!loaded.record || !loaded.recordHash) throw new IntegrityError('RECORD_NOT_VERIFIED', `the report ${rel} cannot be read: ${loaded.findings.map((f) => f.message).join('; ')}`);
    const record = loaded.record;
    const recordHash = loaded.recordHash;
    return withReportLock(root, record.reportId, async () => {
      removeStagedRenderings(reportDir);
      const files = readReportEnvelopes(reportDir);
      const ev = evaluateReport(record, recordHash, registry, files, ctx.now, segregationPolicy(root));
      const trail = readAuditTrail(root);
      // Only the record and its signatures are judged here: the renderings are what this writes again.
      const current = await verifyReport(reportDir, { now: ctx.now, pdf: false });
      const blocking = current.findings.filter((f) => !['SIGNATURE_NOT_AUDITED'].includes(f.code));
      if (blocking.length || current.signatures.some((v) => !v.valid) || current.dispositions.some((v) => !v.valid)) requireVerified({ ...current, findings: blocking }, `the report ${rel}`);
      const approval = ev.approval;
      if (approval && approval.payload!.signer.id !== signer.id) {
        throw new RefusedError('RESUME_NOT_APPROVER', `the report ${rel} was approved by "${approval.payload!.signer.id}"; only its approver can re-apply the approval's PDF signature: qualify sign ${rel} --resume --as ${approval.payload!.signer.id}`);
      }
      const recorded = new Set(trail.entries.filter((e) => e.object?.type === 'report' && e.object.id === record.reportId && e.ref && ['sign', 'deviation.close', 'attest', 'sign.resume'].includes(e.action)).map((e) => e.ref!.path));
      const missing = [...ev.signatures, ...ev.dispositions].filter((e) => e.verdict.valid && !recorded.has(e.checked.file));
      const foreign = missing.filter((e) => e.verdict.signerId !== signer.id);
      if (foreign.length) throw new RefusedError('RESUME_NOT_SIGNER', `${foreign.map((e) => e.checked.file).join(', ')} of ${rel} ${foreign.length === 1 ? 'is' : 'are'} not in the audit trail; only ${foreign.length === 1 ? 'its signer' : 'their signers'} can record ${foreign.length === 1 ? 'it' : 'them'} (qualify sign ${rel} --resume --as ${foreign[0]!.verdict.signerId})`);
      const unlocked = await unlockKey(signer, approval ? approval.payload!.time : at, ctx.env, ctx.passphrase, root, approval?.payload!.key.fingerprint, { at, host });
      const staged = await stageFor(reportDir, ev, recordHash, ctx, host, approval ? { unlocked, signer, meaning: 'approved', time: approval.payload!.time, envelope: files.signatures.find((f) => f.file === approval.checked.file)!, envelopeSha256: approval.checked.envelopeHash! } : null, registry);
      const object = { type: 'report', id: record.reportId, path: rel };
      const inputs: AuditEntryInput[] = missing.map((e) => {
        const bytes = [...files.signatures, ...files.dispositions].find((f) => f.file === e.checked.file)!.bytes;
        return { at, who, action: 'sign.resume', host, object, field: 'signature', new: e.checked.file, why: `recorded on resume: ${e.checked.file} (${e.verdict.meaning} by ${e.verdict.signerId} at ${e.verdict.time}) was written but its audit entry was not (interrupted)`, ref: { path: e.checked.file, sha256: sha256Hex(bytes) } };
      });
      staged?.commit();
      if (staged) inputs.push(...renderEntries(staged, at, who, host, object, `rendered again on resume${approval ? ` with the PDF signature of ${approval.checked.file} re-applied` : ''}`));
      if (!inputs.length) inputs.push({ at, who, action: 'sign.resume', host, object, why: 'resume: nothing to render or record' });
      const entries = await appendAuditEntries(root, inputs);
      const pdf = staged?.files.find((f) => f.name === 'report.pdf');
      return { file: PDF_FILE, from: ev.state, to: ev.state, payload: { resumed: missing.map((e) => e.checked.file) }, pdf: pdf ? { path: join(reportDir, PDF_FILE), sha256: pdf.sha256, signed: staged!.signed } : null, audit: entries };
    });
  });
}

/** Closes deviation `deviationId` of a report with a QA-signed disposition (a signed side file; the record is not rewritten). */
export async function closeDeviation(reportDir: string, deviationId: string, disposition: string, signerId: string, ctx: SigningContext): Promise<SignResult> {
  const { root, registry, signer, loaded, rel, base } = reportStep(reportDir, signerId, ctx);
  const { at, who, host } = base;
  return audited(root, { ...base, action: 'deviation.close' }, async () => {
    if (!disposition.trim()) throw new UsageError('DISPOSITION_MISSING', 'a disposition needs its text: --disposition "impact assessment, root cause, decision"');
    requireRole(registry, signer, 'dispositioned', at);
    requireAcknowledged(registry, signer);
    const current = await verifyReport(reportDir, { now: ctx.now, pdf: false });
    requireVerified(current, `the report ${rel}`);
    const record = loaded.record!;
    const recordHash = loaded.recordHash!;
    const deviation = record.deviations.find((d) => d.id === deviationId);
    if (!deviation) throw new UsageError('DEVIATION_UNKNOWN', `the report ${rel} has no deviation ${deviationId}; it has ${record.deviations.map((d) => d.id).join(', ') || 'none'}`);
    return withReportLock(root, record.reportId, async () => {
      removeStagedRenderings(reportDir);
      const files = readReportEnvelopes(reportDir);
      const policy = segregationPolicy(root);
      const before = evaluateReport(record, recordHash, registry, files, ctx.now, policy);
      if (before.state === 'approved') throw new RefusedError('RECORD_CLOSED', `the report ${rel} is approved; its deviations can no longer be dispositioned`);
      if (before.dispositions.some((d) => d.verdict.valid && d.payload?.deviation.id === deviationId)) throw new UsageError('DEVIATION_CLOSED', `${deviationId} of ${rel} is already dispositioned (${DISPOSITIONS_DIR}/${deviationId}.dsse.json)`);
      if (before.executors.has(signer.id)) throw new RefusedError('SIGN_REFUSED', `"${signer.id}" executed the record and cannot disposition its deviations`);
      const unlocked = await unlockKey(signer, at, ctx.env, ctx.passphrase, root);
      const payload: DispositionPayload = {
        schema: DISPOSITION_SCHEMA,
        subject: reportSubject(record, recordHash),
        deviation: { id: deviation.id, caseId: deviation.caseId, stepId: deviation.stepId },
        disposition: disposition.trim(),
        signer: claim(registry, signer, at),
        meaning: 'dispositioned',
        time: at,
        key: { fingerprint: unlocked.key.fingerprint, algorithm: unlocked.key.algorithm },
        trail: trailHead(root),
        tool: { name: TOOL_NAME, version: TOOL_VERSION },
      };
      const candidate: SignedFile = { file: `${DISPOSITIONS_DIR}/${deviation.id}.dsse.json`, bytes: envelopeBytes(DISPOSITION_PAYLOAD_TYPE, payload, unlocked) };
      const after = evaluateReport(record, recordHash, registry, { signatures: files.signatures, dispositions: [...files.dispositions.filter((f) => f.file !== candidate.file), candidate] }, ctx.now, policy);
      const mine = after.dispositions.find((d) => d.checked.file === candidate.file)!;
      if (!mine.verdict.valid) throw new RefusedError('SIGN_REFUSED', `"${signer.id}" cannot disposition ${deviationId}: ${mine.verdict.reasons.join('; ')}`);
      if (existsSync(join(reportDir, candidate.file))) throw new UsageError('DEVIATION_CLOSED', `${candidate.file} already exists in ${rel}; a deviation is dispositioned once`);
      const staged = await stageFor(reportDir, after, recordHash, ctx, host, { unlocked, signer, meaning: 'dispositioned', label: `dispositioned ${deviation.id}`, time: at, envelope: candidate, envelopeSha256: mine.checked.envelopeHash! }, registry, [candidate]);
      const signEntry: AuditEntryInput = {
        at, who, action: 'deviation.close', host, object: { type: 'report', id: record.reportId, path: rel }, field: `deviations.${deviation.id}.status`, old: 'open', new: 'closed',
        why: payload.disposition, ref: { path: candidate.file, sha256: sha256Hex(candidate.bytes) },
      };
      const done = await commitSignature({ root, dir: reportDir, rel, reportId: record.reportId, candidate, signEntry, staged, approval: false, host, who, at, renderWhy: `report.md rendered again, report.pdf with the PDF digital signature of ${candidate.file}` });
      return { file: candidate.file, from: 'open', to: 'closed', payload, pdf: done.pdf, audit: done.entries };
    });
  });
}

/** Signs a controlled document's current bytes as authored, reviewed (before approval, or a periodic review after it), approved, trained or obsoleted. */
export async function signDocument(file: string, signerId: string, meaning: SignatureMeaning, comment: string | null, ctx: SigningContext): Promise<SignResult> {
  const root = findQmsRoot(file);
  const registry = registryOf(root);
  const host = ctx.host ?? hostname();
  const at = utcSeconds(ctx.now);
  const doc = await readDocumentRef(root, file);
  const signer = requireSigner(registry, signerId);
  const who = { id: signer.id, name: signer.name };
  return audited(root, { at, who, object: { type: 'document', id: doc.documentId, path: doc.path }, action: 'sign', host }, async () => {
    if (!DOCUMENT_MEANINGS.includes(meaning)) throw new UsageError('MEANING_INVALID', `a document is signed as ${DOCUMENT_MEANINGS.join(', ')}; found "${meaning}"`);
    requireRole(registry, signer, meaning, at);
    requireAcknowledged(registry, signer);
    if (meaning === 'approved') await requireTraceable(root, doc);
    const existing = checkDocumentSignatures(root, doc, registry, ctx.now);
    const broken = existing.filter((e) => !e.verdict.valid);
    if (broken.length) throw new IntegrityError('RECORD_NOT_VERIFIED', `the signatures of ${doc.documentId} revision ${doc.revision ?? '(none)'} do not verify, so no signature can be added:\n  ${broken.map((e) => `${e.verdict.file}: ${e.verdict.reasons.join('; ')}`).join('\n  ')}`);
    const before = documentApprovalState(root, doc, { now: ctx.now, registry });
    // Training is on the approved content of a revision, not on a draft that may still change.
    if (meaning === 'trained' && !before.approved) throw new ApprovalError('SIGN_REFUSED', `"${signer.id}" cannot sign ${doc.path} as trained: ${doc.documentId} revision ${doc.revision ?? '(none)'} is not approved over these bytes${before.missingApprovers.length ? ` (awaiting ${before.missingApprovers.join(', ')})` : ''}; training is recorded on the approved revision`);
    const unlocked = await unlockKey(signer, at, ctx.env, ctx.passphrase, root);
    const folder = approvalFolder(doc.documentId, doc.revision);
    const payload: SignaturePayload = {
      schema: SIGNATURE_SCHEMA,
      subject: { kind: 'document', documentId: doc.documentId, revision: doc.revision, path: doc.path, sha256: doc.sha256 },
      signer: claim(registry, signer, at),
      meaning,
      time: at,
      comment: comment ?? null,
      key: { fingerprint: unlocked.key.fingerprint, algorithm: unlocked.key.algorithm },
      previous: existing.at(-1)?.checked.envelopeHash ?? null,
      dispositions: [],
      trail: trailHead(root),
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
    };
    const candidate: SignedFile = { file: `${folder}/${signatureFileName(existing.length + 1, meaning, signer.id)}`, bytes: envelopeBytes(SIGNATURE_PAYLOAD_TYPE, payload, unlocked) };
    const after = checkDocumentSignatures(root, doc, registry, ctx.now, [candidate]);
    const mine = after.at(-1)!;
    if (!mine.verdict.valid) throw new RefusedError('SIGN_REFUSED', `"${signer.id}" cannot sign ${doc.path} as ${meaning}: ${mine.verdict.reasons.join('; ')}`);
    if (!createFileExclusive(join(root, candidate.file), candidate.bytes)) {
      throw new ApprovalError('SIGN_CONFLICT', `another signature was added to ${folder} meanwhile; nothing was signed, try again`);
    }
    const state = documentApprovalState(root, doc, { now: ctx.now, registry });
    // What the signature changed, for the trail (AT-01): the approval, the signer's training, or the status.
    const field = meaning === 'trained' ? `training.${signer.id}` : meaning === 'obsoleted' ? 'status' : 'approval';
    const from = meaning === 'trained' ? 'not trained' : before.approved ? 'approved' : 'not approved';
    const to = meaning === 'trained' ? 'trained' : meaning === 'obsoleted' ? 'obsolete' : state.approved ? 'approved' : 'not approved';
    const entry = await appendAuditEntry(root, {
      at, who, action: 'sign', host, object: { type: 'document', id: doc.documentId, path: doc.path }, field, old: from, new: to,
      why: comment?.trim() ? comment : `signed ${doc.documentId} revision ${doc.revision ?? '(none)'} (sha256 ${short(doc.sha256)}) as ${meaning}`,
      ref: { path: candidate.file, sha256: sha256Hex(candidate.bytes) },
    });
    return { file: candidate.file, from, to, payload, pdf: null, audit: [entry] };
  });
}

/** Writes the signed in-toto test-result attestation of an approved report. */
export async function attestReport(reportDir: string, signerId: string, ctx: SigningContext): Promise<SignResult> {
  const { root, registry, signer, loaded, rel, base } = reportStep(reportDir, signerId, ctx);
  const { at, who, host } = base;
  return audited(root, { ...base, action: 'attest' }, async () => {
    requireRole(registry, signer, 'attested', at);
    requireAcknowledged(registry, signer);
    const current = await verifyReport(reportDir, { now: ctx.now });
    requireVerified(current, `the report ${rel}`);
    if (current.state !== 'approved') throw new RefusedError('RECORD_NOT_APPROVED', `the report ${rel} is ${current.state}, not approved: only an approved record attests a qualified deployment`);
    const record = loaded.record!;
    const statement = buildStatement(record, loaded.recordHash!, `${rel}/report.json`);
    if (statement.subject.length === 0) throw new UsageError('ATTEST_NO_SUBJECT', `the record ${rel} names no image by registry digest (repo@sha256:...), so there is nothing to attest`);
    const unlocked = await unlockKey(signer, at, ctx.env, ctx.passphrase, root);
    const bytes = envelopeBytes(INTOTO_PAYLOAD_TYPE, statement, unlocked);
    if (!createFileExclusive(join(reportDir, ATTESTATION_FILE), bytes)) throw new UsageError('ATTESTATION_EXISTS', `${rel}/${ATTESTATION_FILE} exists already; an attestation is written once`);
    const entry = await appendAuditEntry(root, {
      at, who, action: 'attest', host, object: { type: 'report', id: record.reportId, path: rel }, field: 'attestation', new: canonicalHash(statement),
      why: `in-toto test-result attestation for ${statement.subject.map((s) => `${s.name}@sha256:${s.digest.sha256!.slice(0, 12)}`).join(', ')}`,
      ref: { path: ATTESTATION_FILE, sha256: sha256Hex(bytes) },
    });
    return { file: ATTESTATION_FILE, from: 'approved', to: 'attested', payload: statement as unknown as Record<string, unknown>, pdf: null, audit: [entry] };
  });
}
