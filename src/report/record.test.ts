import { describe, expect, it } from 'vitest';
import { assembleRecord, makeReportId, REPORT_ID_PATTERN, serializeRecord, type RecordInput } from './record.js';
import { validateRecord } from './schema.js';
import { readFileSync } from 'node:fs';
import { DEFAULT_REPORT_TEMPLATE, renderReportMarkdown } from './markdown.js';
import { renderJunit } from './junit.js';
import { createRedactor } from '../evidence/redact.js';
import { evidenceManifest } from '../evidence/store.js';
import { executeRun, judgeWith } from '../runner/run.js';
import { planRun } from '../runner/plan.js';
import { equalsEvaluate, fakeCheck, protocol, spec, testCase } from '../../test/helpers/runner-fixtures.js';

const SECRET = 'sup3r-s3cret-t0ken-value';
const NOW = new Date('2026-10-05T10:15:00.000Z');

const inspectJson = JSON.stringify({
  Id: 'c'.repeat(64),
  Name: '/web',
  Config: { Image: '127.0.0.1:5000/app@sha256:' + 'd'.repeat(64), Env: ['PATH=/bin', `API_TOKEN=${SECRET}`, 'PORT=8080'] },
});

async function sampleOutcome() {
  const p = protocol([
    testCase('IQ-01', [spec('IQ-01.1', 'inspect', { container: 'web' }, { expect: { digest: 'sha256:' + 'e'.repeat(64) } })], { title: 'The running image | is approved' }),
    testCase('OQ-01', [
      spec('OQ-01.1', 'logs', { container: 'web' }, { expect: { ok: true } }),
      spec('OQ-01.2', 'down', {}, { expect: { ok: true } }),
      spec('OQ-01.3', 'logs', {}, { expect: { ok: true }, dependsOn: ['OQ-01.2'] }),
    ]),
  ]);
  const checks = [
    fakeCheck('inspect', () => ({
      actual: { digest: 'sha256:' + 'd'.repeat(64), env: { API_TOKEN: SECRET, PORT: '8080' } },
      evidence: [{ name: 'inspect', mediaType: 'application/json', description: 'docker inspect of container web', content: inspectJson }],
    })),
    fakeCheck('logs', () => ({
      actual: { ok: true, lines: 2 },
      evidence: [
        { name: 'logs', mediaType: 'text/plain', description: 'container logs', content: `starting\nusing token ${SECRET}\n` },
        { name: 'logs', mediaType: 'text/plain', description: 'second excerpt', content: 'ready\n' },
      ],
    })),
    fakeCheck('down', () => {
      throw new Error(`engine said: bad credentials ${SECRET}`);
    }),
  ];
  const outcome = await executeRun<object>({
    plan: planRun(p, { scope: { run: { id: 'x', started: 'y' } } }),
    checks: new Map(checks.map((c) => [c.type, c])),
    context: {},
    judge: judgeWith(equalsEvaluate),
    now: () => NOW,
  });
  return { p, outcome };
}

