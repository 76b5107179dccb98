// `{{name}}` interpolation is Handlebars (strict, no HTML escaping); templateNames lists the
// parameters a template reads, which lint checks against the declared ones.
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../model/errors.js';
import { interpolate, interpolateDeep, templateNames } from './template.js';

const params = {
  service: 'web',
  release: '1.4.2',
  empty: '',
  zero: 0,
  no: false,
  nothing: null,
  list: ['a', 'b'],
  run: { id: 'QP-1-20260101T000000Z', started: '2026-01-01T00:00:00.000Z' },
};

describe('interpolate', () => {
  it('fills names and dotted paths, without HTML escaping', () => {
    expect(interpolate('{{ service }}:{{release}}', params)).toBe('web:1.4.2');
    expect(interpolate('{{run.id}}/{{run.started}}', params)).toBe('QP-1-20260101T000000Z/2026-01-01T00:00:00.000Z');
    expect(interpolate('a<&>"{{service}}', { service: '<b>&"x"' })).toBe('a<&>"<b>&"x"');
    expect(interpolate('{{empty}}|{{zero}}|{{no}}|{{nothing}}|{{list}}', params)).toBe('|0|false||a,b');
    expect(interpolate('no template here', params)).toBe('no template here');
  });

  it('is strict: an unknown name is an error, never a blank', () => {
    expect(() => interpolate('x {{missing}}', params)).toThrow(UsageError);
    expect(() => interpolate('x {{missing}}', params)).toThrow('cannot interpolate "x {{missing}}": "missing" not defined');
    expect(() => interpolate('{{run.missing}}', params)).toThrow(/"missing" not defined/);
    try {
      interpolate('{{missing}}', params);
    } catch (err) {
      expect((err as UsageError).code).toBe('PARAM_UNDEFINED');
    }
  });

  it('keeps Handlebars syntax: escapes, comments, helpers', () => {
    expect(interpolate('\\{{service}}', params)).toBe('{{service}}');
    expect(interpolate('{{!a comment}}{{service}}', params)).toBe('web');
    expect(interpolate('{{#if service}}y{{/if}}', params)).toBe('y');
    expect(() => interpolate('{{service', params)).toThrow(/Parse error/);
  });

  it('uses its own Handlebars environment: a helper registered globally does not change a protocol', () => {
    Handlebars.registerHelper('service', () => 'hijacked');
    try {
      expect(interpolate('{{service}}', params)).toBe('web');
    } finally {
      Handlebars.unregisterHelper('service');
    }
  });

  it('interpolates every string of a nested value', () => {
    expect(interpolateDeep({ a: ['{{service}}', 1, { b: '{{release}}' }], c: null }, params)).toEqual({ a: ['web', 1, { b: '1.4.2' }], c: null });
  });
});

describe('templateNames', () => {
  it.each([
    ['plain text', []],
    ['{{service}}', ['service']],
    ['v{{release}}-{{service}} {{service}}', ['release', 'service']],
    ['{{run.id}}', ['run.id']],
    ['{{#if service}}{{release}}{{/if}}', ['release', 'service']],
    ['{{lookup run "id"}}', ['run']],
    ['{{#each list}}{{this}}{{@index}}{{/each}}', ['list']],
    ['{{this.service}}', []],
    ['{{log}}', []],
    ['{{!comment}}', []],
    ['\\{{service}}', []],
  ])('%j reads %j', (template, names) => {
    expect(templateNames(template)).toEqual(names);
  });

  it('throws Handlebars\' parse error on invalid syntax', () => {
    expect(() => templateNames('{{#if x}}')).toThrow();
    expect(() => templateNames('{{service')).toThrow(/Parse error/);
  });
});
