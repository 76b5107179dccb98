// Requirement ↔ test case rows from the protocols' `case` blocks (`requirements: [URS-04]`), with each
// case's status in the latest qualification per environment. The page renders a TraceMatrix, so a full
// matrix (requirements documents, uncovered requirements: `qualify trace`) can replace this source.
import type { Protocol } from '../model/index.js';
import type { DocumentEntry, ReportEntry, TraceLink, TraceMatrix } from './model.js';
import { latestQualifications } from './summary.js';
import type { RequirementsDocument } from '../documents/requirements.js';

export function buildTrace(documents: DocumentEntry[], reports: ReportEntry[]): TraceMatrix {
  const latest = latestQualifications(reports);
  const rows = new Map<string, TraceLink[]>();
  const unlinked: TraceLink[] = [];
  for (const entry of documents) {
    const doc = entry.doc as Protocol;
    if (!Array.isArray(doc.cases) || entry.status.computedStatus === 'superseded' || entry.status.computedStatus === 'obsolete') continue;
    const protocolId = doc.meta.documentId ?? doc.path;
    const forProtocol = latest.filter((q) => q.protocol === protocolId);
    for (const c of doc.cases) {
      const results: TraceLink['results'] = [];
      const seen = new Set<string>();
      for (const q of forProtocol) {
        // One result per environment: the latest report of any of its targets.
        if (seen.has(q.environment)) continue;
        const rc = q.report.record!.cases.find((x) => x.id === c.id);
        if (!rc) continue;
        seen.add(q.environment);
        results.push({ environment: q.environment, status: rc.status, report: q.report.record!.reportId, href: `${q.report.base}index.html#case-${c.id}` });
      }
      const link: TraceLink = { protocol: protocolId, revision: doc.meta.revision, href: `${entry.page}#${c.id}`, caseId: c.id, title: c.title, stage: c.stage, risk: c.risk ?? null, results };
      if (c.requirements.length === 0) unlinked.push(link);
      for (const req of c.requirements) rows.set(req, [...(rows.get(req) ?? []), link]);
    }
  }
  const collator = new Intl.Collator('en', { numeric: true });
  // Requirements documents name what must be tested: a requirement no case names is a gap, shown.
  const untested: TraceMatrix['untested'] = [];
  let declared = 0;
  for (const entry of documents) {
    const reqs = (entry.doc as Partial<RequirementsDocument>).requirements;
    if (!Array.isArray(reqs) || entry.status.computedStatus === 'superseded' || entry.status.computedStatus === 'obsolete') continue;
    for (const r of reqs) {
      declared++;
      if (!rows.has(r.id)) untested.push({ requirement: r.id, title: r.title, risk: r.risk ?? null, document: entry.doc.meta.documentId ?? entry.doc.path, href: `${entry.page}#${r.id}`, justification: r.justification ?? null });
    }
  }
  return {
    source: declared ? "the requirements documents and the protocols' case blocks (requirements: [...])" : "the protocols' case blocks (requirements: [...])",
    rows: [...rows.entries()].sort(([a], [b]) => collator.compare(a, b)).map(([requirement, links]) => ({ requirement, links })),
    untested: untested.sort((a, b) => collator.compare(a.requirement, b.requirement)),
    unlinked,
  };
}
