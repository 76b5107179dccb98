// The traceability matrix (PC-07), both ways: requirement → cases → the latest result of each case
// per environment (from the records under reports/), and case → requirements (orphans shown). Built
// from the repository's traceability (documents/traceability.ts) and the records as written; printed
// as Markdown, CSV or JSON by a name → formatter map.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report, StepStatus } from '../model/report.js';
import type { Traceability } from '../documents/traceability.js';
import { cellText, codeSpan } from './markdown.js';

/** The latest result of a case in one environment. */
export interface TraceResult {
  status: StepStatus;
  reportId: string;
  /** Start of the run (UTC). */
  started: string;
  /** Protocol revision the record executed. */
  revision: string;
}

export interface TraceCase {
  protocol: string;
  case: string;
  title: string;
  kind: string;
  justification: string | null;
  /** Latest result per environment (only environments with a record of the case). */
  results: Record<string, TraceResult>;
}

export interface TraceRow {
  requirement: string;
  title: string;
  risk: string | null;
  type: string | null;
  /** document_id of its requirements document. */
  document: string | null;
  justification: string | null;
  cases: TraceCase[];
}

export interface TraceMatrix {
  /** Environments with results, in the column order. */
  environments: string[];
  requirements: TraceRow[];
  /** Every case of every protocol in force with the requirements it names (known or not). */
  cases: Array<TraceCase & { requirements: string[]; unknown: string[] }>;
  summary: {
    requirements: number;
    tested: number;
    /** Not tested, accepted by a written justification. */
    justified: number;
    untested: string[];
    highRiskWithoutNegative: string[];
    orphans: string[];
  };
  /** Records read and left out (dry runs, unreadable files). */
  notes: string[];
}

/** Reads every record (report.json) under `reportsDir/<protocol>/<report-id>/`; unreadable ones are named in `notes`. */
export function readRecords(reportsDir: string): { records: Report[]; notes: string[] } {
  const records: Report[] = [];
  const notes: string[] = [];
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
    } catch {
      return [];
    }
  };
  for (const protocol of list(reportsDir)) {
    for (const id of list(join(reportsDir, protocol))) {
      const file = join(reportsDir, protocol, id, 'report.json');
      let record: Report;
      try {
        record = JSON.parse(readFileSync(file, 'utf8')) as Report;
      } catch {
        notes.push(`${protocol}/${id}: report.json cannot be read; left out`);
        continue;
      }
      if (!record || typeof record !== 'object' || !Array.isArray(record.cases) || typeof record.reportId !== 'string') {
        notes.push(`${protocol}/${id}: report.json is not a qualification record; left out`);
        continue;
      }
      records.push(record);
    }
  }
  return { records, notes };
}

const ENV_DEFAULT = 'default';
const envOf = (r: Report): string => r.environment ?? ENV_DEFAULT;

