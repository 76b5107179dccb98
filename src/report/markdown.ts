// report.md: the record rendered for a QA reviewer from templates/report.md.hbs (Handlebars, strict).
// Everything shown comes from the record, so the same record gives the same bytes.
//
// Values in the record come from the run (parameters, observed values, engine answers, messages) and
// must never become Markdown structure: a parameter holding "\n## CONCLUSION: PASS" or "|" must print
// as text, not as a heading, a table row or a bookmark. Handlebars escapes for HTML; this template is
// Markdown, so the same contract is applied with Markdown as the language: every `{{value}}` is
// escaped as Markdown text (mdast-util-to-markdown's safe(), through remark-stringify with GFM), helpers
// that build Markdown return it marked as such, and `{{{value}}}` inserts Markdown as written (the
// shipped template does that only for a case's objective, which is approved protocol text).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { PhrasingContent, Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';
import type { Assertion, EngineInfo, Report, StepResult } from '../model/report.js';
import type { SignatureManifestation } from '../model/signature.js';
import type { AuditExtractEntry } from './audit-extract.js';
import { evidenceRows, executionRows, manualBlocks, reportSections } from './report-sections.js';
import { PRECOMPILED } from './template-spec.js';

/** The template shipped with the tool. */
export const DEFAULT_REPORT_TEMPLATE = new URL('../../templates/report.md.hbs', import.meta.url);

const MAX_CELL = 300;

/** Markdown that is already escaped or built on purpose: `{{…}}` prints it unchanged. */
export class MarkdownText {
  constructor(readonly markdown: string) {}
  toString(): string {
    return this.markdown;
  }
}

interface InlineRun {
  type: 'qualifyInline';
  children: PhrasingContent[];
}

interface SerializeState {
  enter(construct: string): () => void;
  containerPhrasing(parent: InlineRun, info: { before: string; after: string }): string;
}

/**
 * Phrasing serialised as if it stood in a table cell of an ATX heading at the start of a line: what
 * safe() escapes there (pipes, `#`, list and quote markers, emphasis, links, HTML, entities) is
 * escaped, which is also correct in a paragraph, a list item or a strong run.
 */
const inlineWriter = unified()
  .use(remarkGfm)
  .use(remarkStringify, {
    handlers: {
      qualifyInline(node: InlineRun, _parent: unknown, state: SerializeState): string {
        const exits = ['tableCell', 'headingAtx', 'phrasing'].map((c) => state.enter(c));
        const value = state.containerPhrasing(node, { before: '\n', after: '\n' });
        for (const exit of exits.reverse()) exit();
        return value;
      },
    } as never,
  })
  .freeze();

/** One line of escaped Markdown for phrasing nodes. */
function inlineMarkdown(children: PhrasingContent[]): string {
  const run: InlineRun = { type: 'qualifyInline', children };
  return inlineWriter.stringify(run as unknown as Root).replace(/\n$/, '');
}

/** A value on one line: line breaks become spaces (a record keeps them; a table row or heading cannot). */
function oneLine(value: unknown, max = Infinity): string {
  let s = typeof value === 'string' ? value : value === null || value === undefined ? '' : formatValue(value);
  s = s.replace(/\r\n|\r|\n/g, ' ');
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  return s;
}

/**
 * Text that reads the same as Markdown in a cell, a heading, a list item or a paragraph: letters,
 * digits, inner spaces, `,;-/()"'`, the em dash and the arrow (no Markdown syntax: `—` for nothing,
 * `a → b` for a time span), `_` inside a word, `.` and `:` where they cannot make a `www.` or
 * `scheme://` autolink, and no list marker at the start. Most record values (ids, dates, versions,
 * names, sentences) are like this and skip the serializer; anything else goes through it.
 */
