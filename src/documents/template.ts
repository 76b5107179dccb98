// Strict Handlebars interpolation of run parameters: an unknown name is an error, never a blank.
// Templates made only of `{{name}}` / `{{a.b}}` (all that protocols use) are handled here, with the
// exact output of Handlebars (strict, noEscape); anything else — helpers, blocks, comments, escapes,
// a name that is not an own property — goes to Handlebars itself, loaded on first need (its compiler
// cost ~15 ms of every run's start-up).
import { createRequire } from 'node:module';
import type HandlebarsType from 'handlebars';
import { UsageError } from '../model/errors.js';

/** Names that every protocol may use without declaring them. */
export const RESERVED_PARAMS = ['run.id', 'run.started'];

const requireHere = createRequire(import.meta.url);
let handlebars: typeof HandlebarsType | null = null;
const Handlebars = (): typeof HandlebarsType => (handlebars ??= requireHere('handlebars') as typeof HandlebarsType);

/** A `{{ path }}` whose segments are plain names; Handlebars' literals and builtin helpers are not. */
const MUSTACHE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;
const HANDLEBARS_WORDS = new Set(['true', 'false', 'null', 'undefined', 'this', 'if', 'unless', 'each', 'with', 'log', 'lookup', 'helperMissing', 'blockHelperMissing']);

type Part = string | string[];

/** The template as literal text and paths, or null when it uses anything beyond plain `{{path}}`. */
function split(template: string): Part[] | null {
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(MUSTACHE)) {
    const literal = template.slice(last, m.index);
    // Any other `{{`, a `\` escape or a `{{{` in the literal text needs Handlebars' own reading.
    if (literal.includes('{{') || literal.includes('\\') || literal.endsWith('{') || template[m.index + m[0].length] === '}') return null;
    const path = m[1]!.split('.');
    if (HANDLEBARS_WORDS.has(path[0]!)) return null;
    if (literal) parts.push(literal);
    parts.push(path);
    last = m.index + m[0].length;
  }
  const rest = template.slice(last);
  if (rest.includes('{{') || rest.includes('\\')) return null;
  if (rest) parts.push(rest);
  return parts;
}

const parsed = new Map<string, Part[] | null>();
const splitCached = (template: string): Part[] | null => {
  let parts = parsed.get(template);
  if (parts === undefined) {
    parts = split(template);
    parsed.set(template, parts);
  }
  return parts;
};

/** Parameter names referenced by a template string; throws a plain Error on template syntax errors. */
export function templateNames(template: string): string[] {
  if (!template.includes('{{')) return [];
  const parts = splitCached(template);
  if (parts) return [...new Set(parts.filter((p) => typeof p !== 'string').map((p) => (p as string[]).join('.')))].sort();
  const ast = Handlebars().parse(template);
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; original?: string; [k: string]: unknown };
    if (n.type === 'PathExpression' && typeof n.original === 'string') names.add(n.original);
    for (const value of Object.values(n)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') visit(value);
    }
  };
  visit(ast);
  return [...names].sort();
}

/** Handlebars' output of one value without escaping: null/undefined give "", the rest String(). */
function show(value: unknown): string | null {
  if (value === null || value === undefined) return '';
  if (typeof value === 'function') return null; // Handlebars would call it
  return String(value);
}

/** The fast path's result, or null when Handlebars must decide (a missing name: its error message). */
function fill(parts: Part[], params: Record<string, unknown>): string | null {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    let value: unknown = params;
    for (const name of part) {
      if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, name)) return null;
      value = (value as Record<string, unknown>)[name];
    }
    const text = show(value);
    if (text === null) return null;
    out += text;
  }
  return out;
}

const compiledCache = new Map<string, HandlebarsTemplateDelegate>();

/** Interpolates `{{name}}` in `template` from `params` (nested: `run.id`); unknown names throw UsageError. */
export function interpolate(template: string, params: Record<string, unknown>): string {
  if (!template.includes('{{')) return template;
  const parts = splitCached(template);
  const fast = parts ? fill(parts, params) : null;
  if (fast !== null) return fast;
  let compiled = compiledCache.get(template);
  if (!compiled) {
    compiled = Handlebars().compile(template, { noEscape: true, strict: true });
    compiledCache.set(template, compiled);
  }
  try {
    return compiled(params);
  } catch (err) {
    throw new UsageError('PARAM_UNDEFINED', `cannot interpolate "${template}": ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

/** Interpolates every string inside a JSON-like value. */
export function interpolateDeep<T>(value: T, params: Record<string, unknown>): T {
  if (typeof value === 'string') return interpolate(value, params) as T;
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, params)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateDeep(v, params);
    return out as T;
  }
  return value;
}
