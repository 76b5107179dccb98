// What report.md shows beyond the record's own fields (RC-01..RC-04, RC-08, RC-10, PC-06, PC-07), as
// template data: the header facts, the conclusion statement, the traceability coverage, per step every
// attempt with its time, observed values, executor, evidence and deviation, manual steps in full, and
// the audit-trail extract. Values stay data: the template escapes them ({{cell}}); what is built here
// as Markdown is returned as MarkdownText from escaped parts.
import type { CaseResult, Report, StepResult } from '../model/report.js';
import { qualificationConclusion, type QualificationConclusion } from './conclusion.js';
import { attachmentName, isTextEvidence } from './evidence-attachments.js';
import type { AuditExtractEntry } from './audit-extract.js';
import { percent } from './trace-matrix.js';
import { cellText, codeSpan, formatValue, MarkdownText } from './markdown.js';

const md = (markdown: string): MarkdownText => new MarkdownText(markdown);

/** Hex digits of a short hash in the report. */
const SHORT = 12;

/** A value as one table cell: numbers and booleans as they are, text in a code span. */
function valueCell(v: unknown): string {
  if (v === undefined) return 'absent';
  if (v === null) return '`null`';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return codeSpan(v);
}

/** Segments of an assertion path as the matchers write it: `json.version`, `labels["org.x"]`, `items.0`. */
function pathSegments(path: string): string[] {
  const out: string[] = [];
  for (const m of path.matchAll(/\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g)) out.push(m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2]!);
  return out;
}

function valueAt(actual: Record<string, unknown>, path: string): unknown {
  let current: unknown = actual;
  for (const seg of pathSegments(path)) {
    if (current && typeof current === 'object' && Object.prototype.hasOwnProperty.call(current, seg)) current = (current as Record<string, unknown>)[seg];
    else return undefined;
  }
  return current;
}

/** The observed values of one attempt, for the paths the step's acceptance looks at. */
function observed(step: StepResult, actual: Record<string, unknown> | null | undefined, reason: string | undefined): string {
  if (actual === undefined) return 'not recorded (the record keeps only the last attempt\'s values)';
  if (actual === null) return reason ? `not observed: ${cellText(reason)}` : 'not observed';
  const paths = [...new Set(step.assertions.map((a) => a.path))];
  if (paths.length === 0) return codeSpan(formatValue(actual));
  return paths.map((p) => `${cellText(p)}: ${valueCell(valueAt(actual, p))}`).join('; ');
}

export interface ExecutionRow {
  step: string;
  attempt: string;
  time: string;
  result: string;
  observed: MarkdownText;
  by: string;
  evidence: MarkdownText;
  deviation: string;
}

/** `2026-10-05T10:15:00.120Z → 10:15:01.004Z` (the end's date left out when it is the same day). */
function span(started: string, ended: string): string {
  return `${started} → ${ended.slice(0, 10) === started.slice(0, 10) ? ended.slice(11) : ended}`;
}

/** One row per attempt of each step (a step that never ran: one row saying so). */
export function executionRows(c: CaseResult, report: Report): ExecutionRow[] {
  const rows: ExecutionRow[] = [];
  const deviations = new Map(report.deviations.map((d) => [d.stepId, d]));
  for (const s of c.steps) {
    const by = s.type === 'manual' && s.observedBy ? `${s.observedBy.id} (manual entry)` : `qualify for ${report.executor.id}`;
    const dev = deviations.get(s.id);
    const deviation = dev ? `${dev.id} ${dev.status}` : '—';
    const evidence = md(s.evidence.length ? s.evidence.map((e) => `${codeSpan(e.path.replace(/^evidence\//, ''))} ${e.sha256.slice(0, SHORT)}`).join('; ') : '—');
    if (s.attempts.length === 0) {
      rows.push({ step: s.id, attempt: '—', time: span(s.started, s.ended), result: s.status.toUpperCase(), observed: md(s.reason ? `not run: ${cellText(s.reason)}` : 'not run'), by: '—', evidence, deviation });
      continue;
    }
    s.attempts.forEach((a, i) => {
      const last = i === s.attempts.length - 1;
      const actual = last ? (a.actual === undefined ? s.actual : a.actual) : a.actual;
      rows.push({
        step: s.id,
        attempt: `${a.n} of ${s.attempts.length}`,
        time: span(a.started, a.ended),
        result: a.status.toUpperCase(),
        observed: md(observed(s, actual, a.reason)),
        by,
        evidence: last ? evidence : md('—'),
        deviation: last ? deviation : '—',
      });
    });
  }
  return rows;
}

export interface ManualBlock {
  step: string;
  result: string;
  instruction: string;
  expected: string;
  answer: string | null;
  by: string | null;
  at: string | null;
  reason: string | null;
}

/** Manual steps in full: what the person was told, what they compared against, what they answered, who and when. */
export function manualBlocks(c: CaseResult): ManualBlock[] {
  return c.steps.filter((s) => s.type === 'manual').map((s) => {
    const actual = s.actual ?? {};
    const exp = s.expected && typeof s.expected.observation === 'string' ? s.expected.observation : s.expected ? formatValue(s.expected) : '';
    return {
      step: s.id,
      result: s.status.toUpperCase(),
      instruction: typeof s.params.instruction === 'string' ? s.params.instruction : formatValue(s.params.instruction),
      expected: exp || 'none stated',
      answer: typeof actual.answer === 'string' ? actual.answer : null,
      by: s.observedBy?.id ?? (typeof actual.observed_by === 'string' ? actual.observed_by : null),
      at: s.observedBy?.at ?? (typeof actual.observed_at === 'string' ? actual.observed_at : null),
      reason: s.status === 'pass' ? null : s.reason,
    };
  });
}

