// qualify render <report-dir | document.md | folder --book> [--out FILE]: PDFs from records and controlled documents.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';
import { EXIT, IntegrityError, RefusedError, UsageError } from '../../model/errors.js';
import type { ControlledDocument, DocumentType } from '../../model/document.js';
import type { SignatureManifestation } from '../../model/signature.js';
import type { PdfDocumentMeta } from '../../pdf/index.js';
import type { Root } from 'mdast';
import { readDocument, readSourcesInParallel, type RenderSource } from './render-source.js';
import type { SignerRegistry } from '../../signing/signers.js';
import type { ApprovalProvider } from '../../documents/status.js';

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

/**
 * For warmUpEngine: true while the parse on the other thread is still under way and this machine has a core
 * for each thread (on one core, warming up here would slow the parse down).
 */
function whilePending(parsing: Promise<unknown>): () => boolean {
  let pending = availableParallelism() > 1;
  parsing.then(
    () => (pending = false),
    () => (pending = false),
  );
  return () => pending;
}

/** report.md rendered again beside a PDF-signed report.pdf that is kept as it is; audited. */
async function renderMarkdownOnly(dir: string, root: string, reportId: string, markdown: string, ctx: CliContext): Promise<string[]> {
  const { stageFile } = await import('../../signing/store.js');
  stageFile(join(dir, 'report.md'), markdown).commit();
  const { appendAuditEntries } = await import('../../signing/audit.js');
  const { createHash } = await import('node:crypto');
  const at = ctx.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const who = { id: ctx.env.QUALIFY_USER ?? ctx.env.USER ?? 'unknown', name: null };
  const object = { type: 'report', id: reportId, path: relative(root, dir).split(sep).join('/') };
  const sha = createHash('sha256').update(markdown).digest('hex');
  await appendAuditEntries(root, [{ at, who, action: 'render', object, field: 'report.md', new: sha, why: 'report.md rendered again from report.json; report.pdf kept: it carries the PDF signatures of the record', ref: { path: 'report.md', sha256: sha } }]);
  ctx.stderr.write(`note: ${display(ctx, join(dir, 'report.pdf'))} carries the PDF signatures of its signers and is kept; --out FILE renders a copy\n`);
  return [join(dir, 'report.md')];
}

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
    throw new RefusedError('RECORD_CLOSED', `${display(ctx, dir)} is approved: its report.pdf is the one the approver PDF-signed and render does not rewrite it. Render a copy with --out FILE. If report.pdf is missing or does not verify (an interrupted approval), its approver restores it: qualify sign ${rel} --resume --as ${approver}`);
  }
  // Every signature of the record is a PDF signature of report.pdf, each an incremental update: rendering
  // it again would remove them (only their signers' keys can make them). So a PDF-signed report.pdf is
  // kept and only report.md is rendered again; the next signature appends to report.pdf; --out renders a copy.
  let keepPdf = false;
  if (!out) {
    const { signedPrefix } = await import('../../signing/pdf-render.js');
    const pdfPath = join(dir, 'report.pdf');
    const valid = [...ev.signatures, ...ev.dispositions].filter((e) => e.verdict.valid && e.checked.envelopeHash).map((e) => e.checked.envelopeHash!);
    keepPdf = existsSync(pdfPath) && (await signedPrefix(readFileSync(pdfPath), new Set(valid))) !== null;
  }
  const signatures: SignatureManifestation[] = ev.signatures.filter((e) => e.verdict.valid).map(manifestationOf);
  const { readAuditTrail } = await import('../../signing/audit.js');
  const { trailExtract } = await import('../../report/audit-extract.js');
  const { evidenceAttachments, readEvidenceFile } = await import('../../report/evidence-attachments.js');
  const envelopes = readReportEnvelopes(dir);
  const auditTrail = trailExtract(readAuditTrail(root).entries, loaded.record.reportId, [...envelopes.signatures, ...envelopes.dispositions].map((f) => f.file));
  const markdown = renderReportMarkdown(ev.view, { signatures, auditTrail });
  const attachments = evidenceAttachments(ev.view, (p) => readEvidenceFile(dir, p));
  if (keepPdf) return renderMarkdownOnly(dir, root, loaded.record.reportId, markdown, ctx);
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

/** People as the registry knows them: "Printed Name (id)"; a free-form name or an unknown id as written. */
async function printedNames(root: string, ids: string[], shared?: SignerRegistry | null): Promise<string[]> {
  if (!ids.length || !existsSync(join(root, 'signers.yaml'))) return ids;
  try {
    const { loadSignerRegistry } = await import('../../signing/repo.js');
    const registry = shared !== undefined ? shared : loadSignerRegistry(root);
    return ids.map((id) => {
      const s = registry?.signer(id);
      return s ? `${s.name} (${s.id})` : id;
    });
  } catch {
    return ids;
  }
}

