// qualify render <report-dir | document.md | folder --book> [--out FILE]: PDFs from records and controlled documents.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';
import { ApprovalError, DocumentError, EXIT, IntegrityError, UsageError } from '../../model/errors.js';
import type { ControlledDocument, DocumentType } from '../../model/document.js';
import type { SignatureManifestation } from '../../model/signature.js';
import { formatIssue } from '../../model/issue.js';
import type { PdfDocumentMeta } from '../../pdf/index.js';
import type { Root } from 'mdast';

/** Writes bytes atomically: a temp file beside the target, then a rename. */
function writeAtomic(path: string, bytes: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    throw err;
  }
}

const pageSizeOf = (v: unknown): 'A4' | 'Letter' | undefined => {
  if (v === undefined) return undefined;
  if (v === 'A4' || v === 'Letter') return v;
  throw new UsageError('FLAG_VALUE', `qualify render: --page-size is A4 or Letter, found "${String(v)}"`);
};

const display = (ctx: CliContext, p: string): string => relative(ctx.cwd, p) || '.';

async function renderReportDir(dir: string, out: string | null, ctx: CliContext, pageSize: 'A4' | 'Letter' | undefined): Promise<string[]> {
  const { loadRecord, readReportEnvelopes } = await import('../../signing/report-record.js');
  const { evaluateReport } = await import('../../signing/verify-report.js');
  const { manifestationOf } = await import('../../signing/signature-folder.js');
  const { loadSignerRegistry, findQmsRoot } = await import('../../signing/repo.js');
  const { renderReportMarkdown } = await import('../../report/markdown.js');
  const { renderReportPdf } = await import('../../report/pdf.js');
  const loaded = loadRecord(dir);
  if (!loaded.record || !loaded.recordHash) {
    throw new IntegrityError('RECORD_UNREADABLE', `${display(ctx, dir)}: ${loaded.findings.map((f) => f.message).join('; ') || 'report.json cannot be read'}`);
  }
  const root = findQmsRoot(dir);
  const ev = evaluateReport(loaded.record, loaded.recordHash, loadSignerRegistry(root), readReportEnvelopes(dir), ctx.now());
  if (ev.state === 'approved' && !out) {
    const approver = ev.approval!.payload!.signer.id;
    const rel = relative(root, dir).split(sep).join('/');
    throw new ApprovalError('RECORD_CLOSED', `${display(ctx, dir)} is approved: its report.pdf is the one the approver PDF-signed and render does not rewrite it. Render a copy with --out FILE. If report.pdf is missing or does not verify (an interrupted approval), its approver restores it: qualify sign ${rel} --resume --as ${approver}`);
  }
  const signatures: SignatureManifestation[] = ev.signatures.filter((e) => e.verdict.valid).map(manifestationOf);
  const { readAuditTrail } = await import('../../signing/audit.js');
  const { trailExtract } = await import('../../report/audit-extract.js');
  const { evidenceAttachments, readEvidenceFile } = await import('../../report/evidence-attachments.js');
  const envelopes = readReportEnvelopes(dir);
  const auditTrail = trailExtract(readAuditTrail(root).entries, loaded.record.reportId, [...envelopes.signatures, ...envelopes.dispositions].map((f) => f.file));
  const markdown = renderReportMarkdown(ev.view, { signatures, auditTrail });
  const attachments = evidenceAttachments(ev.view, (p) => readEvidenceFile(dir, p));
  const pdf = await renderReportPdf(ev.view, markdown, { signatures, recordHash: loaded.recordHash, recordBytes: readFileSync(join(dir, 'report.json')), pageSize, attachments });
  if (out) {
    writeAtomic(out, pdf);
    return [out];
  }
  // Both files flushed before either is in place; then the trail records the bytes of each.
  const { stageFile } = await import('../../signing/store.js');
  const staged = [stageFile(join(dir, 'report.md'), markdown)];
  try {
    staged.push(stageFile(join(dir, 'report.pdf'), pdf));
  } catch (err) {
    staged.forEach((f) => f.abort());
    throw err;
  }
  staged.forEach((f) => f.commit());
  const { appendAuditEntries } = await import('../../signing/audit.js');
  const { createHash } = await import('node:crypto');
  const at = ctx.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const who = { id: ctx.env.QUALIFY_USER ?? ctx.env.USER ?? 'unknown', name: null };
  const object = { type: 'report', id: loaded.record.reportId, path: relative(root, dir).split(sep).join('/') };
  await appendAuditEntries(root, [['report.md', markdown], ['report.pdf', pdf] as const].map(([field, bytes]) => {
    const sha = createHash('sha256').update(bytes).digest('hex');
    return { at, who, action: 'render', object, field, new: sha, why: 'report.md and report.pdf rendered again from report.json', ref: { path: field, sha256: sha } };
  }));
  return [join(dir, 'report.md'), join(dir, 'report.pdf')];
}

