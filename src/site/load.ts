// Builds the site model of a QMS repository: documents (computed status, approvals verified, git history),
// report folders (record and `qualify verify` verdict), the audit trail with its chain verdict, the trust
// root and the requirement ↔ case rows. Reading only: nothing in the repository is written.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadedRepository } from '../documents/index.js';
import { addMonths } from '../documents/dates.js';
import type { QualifyConfig } from '../model/index.js';
import type { Report } from '../model/report.js';
import { readAuditTrail, type AuditTrail } from '../signing/audit.js';
import { auditTrailAppendOnly } from '../signing/git.js';
import { AUDIT_TRAIL, loadSignerRegistry, signersFile } from '../signing/repo.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { documentHistory, repositoryState } from './git-history.js';
import type { AuditView, DocumentEntry, HistoryEntry, ReportEntry, ReportPageModel, SiteModel } from './model.js';
import type { Written } from './site-writer.js';
import type { PdfHelpers } from './build.js';
import { documentPage, documentPdf, reportBase } from './paths.js';
import { readRecord } from './report-files.js';
import { buildTrace } from './trace.js';
import { createVerifyPool, verifyWith, type VerifyPool } from './verify-reports.js';
import { createVerifySession } from '../signing/verify-report.js';
import type { VerifyResult } from '../signing/verdict.js';
import type { ControlledDocument } from '../model/document.js';

export interface LoadSiteOptions {
  root: string;
  now: Date;
  /** Documents with computed status (src/documents loadRepository with the approval provider). */
  repository: LoadedRepository;
  config: QualifyConfig;
  title?: string;
  /** Which reports to verify (default all); `qualify serve` verifies only what a page shows. */
  verifyReport?: (path: string) => boolean;
  /** Verify documents' approval signatures (default true). */
  verifyDocuments?: boolean;
  /** Read git history and state (default true). */
  git?: boolean;
  /** The reports' verification as startSiteVerification started it (default: started here). */
  started?: SiteVerification;
}

export interface PreparedSite {
  model: SiteModel;
  /** Resolves when every report is verified (`verification` of each entry set). */
  verified: Promise<void>;
  /**
   * Writes the report pages, each by the worker that verifies it as soon as it is verified (writeSite's
   * `reportPages`; it may be called before `verified` resolves).
   */
  reportPages(dir: string, model: ReportPageModel, reports: ReportEntry[]): Promise<Written>;
  /** The workers, once free, render document PDFs beside the main thread (writeSite's `pdfHelpers`). */
  pdfHelpers: PdfHelpers;
  /** Ends the workers when their work is done (after writeSite). */
  close(): void;
}

/** Loads everything the site shows, reports verified. */
export async function loadSiteModel(options: LoadSiteOptions): Promise<SiteModel> {
  const { model, verified, close } = await prepareSiteModel(options);
  try {
    await verified;
  } finally {
    close();
  }
  return model;
}

/**
 * The report folders of a repository and their verification, started before anything else is read: the
 * worker threads load and verify the reports while this thread reads the documents (prepareSiteModel).
 */
export interface SiteVerification {
  root: string;
  /** The audit trail, read and chain-checked once for the build: every verification uses that reading. */
  trail: AuditTrail;
  folders: ReportFolder[];
  toVerify: ReportFolder[];
  pool: VerifyPool;
  /** The verdicts of `toVerify`, in order. */
  verdicts: Promise<VerifyResult[]>;
}

export function startSiteVerification(options: Pick<LoadSiteOptions, 'root' | 'now' | 'config' | 'verifyReport'>): SiteVerification {
  const root = resolve(options.root);
  const folders = reportFolders(root, options.config.defaults.reportsDir || 'reports');
  const toVerify = folders.filter((f) => (options.verifyReport ? options.verifyReport(f.path) : true));
  const trail = readAuditTrail(root);
  const pool = createVerifyPool(root, options.now, { trail, expected: toVerify.length });
  const verdicts = pool.verify('reports', toVerify.map((f) => f.dir));
  // Settled either way here; the caller awaits `verified` and sees its error.
  verdicts.catch(() => {});
  return { root, trail, folders, toVerify, pool, verdicts };
}

/**
 * The model with documents, audit trail and report records loaded; the reports' verification runs on
 * (in worker threads when there are many) and fills `verification` when `verified` resolves, so a caller
 * can write the documents' pages and PDFs meanwhile. The documents are verified here, first: their pages
 * are written first.
 */
