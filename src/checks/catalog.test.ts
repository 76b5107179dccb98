// The catalog as a whole: every builtin documents itself with an example that is a valid check block,
// the registry refuses duplicates, and judging applies defaults, primary keys and implicit verdicts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { builtinChecks, createCheckRegistry, judgeObservation, validateCheckParams, validateExpect } from './index.js';
import { httpGet } from './http-get.js';
import { containerLogs } from './container-logs.js';
import { manual, parseManualAnswer } from './manual.js';
import { compareRevisions } from './sop-effective.js';
import { currentRunStart, resolveSince } from './container-logs.js';

const RESERVED = new Set(['type', 'expect', 'id', 'timeout', 'retry', 'depends_on']);

describe('builtin catalog', () => {
  it('has the twelve types of design.md and the fleet types (issue 11), in catalog order', () => {
    expect(builtinChecks.map((c) => c.type)).toEqual([
      'container.running', 'container.image', 'container.config', 'container.logs', 'image.inspect', 'release.provenance',
      'service.running', 'service.image', 'compose.project',
      'git.state', 'http.get', 'file', 'command', 'sop.effective', 'manual',
    ]);
  });

  for (const def of builtinChecks) {
    it(`${def.type}: the example is a YAML check block naming only declared parameters`, () => {
      const block = parse(def.example) as Record<string, unknown>;
      expect(block.type).toBe(def.type);
      const params = Object.fromEntries(Object.entries(block).filter(([k]) => !RESERVED.has(k)));
      for (const name of Object.keys(params)) expect(Object.keys(def.params)).toContain(name);
      expect(validateCheckParams(def, params)).toEqual([]);
      expect(validateExpect(block.expect, def)).toEqual([]);
      if (!def.implicitVerdict && !def.defaultExpect) expect(block.expect).toBeDefined();
      expect(def.summary.length).toBeGreaterThan(20);
      for (const p of Object.values(def.params)) expect(p.description.length).toBeGreaterThan(3);
    });

    it(`${def.type}: its file documents it at the top (name, summary, example)`, () => {
      const file = def.type === 'file' ? 'file' : def.type.replace('.', '-');
      const source = readFileSync(new URL(`./${file}.ts`, import.meta.url), 'utf8');
      expect(source.startsWith(`// ${def.type} — `)).toBe(true);
      expect(source.slice(0, 600)).toContain('// Example:');
    });
  }

  it('refuses a duplicate type', () => {
    expect(createCheckRegistry(builtinChecks).size).toBe(15);
    expect(() => createCheckRegistry([...builtinChecks, httpGet])).toThrow(/"http.get" is defined twice/);
  });
});

describe('validateCheckParams', () => {
  const running = builtinChecks[0]!;
  it('reports unknown, missing, exactly-one and kind problems', () => {
    expect(validateCheckParams(running, {})).toEqual(['container.running needs exactly one of "container", "label", found none']);
    expect(validateCheckParams(running, { container: 'a', label: 'b=c' })).toEqual(['container.running needs exactly one of "container", "label", found "container" and "label"']);
    expect(validateCheckParams(running, { container: 'a', contianer: 'b' })[0]).toMatch(/parameter "contianer" is not known to container.running; known: container, label/);
    expect(validateCheckParams(containerLogs, { container: 'a', stream: 'stdin', tail: 'many' })).toEqual([
      'parameter "stream" must be one of stdout, stderr, both, found "stdin"',
      'parameter "tail" must be a number',
    ]);
    expect(validateCheckParams(containerLogs, { container: 'a', tail: '{{n}}' })).toEqual([]);
    expect(validateCheckParams(builtinChecks.find((c) => c.type === 'command')!, { argv: 'ls -l' })).toEqual(['parameter "argv" must be a non-empty list of strings']);
    expect(validateCheckParams(builtinChecks.find((c) => c.type === 'image.inspect')!, {})[0]).toMatch(/parameter "image" is required/);
  });
});

