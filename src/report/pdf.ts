// A record (report.json) and its Markdown (report.md) → report.pdf: the record's furniture on the cover
// (report id, protocol and its sha256, subject digests, conclusion, record sha256), the signature page,
// "NOT A GxP RECORD" on dry runs, and the record itself embedded as an attached file.
import { qualificationConclusion } from './conclusion.js';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { parseMarkdown } from '../markdown/parse.js';
import type { Report } from '../model/report.js';
import type { SignatureManifestation } from '../model/signature.js';
import { renderMarkdownToPdf, type PdfAttachment, type PdfDocumentMeta } from '../pdf/index.js';
import { serializeRecord } from './record.js';

export interface ReportPdfOptions {
  signatures?: SignatureManifestation[];
  /** sha256 of the canonical record; computed from `report` when absent. */
  recordHash?: string;
  pageSize?: 'A4' | 'Letter';
  /** The exact bytes of report.json to embed; default: the record serialized as the tool writes it. */
  recordBytes?: Uint8Array;
  /** Evidence images for `![alt](evidence/...)` references. */
  images?: (src: string) => Uint8Array | null;
  /** Files attached beside report.json (the text evidence: report/evidence-attachments.ts). */
  attachments?: PdfAttachment[];
}

/** sha256 of the RFC 8785 canonical JSON of the record (what signatures cover). */
export function recordSha256(report: Report): string {
  return createHash('sha256').update(canonicalize(report) ?? '').digest('hex');
}

const ORDER = ['executed', 'reviewed', 'approved'] as const;

/**
 * The images the cover lists. A fleet runs the same image on many targets and replicas: the cover
 * names each image once (the Subject section of the report lists every target, container and task).
 */
function coverImages(report: Report): Array<{ repository: string | null; tag: string | null; digest: string | null; imageId: string }> {
  const all = report.subject.images.map((i) => ({ repository: i.repository, tag: i.tag, digest: i.digest, imageId: i.imageId }));
  if (!report.subject.images.some((i) => i.target !== undefined)) return all;
  const seen = new Map<string, (typeof all)[number]>();
  for (const i of all) {
    const key = JSON.stringify([i.repository, i.tag, i.digest, i.imageId]);
    if (!seen.has(key)) seen.set(key, i);
  }
  return [...seen.values()];
}

/** What the cover, header, footer and XMP say about a record. */
export function reportMeta(report: Report, options: ReportPdfOptions = {}): PdfDocumentMeta {
  const sigs = options.signatures ?? [];
  const who = (m: string): string[] => sigs.filter((s) => s.meaning === m).map((s) => `${s.name} (${s.signerId})`);
  const reached = ORDER.filter((m) => sigs.some((s) => s.meaning === m));
  const status = report.dryRun ? 'dry run' : reached.length ? reached[reached.length - 1]! : 'recorded, not signed';
  const executor = report.executor.name ? `${report.executor.name} (${report.executor.id})` : report.executor.id;
  const where = [report.environment ? `environment ${report.environment}` : null, report.parameters.release ? `release ${report.parameters.release}` : null].filter(Boolean).join(', ');
  return {
    documentId: report.reportId,
    reportId: report.reportId,
    // The report's own title; the protocol it executed is said under it.
    title: `Test Report ${report.reportId}`,
    subtitle: `Executed from ${report.protocol.documentId} revision ${report.protocol.revision}, ${report.protocol.title}${where ? `; ${where}` : ''}`,
    revision: report.protocol.revision,
    status,
    kind: 'report',
    authors: [executor],
    reviewers: who('reviewed'),
    approvers: who('approved'),
    approvalDate: sigs.find((s) => s.meaning === 'approved')?.time ?? null,
    effectiveDate: null,
    recordHash: options.recordHash ?? recordSha256(report),
    subject: {
      images: coverImages(report),
      application: report.subject.application,
    },
    protocol: { documentId: report.protocol.documentId, revision: report.protocol.revision, sha256: report.protocol.sha256, title: report.protocol.title },
    // The qualification verdict (results and QA dispositions), as the report's Conclusion section states it.
    conclusion: qualificationConclusion(report).verdict,
    created: report.ended || report.started,
    watermark: report.dryRun ? 'NOT A GxP RECORD' : null,
    signatures: sigs,
  };
}

/**
 * The report's own "## Signatures" section is left out of the PDF: the signature page prints the same
 * signatures with the signed hash, which a Markdown table does not carry. The tree is not changed.
 */
function withoutSignatureSection(tree: Root): Root {
  const start = tree.children.findIndex((n) => n.type === 'heading' && n.depth === 2 && toString(n).trim() === 'Signatures');
  if (start < 0) return tree;
  const rest = tree.children.slice(start + 1);
  const next = rest.findIndex((n) => n.type === 'heading' && n.depth <= 2);
  return { ...tree, children: [...tree.children.slice(0, start), ...(next < 0 ? [] : rest.slice(next))] };
}

/** The mdast the PDF typesets for a report's Markdown (its own Signatures section left to the signature page). */
export function reportTree(markdown: string): Root {
  return withoutSignatureSection(parseMarkdown(markdown));
}

/**
 * Renders report.pdf from report.md as written (parsed by the one Markdown pipeline, like every
 * document). Deterministic: same record, Markdown and signatures → same bytes.
 */
export async function renderReportPdf(report: Report, markdown: string, options: ReportPdfOptions = {}): Promise<Uint8Array> {
  const meta = reportMeta(report, options);
  const record = options.recordBytes ?? new TextEncoder().encode(serializeRecord(report));
  return renderMarkdownToPdf(reportTree(markdown), meta, {
    pageSize: options.pageSize,
    toc: true,
    images: options.images,
    attachments: [{ name: 'report.json', mediaType: 'application/json', bytes: record, description: `The qualification record ${report.reportId} (sha256 of canonical JSON ${meta.recordHash})` }, ...(options.attachments ?? [])],
  });
}