export interface Coverage {
  state: 'not-recorded' | 'no-requirements' | 'traced';
  covered: number;
  total: number;
  percent: string;
  /** Covered requirements whose every case in this record passed. */
  verified: number;
  documents: string;
  rows: Array<{ id: string; title: string; risk: string; cases: string; result: string; elsewhere: string; justification: string | null }>;
  orphans: string[];
}

/** The traceability coverage of the record (requirements covered by its cases / requirements of the repository at run time). */
export function coverageOf(report: Report): Coverage {
  const empty = { covered: 0, total: 0, percent: '0', verified: 0, documents: '', rows: [], orphans: [] };
  if (report.traceability === undefined) return { state: 'not-recorded', ...empty };
  if (report.traceability === null) return { state: 'no-requirements', ...empty };
  const status = new Map(report.cases.map((c) => [c.id, c.status]));
  const rows = report.traceability.requirements.map((r) => {
    const results = r.cases.map((id) => status.get(id) ?? 'skipped');
    const result = r.cases.length === 0 ? 'not tested by this record'
      : results.every((x) => x === 'pass') ? 'PASS'
        : results.map((x, i) => `${r.cases[i]} ${x.toUpperCase()}`).join(', ');
    return {
      id: r.id,
      title: r.title,
      risk: r.risk ?? '—',
      cases: r.cases.join(', ') || '—',
      result,
      elsewhere: r.elsewhere.join(', ') || '—',
      justification: r.justification,
    };
  });
  const covered = rows.filter((r) => r.cases !== '—').length;
  return {
    state: 'traced',
    covered,
    total: rows.length,
    percent: percent(covered, rows.length),
    verified: rows.filter((r) => r.result === 'PASS').length,
    documents: report.traceability.documents.map((d) => `${d.documentId}${d.revision ? ` revision ${d.revision}` : ''} (sha256 ${d.sha256.slice(0, SHORT)})`).join(', '),
    rows,
    orphans: report.traceability.orphans.map((o) => `${o.case}${o.requirements.length ? ` names ${o.requirements.join(', ')}, not declared` : ' names no requirement'}${o.justification ? `: ${o.justification}` : ''}`),
  };
}

export interface Header {
  system: string;
  version: string;
  targets: string;
  digests: MarkdownText;
  toolValidation: string;
}

/** The facts of RC-01 that the record holds in several places, each stated once for the header. */
export function headerOf(report: Report): Header {
  const sys = report.system;
  const v = report.tool.validation;
  const digests = [...new Set(report.subject.images.map((i) => i.digest ?? i.imageId))];
  return {
    system: sys?.name ?? 'not declared',
    version: sys?.version ? `${sys.version}${sys.versionFrom && sys.versionFrom !== 'qualify.yaml' ? ` (from the ${sys.versionFrom})` : ''}` : 'not declared',
    targets: report.targets.map((t) => `${t.name ? `${t.name}: ` : ''}${t.endpoint}${t.hostname ? ` (host ${t.hostname})` : ''}`).join(', ') || 'none recorded',
    digests: md(digests.length ? digests.map(codeSpan).join(', ') : 'no running image observed'),
    toolValidation: v
      ? `${v.reference}${v.versions ? `, covering ${v.versions.join(', ')}` : ''}${v.covered === false ? ` (NOT covering ${report.tool.version})` : ''}`
      : 'not declared',
  };
}

export interface AuditRow {
  at: string;
  who: string;
  action: string;
  change: MarkdownText;
  why: string;
}

/** The audit-trail extract as rows; null when the caller passed no trail (the section says so). */
export function auditRows(entries: readonly AuditExtractEntry[] | undefined): AuditRow[] | null {
  if (entries === undefined) return null;
  const shown = (v: unknown): string => (v === null || v === undefined ? '—' : codeSpan(typeof v === 'string' && v.length > 24 && /^[0-9a-f]+$/.test(v) ? `${v.slice(0, SHORT)}…` : formatValue(v)));
  return entries.map((e) => ({
    at: e.at,
    who: e.who.name ? `${e.who.name} (${e.who.id})` : e.who.id,
    action: e.action,
    change: md(`${e.field ? `${cellText(e.field)}: ` : ''}${shown(e.old)} → ${shown(e.new)}`),
    why: e.why,
  }));
}

/** The evidence list with short hashes and the name each text file has in the PDF. */
export function evidenceRows(report: Report): Array<StepResult['evidence'][number] & { step: string; short: string; attached: string }> {
  return report.cases.flatMap((c) => c.steps.flatMap((s) => s.evidence.map((e) => ({
    ...e,
    step: s.id,
    short: e.sha256.slice(0, SHORT),
    attached: isTextEvidence(e.mediaType) ? attachmentName(e) : '',
  }))));
}

export interface ReportSections {
  header: Header;
  qualification: QualificationConclusion;
  coverage: Coverage;
  audit: AuditRow[] | null;
}

/** Everything the template shows beyond the record's own fields. */
export function reportSections(report: Report, auditTrail: readonly AuditExtractEntry[] | undefined): ReportSections {
  return { header: headerOf(report), qualification: qualificationConclusion(report), coverage: coverageOf(report), audit: auditRows(auditTrail) };
}
