// Interpolation of run parameters into check parameters and `expect`: every string leaf is a strict
// Handlebars template (`{{service}}`, `{{run.id}}`); an unknown name is an error, never a blank.

import Handlebars from 'handlebars';

/** Values a template can name: the run parameters plus the reserved `run` object. */
export type TemplateScope = Record<string, unknown> & { run: { id: string; started: string } };

/** Renders one template string; throws an Error naming the unknown parameter. */
export type InterpolateString = (template: string, scope: TemplateScope) => string;

const cache = new Map<string, HandlebarsTemplateDelegate>();

/** Default string interpolation: Handlebars, strict, no HTML escaping. */
export const interpolateString: InterpolateString = (template, scope) => {
  if (!template.includes('{{')) return template;
  let compiled = cache.get(template);
  if (!compiled) {
    compiled = Handlebars.compile(template, { noEscape: true, strict: true });
    cache.set(template, compiled);
  }
  try {
    return compiled(scope);
  } catch (err) {
    const m = /"([^"]+)" not defined/.exec((err as Error).message);
    throw new Error(m ? `unknown parameter "${m[1]}" in "${template}"` : `cannot interpolate "${template}": ${(err as Error).message}`, { cause: err });
  }
};

/** Interpolates every string (keys untouched) of a JSON-like value. */
export function interpolateDeep<T>(value: T, scope: TemplateScope, render: InterpolateString = interpolateString): T {
  if (typeof value === 'string') return render(value, scope) as T;
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, scope, render)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = interpolateDeep(v, scope, render);
    return out as T;
  }
  return value;
}
