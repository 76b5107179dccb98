// Facts derived from the model that several pages show: a report's verdict and signers, the latest
// qualification per protocol, environment and target, open deviations, documents due for review.
import type { Deviation } from '../model/report.js';
import type { SignatureVerdict } from '../signing/verdict.js';
import type { DocumentEntry, ReportEntry } from './model.js';

export type Verdict = { state: 'verified'; reason: null } | { state: 'failed'; reason: string } | { state: 'unchecked'; reason: null };

/** VERIFIED, or FAILED with the first reason `qualify verify` gives. */
export function verdictOf(entry: ReportEntry): Verdict {
  const v = entry.verification;
  if (!v) return { state: 'unchecked', reason: null };
  if (v.ok) return { state: 'verified', reason: null };
  const bad = [...v.signatures, ...v.dispositions].find((s) => !s.valid);
  const reason = v.findings[0] ? `${v.findings[0].code}: ${v.findings[0].message}` : bad ? `signature ${bad.file}: ${bad.reasons.join('; ')}` : 'verification failed';
  return { state: 'failed', reason };
}

/** Engines the run observed: host name, else endpoint. */
export function targetsOf(entry: ReportEntry): string[] {
  const t = entry.record?.targets ?? [];
  return t.length ? t.map((x) => x.hostname || x.endpoint) : ['(none recorded)'];
}

/** Valid signatures, in order. */
export function validSignatures(entry: ReportEntry): SignatureVerdict[] {
  return entry.verification?.signatures.filter((s) => s.valid && s.meaning !== 'attested') ?? [];
}

export interface Qualification {
  protocol: string;
  environment: string;
  target: string;
  report: ReportEntry;
}

/** The latest GxP record (not a dry run) per protocol, environment and target, sorted by those. */
export function latestQualifications(reports: ReportEntry[]): Qualification[] {
  const latest = new Map<string, Qualification>();
  for (const r of reports) {
    const rec = r.record;
    if (!rec || rec.dryRun) continue;
    for (const target of targetsOf(r)) {
      const environment = rec.environment ?? '(default)';
      const key = `${rec.protocol.documentId}\u0000${environment}\u0000${target}`;
      const prev = latest.get(key);
      if (!prev || prev.report.record!.started < rec.started) latest.set(key, { protocol: rec.protocol.documentId, environment, target, report: r });
    }
  }
  return [...latest.values()].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.environment.localeCompare(b.environment) || a.target.localeCompare(b.target));
}

export interface OpenDeviation {
  report: ReportEntry;
  deviation: Deviation;
}

/** Deviation ids closed by a valid signed disposition, with the disposition. */
export function dispositionsOf(entry: ReportEntry): Map<string, SignatureVerdict> {
  const out = new Map<string, SignatureVerdict>();
  for (const d of entry.verification?.dispositions ?? []) {
    const id = d.file.slice(d.file.lastIndexOf('/') + 1).replace(/\.dsse\.json$/, '');
    if (d.valid) out.set(id, d);
  }
  return out;
}

/** Deviations of GxP records with no valid disposition, oldest first. */
export function openDeviations(reports: ReportEntry[]): OpenDeviation[] {
  const out: OpenDeviation[] = [];
  for (const r of reports) {
    if (!r.record || r.record.dryRun) continue;
    const closed = dispositionsOf(r);
    for (const d of r.record.deviations) if (!closed.has(d.id)) out.push({ report: r, deviation: d });
  }
  return out.sort((a, b) => a.deviation.opened.localeCompare(b.deviation.opened));
}

/** Documents in force whose periodic review is due within `days` of `today` (or overdue), earliest first. */
export function reviewsDue(documents: DocumentEntry[], today: string, days = 60): DocumentEntry[] {
  const horizon = new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  return documents
    .filter((d) => d.reviewDue && d.reviewDue <= horizon && (d.status.computedStatus === 'effective' || d.status.computedStatus === 'approved'))
    .sort((a, b) => a.reviewDue!.localeCompare(b.reviewDue!));
}