/**
 * The date a document's PDF carries: its approval or effective date; for a document without dates, when
 * its file was last committed (unchanged since), else the file's modification time. Never the clock.
 */
async function documentDate(doc: ControlledDocument, abs: string, root: string): Promise<string> {
  const m = doc.meta;
  if (m.approvalDate ?? m.effectiveDate) return (m.approvalDate ?? m.effectiveDate)!;
  const { committedDate } = await import('../../probes/git.js');
  const committed = await committedDate(root, relative(root, abs).split(sep).join('/'), { timeoutMs: 10_000 });
  return committed ?? statSync(abs).mtime.toISOString();
}

/**
 * What the metadata of many documents of one repository can share (qualify site): the signer registry as
 * loaded once, and one approval provider (it loads the same registry). Without it each document loads them.
 */
export interface SharedMetaSources {
  registry: SignerRegistry | null;
  approvals: ApprovalProvider;
}

/** A controlled document with what the PDF shows about it: computed status, approval signatures (also used by `qualify site`). */
export async function documentMeta(doc: ControlledDocument, root: string, ctx: CliContext, abs: string, shared?: SharedMetaSources): Promise<PdfDocumentMeta> {
  const { computeDocumentStatus, NO_SIGNATURES, isoDay } = await import('../../documents/index.js');
  let approvals = NO_SIGNATURES;
  let signatures: SignatureManifestation[] = [];
  if (existsSync(join(root, 'qualify.yaml')) || existsSync(join(root, 'signers.yaml'))) {
    const { createApprovalProvider, documentApprovalState } = await import('../../signing/documents.js');
    const { documentRef } = await import('../../signing/document-source.js');
    approvals = shared?.approvals ?? createApprovalProvider(root, { now: ctx.now() });
    if (doc.meta.documentId) {
      signatures = documentApprovalState(root, documentRef(doc), { now: ctx.now(), ...(shared ? { registry: shared.registry } : {}) }).approvals.map(({ file: _file, ...s }) => s);
    }
  }
  const status = computeDocumentStatus(doc, isoDay(ctx.now()), await approvals(doc));
  const m = doc.meta;
  const fallbackId = basename(doc.path, extname(doc.path));
  const lang = doc.frontMatter.lang ?? doc.frontMatter.language;
  return {
    documentId: m.documentId ?? fallbackId,
    title: m.title ?? m.description ?? fallbackId,
    revision: m.revision ?? '—',
    status: status.computedStatus + (status.notes.length && status.approval === 'front-matter' ? ' (approval not signed)' : ''),
    kind: kindOf(m.type),
    authors: await printedNames(root, m.authors, shared?.registry),
    reviewers: await printedNames(root, m.reviewers, shared?.registry),
    approvers: await printedNames(root, m.approvers, shared?.registry),
    approvalDate: m.approvalDate,
    effectiveDate: m.effectiveDate,
    recordHash: doc.sha256,
    // Never the wall clock: the document's own dates, else when its file was committed or written.
    created: await documentDate(doc, abs, root),
    watermark: WATERMARKS[status.computedStatus] ?? null,
    signatures,
    ...(typeof lang === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(lang) ? { lang } : {}),
  };
}

/** A book's own title, from what it holds. */
function bookTitle(kinds: Array<PdfDocumentMeta['kind']>): string {
  const all = (k: PdfDocumentMeta['kind']): boolean => kinds.every((x) => x === k);
  if (all('report')) return 'Qualification Test Reports';
  if (all('sop')) return 'Standard Operating Procedures';
  if (all('protocol')) return 'Qualification Protocols';
  return 'Controlled Documents';
}

/** What a folder rendered as a book holds: report folders (report.json), and Markdown documents elsewhere. */
function bookEntries(dir: string): Array<{ path: string; report: boolean }> {
  if (existsSync(join(dir, 'report.json'))) return [{ path: dir, report: true }];
  const out: Array<{ path: string; report: boolean }> = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name.startsWith('.')) continue;
    if (statSync(p).isDirectory()) out.push(...bookEntries(p));
    else if (/\.md$/i.test(name) && !/^readme\.md$/i.test(name)) out.push({ path: p, report: false });
  }
  return out;
}

