// Test helpers for runner and report unit tests: protocols built in code, fake checks, equality matcher.
// (Fakes for unit tests of pure logic only; the end-to-end tests use the real checks and engine.)

import type { CheckSpec, Protocol, TestCase } from '../../src/model/document.js';
import type { Assertion } from '../../src/model/report.js';
import type { Observation } from '../../src/model/check.js';
import type { RunnableCheck } from '../../src/runner/run.js';

export function spec(id: string, type: string, params: Record<string, unknown> = {}, extra: Partial<CheckSpec> = {}): CheckSpec {
  return {
    id,
    type,
    params,
    expect: { ok: true },
    timeoutMs: undefined,
    retry: undefined,
    dependsOn: [],
    position: { line: 1, column: 1 },
    keyPositions: {},
    ...extra,
  };
}

export function testCase(id: string, checks: CheckSpec[], extra: Partial<TestCase> = {}): TestCase {
  return {
    id,
    title: `Case ${id}`,
    stage: id.slice(0, 2) as TestCase['stage'],
    risk: 'high',
    requirements: ['URS-01'],
    objective: `Objective of ${id}.`,
    checks,
    position: { line: 1, column: 1 },
    ...extra,
  };
}

export function protocol(cases: TestCase[], extra: Partial<Protocol> = {}): Protocol {
  return {
    path: 'protocols/QP-0009-test.md',
    sha256: 'a'.repeat(64),
    frontMatter: {},
    fieldPositions: {},
    meta: {
      documentId: 'QP-0009',
      title: 'Test protocol',
      description: null,
      type: 'protocol',
      revision: '01',
      status: 'effective',
      authors: [],
      reviewers: [],
      approvers: ['quinn'],
      approvalDate: '2026-01-01',
      effectiveDate: '2026-01-02',
      reviewPeriodMonths: null,
      supersedes: null,
      changeControl: null,
      trainingRequired: null,
    },
    body: '',
    bodyStartLine: 1,
    hasFrontMatter: true,
    parameters: {},
    cases,
    ...extra,
  };
}

/** Equality-only matcher over top-level keys. */
export function equalsEvaluate(expect: Record<string, unknown>, actual: Record<string, unknown>): Assertion[] {
  return Object.entries(expect).map(([path, expected]) => ({
    path,
    matcher: 'equals',
    expected,
    actual: actual[path],
    pass: JSON.stringify(actual[path]) === JSON.stringify(expected),
  }));
}

export function fakeCheck(type: string, observe: (params: Record<string, unknown>, ctx: { signal: AbortSignal }) => Promise<Observation> | Observation): RunnableCheck<object> {
  return { type, observe: async (p, ctx) => observe(p, ctx) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A clock that advances by `stepMs` on every reading, from a fixed instant. */
export function steppingClock(start = '2026-10-05T10:15:00.000Z', stepMs = 1): () => Date {
  let t = Date.parse(start);
  return () => {
    const d = new Date(t);
    t += stepMs;
    return d;
  };
}
