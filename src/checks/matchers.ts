// The matchers of `expect`, shared by every check type: pure functions from (expected, actual) to assertions.
//
//   status: 200                          equals (numbers and numeric strings compare as numbers)
//   json: { version: "1.4.2" }           nested objects recurse: path json.version
//   "json.version": "1.4.2"              dotted keys address the same path
//   latency_ms: { lte: 500 }             matcher objects: equals, matches, contains, not_contains,
//   logs: { not_contains: { matches: "ERROR|FATAL" } }   lte, gte, one_of, absent
//
// A missing observed value fails with a message naming the path and what was observed instead.

import type { Assertion } from '../model/report.js';

export const MATCHER_NAMES = ['equals', 'matches', 'contains', 'not_contains', 'lte', 'gte', 'one_of', 'absent'] as const;
export type MatcherName = (typeof MATCHER_NAMES)[number];

const MATCHER_SET = new Set<string>(MATCHER_NAMES);

export interface EvaluateOptions {
  /**
   * Actual key that top-level matchers apply to: with `logs`, `expect: { not_contains: ... }` means
   * `expect: { logs: { not_contains: ... } }` (container.logs, file, command).
   */
  primaryKey?: string;
}

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

/** True for `{ lte: 5 }`, `{ matches: "x", absent: false }`: a non-empty object whose keys are all matcher names. */
export function isMatcherObject(v: unknown): v is Partial<Record<MatcherName, unknown>> {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => MATCHER_SET.has(k));
}

// ---- paths -------------------------------------------------------------------------------------------