const WATERMARKS: Record<string, PdfDocumentMeta['watermark']> = { draft: 'DRAFT', 'in-review': 'DRAFT', superseded: 'SUPERSEDED', obsolete: 'OBSOLETE' };

function kindOf(type: DocumentType): PdfDocumentMeta['kind'] {
  return type === 'sop' ? 'sop' : type === 'protocol' ? 'protocol' : 'document';
}

/** A controlled document with what the PDF shows about it: computed status, approval signatures. */
async function documentMeta(doc: ControlledDocument, root: string, ctx: CliContext): Promise<PdfDocumentMeta> {
  const { computeDocumentStatus, NO_SIGNATURES, isoDay } = await import('../../documents/index.js');
  let approvals = NO_SIGNATURES;
  let signatures: SignatureManifestation[] = [];
  if (existsSync(join(root, 'qualify.yaml')) || existsSync(join(root, 'signers.yaml'))) {
    const { createApprovalProvider, documentApprovalState } = await import('../../signing/documents.js');
    const { documentRef } = await import('../../signing/document-source.js');
    approvals = createApprovalProvider(root, { now: ctx.now() });
    if (doc.meta.documentId) {
      signatures = documentApprovalState(root, documentRef(doc), { now: ctx.now() }).approvals.map(({ file: _file, ...s }) => s);
    }
  }
  const status = computeDocumentStatus(doc, isoDay(ctx.now()), await approvals(doc));
  const m = doc.meta;
  const fallbackId = basename(doc.path, extname(doc.path));
  return {
    documentId: m.documentId ?? fallbackId,
    title: m.title ?? m.description ?? fallbackId,
    revision: m.revision ?? '—',
    status: status.computedStatus + (status.notes.length && status.approval === 'front-matter' ? ' (approval not signed)' : ''),
    kind: kindOf(m.type),
    authors: m.authors,
    reviewers: m.reviewers,
    approvers: m.approvers,
    approvalDate: m.approvalDate,
    effectiveDate: m.effectiveDate,
    recordHash: doc.sha256,
    // Never the wall clock: the document's own dates.
    created: m.approvalDate ?? m.effectiveDate ?? '1970-01-01T00:00:00Z',
    watermark: WATERMARKS[status.computedStatus] ?? null,
    signatures,
  };
}

async function readDocument(abs: string, root: string): Promise<ControlledDocument> {
  const { parseDocument } = await import('../../documents/index.js');
  const rel = relative(root, abs).split(sep).join('/');
  const top = rel.split('/')[0];
  const parsed = parseDocument(readFileSync(abs), rel.startsWith('..') ? abs : rel, { folderType: top === 'sops' ? 'sop' : top === 'protocols' ? 'protocol' : undefined });
  if (!parsed.document) {
    throw new DocumentError('DOCUMENT_INVALID', `${rel} cannot be rendered:\n${parsed.issues.map((i) => formatIssue(i)).join('\n')}`);
  }
  return parsed.document;
}

/** The mdast of a document's body: the very tree the runner and lint read (parsed once, with file positions). */
async function documentTree(doc: ControlledDocument): Promise<Root> {
  return doc.tree;
}

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name.startsWith('.')) continue;
    if (statSync(p).isDirectory()) out.push(...markdownFiles(p));
    else if (/\.md$/i.test(name) && !/^readme\.md$/i.test(name)) out.push(p);
  }
  return out;
}

