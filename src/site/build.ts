// Writes the static site of a model: every page, the stylesheet and script, the search index, the
// verification results, the trust root, each report folder's files and each document's PDF. The site is
// written to a temporary folder beside the target and renamed into place, so a reader never sees half a site.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../model/errors.js';
import type { PdfDocumentMeta, RenderOptions } from '../pdf/index.js';
import { isInside } from '../signing/repo.js';
import { reportPageModel, type DocumentEntry, type ReportEntry, type ReportPageModel, type SiteModel } from './model.js';
import { assetPath, documentPage, documentsListPage } from './pages/documents.js';
import { homePage } from './pages/home.js';
import { auditPage, searchPage, tracePage } from './pages/records.js';
import { reportsListPage } from './pages/reports.js';
import { verifyPage } from './pages/verify.js';
import { writeReportPage } from './report-pages.js';
import { SiteWriter, type Written } from './site-writer.js';
import { buildSearchIndex, searchIndexScript } from './search-index.js';
import { verdictOf } from './summary.js';

/** Marks a folder as a site written by qualify (only such a folder is ever replaced). */
export const SITE_MARKER = '.qualify-site.json';

const ASSETS = new URL('../../templates/site/', import.meta.url);

/** A document's PDF: a key naming its inputs (an earlier site's PDF with the same key is reused) and how to render it. */
export interface DocumentPdfSource {
  key: string;
  render(): Promise<Uint8Array>;
  /** The same render as plain data, for a worker thread (src/site/verify-reports.ts); absent: here only. */
  job?(): Promise<DocumentPdfJob>;
}

/** What typesets a document's PDF elsewhere: its file, the metadata its render() uses, the page size. */
export interface DocumentPdfJob {
  root: string;
  file: string;
  meta: PdfDocumentMeta;
  pageSize: RenderOptions['pageSize'];
}

/**
 * Renders PDF jobs on other threads while this one renders too: takes jobs with `take` until it gives
 * null, hands each PDF to `done`. Resolves when the helpers are done.
 */
export type PdfHelpers = (take: () => Promise<{ sitePath: string; job: DocumentPdfJob } | null>, done: (sitePath: string, pdf: Uint8Array) => void) => Promise<void>;

export interface WriteSiteOptions {
  /** Folder of the site; replaced when it holds an earlier site, refused when it holds anything else. */
  out: string;
  /** The PDF of a document; null: no document PDFs. */
  documentPdf?: ((entry: DocumentEntry) => DocumentPdfSource) | null;
  /** Resolves when the reports of the model are verified (prepareSiteModel); documents are written meanwhile. */
  verified?: Promise<void>;
  /** Threads that render document PDFs beside this one once they are free (prepareSiteModel's pool). */
  pdfHelpers?: PdfHelpers | null;
  /** Writes the report pages into the site's folder (prepareSiteModel's pool; called before `verified` resolves); default: here, one by one. */
  reportPages?: ((dir: string, model: ReportPageModel, reports: ReportEntry[]) => Promise<Written>) | null;
}

export interface SiteStats {
  pages: number;
  files: number;
  bytes: number;
  pdfsRendered: number;
  pdfsReused: number;
}

interface Marker {
  tool: string;
  builtAt: string;
  pdfs: Record<string, string>;
}

/** Reads the marker of an earlier site at `out`; throws when `out` holds something that is not a site. */
function previousSite(out: string): Marker | null {
  if (!existsSync(out)) return null;
  const names = readdirSync(out);
  if (names.length === 0) return null;
  if (!names.includes(SITE_MARKER)) {
    throw new UsageError('SITE_OUT_NOT_EMPTY', `${out} is not empty and holds no site written by qualify (no ${SITE_MARKER}); choose an empty or new folder with --out`);
  }
  try {
    return JSON.parse(readFileSync(join(out, SITE_MARKER), 'utf8')) as Marker;
  } catch {
    return { tool: '', builtAt: '', pdfs: {} };
  }
}