function formatPath(segments: string[]): string {
  let out = '';
  for (const s of segments) {
    if (/^[A-Za-z_][\w-]*$/.test(s) || /^\d+$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

interface Lookup {
  found: boolean;
  value: unknown;
  /** The path segments actually walked (a dotted key expands into several). */
  segments: string[];
  /** Why nothing was found, for the message. */
  why?: string;
}

function child(container: unknown, key: string): { found: boolean; value: unknown } {
  if (Array.isArray(container) && /^\d+$/.test(key)) {
    const i = Number(key);
    return i < container.length ? { found: true, value: container[i] } : { found: false, value: undefined };
  }
  if (isPlainObject(container) && Object.prototype.hasOwnProperty.call(container, key)) return { found: true, value: container[key] };
  return { found: false, value: undefined };
}

function describeKeys(container: unknown): string {
  if (isPlainObject(container)) {
    const keys = Object.keys(container);
    if (keys.length === 0) return 'nothing was observed there';
    const shown = keys.slice(0, 12).join(', ');
    return `observed: ${shown}${keys.length > 12 ? `, … (${keys.length} keys)` : ''}`;
  }
  if (Array.isArray(container)) return `observed a list of ${container.length}`;
  if (container === undefined) return 'its parent was not observed';
  return `observed ${typeName(container)} ${abbreviate(container)}`;
}

/** Looks `key` up in `container`: the literal key first, then as a dotted path (`json.version`). */
function lookup(container: unknown, key: string, base: string[]): Lookup {
  const direct = child(container, key);
  if (direct.found) return { found: true, value: direct.value, segments: [...base, key] };
  if (key.includes('.')) {
    let current: unknown = container;
    const segments = [...base];
    for (const part of key.split('.')) {
      const next = child(current, part);
      segments.push(part);
      if (!next.found) return { found: false, value: undefined, segments: [...base, ...key.split('.')], why: describeKeys(current) };
      current = next.value;
    }
    return { found: true, value: current, segments };
  }
  return { found: false, value: undefined, segments: [...base, key], why: describeKeys(container) };
}

// ---- values --------------------------------------------------------------------------------------------

const NUMERIC = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
const BARE_DIGEST = /^sha256:[0-9a-f]{64}$/;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isPlainObject(v)) return 'an object';
  return `a ${typeof v}`;
}

/** A number from a number or a numeric string; NaN otherwise. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return Number.NaN;
}

/** Short text of a value for messages. */
export function abbreviate(v: unknown, max = 200): string {
  let text: string;
  if (typeof v === 'string') text = JSON.stringify(v);
  else if (v === undefined) text = 'nothing';
  else {
    try {
      text = JSON.stringify(v);
    } catch {
      text = String(v);
    }
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** Keeps large observed text out of assertions: the full value is in actual and evidence. */
function shownActual(v: unknown): unknown {
  if (typeof v === 'string' && v.length > 500) return `${v.slice(0, 500)}… (${v.length} characters)`;
  return v;
}

/**
 * Equality as people mean it in a protocol: deep for lists and objects; a number equals its numeric
 * string (`200` = `"200"`); `true` equals `"true"`; an approved bare digest `sha256:...` equals a
 * reference pinned to it (`repo@sha256:...`).
 */
export function looseEquals(expected: unknown, actual: unknown): boolean {
  if (expected === actual) return true;
  if (expected === null || actual === null || expected === undefined || actual === undefined) return false;
  if (typeof expected === 'number' || typeof actual === 'number') {
    const a = toNumber(expected);
    const b = toNumber(actual);
    return !Number.isNaN(a) && a === b;
  }
  if (typeof expected === 'boolean' || typeof actual === 'boolean') {
    return String(expected) === String(actual);
  }
  if (typeof expected === 'string' && typeof actual === 'string') {
    if (BARE_DIGEST.test(expected) && actual.endsWith(`@${expected}`)) return true;
    return false;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return expected.length === actual.length && expected.every((e, i) => looseEquals(e, actual[i]));
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const ek = Object.keys(expected);
    const ak = Object.keys(actual);
    return ek.length === ak.length && ek.every((k) => Object.prototype.hasOwnProperty.call(actual, k) && looseEquals(expected[k], actual[k]));
  }
  return false;
}

/** `expected` ⊆ `actual`: every key of an expected object is present and equal (recursively). */
function subsetMatches(expected: unknown, actual: unknown): boolean {
  if (isPlainObject(expected) && isPlainObject(actual)) {
    return Object.entries(expected).every(([k, v]) => Object.prototype.hasOwnProperty.call(actual, k) && subsetMatches(v, actual[k]));
  }
  return looseEquals(expected, actual);
}

/** Compiles a protocol regular expression; throws a sentence naming the pattern. */
export function compileRegex(pattern: unknown): RegExp {
  if (typeof pattern !== 'string') throw new Error(`a regular expression must be a string, found ${typeName(pattern)}`);
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new Error(`invalid regular expression /${pattern}/: ${(err as Error).message.replace(/^Invalid regular expression: (\/.*\/[a-z]*: )?/, '')}`);
  }
}

function isRegexSpec(v: unknown): v is { matches: string } {
  return isPlainObject(v) && Object.keys(v).length === 1 && 'matches' in v;
}

/** Finds what `needle` hits in `haystack` (for contains / not_contains); null when nothing. */
function findIn(needle: unknown, haystack: unknown): { hit: true; what: string } | { hit: false } {
  if (isRegexSpec(needle)) {
    const re = compileRegex(needle.matches);
    if (typeof haystack === 'string') {
      const lines = haystack.split('\n');
      for (let i = 0; i < lines.length; i++) {
        if (re.test(lines[i]!)) return { hit: true, what: `line ${i + 1} ${abbreviate(lines[i])}` };
      }
      return { hit: false };
    }
    if (Array.isArray(haystack)) {
      const i = haystack.findIndex((e) => (typeof e === 'string' || typeof e === 'number') && re.test(String(e)));
      return i >= 0 ? { hit: true, what: `item ${i} ${abbreviate(haystack[i])}` } : { hit: false };
    }
    if (isPlainObject(haystack)) {
      const key = Object.keys(haystack).find((k) => re.test(k));
      return key !== undefined ? { hit: true, what: `key ${abbreviate(key)}` } : { hit: false };
    }
    return { hit: false };
  }
  if (typeof haystack === 'string') {
    if (isPlainObject(needle) || Array.isArray(needle)) return { hit: false };
    const text = String(needle);
    const at = haystack.indexOf(text);
    if (at < 0) return { hit: false };
    const line = haystack.slice(0, at).split('\n').length;
    return { hit: true, what: `line ${line} ${abbreviate(haystack.split('\n')[line - 1])}` };
  }
  if (Array.isArray(haystack)) {
    const i = haystack.findIndex((e) => subsetMatches(needle, e));
    return i >= 0 ? { hit: true, what: `item ${i} ${abbreviate(haystack[i])}` } : { hit: false };
  }
  if (isPlainObject(haystack)) {
    if (isPlainObject(needle)) return subsetMatches(needle, haystack) ? { hit: true, what: abbreviate(needle) } : { hit: false };
    const key = String(needle);
    return Object.prototype.hasOwnProperty.call(haystack, key) ? { hit: true, what: `key ${abbreviate(key)}` } : { hit: false };
  }
  return { hit: false };
}

function describeNeedle(needle: unknown): string {
  return isRegexSpec(needle) ? `a match for /${needle.matches}/` : abbreviate(needle);
}

// ---- evaluation ----------------------------------------------------------------------------------------------

function assertion(path: string, matcher: MatcherName, expected: unknown, actual: unknown, pass: boolean, message?: string): Assertion {
  const a: Assertion = { path, matcher, expected, actual: shownActual(actual), pass };
  if (message) a.message = message;
  return a;
}

/** Applies one matcher at `path` to a looked-up value. */
function applyMatcher(path: string, matcher: MatcherName, operand: unknown, look: Lookup): Assertion {
  const { found, value } = look;
  const missing = (): Assertion => assertion(path, matcher, operand, undefined, false, `no observed value at ${path}; ${look.why ?? 'nothing was observed there'}`);

  switch (matcher) {
    case 'absent': {
      const want = operand !== false && operand !== 'false';
      const isAbsent = !found || value === null || value === undefined;
      const pass = want === isAbsent;
      return assertion(path, matcher, want, found ? value : undefined, pass, pass ? undefined : want ? `${path} is present: ${abbreviate(value)}` : `${path} is absent`);
    }
    case 'equals': {
      if (!found) return missing();
      const pass = looseEquals(operand, value);
      return assertion(path, matcher, operand, value, pass, pass ? undefined : `expected ${abbreviate(operand)}, found ${abbreviate(value)}`);
    }
    case 'matches': {
      if (!found) return missing();
      let re: RegExp;
      try {
        re = compileRegex(operand);
      } catch (err) {
        return assertion(path, matcher, operand, value, false, (err as Error).message);
      }
      const candidates = Array.isArray(value) ? value : [value];
      const hit = candidates.find((c) => (typeof c === 'string' || typeof c === 'number' || typeof c === 'boolean') && re.test(String(c)));
      const pass = hit !== undefined;
      return assertion(path, matcher, operand, value, pass, pass ? undefined : `${abbreviate(value)} does not match /${operand}/`);
    }
    case 'contains':
    case 'not_contains': {
      if (!found || value === null || value === undefined) return missing();
      let result;
      try {
        result = findIn(operand, value);
      } catch (err) {
        return assertion(path, matcher, operand, value, false, (err as Error).message);
      }
      if (matcher === 'contains') {
        return assertion(path, matcher, operand, value, result.hit, result.hit ? `found at ${result.what}` : `${path} does not contain ${describeNeedle(operand)}`);
      }
      return assertion(path, matcher, operand, value, !result.hit, result.hit ? `${path} contains ${describeNeedle(operand)} at ${result.what}` : undefined);
    }
    case 'lte':
    case 'gte': {
      if (!found) return missing();
      const a = toNumber(value);
      const e = toNumber(operand);
      if (Number.isNaN(e)) return assertion(path, matcher, operand, value, false, `${matcher} needs a number, found ${abbreviate(operand)}`);
      if (Number.isNaN(a)) return assertion(path, matcher, operand, value, false, `${path} is not a number: ${abbreviate(value)}`);
      const pass = matcher === 'lte' ? a <= e : a >= e;
      return assertion(path, matcher, operand, value, pass, pass ? undefined : `${a} is ${matcher === 'lte' ? 'greater than' : 'less than'} ${e}`);
    }
    case 'one_of': {
      if (!found) return missing();
      if (!Array.isArray(operand)) return assertion(path, matcher, operand, value, false, `one_of needs a list, found ${abbreviate(operand)}`);
      const pass = operand.some((o) => looseEquals(o, value));
      return assertion(path, matcher, operand, value, pass, pass ? undefined : `${abbreviate(value)} is not one of ${abbreviate(operand)}`);
    }
  }
}

function walk(expect: Obj, container: unknown, base: string[], out: Assertion[]): void {
  for (const [key, expected] of Object.entries(expect)) {
    const look = lookup(container, key, base);
    const path = formatPath(look.segments);
    if (isMatcherObject(expected)) {
      for (const [m, operand] of Object.entries(expected)) out.push(applyMatcher(path, m as MatcherName, operand, look));
    } else if (isPlainObject(expected) && Object.keys(expected).length > 0) {
      if (look.found && look.value !== null && !isPlainObject(look.value) && !Array.isArray(look.value)) {
        out.push(assertion(path, 'equals', expected, look.value, false, `expected an object at ${path}, found ${typeName(look.value)} ${abbreviate(look.value)}`));
        continue;
      }
      walk(expected, look.found ? look.value : undefined, look.segments, out);
    } else {
      out.push(applyMatcher(path, 'equals', expected, look));
    }
  }
}

/**
 * Compares `expect` with the observed values; one assertion per matcher, in the order written.
 * Never throws: an invalid regular expression or operand is a failed assertion saying why
 * (lint reports it earlier through validateExpect).
 */
export function evaluateExpect(expect: Record<string, unknown> | undefined, actual: Record<string, unknown>, options: EvaluateOptions = {}): Assertion[] {
  if (!expect) return [];
  const out: Assertion[] = [];
  const primary = options.primaryKey;
  let rest: Obj = expect;
  if (primary) {
    // Top-level matchers address the primary value unless the observation has a key of that name.
    const lifted: Obj = {};
    rest = {};
    for (const [k, v] of Object.entries(expect)) {
      if (MATCHER_SET.has(k) && !Object.prototype.hasOwnProperty.call(actual, k)) lifted[k] = v;
      else rest[k] = v;
    }
    if (Object.keys(lifted).length > 0) walk({ [primary]: lifted }, actual, [], out);
  }
  walk(rest, actual, [], out);
  return out;
}

// ---- validation (lint) -------------------------------------------------------------------------------

/** Replaces `{{name}}` placeholders so that patterns can be checked before interpolation. */
function withoutPlaceholders(s: string): string {
  return s.replace(/\{\{[^}]*\}\}/g, 'x');
}

function hasPlaceholder(v: unknown): boolean {
  return typeof v === 'string' && /\{\{[^}]*\}\}/.test(v);
}