export const command: Command = {
  usage: 'render <report-dir | document.md | folder --book> [--out FILE] [--page-size A4|Letter]',
  description: [
    'Renders archival PDFs (fonts embedded, XMP metadata, sRGB output intent; the same input gives the same bytes).',
    '  report-dir     report.md and report.pdf again from report.json, with the valid signatures (an approved',
    '                 report keeps its PDF-signed report.pdf: render a copy with --out)',
    '  document.md    an SOP or protocol to <document>.pdf beside it, with its computed status and approvals',
    '  folder --book  every document of the folder as one PDF with a table of contents (default <folder>.pdf)',
  ].join('\n'),
  flags: {
    out: { kind: 'string', value: 'FILE', description: 'write the PDF to FILE' },
    book: { kind: 'boolean', description: 'render all documents of a folder as one book' },
    'page-size': { kind: 'string', value: 'A4|Letter', description: 'page size (default: qualify.yaml defaults.pageSize, else A4)' },
  },
  async run(args, ctx) {
    if (args.positionals.length !== 1) throw new UsageError('ARGS', `qualify render: expected one report folder, document or folder, found ${args.positionals.length}; see "qualify render --help"`);
    const target = resolve(ctx.cwd, args.positionals[0]!);
    const out = typeof args.flags.out === 'string' ? resolve(ctx.cwd, args.flags.out) : null;
    let pageSize = pageSizeOf(args.flags['page-size']);
    if (!existsSync(target)) throw new UsageError('TARGET_MISSING', `qualify render: ${args.positionals[0]} does not exist`);
    const { findRepoRoot, loadConfig } = await import('../../documents/index.js');
    const root = findRepoRoot(statSync(target).isDirectory() ? target : dirname(target));
    if (!pageSize) {
      try {
        pageSize = (await loadConfig(root)).defaults.pageSize;
      } catch {
        pageSize = 'A4';
      }
    }
    let written: string[];
    if (statSync(target).isDirectory() && existsSync(join(target, 'report.json'))) {
      written = await renderReportDir(target, out, ctx, pageSize);
    } else if (statSync(target).isDirectory()) {
      if (!args.flags.book) throw new UsageError('BOOK_FLAG', `qualify render: ${args.positionals[0]} is a folder without report.json; add --book to render its documents as one PDF`);
      const files = markdownFiles(target);
      if (!files.length) throw new UsageError('BOOK_EMPTY', `qualify render: ${args.positionals[0]} holds no Markdown document`);
      const { renderBook } = await import('../../pdf/index.js');
      const docs = [];
      for (const f of files) {
        const doc = await readDocument(f, root);
        docs.push({ tree: await documentTree(doc), meta: await documentMeta(doc, root, ctx), path: f });
      }
      docs.sort((a, b) => (a.meta.documentId < b.meta.documentId ? -1 : a.meta.documentId > b.meta.documentId ? 1 : a.path < b.path ? -1 : 1));
      const name = basename(target);
      const created = docs.map((d) => new Date(Date.parse(d.meta.created)).toISOString()).sort().at(-1)!;
      const bookMeta: PdfDocumentMeta = {
        documentId: name.toUpperCase(),
        title: `${name}: ${docs.length} controlled document${docs.length === 1 ? '' : 's'}`,
        revision: '—',
        status: 'compilation',
        kind: 'document',
        created,
        authors: [],
        approvers: [],
      };
      const pdf = await renderBook(docs.map(({ tree, meta }) => ({ tree, meta })), bookMeta, { pageSize });
      const dest = out ?? join(dirname(target), `${name}.pdf`);
      writeAtomic(dest, pdf);
      written = [dest];
    } else {
      if (args.flags.book) throw new UsageError('BOOK_FLAG', `qualify render: --book takes a folder, found the file ${args.positionals[0]}`);
      const doc = await readDocument(target, root);
      const meta = await documentMeta(doc, root, ctx);
      const { renderMarkdownToPdf } = await import('../../pdf/index.js');
      const pdf = await renderMarkdownToPdf(await documentTree(doc), meta, { pageSize });
      const dest = out ?? join(dirname(target), `${basename(target, extname(target))}.pdf`);
      writeAtomic(dest, pdf);
      written = [dest];
    }
    for (const w of written) ctx.stdout.write(`${display(ctx, w)}\n`);
    return EXIT.ok;
  },
};
