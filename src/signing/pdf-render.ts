// After each signature the report PDF is rendered again with its signature page; the approved PDF also
// gets the PDF digital signature. The typesetting engine is called through `PdfRenderer` so the
// signing layer does not depend on how pages are laid out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../model/report.js';
import type { SignatureManifestation } from '../model/signature.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { renderReportMarkdown } from '../report/markdown.js';
import type { UnlockedKey } from './credentials.js';
import { sha256Hex } from './hash.js';
import { signPdf } from './pdf-sign.js';
import { PDF_FILE } from './report-record.js';
import type { SignedFile } from './signature-folder.js';
import { writeFileAtomic } from './store.js';

/** Renders a record (as readers see it) with its Markdown and signature page to PDF bytes. */
export type PdfRenderer = (report: Report, markdown: string, options: { signatures: SignatureManifestation[] }) => Promise<Uint8Array>;

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

/** Writes report.pdf again; returns its path and sha256, or null when there was nothing to render. */
export async function refreshReportPdf(o: PdfRefresh): Promise<{ path: string; sha256: string; signed: boolean } | null> {
  const path = join(o.dir, PDF_FILE);
  let bytes: Uint8Array | null = null;
  if (o.renderer) {
    // report.md and report.pdf are renderings of the record (with its dispositions) and its signatures.
    const markdown = renderReportMarkdown(o.view, { signatures: o.signatures });
    writeFileAtomic(join(o.dir, 'report.md'), markdown);
    bytes = await o.renderer(o.view, markdown, { signatures: o.signatures });
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
  writeFileAtomic(path, bytes);
  return { path, sha256: sha256Hex(bytes), signed };
}
