// The report PDF of a signature: the first signature renders it again with its signature page and signs
// it; every later one (reviewed, a disposition, approved) is appended to it as an incremental update
// with its own PDF signature, so the signatures made before stay valid, each over its revision. Renderings are staged (written and flushed to temporary files) and put
// in place by the caller at the right moment of its sequence. The typesetting engine is called through `PdfRenderer` so the
// signing layer does not depend on how pages are laid out.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../model/report.js';
import type { SignatureManifestation } from '../model/signature.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { renderReportMarkdown } from '../report/markdown.js';
import { trailExtract } from '../report/audit-extract.js';
import { evidenceAttachments, readEvidenceFile } from '../report/evidence-attachments.js';
import type { PdfAttachment } from '../pdf/types.js';
import { readAuditTrail } from './audit.js';
import { findQmsRoot, tsaUrl } from './repo.js';
import type { UnlockedKey } from './credentials.js';
import { sha256Hex } from './hash.js';
import { signPdf } from './pdf-sign.js';
import { PDF_FILE } from './report-record.js';
import type { SignedFile } from './signature-folder.js';
import { stageFile, type StagedFile } from './store.js';
import { serializeRecord } from '../report/record.js';

/** Renders a record (as readers see it) with its Markdown and signature page to PDF bytes, with the files to attach (text evidence). */
export type PdfRenderer = (report: Report, markdown: string, options: { signatures: SignatureManifestation[]; attachments?: PdfAttachment[] }) => Promise<Uint8Array>;

/** The report engine's renderer (loaded on first use: pdf-lib and the fonts are only needed here). */
export async function loadReportRenderer(): Promise<PdfRenderer> {
  return (await import('../report/pdf.js')).renderReportPdf;
}

export interface PdfRefresh {
  dir: string;
  view: Report;
  recordHash: string;
  signatures: SignatureManifestation[];
  renderer: PdfRenderer | null;
  /** The signature just made (or re-applied on resume): its signer's key signs the PDF. */
  approval: PdfSignatureRequest | null;
  /** The record's signature envelopes (valid ones, and the one being made), attached so the PDF verifies on its own. */
  attachments: SignedFile[];
  /** Canonical sha256 of every valid envelope of the record: PDF signatures of other envelopes are cut off. */
  backed?: Set<string>;
}

/** A PDF signature to add: who signs, what envelope it manifests. */
export interface PdfSignatureRequest {
  unlocked: UnlockedKey;
  manifestation: { signerId: string; name: string; meaning: string; time: string; keyFingerprint: string };
  /** What the signature is, in words (e.g. "dispositioned DEV-001"); default the meaning. */
  label?: string;
  envelopeFile: string;
  envelopeSha256: string;
  caCertificate: string | null;
  host: string;
}

/** The PDF signatures of `bytes` that stay: the longest prefix of revisions each closed by a valid signature of a backed envelope. */
export async function signedPrefix(bytes: Buffer, backed: Set<string>): Promise<{ bytes: Buffer; signatures: number; envelopes: Set<string> } | null> {
  const { inspectPdfSignatures, revisionEnds } = await import('./pdf-inspect.js');
  const s = bytes.toString('latin1');
  const ends = revisionEnds(s);
  const sigs = await inspectPdfSignatures(bytes, s);
  let keep = 0;
  const envelopes = new Set<string>();
  for (const [i, sig] of sigs.entries()) {
    // Revision i+1 must be closed by signature i: one signature per revision, nothing unsigned between.
    if (sig.revision !== i + 1 || sig.problems.length || !sig.signatureValid || !sig.envelopeSha256 || !backed.has(sig.envelopeSha256) || envelopes.has(sig.envelopeSha256)) break;
    envelopes.add(sig.envelopeSha256);
    keep = i + 1;
  }
  if (keep === 0) return null;
  const end = sigs[keep - 1]!.byteRange[2] + sigs[keep - 1]!.byteRange[3];
  return { bytes: bytes.subarray(0, end), signatures: keep, envelopes };
}

/** report.md and report.pdf rendered and flushed beside the folder's files, not yet in place. */
export interface StagedRendering {
  files: Array<{ name: 'report.md' | 'report.pdf'; sha256: string; staged: StagedFile }>;
  /** The PDF carries the approval's PDF signature. */
  signed: boolean;
  /** Puts every file in place (rename), the PDF last. */
  commit(): void;
  abort(): void;
}

/**
 * Renders report.md and report.pdf (signed for an approval) into temporary files of the folder; null when
 * there is nothing to render. Nothing is visible until `commit`: a crash or a full disk before it leaves
 * the folder as it was.
 */
