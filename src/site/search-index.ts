// The client-side search index, built with the site: one entry per document and report with the text a
// reader searches by (ids, titles, digests, commits, signers, document words). Written as a script that
// sets a global, because a page opened from file:// cannot fetch a JSON file.
import { toString } from 'mdast-util-to-string';
import type { SiteModel } from './model.js';
import { documentTree } from './pages/documents.js';
import { targetsOf, validSignatures, verdictOf } from './summary.js';

export interface SearchEntry {
  kind: 'document' | 'report';
  title: string;
  /** Site path. */
  url: string;
  summary: string;
  /** Lowercased text searched. */
  text: string;
}

/** Words of a document kept in the index (a long SOP's first part; ids and titles are always in). */
const DOCUMENT_TEXT_LIMIT = 20_000;

export function buildSearchIndex(model: SiteModel): SearchEntry[] {
  const out: SearchEntry[] = [];
  for (const d of model.documents) {
    const m = d.doc.meta;
    const words = toString(documentTree(d)).replace(/\s+/g, ' ').slice(0, DOCUMENT_TEXT_LIMIT);
    out.push({
      kind: 'document',
      title: `${m.documentId ?? d.doc.path} ${m.title ?? ''}`.trim(),
      url: d.page,
      summary: `${m.type}, revision ${m.revision ?? '—'}, ${d.status.computedStatus}`,
      text: [m.documentId, m.title, m.type, m.revision, d.status.computedStatus, d.doc.path, d.doc.sha256, m.changeControl, ...m.authors, ...m.approvers, ...d.history.map((e) => `${e.commit} ${e.author}`), words].filter(Boolean).join(' ').toLowerCase(),
    });
  }
  for (const r of model.reports) {
    const rec = r.record;
    const v = verdictOf(r);
    const evidence = rec?.cases.flatMap((c) => c.steps.flatMap((s) => s.evidence.map((e) => `${e.path} ${e.sha256}`))) ?? [];
    out.push({
      kind: 'report',
      // A copied or renamed folder is named, so it is not taken for the original.
      title: rec ? (r.path.endsWith(`/${rec.reportId}`) ? rec.reportId : `${rec.reportId} (folder ${r.path.split('/').pop()})`) : r.path,
      url: `${r.base}index.html`,
      summary: rec
        ? `${rec.protocol.documentId} rev ${rec.protocol.revision} · ${rec.environment ?? '(default)'} · ${targetsOf(r).join(', ')} · ${rec.started} · ${rec.dryRun ? 'DRY RUN' : rec.conclusion.toUpperCase()} · ${v.state === 'failed' ? 'FAILED verification' : v.state}`
        : `unreadable record · ${v.state}`,
      text: [
        r.path, rec?.reportId, rec?.protocol.documentId, rec?.protocol.title, rec?.environment, ...targetsOf(r), rec?.conclusion, v.state, v.reason, r.verification?.sha256,
        ...(rec?.subject.images.flatMap((i) => [i.digest, i.imageId, i.repository, i.tag, i.container]) ?? []),
        rec?.subject.application?.commit, rec?.subject.application?.tag, rec?.executor.id, rec?.executor.name,
        ...Object.values(rec?.parameters ?? {}),
        ...validSignatures(r).flatMap((s) => [s.name, s.signerId, s.meaning]),
        ...(rec?.deviations.flatMap((d) => [d.id, d.description]) ?? []),
        ...evidence,
      ].filter(Boolean).join(' ').toLowerCase(),
    });
  }
  return out;
}

/** The index as a script; `<` and line separators escaped so the JSON is safe in any context. */
export function searchIndexScript(entries: SearchEntry[]): string {
  const json = JSON.stringify(entries).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `window.QUALIFY_SEARCH = ${json};\n`;
}
