// `qualify verify report.pdf`: beside its report.json the whole folder is verified; a PDF on its own
// (an auditor's copy) is verified from what it embeds: the record (report.json) and, in an approved PDF,
// the signature envelopes, checked against the signer registry of the repository at hand.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { REPORT_SCHEMA, type Report } from '../model/report.js';
import { auditFindings } from './audit.js';
import { canonicalHash } from './hash.js';
import { inspectPdf } from './pdf-inspect.js';
import { RECORD_FILE } from './report-record.js';
import type { SignedFile } from './signature-folder.js';
import type { VerifyResult } from './verdict.js';
import { createVerifySession, evaluateReport, pdfFindings, verifyReport, type VerifySession } from './verify-report.js';

/** The record as the runner wrote it, from the reader's view that has dispositions applied. */
function recordFromView(view: Report): Report {
  return {
    ...view,
    deviations: view.deviations.map((d) => (d.disposition?.signature ? { ...d, status: 'open' as const, disposition: null } : d)),
  };
}

/** Verifies a PDF (with its folder when it is a report folder's report.pdf). */
export async function verifyPdf(path: string, options: { now: Date; root: string; session?: VerifySession; target?: string }): Promise<VerifyResult> {
  const dir = dirname(path);
  if (basename(path) === 'report.pdf' && existsSync(join(dir, RECORD_FILE))) return verifyReport(dir, { now: options.now, session: options.session, target: options.target ?? path });
  const session = options.session ?? createVerifySession(options.root, options.now);
  const target = options.target ?? path;
  const result: VerifyResult = { target, kind: 'pdf', ok: false, id: null, sha256: null, state: 'recorded', signatures: [], dispositions: [], findings: [], passed: [], notes: [] };
  const bytes = readFileSync(path);
  const pdf = await inspectPdf(bytes, null);
  const embedded = pdf.embedded.get('report.json');
  let view: Report | null = null;
  try {
    view = embedded ? (JSON.parse(embedded.toString('utf8')) as Report) : null;
  } catch { /* reported below */ }
  if (!view || view.schema !== REPORT_SCHEMA) {
    result.findings.push({ code: 'PDF_RECORD_MISSING', file: target, message: `${target} embeds no readable ${REPORT_SCHEMA} report.json, so it cannot be verified on its own` });
    return result;
  }
  const record = recordFromView(view);
  const recordHash = canonicalHash(record);
  result.id = record.reportId;
  result.sha256 = recordHash;
  const files: { signatures: SignedFile[]; dispositions: SignedFile[] } = { signatures: [], dispositions: [] };
  for (const [name, data] of [...pdf.embedded.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (name.startsWith('signatures-')) files.signatures.push({ file: `signatures/${name.slice('signatures-'.length)}`, bytes: data });
    if (name.startsWith('dispositions-')) files.dispositions.push({ file: `dispositions/${name.slice('dispositions-'.length)}`, bytes: data });
  }
  const ev = evaluateReport(record, recordHash, session.registry, files, session.now);
  result.state = ev.state;
  result.signatures = ev.signatures.map((e) => e.verdict);
  result.dispositions = ev.dispositions.map((d) => d.verdict);
  const checks = await pdfFindings(bytes, ev, recordHash, session.registry, target, pdf);
  result.findings.push(...checks.findings);
  result.passed.push(...checks.passed);
  result.notes.push('verified from the PDF alone: evidence files are not at hand, their sha256 are those inside the signed record');
  if (files.signatures.length === 0) result.notes.push('this PDF embeds no signature envelopes (only approved PDFs do)');
  const trail = session.audit();
  if (trail.present && trail.entries.some((e) => e.object?.type === 'report' && e.object.id === record.reportId)) {
    const audit = auditFindings(trail, { type: 'report', id: record.reportId }, [...files.signatures, ...files.dispositions]);
    // The PDF was signed at approval: later entries (an attestation) are not inside it.
    result.findings.push(...audit.findings.filter((f) => f.code !== 'SIGNATURE_REMOVED' || !f.file?.startsWith('attestation')));
    result.passed.push(...audit.passed);
  }
  result.ok = result.findings.length === 0 && result.signatures.every((s) => s.valid) && result.dispositions.every((s) => s.valid);
  return result;
}
