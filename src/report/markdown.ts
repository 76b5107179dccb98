// report.md: the record rendered for a QA reviewer from templates/report.md.hbs (Handlebars, strict,
// no HTML escaping). Everything shown comes from the record, so the same record gives the same bytes.

import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { Assertion, Report, StepResult } from '../model/report.js';
import type { SignatureManifestation } from '../model/signature.js';

/** The template shipped with the tool. */
export const DEFAULT_REPORT_TEMPLATE = new URL('../../templates/report.md.hbs', import.meta.url);

const MAX_CELL = 300;

/** Escapes text for one GFM table cell: no pipes, no line breaks, bounded length. */
export function cellText(value: unknown): string {
  let s = typeof value === 'string' ? value : value === null || value === undefined ? '' : formatValue(value);
  s = s.replace(/\r?\n|\r/g, ' ').replace(/\s+$/, '');
  if (s.length > MAX_CELL) s = `${s.slice(0, MAX_CELL - 1)}…`;
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

/** A code span that survives backticks and pipes inside a table cell. */
export function codeSpan(value: unknown): string {
  let s = typeof value === 'string' ? value : formatValue(value);
  s = s.replace(/\r?\n|\r/g, ' ');
  if (s.length > MAX_CELL) s = `${s.slice(0, MAX_CELL - 1)}…`;
  if (s.length === 0) return '';
  const runs = s.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** A value as a reader sees it: strings plain, everything else compact JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}

function valueMd(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return '`null`';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return codeSpan(value);
}

const MATCHERS = new Set(['equals', 'lte', 'gte', 'matches', 'contains', 'not_contains', 'one_of', 'absent']);

function isMatcherObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => MATCHERS.has(k));
}

/** A nested matcher (`not_contains: { matches: re }`) in words, or the value itself. */
function operand(value: unknown): string {
  if (isMatcherObject(value)) {
    return Object.entries(value)
      .map(([matcher, expected]) => expectedText({ matcher, expected }))
      .join(' and ');
  }
  return valueMd(value);
}

/** The Expected column for one assertion: `≤ 0`, `matches ^ok$`, a plain value for equals. */
export function expectedText(a: Pick<Assertion, 'matcher' | 'expected'>): string {
  switch (a.matcher) {
    case 'equals':
      return operand(a.expected);
    case 'lte':
      return `≤ ${operand(a.expected)}`;
    case 'gte':
      return `≥ ${operand(a.expected)}`;
    case 'matches':
      return `matches ${operand(a.expected)}`;
    case 'contains':
      return isMatcherObject(a.expected) ? `contains a line that ${operand(a.expected)}` : `contains ${operand(a.expected)}`;
    case 'not_contains':
      return isMatcherObject(a.expected) ? `no line that ${operand(a.expected)}` : `does not contain ${operand(a.expected)}`;
    case 'one_of':
      return `one of ${Array.isArray(a.expected) ? a.expected.map(valueMd).join(', ') : operand(a.expected)}`;
    case 'absent':
      return a.expected === false ? 'present' : 'absent';
    default:
      return `${a.matcher} ${operand(a.expected)}`;
  }
}

/** Markdown already formatted for a cell: only line breaks need to go. */
function inline(md: string): string {
  return md.replace(/\r?\n|\r/g, ' ');
}

interface Row {
  step: string;
  type: string;
  item: string;
  expected: string;
  actual: string;
  result: string;
}

/** Table rows of a step: one per assertion, or one saying why nothing was judged. */
export function stepRows(step: StepResult): Row[] {
  if (step.assertions.length > 0) {
    return step.assertions.map((a) => ({
      step: step.id,
      type: step.type,
      item: a.path,
      expected: inline(expectedText(a)),
      actual: inline(a.actual === undefined ? 'nothing' : valueMd(a.actual)),
      result: a.pass ? 'PASS' : 'FAIL',
    }));
  }
  const expected = step.expected && Object.keys(step.expected).length > 0 ? inline(valueMd(step.expected)) : '—';
  const actual = step.status === 'skipped' ? 'not run' : 'not observed';
  return [{ step: step.id, type: step.type, item: '—', expected, actual, result: step.status.toUpperCase() }];
}

/** A Handlebars environment with the report helpers. */
function createEngine(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('cell', (v: unknown) => cellText(v));
  hb.registerHelper('code', (v: unknown) => codeSpan(v));
  hb.registerHelper('orDash', (v: unknown) => (v === null || v === undefined || v === '' ? '—' : cellText(v)));
  hb.registerHelper('codeOrDash', (v: unknown) => (v === null || v === undefined || v === '' ? '—' : codeSpan(v)));
  hb.registerHelper('upper', (v: unknown) => String(v).toUpperCase());
  hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.map(cellText).join(String(sep)) : ''));
  hb.registerHelper('rows', (step: StepResult) => stepRows(step));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
  hb.registerHelper('hasKeys', (o: unknown) => Boolean(o && typeof o === 'object' && Object.keys(o).length > 0));
  hb.registerHelper('approvalText', (v: unknown) =>
    v === 'signed' ? 'electronically signed' : v === 'front-matter' ? 'front matter only, not signed' : 'none',
  );
  return hb;
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

export interface MarkdownOptions {
  /** Template source; default templates/report.md.hbs of the tool. */
  template?: string;
  /** Signatures to show in the Signatures section (none: an empty signature block). */
  signatures?: SignatureManifestation[];
}

/** Renders report.md from the record. Deterministic: same record and signatures, same text. */
export function renderReportMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const source = options.template ?? readFileSync(DEFAULT_REPORT_TEMPLATE, 'utf8');
  let template = compiled.get(source);
  if (!template) {
    template = createEngine().compile(source, { noEscape: true, strict: true });
    compiled.set(source, template);
  }
  const evidence = report.cases.flatMap((c) => c.steps.flatMap((s) => s.evidence.map((e) => ({ ...e, step: s.id }))));
  const context = {
    ...report,
    cases: report.cases.map((c) => ({
      ...c,
      objective: c.objective.trim(),
      steps: c.steps.map((s) => ({ ...s, observedBy: s.observedBy ?? null })),
    })),
    evidence,
    signatures: options.signatures ?? [],
  };
  const text = template(context);
  // One blank line at most between blocks, one newline at the end.
  return `${text.replace(/\n{3,}/g, '\n\n').trim()}\n`;
}