export async function stageReportRendering(o: PdfRefresh): Promise<StagedRendering | null> {
  const path = join(o.dir, PDF_FILE);
  let markdown: string | null = null;
  let bytes: Uint8Array | null = null;
  // A report.pdf that already carries PDF signatures is kept and the new signature appended to it (cut
  // back to its last revision signed for a valid envelope: an interrupted signature leaves one that none backs).
  let prefix: Awaited<ReturnType<typeof signedPrefix>> = null;
  if (existsSync(path)) prefix = await signedPrefix(readFileSync(path), o.backed ?? new Set());
  if (prefix && o.approval && prefix.envelopes.has(o.approval.envelopeSha256)) {
    // Resume: the PDF already carries this signature.
    bytes = prefix.bytes;
    o = { ...o, approval: null };
  } else if (prefix && o.approval) {
    bytes = prefix.bytes;
  }
  if (o.renderer) {
    // report.md and report.pdf are renderings of the record (with its dispositions) and its signatures.
    // With the audit-trail extract of the record as the trail holds it now, and its text evidence attached.
    const auditTrail = trailExtract(readAuditTrail(findQmsRoot(o.dir)).entries, o.view.reportId, o.attachments.map((a) => a.file));
    markdown = renderReportMarkdown(o.view, { signatures: o.signatures, auditTrail });
    if (!prefix) bytes = await o.renderer(o.view, markdown, { signatures: o.signatures, attachments: evidenceAttachments(o.view, (p) => readEvidenceFile(o.dir, p)) });
  } else if (o.approval && !bytes && existsSync(path)) {
    bytes = readFileSync(path);
  }
  if (!bytes) return null;
  let signed = false;
  if (o.approval) {
    const m = o.approval.manifestation;
    const u = o.approval.unlocked;
    const label = o.approval.label ?? m.meaning;
    const certName = (id: string, fp: string) => `certificates-${id}-${fp.slice(0, 16)}.pem`;
    bytes = await signPdf(bytes, {
      privateKey: u.privateKey,
      certificates: [u.key.certificate, ...(o.approval.caCertificate ? [o.approval.caCertificate] : [])],
      name: m.name,
      reason: `${label} by ${m.name} (${m.signerId}); record sha256 ${o.recordHash}; envelope sha256 ${o.approval.envelopeSha256} (${o.approval.envelopeFile})`,
      contactInfo: u.signer.email,
      location: o.approval.host,
      signingTime: new Date(m.time),
      lines: [
        `Electronically signed: ${label.toUpperCase()}`,
        `${m.name} (${m.signerId}) ${m.meaning} ${m.time}`,
        `Record sha256 ${o.recordHash.slice(0, 32)}...`,
        `Key sha256 ${m.keyFingerprint.slice(0, 32)}...`,
      ],
      attachments: [
        ...o.attachments.map((a) => ({ name: a.file.replace(/\//g, '-'), bytes: a.bytes, mimeType: 'application/json', description: `signed envelope ${a.file}` })),
        { name: certName(m.signerId, m.keyFingerprint), bytes: Buffer.from(u.key.certificate), mimeType: 'application/x-pem-file', description: `X.509 certificate of ${m.name} (${m.signerId}), key sha256 ${m.keyFingerprint}` },
        ...(o.approval.caCertificate ? [{ name: 'certificates-ca.pem', bytes: Buffer.from(o.approval.caCertificate), mimeType: 'application/x-pem-file', description: 'X.509 certificate of the signer CA that issued the signers\' certificates' }] : []),
        // The record as readers see it now (with its dispositions), replacing the one attached before.
        ...(prefix ? [{ name: 'report.json', bytes: Buffer.from(serializeRecord(o.view), 'utf8'), mimeType: 'application/json', description: `The qualification record ${o.view.reportId} with its dispositions`, replace: true }] : []),
      ],
      fieldName: `${label} ${m.signerId} ${m.time}`,
      slot: prefix?.signatures ?? 0,
      incremental: prefix !== null,
      tsaUrl: tsaUrl(findQmsRoot(o.dir)),
      appName: `${TOOL_NAME}-${TOOL_VERSION}`,
    });
    signed = true;
  }
  const files: StagedRendering['files'] = [];
  try {
    if (markdown !== null) files.push({ name: 'report.md', sha256: sha256Hex(markdown), staged: stageFile(join(o.dir, 'report.md'), markdown) });
    files.push({ name: 'report.pdf', sha256: sha256Hex(bytes), staged: stageFile(path, bytes) });
  } catch (err) {
    for (const f of files) f.staged.abort();
    throw err;
  }
  return {
    files,
    signed,
    commit: () => { for (const f of files) f.staged.commit(); },
    abort: () => { for (const f of files) f.staged.abort(); },
  };
}

/** Removes temporary renderings left in a report folder by a process that was killed. */
export function removeStagedRenderings(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (/^\.report\.(md|pdf)\.[0-9a-f]{12}\.tmp$/.test(n)) rmSync(join(dir, n), { force: true });
}