export async function writeSite(model: SiteModel, options: WriteSiteOptions): Promise<SiteStats> {
  const out = resolve(options.out);
  if (isInside(out, model.root) || isInside(join(model.root, '.git'), out)) {
    throw new UsageError('SITE_OUT_INVALID', `--out ${out} would contain the repository or lie in its .git folder; choose a folder such as ${join(model.root, 'site')}`);
  }
  const previous = previousSite(out);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${randomBytes(6).toString('hex')}`);
  const w = new SiteWriter(tmp);
  const counts = { rendered: 0, reused: 0 };
  try {
    const pdfs = await writeContent(model, w, options, previous, out, counts);
    w.write(SITE_MARKER, `${JSON.stringify({ tool: model.build.tool, builtAt: model.build.builtAt, pdfs } satisfies Marker, null, 2)}\n`);
    swapInto(tmp, out);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { ...w.written, pdfsRendered: counts.rendered, pdfsReused: counts.reused };
}

function swapInto(tmp: string, out: string): void {
  if (!existsSync(out)) {
    renameSync(tmp, out);
    return;
  }
  const old = `${out}.old-${randomBytes(6).toString('hex')}`;
  renameSync(out, old);
  try {
    renameSync(tmp, out);
  } catch (err) {
    renameSync(old, out);
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
}

type PdfCounts = { rendered: number; reused: number };

async function writeContent(model: SiteModel, w: SiteWriter, options: WriteSiteOptions, previous: Marker | null, out: string, counts: PdfCounts): Promise<Record<string, string>> {
  // Report pages: by the verification workers, each as soon as its reports are verified (they read the
  // folders again from the page cache and write on their cores) while this thread writes the rest; else
  // here, at the end.
  const pageModel = reportPageModel(model);
  const reportPages = options.reportPages ? options.reportPages(w.dir, pageModel, model.reports) : null;
  // Settled either way here; awaited below (an early failure must not go unhandled meanwhile).
  reportPages?.catch(() => {});
  let pdfs: Record<string, string>;
  try {
    // First what needs no report verdict (verification may still run in its worker threads).
    for (const name of ['site.css', 'site.js']) w.write(`assets/${name}`, readFileSync(new URL(name, ASSETS)));
    w.write('documents/index.html', documentsListPage(model));
    w.write('audit.html', auditPage(model));
    w.write('search.html', searchPage(model));
    if (model.trust) {
      w.write('trust-root/signers.yaml', model.trust.text);
      if (model.trust.ca) w.write('trust-root/ca.pem', model.trust.ca.certificate.endsWith('\n') ? model.trust.ca.certificate : `${model.trust.ca.certificate}\n`);
    }
    const assets = new Map<string, string>();
    const copyAsset = (abs: string) => {
      const p = assetPath(model.root, abs);
      assets.set(p, abs);
      return p;
    };
    for (const d of model.documents) w.write(d.page, documentPage(model, d, { copyAsset }));
    for (const [p, abs] of assets) w.write(p, readFileSync(abs));
    pdfs = await writeDocumentPdfs(model, w, options, previous, out, counts);

    await options.verified;
    w.write('index.html', homePage(model));
    w.write('reports/index.html', reportsListPage(model));
    w.write('trace.html', tracePage(model));
    w.write('verify.html', verifyPage(model));
    w.write('search-index.js', searchIndexScript(buildSearchIndex(model)));
    w.write('verification.json', `${JSON.stringify(verificationResults(model), null, 2)}\n`);
  } catch (err) {
    // The workers may still be writing pages into the temporary folder: let them finish before it is removed.
    await reportPages?.catch(() => {});
    throw err;
  }
  if (reportPages) w.add(await reportPages);
  else for (const r of model.reports) writeReportPage(pageModel, r, w);
  return pdfs;
}

async function writeDocumentPdfs(model: SiteModel, w: SiteWriter, options: WriteSiteOptions, previous: Marker | null, out: string, counts: PdfCounts): Promise<Record<string, string>> {
  const source = options.documentPdf;
  const keys: Record<string, string> = {};
  if (!source) return keys;
  const todo: Array<{ d: DocumentEntry; pdf: DocumentPdfSource }> = [];
  for (const d of model.documents) {
    const pdf = source(d);
    keys[d.pdf] = pdf.key;
    const earlier = previous?.pdfs[d.pdf] === pdf.key ? join(out, d.pdf) : null;
    if (earlier && existsSync(earlier)) {
      w.write(d.pdf, readFileSync(earlier));
      counts.reused++;
    } else todo.push({ d, pdf });
  }
  // One queue: this thread renders from it, and so do the helpers once they are free (whoever is free
  // takes the next document). The same engine and metadata write the same bytes on any thread.
  let next = 0;
  const take = () => (next < todo.length ? todo[next++]! : null);
  const here = async () => {
    for (let t = take(); t; t = take()) {
      w.write(t.d.pdf, await t.pdf.render());
      counts.rendered++;
      // A render settles through promises only: without a turn of the event loop between documents, the
      // helpers' messages (free, done) would wait until this thread had rendered every document itself.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const helpers = options.pdfHelpers && todo.every((t) => t.pdf.job)
    ? options.pdfHelpers(async () => {
        const t = take();
        return t ? { sitePath: t.d.pdf, job: await t.pdf.job!() } : null;
      }, (sitePath, pdf) => {
        w.write(sitePath, pdf);
        counts.rendered++;
      })
    : Promise.resolve();
  await Promise.all([here(), helpers]);
  return keys;
}

/** The verification results as data: what `qualify verify --json` prints for each report and document. */
export function verificationResults(model: SiteModel): Record<string, unknown> {
  return {
    schema: 'qualify.site-verification/v1',
    builtAt: model.build.builtAt,
    tool: model.build.tool,
    commit: model.build.commit,
    uncommittedChanges: model.build.uncommitted,
    trustRoot: model.trust ? { registry: model.trust.file, registrySha256: model.trust.sha256, ca: model.trust.ca ? { name: model.trust.ca.name, fingerprint: model.trust.ca.fingerprint } : null } : null,
    auditTrail: { file: model.audit.file, present: model.audit.present, entries: model.audit.entries.length, intact: model.audit.problems.length === 0, problems: model.audit.problems },
    summary: {
      reports: model.reports.length,
      verified: model.reports.filter((r) => verdictOf(r).state === 'verified').length,
      failed: model.reports.filter((r) => verdictOf(r).state === 'failed').length,
      documents: model.documents.length,
    },
    reports: model.reports.map((r) => ({ path: r.path, reportId: r.record?.reportId ?? null, verdict: verdictOf(r).state, reason: verdictOf(r).reason, result: r.verification })),
    documents: model.documents.map((d) => ({ path: d.doc.path, documentId: d.doc.meta.documentId, revision: d.doc.meta.revision, computedStatus: d.status.computedStatus, claimedStatus: d.status.claimedStatus, result: d.verification })),
  };
}
