// The shared matchers: pure logic, unit-tested without the world.
import { describe, expect, it } from 'vitest';
import { evaluateExpect, isMatcherObject, looseEquals, validateExpect } from './matchers.js';

const digestHex = 'a'.repeat(64);
const otherHex = 'b'.repeat(64);

function verdicts(expectBlock: Record<string, unknown>, actual: Record<string, unknown>, primaryKey?: string) {
  return evaluateExpect(expectBlock, actual, { primaryKey }).map((a) => [a.path, a.matcher, a.pass]);
}

describe('looseEquals', () => {
  it('compares numbers with numeric strings, booleans with their text, and deeply', () => {
    expect(looseEquals(200, '200')).toBe(true);
    expect(looseEquals('200', 200)).toBe(true);
    expect(looseEquals(0, '0.0')).toBe(true);
    expect(looseEquals(200, '200 OK')).toBe(false);
    expect(looseEquals(1, true)).toBe(false);
    expect(looseEquals('1.0', '1')).toBe(false); // versions are strings: no numeric coercion between strings
    expect(looseEquals(true, 'true')).toBe(true);
    expect(looseEquals(false, 'true')).toBe(false);
    expect(looseEquals(null, null)).toBe(true);
    expect(looseEquals(null, 'null')).toBe(false);
    expect(looseEquals(['a', 1], ['a', '1'])).toBe(true);
    expect(looseEquals(['a'], ['a', 'b'])).toBe(false);
    expect(looseEquals({ a: { b: 1 } }, { a: { b: '1' } })).toBe(true);
    expect(looseEquals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });

  it('lets an approved bare digest equal a reference pinned to it, not the reverse', () => {
    expect(looseEquals(`sha256:${digestHex}`, `127.0.0.1:5000/app@sha256:${digestHex}`)).toBe(true);
    expect(looseEquals(`sha256:${digestHex}`, `127.0.0.1:5000/app@sha256:${otherHex}`)).toBe(false);
    expect(looseEquals(`127.0.0.1:5000/app@sha256:${digestHex}`, `sha256:${digestHex}`)).toBe(false);
    expect(looseEquals(`127.0.0.1:5000/app@sha256:${digestHex}`, `127.0.0.1:5000/other@sha256:${digestHex}`)).toBe(false);
  });
});

describe('evaluateExpect', () => {
  it('treats a plain value as equals and reports expected and actual', () => {
    const [a] = evaluateExpect({ status: 200 }, { status: 503 });
    expect(a).toMatchObject({ path: 'status', matcher: 'equals', expected: 200, actual: 503, pass: false });
    expect(a!.message).toBe('expected 200, found 503');
    expect(evaluateExpect({ status: '200' }, { status: 200 })[0]!.pass).toBe(true);
  });

  it('recurses into nested objects and accepts dotted keys', () => {
    const actual = { json: { version: '1.4.2', build: { n: 7 } }, labels: { 'org.opencontainers.image.version': '1.4.2' } };
    expect(verdicts({ json: { version: '1.4.2', build: { n: { gte: 5 } } } }, actual)).toEqual([
      ['json.version', 'equals', true],
      ['json.build.n', 'gte', true],
    ]);
    expect(verdicts({ 'json.version': '1.4.1' }, actual)).toEqual([['json.version', 'equals', false]]);
    // Keys containing dots are looked up literally first.
    expect(verdicts({ labels: { 'org.opencontainers.image.version': '1.4.2' } }, actual)).toEqual([
      ['labels["org.opencontainers.image.version"]', 'equals', true],
    ]);
  });

  it('fails a missing observed value with a message naming the path and what was observed', () => {
    const [a] = evaluateExpect({ json: { version: '1.4.2' } }, { json: { name: 'x' }, status: 200 });
    expect(a!.pass).toBe(false);
    expect(a!.path).toBe('json.version');
    expect(a!.message).toBe('no observed value at json.version; observed: name');
    const [b] = evaluateExpect({ digest: 'x' }, { image_id: 'y' });
    expect(b!.message).toContain('observed: image_id');
    const [c] = evaluateExpect({ json: { version: '1' } }, { json: null });
    expect(c!.pass).toBe(false);
    const [d] = evaluateExpect({ json: { version: '1' } }, { json: 'plain text' });
    expect(d!.message).toContain('expected an object at json');
  });

  it('matches regular expressions against strings, numbers and any item of a list', () => {
    expect(verdicts({ version: { matches: '^1\\.4\\.\\d+$' } }, { version: '1.4.2' })).toEqual([['version', 'matches', true]]);
    expect(verdicts({ version: { matches: '^1\\.5' } }, { version: '1.4.2' })).toEqual([['version', 'matches', false]]);
    expect(verdicts({ status: { matches: '^2\\d\\d$' } }, { status: 204 })).toEqual([['status', 'matches', true]]);
    expect(verdicts({ tags: { matches: '^v1\\.' } }, { tags: ['latest', 'v1.2'] })).toEqual([['tags', 'matches', true]]);
    expect(verdicts({ obj: { matches: 'x' } }, { obj: { a: 'x' } })).toEqual([['obj', 'matches', false]]);
    const [bad] = evaluateExpect({ v: { matches: '(' } }, { v: 'x' });
    expect(bad!.pass).toBe(false);
    expect(bad!.message).toMatch(/invalid regular expression \/\(\//);
  });

  it('contains / not_contains on text (line by line for patterns), lists and objects', () => {
    const logs = 'starting example-app version 1.4.2\nlistening on 127.0.0.1:8080\nERROR boot: failed';
    expect(verdicts({ logs: { contains: 'version 1.4.2' } }, { logs })).toEqual([['logs', 'contains', true]]);
    expect(verdicts({ logs: { contains: 'version 1.4.3' } }, { logs })).toEqual([['logs', 'contains', false]]);
    const [nc] = evaluateExpect({ logs: { not_contains: { matches: 'ERROR|FATAL|panic' } } }, { logs });
    expect(nc!.pass).toBe(false);
    expect(nc!.message).toBe('logs contains a match for /ERROR|FATAL|panic/ at line 3 "ERROR boot: failed"');
    expect(verdicts({ logs: { not_contains: { matches: '^listening' } } }, { logs })).toEqual([['logs', 'not_contains', false]]);
    expect(verdicts({ logs: { not_contains: { matches: 'panic' } } }, { logs })).toEqual([['logs', 'not_contains', true]]);
    expect(verdicts({ tags: { contains: 'v1.4.2' } }, { tags: ['v1.4.2', 'latest'] })).toEqual([['tags', 'contains', true]]);
    expect(verdicts({ ports: { contains: 8080 } }, { ports: ['8080'] })).toEqual([['ports', 'contains', true]]);
    expect(verdicts({ mounts: { contains: { destination: '/data' } } }, { mounts: [{ destination: '/data', read_only: false }] })).toEqual([['mounts', 'contains', true]]);
    expect(verdicts({ env: { contains: 'SECRET_TOKEN' } }, { env: { SECRET_TOKEN: 'x' } })).toEqual([['env', 'contains', true]]);
    expect(verdicts({ env: { not_contains: { matches: '^DEBUG' } } }, { env: { DEBUG_MODE: '1' } })).toEqual([['env', 'not_contains', false]]);
    expect(verdicts({ logs: { contains: 'x' } }, { logs: null })).toEqual([['logs', 'contains', false]]);
  });

  it('compares numbers with lte / gte, accepting numeric strings on both sides', () => {
    expect(verdicts({ latency_ms: { lte: 500 } }, { latency_ms: 12.5 })).toEqual([['latency_ms', 'lte', true]]);
    expect(verdicts({ latency_ms: { lte: '10' } }, { latency_ms: 12.5 })).toEqual([['latency_ms', 'lte', false]]);
    expect(verdicts({ restarts: { lte: 0 } }, { restarts: 3 })).toEqual([['restarts', 'lte', false]]);
    expect(verdicts({ replicas: { gte: 2, lte: 3 } }, { replicas: '2' })).toEqual([
      ['replicas', 'gte', true],
      ['replicas', 'lte', true],
    ]);
    const [nan] = evaluateExpect({ v: { gte: 1 } }, { v: 'abc' });
    expect(nan!.message).toBe('v is not a number: "abc"');
    const [a] = evaluateExpect({ restarts: { lte: 0 } }, { restarts: 3 });
    expect(a!.message).toBe('3 is greater than 0');
  });

  it('one_of, absent and explicit equals', () => {
    expect(verdicts({ state: { one_of: ['running', 'restarting'] } }, { state: 'exited' })).toEqual([['state', 'one_of', false]]);
    expect(verdicts({ health: { one_of: ['healthy', null] } }, { health: null })).toEqual([['health', 'one_of', true]]);
    expect(verdicts({ env: { DEBUG: { absent: true } } }, { env: { PORT: '1' } })).toEqual([['env.DEBUG', 'absent', true]]);
    expect(verdicts({ env: { DEBUG: { absent: true } } }, { env: { DEBUG: '1' } })).toEqual([['env.DEBUG', 'absent', false]]);
    expect(verdicts({ user: { absent: true } }, { user: null })).toEqual([['user', 'absent', true]]);
    expect(verdicts({ user: { absent: false } }, { user: null })).toEqual([['user', 'absent', false]]);
    // A missing parent is fine for absent.
    expect(verdicts({ labels: { x: { absent: true } } }, {})).toEqual([['labels.x', 'absent', true]]);
    expect(verdicts({ json: { equals: { a: 1 } } }, { json: { a: 1 } })).toEqual([['json', 'equals', true]]);
    expect(verdicts({ json: { equals: { a: 1 } } }, { json: { a: 1, b: 2 } })).toEqual([['json', 'equals', false]]);
  });

  it('applies top-level matchers to the primary value', () => {
    const actual = { logs: 'ok\nFATAL: boom', lines: 2 };
    expect(verdicts({ not_contains: { matches: 'FATAL' }, lines: { gte: 1 } }, actual, 'logs')).toEqual([
      ['logs', 'not_contains', false],
      ['lines', 'gte', true],
    ]);
    // Without a primary key the matcher name is just a (missing) key.
    expect(verdicts({ contains: 'ok' }, actual)).toEqual([['contains', 'equals', false]]);
  });

  it('keeps the order written and abbreviates huge observed text', () => {
    const big = 'x'.repeat(10_000);
    const [a, b] = evaluateExpect({ body: { contains: 'y' }, status: 200 }, { body: big, status: 200 });
    expect(a!.path).toBe('body');
    expect(b!.path).toBe('status');
    expect(String(a!.actual).length).toBeLessThan(600);
    expect(evaluateExpect(undefined, { a: 1 })).toEqual([]);
  });

  it('recognises matcher objects', () => {
    expect(isMatcherObject({ lte: 1 })).toBe(true);
    expect(isMatcherObject({ lte: 1, version: 2 })).toBe(false);
    expect(isMatcherObject({})).toBe(false);
    expect(isMatcherObject(['lte'])).toBe(false);
  });
});

describe('validateExpect', () => {
  it('finds invalid regular expressions wherever they are', () => {
    expect(validateExpect({ logs: { not_contains: { matches: 'ERROR|(' } } })).toEqual([
      'expect.logs: invalid regular expression /ERROR|(/: Unterminated group',
    ]);
    expect(validateExpect({ json: { version: { matches: '[' } } })[0]).toMatch(/^expect\.json\.version: invalid regular expression/);
    expect(validateExpect({ not_contains: { matches: '*' } }, { type: 'container.logs', primaryKey: 'logs' })[0]).toMatch(/^expect\.not_contains: invalid regular expression/);
  });

  it('accepts placeholders and valid blocks', () => {
    expect(validateExpect({ json: { version: '{{release}}' }, v: { matches: '^{{release}}$' }, latency_ms: { lte: '{{max}}' } })).toEqual([]);
    expect(validateExpect(undefined)).toEqual([]);
  });

  it('flags wrong operands, mixed objects and unknown keys', () => {
    expect(validateExpect({ a: { lte: 'fast' }, b: { one_of: 'x' }, c: { absent: 'yes' }, d: { matches: 1 } })).toEqual([
      'expect.a: lte needs a number, found "fast"',
      'expect.b: one_of needs a non-empty list, found "x"',
      'expect.c: absent takes true or false, found "yes"',
      'expect.d: matches needs a regular expression as a string, found a number',
    ]);
    expect(validateExpect({ json: { matches: 'x', version: 1 } })[0]).toMatch(/^expect\.json: mixes matchers \(matches\) with field names \(version\)/);
    expect(validateExpect({ stauts: 200 }, { type: 'http.get', expectKeys: ['status', 'json'] })).toEqual([
      'expect.stauts: http.get observes no "stauts"; known: status, json',
    ]);
    expect(validateExpect({ 'json.version': '1' }, { type: 'http.get', expectKeys: ['status', 'json'] })).toEqual([]);
    expect(validateExpect('running')).toEqual(['expect: must be a mapping of observed keys to expected values, found a string']);
  });
});
