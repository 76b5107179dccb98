// What `site`, `serve` and `export` share: the repository around the working folder loaded as a site model
// (documents with computed status, report folders verified as `qualify verify` does), and document PDFs
// rendered by the same engine and metadata as `qualify render <document>`.
import { createHash } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import type { CliContext } from './context.js';
import type { SharedMetaSources } from './commands/render.js';
import { findRepoRoot, loadConfig } from '../documents/index.js';
import type { QualifyConfig } from '../model/index.js';
import type { DocumentPdfSource } from '../site/build.js';
import { loadSiteModel, prepareSiteModel, startSiteVerification, type PreparedSite } from '../site/load.js';
import type { DocumentEntry, SiteModel } from '../site/model.js';
import { TOOL_VERSION } from '../version.js';
import { openRepository } from './repo.js';

export interface SiteSource {
  root: string;
  config: QualifyConfig;
  /** A fresh model; `verifyReport` picks which report folders (repository-relative paths) are verified. */
  load(options?: { verifyReport?: (path: string) => boolean; title?: string }): Promise<SiteModel>;
  /** The model with report verification still running (see prepareSiteModel). */
  prepare(): Promise<PreparedSite>;
  /** The PDF of a document, keyed by everything that changes it. */
  documentPdf(entry: DocumentEntry): DocumentPdfSource;
}

export async function siteSource(ctx: CliContext, title?: string): Promise<SiteSource> {
  const root = findRepoRoot(ctx.cwd);
  const config = await loadConfig(root);
  // One signer registry and one approval provider for every document's PDF metadata of a build (each
  // document loaded them again). A registry that cannot be loaded is left to each document to report.
  let shared: Promise<SharedMetaSources | undefined> | null = null;
  const sharedMeta = () =>
    (shared ??= (async () => {
      const { loadSignerRegistry } = await import('../signing/repo.js');
      const { createApprovalProvider } = await import('../signing/documents.js');
      try {
        return { registry: loadSignerRegistry(root), approvals: createApprovalProvider(root, { now: ctx.now() }) };
      } catch {
        return undefined;
      }
    })());
  return {
    root,
    config,
    async load(options = {}) {
      const now = ctx.now();
      const repository = await openRepository({ ...ctx, cwd: root, now: () => now });
      return loadSiteModel({ root, now, repository, config, title: options.title ?? title, verifyReport: options.verifyReport });
    },
    async prepare() {
      const now = ctx.now();
      // The reports' verification starts first: the workers load and verify while the documents are read.
      const started = startSiteVerification({ root, now, config });
      try {
        const repository = await openRepository({ ...ctx, cwd: root, now: () => now });
        return await prepareSiteModel({ root, now, repository, config, title, started });
      } catch (err) {
        started.pool.close();
        throw err;
      }
    },
    documentPdf(entry) {
      const signatures = (entry.verification?.signatures ?? []).filter((s) => s.valid).map((s) => [s.signerId, s.meaning, s.time, s.keyFingerprint]);
      const s = entry.status;
      const key = createHash('sha256')
        .update(JSON.stringify([TOOL_VERSION, config.defaults.pageSize, entry.doc.sha256, entry.doc.path, s.computedStatus, s.approval, s.approvalDate, signatures]))
        .digest('hex');
      const abs = isAbsolute(entry.doc.path) ? entry.doc.path : join(root, entry.doc.path);
      const meta = async () => (await import('./commands/render.js')).documentMeta(entry.doc, root, ctx, abs, await sharedMeta());
      return {
        key,
        async render() {
          const { renderMarkdownToPdf } = await import('../pdf/index.js');
          return renderMarkdownToPdf(entry.doc.tree, await meta(), { pageSize: config.defaults.pageSize });
        },
        async job() {
          return { root, file: abs, meta: await meta(), pageSize: config.defaults.pageSize };
        },
      };
    },
  };
}