/** Builds the matrix; with `env`, only that environment's records count. */
export function buildTraceMatrix(trace: Traceability, records: Report[], options: { env?: string } = {}): TraceMatrix {
  const notes: string[] = [];
  const latest = new Map<string, Record<string, TraceResult>>();
  const used = records.filter((r) => {
    if (r.dryRun) return false;
    return options.env === undefined || envOf(r) === options.env;
  });
  const dry = records.filter((r) => r.dryRun).length;
  if (dry) notes.push(`${dry} dry run${dry === 1 ? '' : 's'} (NOT A GxP RECORD) left out`);
  for (const r of [...used].sort((a, b) => (a.started < b.started ? -1 : a.started > b.started ? 1 : 0))) {
    for (const c of r.cases) {
      const key = `${r.protocol.documentId}\u0000${c.id}`;
      const perEnv = latest.get(key) ?? {};
      perEnv[envOf(r)] = { status: c.status, reportId: r.reportId, started: r.started, revision: r.protocol.revision };
      latest.set(key, perEnv);
    }
  }
  const environments = [...new Set(used.map(envOf))].sort();
  const caseOf = (protocol: Traceability['protocols'][number], tc: Traceability['protocols'][number]['cases'][number]): TraceCase => ({
    protocol: protocol.meta.documentId ?? protocol.path,
    case: tc.id,
    title: tc.title,
    kind: tc.kind ?? 'positive',
    justification: tc.justification ?? null,
    results: latest.get(`${protocol.meta.documentId ?? protocol.path}\u0000${tc.id}`) ?? {},
  });

  const rows: TraceRow[] = [];
  const untested: string[] = [];
  const highRisk: string[] = [];
  let justified = 0;
  for (const doc of trace.requirements) {
    for (const r of doc.requirements) {
      if (trace.byId.get(r.id) !== r) continue;
      const links = trace.cases.get(r.id) ?? [];
      rows.push({
        requirement: r.id, title: r.title, risk: r.risk ?? null, type: r.type ?? null, document: r.documentId, justification: r.justification ?? null,
        cases: links.map((l) => caseOf(l.protocol, l.testCase)),
      });
      if (links.length === 0) (r.justification ? justified++ : untested.push(r.id));
      else if (r.risk === 'high' && !links.some((l) => l.testCase.kind === 'negative' || l.testCase.kind === 'limit') && !r.justification && !links.some((l) => l.testCase.justification)) highRisk.push(r.id);
    }
  }
  const cases = trace.protocols.flatMap((p) => p.cases.map((tc) => ({
    ...caseOf(p, tc),
    requirements: [...tc.requirements],
    unknown: tc.requirements.filter((id) => !trace.byId.has(id)),
  })));
  const orphans = cases.filter((c) => (c.requirements.length === 0 || c.unknown.length > 0) && !c.justification).map((c) => `${c.protocol} ${c.case}`);
  return {
    environments,
    requirements: rows,
    cases,
    summary: { requirements: rows.length, tested: rows.filter((r) => r.cases.length > 0).length, justified, untested, highRiskWithoutNegative: highRisk, orphans },
    notes,
  };
}

const resultText = (r: TraceResult | undefined): string => (r ? `${r.status.toUpperCase()} ${r.started.slice(0, 10)} ${r.reportId} (rev ${r.revision})` : '');

/** Percentage with one decimal at most, "100" for all. */
export function percent(part: number, whole: number): string {
  if (whole === 0) return '0';
  const p = Math.round((part / whole) * 1000) / 10;
  return String(p);
}

