// After each signature the report PDF is rendered again with its signature page; the approved PDF also
// gets the PDF digital signature. Renderings are staged (written and flushed to temporary files) and put
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
import { findQmsRoot } from './repo.js';
import type { UnlockedKey } from './credentials.js';
import { sha256Hex } from './hash.js';
import { signPdf } from './pdf-sign.js';
import { PDF_FILE } from './report-record.js';
import type { SignedFile } from './signature-folder.js';
import { stageFile, type StagedFile } from './store.js';

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
  /** When the record was just approved: the approver's key, to sign the PDF. */
  approval: { unlocked: UnlockedKey; manifestation: SignatureManifestation; caCertificate: string | null; host: string } | null;
  /** Envelopes attached to the approved PDF so that it can be verified on its own. */
  attachments: SignedFile[];
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
  if (o.renderer) {
    // report.md and report.pdf are renderings of the record (with its dispositions) and its signatures.
    // With the audit-trail extract of the record as the trail holds it now, and its text evidence attached.
    const auditTrail = trailExtract(readAuditTrail(findQmsRoot(o.dir)).entries, o.view.reportId, o.attachments.map((a) => a.file));
    markdown = renderReportMarkdown(o.view, { signatures: o.signatures, auditTrail });
    bytes = await o.renderer(o.view, markdown, { signatures: o.signatures, attachments: evidenceAttachments(o.view, (p) => readEvidenceFile(o.dir, p)) });
  } else if (o.approval && existsSync(path)) {
    bytes = readFileSync(path);
  }
  if (!bytes) return null;
  let signed = false;
  if (o.approval) {
    const m = o.approval.manifestation;
    const u = o.approval.unlocked;
    bytes = await signPdf(bytes, {
      privateKey: u.privateKey,
      certificates: [u.key.certificate, ...(o.approval.caCertificate ? [o.approval.caCertificate] : [])],
      name: m.name,
      reason: `${m.meaning} by ${m.name} (${m.signerId}); record sha256 ${o.recordHash}`,
      contactInfo: u.signer.email,
      location: o.approval.host,
      signingTime: new Date(m.time),
      lines: [
        `Electronically signed: ${m.meaning.toUpperCase()}`,
        `${m.name} (${m.signerId})`,
        `UTC ${m.time}`,
        `Record sha256 ${o.recordHash}`,
        `Key sha256 ${m.keyFingerprint}`,
      ],
      attachments: o.attachments.map((a) => ({ name: a.file.replace(/\//g, '-'), bytes: a.bytes, mimeType: 'application/json', description: `signed envelope ${a.file}` })),
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
