// The fast `{{path}}` interpolation against Handlebars itself (strict, noEscape): same text, same names,
// and the same errors (they come from Handlebars).
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { interpolate, templateNames } from './template.js';

const params = {
  service: 'web',
  release: '1.4.2',
  empty: '',
  zero: 0,
  no: false,
  nothing: null,
  undef: undefined,
  list: ['a', 'b'],
  run: { id: 'QP-1-20260101T000000Z', started: '2026-01-01T00:00:00.000Z', nested: { deep: 'x' } },
};

const templates = [
  'plain text', '{{service}}', '{{ service }}', '{{\n service\n}}', 'v{{release}}-{{service}}', '{{run.id}}/{{run.started}}',
  '{{run.nested.deep}}', '{{empty}}|{{zero}}|{{no}}|{{nothing}}|{{undef}}|{{list}}', '{{run}}', 'a}}b{{service}}c{', '{ {{service}} }',
  '{{{service}}}', '\\{{service}}', '{{!comment}}{{service}}', '{{#if service}}y{{/if}}', '{{service.length}}', '{{missing}}', 'x {{run.missing}}',
  '{{run.id.x}}', '{{log}}', '{{lookup run "id"}}', '{{this.service}}', '{{true}}', '{{constructor}}', '{{toString}}', '{{service}}}', '{{ser-vice}}',
];

const byHandlebars = (t: string): { ok: true; text: string } | { ok: false; message: string } => {
  try {
    return { ok: true, text: Handlebars.compile(t, { noEscape: true, strict: true })(params) };
  } catch (err) {
    return { ok: false, message: (err as Error).message.split('\n')[0]! };
  }
};

describe('template interpolation', () => {
  it.each(templates)('gives what Handlebars gives for %j', (t) => {
    const expected = byHandlebars(t);
    if (expected.ok) expect(interpolate(t, params)).toBe(expected.text);
    else expect(() => interpolate(t, params)).toThrow(`cannot interpolate "${t}": ${expected.message}`);
  });

  it.each(templates)('names the same parameters as Handlebars for %j', (t) => {
    const names = new Set<string>();
    const visit = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      const o = n as { type?: string; original?: string };
      if (o.type === 'PathExpression' && typeof o.original === 'string') names.add(o.original);
      for (const v of Object.values(o)) (Array.isArray(v) ? v : [v]).forEach(visit);
    };
    let ast: unknown;
    try {
      ast = Handlebars.parse(t);
    } catch {
      expect(() => templateNames(t)).toThrow(/Parse error/);
      return;
    }
    visit(ast);
    expect(templateNames(t)).toEqual(t.includes('{{') ? [...names].sort() : []);
  });

  it('throws what Handlebars throws on a syntax error', () => {
    expect(() => templateNames('{{#if x}}')).toThrow();
    expect(() => templateNames('{{service')).toThrow(/Parse error/);
    expect(() => interpolate('{{service', params)).toThrow(/Parse error/);
  });
});