function markdown(m: TraceMatrix): string {
  const out: string[] = ['# Traceability matrix', ''];
  const s = m.summary;
  out.push(`Requirements: ${s.requirements}; tested by at least one case: ${s.tested} (${percent(s.tested, s.requirements)} %)${s.justified ? `; not tested with a written justification: ${s.justified}` : ''}.`, '');
  if (s.untested.length) out.push(`**Untested:** ${s.untested.map(cellText).join(', ')}.`, '');
  if (s.highRiskWithoutNegative.length) out.push(`**High risk without a negative or limit case:** ${s.highRiskWithoutNegative.map(cellText).join(', ')}.`, '');
  if (s.orphans.length) out.push(`**Cases tracing to no known requirement:** ${s.orphans.map(cellText).join(', ')}.`, '');
  const envs = m.environments;
  out.push('## Requirements → test cases', '');
  out.push(`| Requirement | Risk | Type | Case | Kind |${envs.map((e) => ` Latest result: ${cellText(e)} |`).join('')}`);
  out.push(`|---|---|---|---|---|${envs.map(() => '---|').join('')}`);
  for (const r of m.requirements) {
    const req = `${cellText(r.requirement)} ${cellText(r.title)}`;
    if (r.cases.length === 0) {
      const why = r.justification ? `not tested: ${cellText(r.justification)}` : '**NOT TESTED**';
      out.push(`| ${req} | ${cellText(r.risk ?? '—')} | ${cellText(r.type ?? '—')} | ${why} | — |${envs.map(() => ' — |').join('')}`);
      continue;
    }
    for (const c of r.cases) {
      out.push(`| ${req} | ${cellText(r.risk ?? '—')} | ${cellText(r.type ?? '—')} | ${cellText(`${c.protocol} ${c.case}`)} | ${cellText(c.kind)} |${envs.map((e) => ` ${c.results[e] ? cellText(resultText(c.results[e])) : 'not run'} |`).join('')}`);
    }
  }
  const justified = [
    ...m.requirements.filter((r) => r.justification).map((r) => `${cellText(r.requirement)}: ${cellText(r.justification)}`),
    ...m.cases.filter((c) => c.justification).map((c) => `${cellText(`${c.protocol} ${c.case}`)}: ${cellText(c.justification)}`),
  ];
  if (justified.length) out.push('', 'Written justifications:', '', ...justified.map((j) => `- ${j}`));
  out.push('', '## Test cases → requirements', '');
  out.push(`| Case | Title | Kind | Requirements |${envs.map((e) => ` Latest result: ${cellText(e)} |`).join('')}`);
  out.push(`|---|---|---|---|${envs.map(() => '---|').join('')}`);
  for (const c of m.cases) {
    const reqs = c.requirements.length === 0 ? (c.justification ? `none: ${cellText(c.justification)}` : '**none (orphan)**')
      : c.requirements.map((id) => (c.unknown.includes(id) ? `${cellText(id)} **(unknown)**` : cellText(id))).join(', ');
    out.push(`| ${cellText(`${c.protocol} ${c.case}`)} | ${cellText(c.title)} | ${cellText(c.kind)} | ${reqs} |${envs.map((e) => ` ${c.results[e] ? cellText(resultText(c.results[e])) : 'not run'} |`).join('')}`);
  }
  if (envs.length === 0) out.push('', 'No record of an executed protocol was found: no results to show.');
  for (const n of m.notes) out.push('', `Note: ${cellText(n)}.`);
  out.push('', `Results are the latest record of each case per environment, as written in ${codeSpan('report.json')}; ${codeSpan('qualify verify <report-dir>')} checks a record and its signatures.`);
  return `${out.join('\n')}\n`;
}

/** One CSV field (RFC 4180). */
function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function csv(m: TraceMatrix): string {
  const envCols = m.environments.flatMap((e) => [`${e} result`, `${e} report`, `${e} started`, `${e} revision`]);
  const rows: string[][] = [['requirement', 'title', 'risk', 'type', 'document', 'requirement justification', 'protocol', 'case', 'case title', 'kind', 'case justification', ...envCols]];
  const results = (c: TraceCase): string[] => m.environments.flatMap((e) => {
    const r = c.results[e];
    return r ? [r.status, r.reportId, r.started, r.revision] : ['', '', '', ''];
  });
  for (const r of m.requirements) {
    const req = [r.requirement, r.title, r.risk ?? '', r.type ?? '', r.document ?? '', r.justification ?? ''];
    if (r.cases.length === 0) rows.push([...req, '', '', '', '', '', ...m.environments.flatMap(() => ['', '', '', ''])]);
    for (const c of r.cases) rows.push([...req, c.protocol, c.case, c.title, c.kind, c.justification ?? '', ...results(c)]);
  }
  // The other direction: cases tracing to no known requirement get a row with the requirement empty.
  for (const c of m.cases.filter((x) => x.requirements.length === 0 || x.unknown.length > 0)) {
    rows.push([c.unknown.join(' '), '', '', '', '', '', c.protocol, c.case, c.title, c.kind, c.justification ?? '', ...results(c)]);
  }
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Output formats by name. */
export const TRACE_FORMATS: ReadonlyMap<string, (m: TraceMatrix) => string> = new Map([
  ['md', markdown],
  ['csv', csv],
  ['json', (m: TraceMatrix) => `${JSON.stringify(m, null, 2)}\n`],
]);
