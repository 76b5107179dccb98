// `qualify verify report.pdf`: beside its report.json the whole folder is verified; a PDF on its own
// (an auditor's copy) is verified from what it embeds: the record (report.json), the signature envelopes
// and certificates, checked against the signer registry of the repository at hand or, outside any
// repository (or with --trust), against the trust anchor the verifier gives (pdf-registry.ts).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { REPORT_SCHEMA, type Report } from '../model/report.js';
import { auditFindings } from './audit.js';
import { canonicalHash } from './hash.js';
import { inspectPdf } from './pdf-inspect.js';
import { RECORD_FILE } from './report-record.js';
import type { SignedFile } from './signature-folder.js';
import type { VerifyResult } from './verdict.js';
import type { X509Certificate } from 'node:crypto';
import { pdfRegistry } from './pdf-registry.js';
import type { SignerRegistry } from './signers.js';
import { createVerifySession, evaluateReport, pdfFindings, verifyReport, type VerifySession } from './verify-report.js';

/** The record as the runner wrote it, from the reader's view that has dispositions applied. */
function recordFromView(view: Report): Report {
  return {
    ...view,
    deviations: view.deviations.map((d) => (d.disposition?.signature ? { ...d, status: 'open' as const, disposition: null } : d)),
  };
}

/** Verifies a PDF (with its folder when it is a report folder's report.pdf) against the repository at `root`. */
export async function verifyPdf(path: string, options: { now: Date; root: string; session?: VerifySession; target?: string }): Promise<VerifyResult> {
  const dir = dirname(path);
  if (basename(path) === 'report.pdf' && existsSync(join(dir, RECORD_FILE))) return verifyReport(dir, { now: options.now, session: options.session, target: options.target ?? path });
  const session = options.session ?? createVerifySession(options.root, options.now);
  const target = options.target ?? path;
  const bytes = readFileSync(path);
  const pdf = await inspectPdf(bytes, null);
  const { result, files } = await verifyEmbedded(bytes, pdf, target, session.registry, session.now);
  if (!result.id) return result;
  const trail = session.audit();
  if (trail.present && trail.entries.some((e) => e.object?.type === 'report' && e.object.id === result.id)) {
    const audit = auditFindings(trail, { type: 'report', id: result.id }, [...files.signatures, ...files.dispositions]);
    // The PDF was signed at approval: later entries (an attestation) are not inside it.
    result.findings.push(...audit.findings.filter((f) => f.code !== 'SIGNATURE_REMOVED' || !f.file?.startsWith('attestation')));
    result.passed.push(...audit.passed);
  }
  result.ok = result.findings.length === 0 && result.signatures.every((s) => s.valid) && result.dispositions.every((s) => s.valid);
  return result;
}

/**
 * Verifies a PDF with nothing but itself and a trust anchor (the signer CA's certificate): no repository,
 * no signers.yaml, no audit trail. Without `trust`, everything else is still checked and the missing anchor
 * is a finding (TRUST_ANCHOR_MISSING), so the verdict is never "verified".
 */
export async function verifyPdfAlone(path: string, options: { now: Date; trust: X509Certificate[] | null; target?: string }): Promise<VerifyResult> {
  const target = options.target ?? path;
  const bytes = readFileSync(path);
  const pdf = await inspectPdf(bytes, null);
  const envelopes = [...pdf.embedded.entries()].filter(([n]) => n.startsWith('signatures-') || n.startsWith('dispositions-')).map(([file, data]) => ({ file, bytes: data }));
  const reg = pdfRegistry(pdf, envelopes, options.trust, target);
  const { result } = await verifyEmbedded(bytes, pdf, target, reg.registry, options.now);
  result.passed.unshift(...reg.passed);
  result.findings.push(...reg.problems.map((p) => ({ code: p.code, file: target, message: p.message })));
  if (result.id) {
    result.notes.push('verified without the repository: signer ids and printed names are those their certificates carry; roles are those each signer claimed in their signed envelopes; revocations and the audit trail are not in the PDF');
  }
  result.ok = result.findings.length === 0 && result.signatures.every((s) => s.valid) && result.dispositions.every((s) => s.valid);
  return result;
}

/** The checks a PDF allows from what it embeds: record, envelopes (with the rules), PDF signatures. */
async function verifyEmbedded(bytes: Buffer, pdf: Awaited<ReturnType<typeof inspectPdf>>, target: string, registry: SignerRegistry | null, now: Date): Promise<{ result: VerifyResult; files: { signatures: SignedFile[]; dispositions: SignedFile[] } }> {
  const result: VerifyResult = { target, kind: 'pdf', ok: false, id: null, sha256: null, state: 'recorded', signatures: [], dispositions: [], findings: [], passed: [], notes: [] };
  const files: { signatures: SignedFile[]; dispositions: SignedFile[] } = { signatures: [], dispositions: [] };
  const embedded = pdf.embedded.get('report.json');
  let view: Report | null = null;
  try {
    view = embedded ? (JSON.parse(embedded.toString('utf8')) as Report) : null;
  } catch { /* reported below */ }
  if (pdf.parseProblem) result.findings.push({ code: 'PDF_UNREADABLE', file: target, message: `${target} cannot be parsed as a PDF (${pdf.parseProblem}): it was damaged or altered` });
  if (!view || view.schema !== REPORT_SCHEMA) {
    result.findings.push({ code: 'PDF_RECORD_MISSING', file: target, message: `${target} embeds no readable ${REPORT_SCHEMA} report.json, so it cannot be verified on its own` });
    return { result, files };
  }
  const record = recordFromView(view);
  const recordHash = canonicalHash(record);
  result.id = record.reportId;
  result.sha256 = recordHash;
  for (const [name, data] of [...pdf.embedded.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (name.startsWith('signatures-')) files.signatures.push({ file: `signatures/${name.slice('signatures-'.length)}`, bytes: data });
    if (name.startsWith('dispositions-')) files.dispositions.push({ file: `dispositions/${name.slice('dispositions-'.length)}`, bytes: data });
  }
  const ev = evaluateReport(record, recordHash, registry, files, now);
  result.state = ev.state;
  result.signatures = ev.signatures.map((e) => e.verdict);
  result.dispositions = ev.dispositions.map((d) => d.verdict);
  const checks = await pdfFindings(bytes, ev, recordHash, registry, target, pdf);
  result.findings.push(...checks.findings);
  result.passed.push(...checks.passed);
  result.notes.push(...checks.notes);
  result.notes.push('verified from the PDF alone: evidence files are not at hand, their sha256 are those inside the signed record');
  if (files.signatures.length === 0) result.notes.push('this PDF embeds no signature envelopes (it was not signed)');
  return { result, files };
}
