// Strict Handlebars interpolation of run parameters: an unknown name is an error, never a blank.
import Handlebars from 'handlebars';
import { UsageError } from '../model/errors.js';

/** Names that every protocol may use without declaring them. */
export const RESERVED_PARAMS = ['run.id', 'run.started'];

/** Parameter names referenced by a template string; throws a plain Error on template syntax errors. */
export function templateNames(template: string): string[] {
  if (!template.includes('{{')) return [];
  const ast = Handlebars.parse(template);
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

const cache = new Map<string, HandlebarsTemplateDelegate>();

/** Interpolates `{{name}}` in `template` from `params` (nested: `run.id`); unknown names throw UsageError. */
export function interpolate(template: string, params: Record<string, unknown>): string {
  if (!template.includes('{{')) return template;
  let compiled = cache.get(template);
  if (!compiled) {
    compiled = Handlebars.compile(template, { noEscape: true, strict: true });
    cache.set(template, compiled);
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