/** A report in a book: its Markdown from the record with the valid signatures, and the record's furniture (no watermark unless a dry run). */
async function reportForBook(dir: string, ctx: CliContext): Promise<{ tree: Root; meta: PdfDocumentMeta }> {
  const { loadRecord, readReportEnvelopes } = await import('../../signing/report-record.js');
  const { evaluateReport } = await import('../../signing/verify-report.js');
  const { manifestationOf } = await import('../../signing/signature-folder.js');
  const { loadSignerRegistry, findQmsRoot } = await import('../../signing/repo.js');
  const { renderReportMarkdown } = await import('../../report/markdown.js');
  const { reportMeta, reportTree } = await import('../../report/pdf.js');
  const loaded = loadRecord(dir);
  if (!loaded.record || !loaded.recordHash) {
    throw new IntegrityError('RECORD_UNREADABLE', `${display(ctx, dir)}: ${loaded.findings.map((f) => f.message).join('; ') || 'report.json cannot be read'}`);
  }
  const ev = evaluateReport(loaded.record, loaded.recordHash, loadSignerRegistry(findQmsRoot(dir)), readReportEnvelopes(dir), ctx.now());
  const signatures: SignatureManifestation[] = ev.signatures.filter((e) => e.verdict.valid).map(manifestationOf);
  const markdown = renderReportMarkdown(ev.view, { signatures });
  return { tree: reportTree(markdown), meta: reportMeta(ev.view, { signatures, recordHash: loaded.recordHash }) };
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
      const entries = bookEntries(target);
      if (!entries.length) throw new UsageError('BOOK_EMPTY', `qualify render: ${args.positionals[0]} holds no Markdown document or report`);
      // Documents are parsed in a worker while the engine loads here.
      const files = entries.filter((e) => !e.report).map((e) => e.path);
      const parsing = files.length ? readSourcesInParallel(files, root) : Promise.resolve([]);
      const { renderBook, warmUpEngine } = await import('../../pdf/index.js');
      await warmUpEngine(whilePending(parsing));
      const sources = await parsing;
      const docs: Array<{ tree: Root; meta: PdfDocumentMeta; path: string }> = [];
      for (const e of entries) {
        if (e.report) docs.push({ ...(await reportForBook(e.path, ctx)), path: e.path });
        else {
          const { doc, tree } = sources[files.indexOf(e.path)]!;
          docs.push({ tree, meta: await documentMeta(doc, root, ctx, e.path), path: e.path });
        }
      }
      docs.sort((a, b) => (a.meta.documentId < b.meta.documentId ? -1 : a.meta.documentId > b.meta.documentId ? 1 : a.path < b.path ? -1 : 1));
      const name = basename(target);
      const created = docs.map((d) => new Date(Date.parse(d.meta.created)).toISOString()).sort().at(-1)!;
      const bookMeta: PdfDocumentMeta = {
        documentId: name,
        title: bookTitle(docs.map((d) => d.meta.kind)),
        subtitle: `${docs.length} ${docs.length === 1 ? 'document' : 'documents'} from ${relative(root, target).split(sep).join('/') || name}/  ·  compiled ${created.slice(0, 10)}`,
        revision: '—',
        status: 'compilation',
        kind: 'book',
        created: created.replace(/\.\d{3}Z$/, 'Z'),
        contents: docs.map((d) => ({ documentId: d.meta.kind === 'report' ? (d.meta.reportId ?? d.meta.documentId) : d.meta.documentId, title: d.meta.kind === 'report' ? d.meta.protocol ? `${d.meta.protocol.documentId} ${d.meta.protocol.title ?? ''}`.trim() : d.meta.title : d.meta.title, revision: d.meta.revision, status: d.meta.status, kind: d.meta.kind })),
      };
      const pdf = await renderBook(docs.map(({ tree, meta }) => ({ tree, meta })), bookMeta, { pageSize });
      const dest = out ?? join(dirname(target), `${name}.pdf`);
      writeAtomic(dest, pdf);
      written = [dest];
    } else {
      if (args.flags.book) throw new UsageError('BOOK_FLAG', `qualify render: --book takes a folder, found the file ${args.positionals[0]}`);
      // The document is parsed in a worker while the engine loads and warms up here, and while its metadata
      // (status, approval signatures, dates from git) is gathered from its front matter, read here too (the
      // body is parsed only there).
      const parsing = readSourcesInParallel([target], root);
      parsing.catch(() => {});
      // Its git and signature reads are under way while the engine loads.
      const metadata = readDocument(target, root).then((doc) => documentMeta(doc, root, ctx, target));
      metadata.catch(() => {});
      const { renderMarkdownToPdf, warmUpEngine } = await import('../../pdf/index.js');
      await warmUpEngine(whilePending(parsing));
      const meta = await metadata;
      const [{ tree }] = (await parsing) as [RenderSource];
      const pdf = await renderMarkdownToPdf(tree, meta, { pageSize });
      const dest = out ?? join(dirname(target), `${basename(target, extname(target))}.pdf`);
      writeAtomic(dest, pdf);
      written = [dest];
    }
    for (const w of written) ctx.stdout.write(`${display(ctx, w)}\n`);
    return EXIT.ok;
  },
};