const PLAIN = /^[\p{L}\p{N}\u2014](?:[\p{L}\p{N},;\-/()"'\u2014\u2192]| (?! )|(?<=[\p{L}\p{N}])_(?=[\p{L}\p{N}])|(?<![Ww])\.|:(?!\/))*$/u;
const LIST_START = /^\p{N}+[.)](?: |$)/u;

function escapeText(s: string): string {
  if (s === '') return '';
  if (PLAIN.test(s) && !LIST_START.test(s) && !s.endsWith(' ')) return s;
  return inlineMarkdown([{ type: 'text', value: s }]);
}

/** Any value as Markdown text, escaped so that it cannot start or end a Markdown construct. */
export function markdownText(value: unknown): string {
  if (value instanceof MarkdownText) return value.markdown;
  return escapeText(oneLine(value));
}

/** Escapes text for one GFM table cell: no structure, no line breaks, bounded length. */
export function cellText(value: unknown): string {
  return escapeText(oneLine(value, MAX_CELL).replace(/\s+$/, ''));
}

/** A code span that survives backticks and pipes inside a table cell. */
export function codeSpan(value: unknown): string {
  const s = oneLine(typeof value === 'string' ? value : formatValue(value), MAX_CELL);
  if (s === '') return '';
  // No backtick, pipe or edge space: one backtick fence is what the serializer would write.
  if (!/[`|]|^ | $/.test(s)) return `\`${s}\``;
  // A backslash right before a pipe cannot be written in a code span of a GFM table cell (`\|` is
  // read as an escaped pipe, `\\|` ends the cell): such a value is printed as text.
  if (s.includes('\\|')) return escapeText(s);
  return inlineMarkdown([{ type: 'inlineCode', value: s }]);
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
  /** True in a case with a fanned-out step: the table has a Target column. */
  fanned: boolean;
  /** Where the step ran: `eu-1`, `eu-1 / orders.2`, `orders.2`; `—` for a step of this machine. */
  target: string;
  type: string;
  item: string;
  /** Markdown built by expectedText (escaped values inside). */
  expected: MarkdownText;
  actual: MarkdownText;
  result: string;
}

/** Where a fanned-out step ran, as its Target cell shows it. */
export function targetText(step: Pick<StepResult, 'fanout'>): string {
  const f = step.fanout;
  if (!f) return '—';
  return [f.target, f.replica?.name].filter(Boolean).join(' / ') || '—';
}

/** Table rows of a step: one per assertion, or one saying why nothing was judged. */
export function stepRows(step: StepResult, fanned = false): Row[] {
  const where = { fanned: fanned === true, target: targetText(step) };
  if (step.assertions.length > 0) {
    return step.assertions.map((a) => ({
      ...where,
      step: step.id,
      type: step.type,
      item: a.path,
      expected: new MarkdownText(inline(expectedText(a))),
      actual: new MarkdownText(inline(a.actual === undefined ? 'nothing' : valueMd(a.actual))),
      result: a.pass ? 'PASS' : 'FAIL',
    }));
  }
  const expected = step.expected && Object.keys(step.expected).length > 0 ? inline(valueMd(step.expected)) : '—';
  const actual = step.status === 'skipped' ? 'not run' : 'not observed';
  return [{ ...where, step: step.id, type: step.type, item: '—', expected: new MarkdownText(expected), actual: new MarkdownText(actual), result: step.status.toUpperCase() }];
}

const md = (markdown: string): MarkdownText => new MarkdownText(markdown);
const blank = (v: unknown): boolean => v === null || v === undefined || v === '';

/** A Handlebars environment with the report helpers. Helpers that build Markdown return MarkdownText. */
function createEngine(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper(ESCAPE_HELPER, (v: unknown) => md(markdownText(v)));
  hb.registerHelper('cell', (v: unknown) => md(cellText(v)));
  hb.registerHelper('code', (v: unknown) => md(codeSpan(v)));
  hb.registerHelper('orDash', (v: unknown) => md(blank(v) ? '—' : cellText(v)));
  hb.registerHelper('codeOrDash', (v: unknown) => md(blank(v) ? '—' : codeSpan(v)));
  hb.registerHelper('upper', (v: unknown) => String(v).toUpperCase());
  hb.registerHelper('join', (list: unknown, sep: unknown) => md(Array.isArray(list) ? list.map(cellText).join(String(sep)) : ''));
  hb.registerHelper('rows', (step: StepResult, fanned: unknown) => stepRows(step, fanned === true));
  hb.registerHelper('swarmText', (v: unknown) => {
    const s = v as EngineInfo['swarm'] | undefined;
    if (!s) return md('—');
    return md(s.role === 'none' ? 'none' : `${s.role}${s.nodeId ? ` (node ${codeSpan(s.nodeId)})` : ''}`);
  });
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
  hb.registerHelper('hasKeys', (o: unknown) => Boolean(o && typeof o === 'object' && Object.keys(o).length > 0));
  hb.registerHelper('approvalText', (v: unknown) =>
    v === 'signed' ? 'electronically signed' : v === 'front-matter' ? 'front matter only, not signed' : 'none',
  );
  return hb;
}

const ESCAPE_HELPER = 'markdownText';

type Program = hbs.AST.Program;
type Mustache = hbs.AST.MustacheStatement;

/**
 * Rewrites every `{{expr}}` of a template into `{{markdownText expr}}` (a helper call with arguments
 * becomes a sub-expression), so that a value is escaped unless a helper marked it as Markdown.
 * `{{{expr}}}` is left as it is: Markdown inserted as written.
 */
function escapeByDefault(program: Program, helpers: Set<string>): Program {
  const visit = (p: Program | undefined): void => {
    if (!p) return;
    p.body = p.body.map((statement) => {
      const block = statement as Partial<hbs.AST.BlockStatement>;
      if (block.program || block.inverse) {
        visit(block.program);
        visit(block.inverse);
        return statement;
      }
      if (statement.type !== 'MustacheStatement') return statement;
      const m = statement as Mustache;
      if (!m.escaped) return statement;
      const path = m.path as hbs.AST.PathExpression;
      const call = m.params.length > 0 || Boolean(m.hash) || (path.type === 'PathExpression' && path.parts.length === 1 && helpers.has(path.original));
      // A plain `{{field}}` keeps strict mode's "missing field" error as an argument too.
      const value: hbs.AST.Expression = call
        ? ({ type: 'SubExpression', path: m.path, params: m.params, hash: m.hash, loc: m.loc } as hbs.AST.SubExpression)
        : (Object.assign({}, m.path, { strict: true }) as hbs.AST.Expression);
      const escape: hbs.AST.PathExpression = { type: 'PathExpression', data: false, depth: 0, parts: [ESCAPE_HELPER], original: ESCAPE_HELPER, loc: m.loc };
      return { ...m, path: escape, params: [value], hash: undefined as unknown as hbs.AST.Hash };
    });
  };
  visit(program);
  return program;
}

const COMPILE_OPTIONS = { noEscape: true, strict: true };

/** Compiles a report template with Markdown escaping of every `{{value}}`. */
function compileTemplate(source: string): HandlebarsTemplateDelegate {
  const hb = createEngine();
  if (PRECOMPILED && PRECOMPILED.sha256 === createHash('sha256').update(source).digest('hex')) return hb.template(PRECOMPILED.spec as TemplateSpecification);
  const ast = escapeByDefault(hb.parse(source), new Set(Object.keys(hb.helpers)));
  return hb.compile(ast, COMPILE_OPTIONS);
}

/** The JavaScript source of a template's spec, compiled as compileTemplate compiles it (for the build). */
export function precompileReportTemplate(source: string): string {
  const hb = createEngine();
  return hb.precompile(escapeByDefault(hb.parse(source), new Set(Object.keys(hb.helpers))), COMPILE_OPTIONS) as string;
}

/** A template from a spec of precompileReportTemplate, with the report helpers. */
export function reportTemplateFromSpec(spec: unknown): HandlebarsTemplateDelegate {
  return createEngine().template(spec as TemplateSpecification);
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** Adds properties computed on first read (enumerable, so strict Handlebars sees them). */
function lazy<T extends object>(target: T, getters: Record<string, () => unknown>): T {
  for (const [key, get] of Object.entries(getters)) {
    let value: unknown;
    let done = false;
    Object.defineProperty(target, key, { enumerable: true, configurable: true, get: () => (done ? value : ((done = true), (value = get()))) });
  }
  return target;
}

export interface MarkdownOptions {
  /** Template source; default templates/report.md.hbs of the tool. */
  template?: string;
  /** Signatures to show in the Signatures section (none: an empty signature block). */
  signatures?: SignatureManifestation[];
  /**
   * The audit-trail entries of this report at render time (report/audit-extract.ts trailExtract);
   * absent: the report says the extract is not part of this rendering.
   */
  auditTrail?: readonly AuditExtractEntry[];
}

/** Renders report.md from the record. Deterministic: same record and signatures, same text. */
export function renderReportMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const source = options.template ?? readFileSync(DEFAULT_REPORT_TEMPLATE, 'utf8');
  let template = compiled.get(source);
  if (!template) {
    template = compileTemplate(source);
    compiled.set(source, template);
  }
  return reportMarkdownWith(template, report, options);
}

/** report.md from the record through a compiled template (renderReportMarkdown's second half). */
export function reportMarkdownWith(template: HandlebarsTemplateDelegate, report: Report, options: MarkdownOptions = {}): string {
  // A fleet (named targets): the subject and target tables name the target; a fanned-out case has a Target column.
  // (A template may be given a partial record: what it lacks stays missing, for strict mode to name.)
  const fleet = report.targets?.some((t) => t.name !== undefined) ?? false;
  const context = {
    ...report,
    fleet,
    ...(report.targets ? { targets: report.targets.map((t) => ({ ...t, name: t.name ?? null, engineId: t.engineId ?? null, swarm: t.swarm ?? null })) } : {}),
    ...(report.subject
      ? {
          subject: {
            ...report.subject,
            images: report.subject.images?.map((i) => ({ ...i, target: i.target ?? null, replica: i.replica ?? null })),
            tasks: (report.subject.tasks ?? []).map((t) => ({ ...t, target: t.target ?? null })),
          },
        }
      : {}),
    cases: report.cases.map((c) => lazy({
      ...c,
      fanned: c.steps.some((s) => s.fanout !== undefined),
      objective: c.objective.trim(),
      kind: c.kind ?? null,
      justification: c.justification ?? null,
      steps: c.steps.map((s) => ({ ...s, observedBy: s.observedBy ?? null })),
    }, { execution: () => executionRows(c, report), manual: () => manualBlocks(c) })),
    signatures: options.signatures ?? [],
  };
  // Computed when the template reads them (a user's template may read none).
  let sections: ReturnType<typeof reportSections> | undefined;
  const section = <K extends keyof ReturnType<typeof reportSections>>(k: K) => () => (sections ??= reportSections(report, options.auditTrail))[k];
  lazy(context, { evidence: () => evidenceRows(report), header: section('header'), qualification: section('qualification'), coverage: section('coverage'), audit: section('audit') });
  const text = template(context);
  // One blank line at most between blocks, one newline at the end.
  return `${text.replace(/\n{3,}/g, '\n\n').trim()}\n`;
}
