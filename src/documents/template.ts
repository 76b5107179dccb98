// `{{name}}` in check blocks: Handlebars, strict (an unknown name is an error, never a blank) and
// without HTML escaping (values go into URLs, argv and expected values, not into HTML).
import Handlebars from 'handlebars';
import { UsageError } from '../model/errors.js';

/** Names that every protocol may use without declaring them. */
export const RESERVED_PARAMS = ['run.id', 'run.started'];

/** Handlebars' built-in helpers: a path naming one in helper position is not a parameter. */
const BUILTIN_HELPERS = new Set(['if', 'unless', 'each', 'with', 'log', 'lookup', 'helperMissing', 'blockHelperMissing']);

/** One Handlebars environment of our own: helpers registered elsewhere in the process never leak in. */
const handlebars = Handlebars.create();

/**
 * Parameter names a template refers to (the paths it reads, `run.id` for `{{run.id}}`), sorted.
 * Throws Handlebars' parse error (a plain Error) when the template is not valid Handlebars.
 */
export function templateNames(template: string): string[] {
  if (!template.includes('{{')) return [];
  let names = namesOf.get(template);
  if (!names) {
    names = readNames(template);
    namesOf.set(template, names);
  }
  return [...names];
}

const namesOf = new Map<string, string[]>();

function readNames(template: string): string[] {
  const names = new Set<string>();
  const visit = (node: unknown, helperPosition = false): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; original?: string; data?: boolean; path?: unknown; params?: unknown[]; [k: string]: unknown };
    if (n.type === 'PathExpression') {
      // `@index` and friends are Handlebars data, `this` the current context: not parameters.
      if (n.data || typeof n.original !== 'string' || n.original === 'this' || n.original.startsWith('this.')) return;
      if (helperPosition && BUILTIN_HELPERS.has(n.original)) return;
      names.add(n.original);
      return;
    }
    const isCall = n.type === 'MustacheStatement' || n.type === 'BlockStatement' || n.type === 'SubExpression';
    for (const [key, value] of Object.entries(n)) {
      if (key === 'loc') continue;
      const inHelperPosition = isCall && key === 'path';
      if (Array.isArray(value)) value.forEach((v) => visit(v));
      else if (value && typeof value === 'object') visit(value, inHelperPosition);
    }
  };
  visit(handlebars.parse(template));
  return [...names].sort();
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** Interpolates `{{name}}` in `template` from `params` (nested: `run.id`); an unknown name throws UsageError. */
export function interpolate(template: string, params: Record<string, unknown>): string {
  if (!template.includes('{{')) return template;
  let render = compiled.get(template);
  try {
    if (!render) {
      render = handlebars.compile(template, { noEscape: true, strict: true });
      compiled.set(template, render);
    }
    return render(params);
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