async function sampleInput(): Promise<RecordInput> {
  const { p, outcome } = await sampleOutcome();
  return {
    reportId: makeReportId('QP-0009', NOW, { suffix: 'beef' }),
    dryRun: false,
    protocol: { documentId: 'QP-0009', title: 'Test protocol', revision: '01', path: p.path, sha256: p.sha256, gitCommit: 'f'.repeat(40), status: 'effective', approval: 'front-matter' },
    parameters: { service: 'web', api_token: SECRET },
    executor: { id: 'erin', name: null, host: 'build-host' },
    environment: 'production',
    targets: [{ endpoint: 'unix:///var/run/docker.sock', version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', hostname: 'h', time: NOW.toISOString(), error: null }],
    subject: { images: [{ container: 'web', repository: '127.0.0.1:5000/app', tag: null, digest: '127.0.0.1:5000/app@sha256:' + 'd'.repeat(64), imageId: 'sha256:' + '1'.repeat(64) }], application: { repo: 'app', commit: '2'.repeat(40), tag: 'v1.4.2' } },
    outcome,
    warnings: ['Approval not signed: the protocol approval comes from front matter only.'],
    tool: { name: 'qualify', version: '0.1.0', node: 'v20.0.0' },
    redactor: createRedactor(),
  };
}

describe('makeReportId', () => {
  it('is <protocol>-<UTC stamp>-<hex>, DRYRUN marked, unique', () => {
    expect(makeReportId('QP-0001', NOW, { suffix: 'a1b2' })).toBe('QP-0001-20261005T101500Z-a1b2');
    expect(makeReportId('QP-0001', NOW, { suffix: 'a1b2', dryRun: true })).toBe('QP-0001-DRYRUN-20261005T101500Z-a1b2');
    const ids = new Set(Array.from({ length: 200 }, () => makeReportId('QP-0001', NOW)));
    expect(ids.size).toBeGreaterThan(190);
    for (const id of ids) expect(id).toMatch(REPORT_ID_PATTERN);
  });
});

describe('assembleRecord', () => {
  it('builds a record that validates against the schema, with deviations, summary and conclusion', async () => {
    const { report, evidence } = assembleRecord(await sampleInput());
    expect(validateRecord(report)).toEqual([]);
    expect(report.summary).toEqual({ cases: 2, steps: 4, passed: 1, failed: 1, errored: 1, skipped: 1, deviations: 2 });
    expect(report.conclusion).toBe('fail');
    expect(report.deviations.map((d) => [d.id, d.stepId, d.status])).toEqual([
      ['DEV-001', 'IQ-01.1', 'open'],
      ['DEV-002', 'OQ-01.2', 'open'],
    ]);
    expect(report.deviations[0]!.description).toContain(`expected "sha256:${'e'.repeat(64)}", found "sha256:${'d'.repeat(64)}"`);
    expect(report.cases[1]!.steps[2]!.reason).toBe('prerequisite did not pass: OQ-01.2 error');
    expect(evidence.map((e) => e.ref.path)).toEqual(['evidence/IQ-01.1-inspect.json', 'evidence/OQ-01.1-logs.txt', 'evidence/OQ-01.1-logs-2.txt']);
    expect(report.cases[0]!.steps[0]!.evidence[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('masks the secret everywhere: record, evidence, markdown, junit, console reasons', async () => {
    const { report, evidence } = assembleRecord(await sampleInput());
    const outputs = [serializeRecord(report), renderReportMarkdown(report), renderJunit(report), ...evidence.map((e) => Buffer.from(e.bytes).toString('utf8')), Buffer.from(evidenceManifest(evidence).bytes).toString()];
    for (const text of outputs) expect(text).not.toContain(SECRET);
    expect(report.parameters.api_token).toMatch(/^\[MASKED:\d+\]$/);
    expect(report.parameters.service).toBe('web');
    expect(report.redaction.count).toBeGreaterThanOrEqual(6);
    expect(report.redaction.entries.some((e) => e.where === 'evidence/OQ-01.1-logs.txt')).toBe(true);
    const log = Buffer.from(evidence[1]!.bytes).toString();
    expect(log).toMatch(/^starting\nusing token \[MASKED:\d+\]\n$/);
  });

  it('is deterministic for the same outcome', async () => {
    const a = assembleRecord(await sampleInput());
    const b = assembleRecord(await sampleInput());
    expect(serializeRecord(a.report)).toBe(serializeRecord(b.report));
    expect(renderReportMarkdown(a.report)).toBe(renderReportMarkdown(b.report));
    expect(renderJunit(a.report)).toBe(renderJunit(b.report));
  });

  it('an incomplete or dry run never concludes pass and says so', async () => {
    const input = await sampleInput();
    input.outcome = { ...input.outcome, incomplete: true, cases: [] };
    input.dryRun = true;
    input.reportId = makeReportId('QP-0009', NOW, { dryRun: true, suffix: 'beef' });
    const { report } = assembleRecord(input);
    expect(report.conclusion).toBe('fail');
    expect(report.warnings).toContain('Dry run: NOT A GxP RECORD.');
    expect(report.warnings.some((w) => w.startsWith('Run interrupted'))).toBe(true);
    expect(validateRecord(report)).toEqual([]);
    expect(renderReportMarkdown(report)).toMatch(/^> \*\*NOT A GxP RECORD\.\*\*/);
  });

  it('the schema rejects a record with a missing field or a local time', async () => {
    const { report } = assembleRecord(await sampleInput());
    const broken = JSON.parse(serializeRecord(report));
    delete broken.subject;
    broken.started = '2026-10-05T12:15:00+02:00';
    const problems = validateRecord(broken);
    expect(problems.some((p) => p.includes("must have required property 'subject'"))).toBe(true);
    expect(problems.some((p) => p.startsWith('/started'))).toBe(true);
  });
});

describe('renderReportMarkdown', () => {
  it('shows header, subject, objective, expected vs actual, deviations, evidence hashes and signatures', async () => {
    const { report } = assembleRecord(await sampleInput());
    const md = renderReportMarkdown(report);
    expect(md).toContain('# Test Report QP-0009-20261005T101500Z-beef');
    expect(md).toContain('| Protocol SHA-256 | `' + 'a'.repeat(64) + '` |');
    // The pipe of the title is escaped (a value never becomes table structure); the heading text keeps it.
    expect(md).toContain('### IQ-01 The running image \\| is approved');
    expect(md).toContain('Objective of IQ-01.');
    expect(md).toContain(`| \`IQ-01.1\` | \`inspect\` | digest | \`sha256:${'e'.repeat(64)}\` | \`sha256:${'d'.repeat(64)}\` | FAIL |`);
    expect(md).toContain('| `OQ-01.2` | `down` | — | `{"ok":true}` | not observed | ERROR |');
    expect(md).toContain('| DEV-001 | IQ-01 | `IQ-01.1` |');
    expect(md).toContain(`| \`evidence/IQ-01.1-inspect.json\` | \`IQ-01.1\` |`);
    expect(md).toContain('## Signatures');
    expect(md).toContain('Not signed.');
    expect(md).toContain('| `127.0.0.1:5000/app@sha256:' + 'd'.repeat(64) + '` |');
    // Table rows are never broken by a pipe in data.
    // (the results table has 6 columns, the execution table of every attempt 8)
    for (const line of md.split('\n').filter((l) => l.startsWith('| `IQ-01.1`'))) expect([8, 10]).toContain(line.split(/(?<!\\)\|/).length);
  });
});

describe('renderJunit', () => {
  it('one testcase per case named "<id> <title>", classname the stage, failures with expected and actual', async () => {
    const { report } = assembleRecord(await sampleInput());
    const xml = renderJunit(report);
    expect(xml).toContain('<testcase name="IQ-01 The running image | is approved" classname="IQ" time="0.000">');
    expect(xml).toContain('<failure message="IQ-01.1: digest: expected &quot;sha256:');
    expect(xml).toContain(`expected: sha256:${'e'.repeat(64)}`);
    expect(xml).toContain(`actual:   sha256:${'d'.repeat(64)}`);
    expect(xml).toMatch(/<testsuites name="QP-0009 Test protocol" tests="2" failures="1" errors="1" skipped="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
  });
});

describe('a failing check on a secret field (issue 9 item 8)', () => {
  it('masks the compared values in assertions, reason, deviation and junit, even a short one', async () => {
    const LONG = 'tok-planted-long-0099887766';
    const SHORT = '4711';
    const p = protocol([testCase('OQ-02', [spec('OQ-02.1', 'api', {}, { expect: { token: 'approved-token-value', pin: '0000' } })])]);
    const outcome = await executeRun<object>({
      plan: planRun(p, { scope: { run: { id: 'x', started: 'y' } } }),
      checks: new Map([['api', fakeCheck('api', () => ({ actual: { token: LONG, pin: SHORT } }))]]),
      context: {},
      judge: judgeWith(equalsEvaluate),
      now: () => NOW,
    });
    expect(outcome.cases[0]!.steps[0]!.reason).toContain(LONG);
    const input = await sampleInput();
    const { report } = assembleRecord({ ...input, outcome, parameters: { service: 'web' } });
    const outputs = [serializeRecord(report), renderReportMarkdown(report), renderJunit(report)];
    for (const text of outputs) {
      expect(text).not.toContain(LONG);
      expect(text).not.toContain(`"${SHORT}"`);
      expect(text).not.toContain('approved-token-value');
    }
    const step = report.cases[0]!.steps[0]!;
    expect(step.reason).toMatch(/^token: expected \[MASKED:\d+\], found \[MASKED:\d+\]; pin: expected \[MASKED:\d+\], found \[MASKED:\d+\]$/);
    expect(report.deviations[0]!.description).toContain('token: expected [MASKED:');
  });
});

describe('the system and the tool validation of a record (RC-01, RC-10)', () => {
  it('states the declared system and validation record, and warns when the validation does not cover the tool version', async () => {
    const input = await sampleInput();
    const { report } = assembleRecord({ ...input, system: { name: 'LIMS', version: '2.0.1' }, toolValidation: { reference: 'TVR-0001 revision 02', versions: ['0.0.9'] } });
    expect(report.system).toEqual({ name: 'LIMS', version: '2.0.1', versionFrom: 'qualify.yaml' });
    expect(report.tool.validation).toEqual({ reference: 'TVR-0001 revision 02', versions: ['0.0.9'], covered: false });
    expect(report.warnings).toContain(`Tool version ${input.tool.version} is not among the versions covered by its validation record TVR-0001 revision 02 (0.0.9).`);
    expect(validateRecord(report)).toEqual([]);
    const md = renderReportMarkdown(report);
    expect(md).toContain(`| Tool validation | TVR-0001 revision 02, covering 0.0.9 (NOT covering ${input.tool.version}) |`);
    expect(md).toContain('| System | LIMS |');
  });

  it('takes the application version from what was observed when qualify.yaml does not declare it', async () => {
    const input = await sampleInput();
    const { report } = assembleRecord({ ...input, subject: { ...input.subject, application: { repo: '/app', commit: 'c'.repeat(40), tag: 'v1.4.2' } } });
    expect(report.system).toEqual({ name: null, version: 'v1.4.2', versionFrom: 'application tag' });
    expect(report.tool.validation).toBeNull();
    expect(renderReportMarkdown(report)).toContain('| Application version | v1.4.2 (from the application tag) |');
  });
});
