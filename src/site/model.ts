// What the auditor's site shows, as plain data: the repository's documents with computed status, approvals
// and git history; every report folder with its record and the verdict of `qualify verify`; the audit trail
// and its chain verdict; the trust root; the requirement ↔ case mapping. Pages only read this.
import type { AuditEntry } from '../signing/audit.js';
import type { SignerRegistryData } from '../signing/signers.js';
import type { VerifyResult } from '../signing/verdict.js';
import type { ControlledDocument, DocumentStatusInfo, Protocol } from '../model/index.js';
import type { Report } from '../model/report.js';

/** One commit that touched a document file. */
export interface HistoryEntry {
  commit: string;
  author: string;
  email: string;
  /** UTC, ISO 8601 with Z. */
  date: string;
  subject: string;
  /** `revision` and `change_control` of the front matter as of this commit (carried forward when unchanged). */
  revision: string | null;
  changeControl: string | null;
}

export interface DocumentEntry {
  doc: ControlledDocument | Protocol;
  status: DocumentStatusInfo;
  /** Site path of its page, e.g. `documents/sops/SOP-0101-release.html`. */
  page: string;
  /** Site path of its PDF (rendered when the site is built). */
  pdf: string;
  /** `qualify verify <document>`: approval signatures with verdicts. */
  verification: VerifyResult | null;
  history: HistoryEntry[];
  /** Next periodic review (approval + review_period_months), YYYY-MM-DD; null without a period. */
  reviewDue: string | null;
}

export interface ReportEntry {
  /** Absolute folder. */
  dir: string;
  /** Folder relative to the repository root, forward slashes. */
  path: string;
  /** Site folder of the report (ends with `/`); its page is `<base>index.html`. */
  base: string;
  /** The record as read; null when report.json is missing or unreadable. */
  record: Report | null;
  /** `qualify verify <report>`; null when this view did not compute it. */
  verification: VerifyResult | null;
  /** Every file of the folder, relative, sorted. */
  files: string[];
}

export interface AuditView {
  file: string;
  present: boolean;
  entries: AuditEntry[];
  /** Chain and history problems, one sentence each; empty when the chain holds. */
  problems: string[];
}

export interface TraceLink {
  protocol: string;
  revision: string | null;
  /** Site path of the protocol page with the case anchor. */
  href: string;
  caseId: string;
  title: string;
  stage: string;
  risk: string | null;
  /** Status of this case in the latest GxP qualification per environment. */
  results: Array<{ environment: string; status: string; report: string; href: string }>;
}

/**
 * Requirement ↔ test case rows. Today built from the protocols' `case` blocks (`requirements:`); a full
 * matrix (requirements documents, uncovered requirements, `qualify trace`) provides the same shape.
 */
export interface TraceMatrix {
  /** Where the rows come from, shown on the page. */
  source: string;
  rows: Array<{ requirement: string; links: TraceLink[] }>;
  /** Requirements of the requirements documents that no test case names (with the written justification, if any). */
  untested: Array<{ requirement: string; title: string; risk: string | null; document: string; href: string; justification: string | null }>;
  /** Cases that name no requirement. */
  unlinked: TraceLink[];
}

export interface SiteBuildInfo {
  /** UTC, ISO 8601 with Z. */
  builtAt: string;
  tool: string;
  /** HEAD of the repository, null when not under git. */
  commit: string | null;
  /** Files changed since HEAD (not committed), counted. */
  uncommitted: number | null;
}

export interface SiteModel {
  root: string;
  title: string;
  build: SiteBuildInfo;
  /** Environment names of qualify.yaml. */
  environments: string[];
  documents: DocumentEntry[];
  reports: ReportEntry[];
  audit: AuditView;
  /** The signer registry (CA and signers) as committed; null when the repository has none. */
  trust: (SignerRegistryData & { file: string; sha256: string; text: string }) | null;
  trace: TraceMatrix;
}

/** What every page's frame shows of the model (title, how the site was built). */
export type PageFrame = Pick<SiteModel, 'title' | 'build'>;

/**
 * What a report page needs of the model: its frame and the documents a record links to (its protocol). Plain
 * data, so that a worker thread can write report pages (src/site/report-pages.ts).
 */
export interface ReportPageModel extends PageFrame {
  documents: Array<{ page: string; doc: { path: string; meta: { documentId: string | null; revision: string | null } } }>;
}

/** The report page model of a site model (only what crosses to a worker thread). */
export function reportPageModel(model: SiteModel): ReportPageModel {
  return {
    title: model.title,
    build: model.build,
    documents: model.documents.map((d) => ({ page: d.page, doc: { path: d.doc.path, meta: { documentId: d.doc.meta.documentId, revision: d.doc.meta.revision } } })),
  };
}