function checkRegex(path: string, pattern: unknown, problems: string[]): void {
  if (typeof pattern !== 'string') {
    problems.push(`${path}: matches needs a regular expression as a string, found ${typeName(pattern)}`);
    return;
  }
  try {
    compileRegex(withoutPlaceholders(pattern));
  } catch (err) {
    problems.push(`${path}: ${(err as Error).message}`);
  }
}

function validateMatcher(path: string, name: MatcherName, operand: unknown, problems: string[]): void {
  switch (name) {
    case 'matches':
      checkRegex(path, operand, problems);
      return;
    case 'contains':
    case 'not_contains':
      if (operand === null || operand === undefined) problems.push(`${path}: ${name} needs a value`);
      else if (isPlainObject(operand) && 'matches' in operand) {
        if (Object.keys(operand).length > 1) problems.push(`${path}: ${name}: { matches } takes no other keys, found ${Object.keys(operand).join(', ')}`);
        checkRegex(path, operand.matches, problems);
      }
      return;
    case 'lte':
    case 'gte':
      if (!hasPlaceholder(operand) && Number.isNaN(toNumber(operand))) problems.push(`${path}: ${name} needs a number, found ${abbreviate(operand)}`);
      return;
    case 'one_of':
      if (!Array.isArray(operand) || operand.length === 0) problems.push(`${path}: one_of needs a non-empty list, found ${abbreviate(operand)}`);
      return;
    case 'absent':
      if (typeof operand !== 'boolean') problems.push(`${path}: absent takes true or false, found ${abbreviate(operand)}`);
      return;
    case 'equals':
      return;
  }
}