export async function prepareSiteModel(options: LoadSiteOptions): Promise<PreparedSite> {
  const started = options.started ?? startSiteVerification(options);
  const { root, trail, pool } = started;
  const now = options.now;
  const gitOn = options.git !== false;
  const reports = started.folders.map(reportEntry);
  const verified = started.verdicts.then((verdicts) => {
    const byDir = new Map(started.toVerify.map((f, i) => [f.dir, verdicts[i]!]));
    for (const r of reports) r.verification = byDir.get(r.dir) ?? null;
  });
  verified.catch(() => {});
  const docs = sortedDocuments(options.repository);
  const verifiable = options.verifyDocuments !== false ? docs.filter((d) => d.meta.documentId && existsSync(join(root, d.path))) : [];
  const documentsVerified = verifyWith(createVerifySession(root, now, { trail }), 'documents', verifiable.map((d) => join(root, d.path)));
  const [documents, state, audit] = await Promise.all([
    loadDocuments(root, docs, options.repository, verifiable, documentsVerified, gitOn),
    gitOn ? repositoryState(root) : Promise.resolve({ commit: null, uncommitted: null }),
    loadAudit(root, gitOn, trail),
  ]);
  const model: SiteModel = {
    root,
    title: options.title ?? 'Quality records',
    build: { builtAt: utcSeconds(now), tool: `${TOOL_NAME} ${TOOL_VERSION}`, commit: state.commit, uncommitted: state.uncommitted },
    environments: Object.keys(options.config.environments),
    documents,
    reports,
    audit,
    trust: loadTrust(root),
    trace: buildTrace(documents, reports),
  };
  const reportPages = (dir: string, pageModel: ReportPageModel, entries: ReportEntry[]) => pool.writeReportPages(dir, pageModel, entries, verified);
  return { model, verified, reportPages, pdfHelpers: pool.renderPdfs, close: () => pool.close() };
}

export function utcSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A report folder: where it is and its repository-relative path. */
export interface ReportFolder {
  dir: string;
  path: string;
}

/** Every report folder under `<reportsDir>/<protocol>/<report>/` (temporary dot-folders skipped), sorted. */
export function reportFolders(root: string, reportsDir: string): ReportFolder[] {
  const top = join(root, reportsDir);
  const out: ReportFolder[] = [];
  for (const protocol of dirNames(top)) {
    for (const name of dirNames(join(top, protocol))) out.push({ dir: join(top, protocol, name), path: `${reportsDir.replace(/\/+$/, '')}/${protocol}/${name}` });
  }
  return out;
}

/** A report folder as the site shows it: its record and files (its verdict comes later). */
export function reportEntry(f: ReportFolder): ReportEntry {
  return { dir: f.dir, path: f.path, base: reportBase(f.path), record: readRecord(f.dir), verification: null, files: listFiles(f.dir) };
}

/** Every report folder under `<reportsDir>/<protocol>/<report>/` with its record and files, sorted. */
export function listReportFolders(root: string, reportsDir: string): ReportEntry[] {
  return reportFolders(root, reportsDir).map(reportEntry);
}

function dirNames(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

function sortedDocuments(repo: LoadedRepository): ControlledDocument[] {
  return [...repo.documents].sort((a, b) => (a.meta.documentId ?? a.path).localeCompare(b.meta.documentId ?? b.path) || a.path.localeCompare(b.path));
}

/** The document entries; `verifiable` are being verified (`verdicts`, in their order). */
async function loadDocuments(root: string, docs: ControlledDocument[], repo: LoadedRepository, verifiable: ControlledDocument[], verdictsOf: Promise<VerifyResult[]>, gitOn: boolean): Promise<DocumentEntry[]> {
  const fmLines = new Map(docs.map((d) => [d.path, Math.max(1, d.bodyStartLine - 1)]));
  const [history, results] = await Promise.all([
    gitOn ? documentHistory(root, docs.map((d) => d.path), fmLines) : Promise.resolve(new Map<string, HistoryEntry[]>()),
    verdictsOf,
  ]);
  const verdicts = new Map(results.map((v, i) => [verifiable[i]!, { ...v, target: verifiable[i]!.path }]));
  return docs.map((doc) => {
    const status = repo.status.get(doc)!;
    return { doc, status, page: documentPage(doc.path), pdf: documentPdf(doc.path), verification: verdicts.get(doc) ?? null, history: history.get(doc.path) ?? [], reviewDue: status.nextReviewDate };
  });
}

/** The day a periodic review falls due: `from` (an effective date, the last review) plus the review period. */
export function reviewDue(from: string | null, months: number | null): string | null {
  if (!from || !months || !/^\d{4}-\d{2}-\d{2}/.test(from)) return null;
  return addMonths(from, months);
}

async function loadAudit(root: string, gitOn: boolean, trail: AuditTrail): Promise<AuditView> {
  const problems = trail.problems.map((p) => `line ${p.line}: ${p.code} ${p.message}`);
  if (gitOn && trail.present) {
    const rewritten = await auditTrailAppendOnly(root, readFileSync(join(root, AUDIT_TRAIL), 'utf8'));
    if (rewritten) problems.push(`AUDIT_HISTORY_REWRITTEN ${rewritten}`);
  }
  return { file: trail.file, present: trail.present, entries: trail.entries, problems };
}

function loadTrust(root: string): SiteModel['trust'] {
  const registry = loadSignerRegistry(root);
  if (!registry) return null;
  const file = signersFile(root);
  const text = readFileSync(join(root, file), 'utf8');
  return { ca: registry.ca, signers: registry.signers, file, text, sha256: createHash('sha256').update(text).digest('hex') };
}

/** True when `dir` looks like a QMS report folder (for `serve` path checks). */
export function isReportFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory() && existsSync(join(dir, 'report.json'));
  } catch {
    return false;
  }
}