describe('judgeObservation', () => {
  it('applies the default expect when the step gives none, and records it as expected', () => {
    const v = judgeObservation(httpGet, undefined, { actual: { status: 503, body: '' } });
    expect(v.status).toBe('fail');
    expect(v.expected).toEqual({ status: 200 });
    expect(v.reason).toBe('status: expected 200, found 503');
  });

  it('lifts top-level matchers onto the primary value', () => {
    const v = judgeObservation(containerLogs, { not_contains: { matches: 'ERROR' } }, { actual: { logs: 'ok\nERROR x', lines: 2 } });
    expect(v.status).toBe('fail');
    expect(v.assertions[0]!.path).toBe('logs');
    expect(v.reason).toContain('line 2 "ERROR x"');
  });

  it('fails a step with nothing to judge', () => {
    const v = judgeObservation(containerLogs, undefined, { actual: { logs: '' } });
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/needs an expect block/);
  });

  it('combines implicit assertions with expect; manual ignores expect text', () => {
    const obs = { actual: { result: 'pass' }, assertions: [{ path: 'result', matcher: 'equals', expected: 'pass', actual: 'pass', pass: true }] };
    expect(judgeObservation(manual, { observation: 'The footer shows 1.4.2' }, obs).status).toBe('pass');
    const failing = { actual: {}, assertions: [{ path: 'revision', matcher: 'equals', expected: 'a', actual: 'b', pass: false, message: 'image revision b is not the commit a' }] };
    expect(judgeObservation(builtinChecks[5]!, undefined, failing)).toMatchObject({ status: 'fail', reason: 'revision: image revision b is not the commit a' });
  });
});

describe('small parsers', () => {
  it('reads manual answers', () => {
    expect(parseManualAnswer('pass')).toEqual({ result: 'pass', comment: '' });
    expect(parseManualAnswer('Pass: footer shows 1.4.2')).toEqual({ result: 'pass', comment: 'footer shows 1.4.2' });
    expect(parseManualAnswer('FAIL - banner missing')).toEqual({ result: 'fail', comment: 'banner missing' });
    expect(parseManualAnswer('no')).toEqual({ result: 'fail', comment: '' });
    expect(parseManualAnswer('passable')).toBeNull();
    expect(parseManualAnswer('looks fine')).toBeNull();
  });

  it('reads the documented answer form: the observation, then the verdict (issue 9 item 24)', () => {
    expect(parseManualAnswer('CHG-2026-0412 confirmed')).toEqual({ result: 'pass', comment: 'CHG-2026-0412' });
    expect(parseManualAnswer('Change record CHG-7 approved, release notes reviewed: verified.')).toEqual({ result: 'pass', comment: 'Change record CHG-7 approved, release notes reviewed' });
    expect(parseManualAnswer('CHG-2026-0412 not confirmed')).toEqual({ result: 'fail', comment: 'CHG-2026-0412' });
    expect(parseManualAnswer('CHG-2026-0412 names 1.4.1 - failed')).toEqual({ result: 'fail', comment: 'CHG-2026-0412 names 1.4.1' });
    expect(parseManualAnswer('CHG-2026-0412 rejected')).toEqual({ result: 'fail', comment: 'CHG-2026-0412' });
    expect(parseManualAnswer('unconfirmed')).toBeNull();
    expect(parseManualAnswer('CHG-2026-0412')).toBeNull();
  });

  it('bounds container logs to the current run', () => {
    expect(currentRunStart({ startedAt: '2026-11-01T10:00:00.5Z', finishedAt: null })).toBeUndefined();
    expect(currentRunStart({ startedAt: '2026-11-01T10:00:05Z', finishedAt: '2026-11-01T10:00:04.123456789Z' })).toBe('2026-11-01T10:00:04.123456789Z');
    expect(currentRunStart({ startedAt: '2026-11-01T10:00:05Z', finishedAt: '2026-11-01T10:00:06Z' })).toEqual(new Date('2026-11-01T10:00:04.900Z'));
    const now = new Date('2026-11-01T12:00:00Z');
    const c = { startedAt: '2026-11-01T10:00:00Z', finishedAt: null };
    expect(resolveSince('all', c, now)).toBeUndefined();
    expect(resolveSince('10m', c, now)).toEqual(new Date('2026-11-01T11:50:00Z'));
    expect(resolveSince('2026-11-01T11:00:00Z', c, now)).toBe('2026-11-01T11:00:00Z');
    expect(() => resolveSince('soon', c, now)).toThrow(/since "soon"/);
  });

  it('compares revisions', () => {
    expect(compareRevisions('05', '5')).toBe(0);
    expect(compareRevisions('10', '9')).toBeGreaterThan(0);
    expect(compareRevisions('B', 'A')).toBeGreaterThan(0);
    expect(compareRevisions('1.10', '1.9')).toBeGreaterThan(0);
  });
});