function validateObject(expect: Obj, base: string[], problems: string[]): void {
  for (const [key, value] of Object.entries(expect)) {
    const segments = [...base, key];
    const path = `expect.${formatPath(segments)}`;
    if (isMatcherObject(value)) {
      for (const [m, operand] of Object.entries(value)) validateMatcher(path, m as MatcherName, operand, problems);
    } else if (isPlainObject(value)) {
      const keys = Object.keys(value);
      const matchers = keys.filter((k) => MATCHER_SET.has(k));
      if (matchers.length > 0) {
        const fields = keys.filter((k) => !MATCHER_SET.has(k));
        problems.push(`${path}: mixes matchers (${matchers.join(', ')}) with field names (${fields.join(', ')}); write either matchers or fields, or use { equals: {...} } for a literal object`);
        continue;
      }
      validateObject(value, segments, problems);
    }
  }
}

/**
 * Problems of an `expect` block before it runs (lint): invalid regular expressions, operands of the
 * wrong kind, objects mixing matchers and field names, and, given the check type, unknown top-level keys.
 * Each problem starts with its path, e.g. `expect.logs: invalid regular expression /(/: Unterminated group`.
 */
export function validateExpect(expect: unknown, info?: { type: string; expectKeys?: string[]; primaryKey?: string }): string[] {
  if (expect === undefined || expect === null) return [];
  if (!isPlainObject(expect)) return [`expect: must be a mapping of observed keys to expected values, found ${typeName(expect)}`];
  const problems: string[] = [];
  if (info?.expectKeys) {
    const allowed = new Set(info.expectKeys);
    for (const key of Object.keys(expect)) {
      const root = key.split('.')[0]!;
      if (allowed.has(key) || allowed.has(root)) continue;
      if (info.primaryKey && MATCHER_SET.has(key)) continue;
      problems.push(`expect.${key}: ${info.type} observes no "${key}"; known: ${info.expectKeys.join(', ')}`);
    }
  }
  const top: Obj = {};
  for (const [k, v] of Object.entries(expect)) {
    if (info?.primaryKey && MATCHER_SET.has(k)) validateMatcher(`expect.${k}`, k as MatcherName, v, problems);
    else top[k] = v;
  }
  validateObject(top, [], problems);
  return problems;
}
