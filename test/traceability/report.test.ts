// The complete report (issue 13 item 2) and traceability end to end (item 1's last step): a real run of
// an approved protocol with a manual step, a step retried until it passed (an HTTP server on 127.0.0.1
// that answers 503 once) and a failed step whose deviation QA closes. report.md and report.pdf (read
// back with pdftotext) show the header of RC-01, objective and acceptance criteria, every attempt with
// its observed value, time, executor, evidence and deviation, the manual step in full, the conclusion,
// the coverage and the audit-trail extract; the PDF carries the text evidence as attached files.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_VERSION } from '../../src/version.js';
import type { Report } from '../../src/model/report.js';
import { renderReportMarkdown } from '../../src/report/markdown.js';
import { runCli } from '../helpers/cli.js';
import { enrolTeam } from '../helpers/enrol.js';
import { pdftotext, squash } from '../helpers/pdf-tools.js';
import { reportFolders } from '../helpers/report-folder.js';
import { validateRecord } from '../../src/report/schema.js';
import { makeGitRepo, makeTempDir } from '../helpers/tmp.js';
import { protocol, TC01, TC02, TC04, URS } from './fixtures.js';

const qms = makeTempDir('qualify-report13-');
const home = makeTempDir('qualify-report13-home-');
const env = { QUALIFY_HOME: home.dir };
const pp = (id: string) => `${id} report passphrase\n`;
let server: Server;
let port = 0;
let healthRequests = 0;

/** TC-03 waits for the service's health (503 on the first request, 200 after): retried until it passes. */
const TC03_HTTP = `
### TC-03 The log service answers

**Objective.** Show that the log service behind the log folder answers its health check.

**Acceptance criteria.** \`GET /health\` answers status 200 within 30 seconds (observed every 50 ms).

\`\`\`case
requirements: [URS-03]
risk: low
\`\`\`

\`\`\`check
type: http.get
url: "{{url}}/health"
retry: { until: 30s, every: 50ms }
expect:
  status: 200
\`\`\`
`;

/** TC-05: a person confirms the change record (a manual step). */
const TC05_MANUAL = `
### TC-05 The change is authorised

**Objective.** Confirm by a person that an approved change record authorises this release.

**Acceptance criteria.** The executor records the change record number and "confirmed".

\`\`\`case
requirements: [URS-01]
risk: medium
\`\`\`

\`\`\`check
type: manual
instruction: Open the change record of release {{release}} and confirm that it is approved.
expect:
  observation: Change record approved for release {{release}}
\`\`\`
`;

const cli = (args: string[], stdin?: string) => runCli(args, { cwd: qms.dir, env, stdin });
let dir = '';
let rel = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/health') healthRequests++;
    res.writeHead(req.url === '/health' && healthRequests === 1 ? 503 : 200, { 'content-type': 'text/plain' });
    res.end(healthRequests === 1 ? 'starting\n' : 'ok\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
  makeGitRepo(qms.dir, {
    'qualify.yaml': `signers: signers.yaml\nsystem:\n  name: Test LIMS\n  version: "{{release}}"\ntool_validation:\n  record: TVR-0100 revision 01\n  versions: ["${TOOL_VERSION}"]\n`,
    'app.conf': 'release 1.4.1\n',
    'requirements/URS-0100.md': URS,
    'protocols/QP-0100.md': protocol(TC01, TC02, TC03_HTTP, TC04, TC05_MANUAL).replace('  release: { description: Release under qualification }', '  release: { description: Release under qualification }\n  url: { description: Base URL of the log service }'),
    'answers.yaml': 'TC-05:\n  answer: "pass: CR-2026-0099 approved, release 1.4.2 confirmed"\n  by: avery\n',
  });
  await enrolTeam(cli, [['avery', 'Avery Engineer', ['executor']], ['riley', 'Riley Reviewer', ['reviewer']], ['quinn', 'Quinn Approver', ['approver', 'qa']]].map(([id, name, roles]) => ({ id: id as string, name: name as string, roles: roles as string[], passphrase: pp(id as string).trim() })));
  for (const doc of ['requirements/URS-0100.md', 'protocols/QP-0100.md']) {
    const r = await cli(['sign', doc, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], pp('quinn'));
    expect(r.code, r.stderr).toBe(0);
  }
  const run = await cli(['run', 'protocols/QP-0100.md', '--as', 'avery', '--passphrase-stdin', '--param', 'config=app.conf', '--param', 'logs=.', '--param', 'release=1.4.2', '--param', `url=http://127.0.0.1:${port}`, '--answers', 'answers.yaml'], pp('avery'));
  expect(run.code, run.stderr).toBe(1); // TC-02 fails: app.conf names 1.4.1
  dir = reportFolders(join(qms.dir, 'reports/QP-0100'))[0]!;
  rel = dir.slice(qms.dir.length + 1);
  const close = await cli(['deviation', 'close', rel, 'DEV-001', '--disposition', 'Impact: none, 1.4.1 and 1.4.2 share the configuration format; root cause: app.conf not updated; CAPA-2026-017 updates it before the next release', '--as', 'quinn', '--passphrase-stdin'], pp('quinn'));
  expect(close.code, close.stderr).toBe(0);
  const signed = await cli(['sign', rel, '--as', 'avery', '--meaning', 'executed', '--passphrase-stdin'], pp('avery'));
  expect(signed.code, signed.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server.close(r));
  qms.cleanup();
  home.cleanup();
});

/** What item 2 requires, as text both report.md and the PDF must show. */
function expectedContent(record: Report): string[] {
  const step = (id: string) => record.cases.flatMap((c) => c.steps).find((s) => s.id === id)!;
  const retried = step('TC-03.1');
  const manual = step('TC-05.1');
  const evidence = step('TC-03.1').evidence[0]!;
  return [
    // RC-01 header
    'System', 'Test LIMS', 'Application version', '1.4.2', 'Environment', 'Targets', 'Image digests', 'no running image observed',
    `qualify ${TOOL_VERSION}`, 'Tool validation', `TVR-0100 revision 01, covering ${TOOL_VERSION}`,
    // objective and acceptance criteria, from the protocol
    'Show that the log service behind the log folder answers its health check.',
    'GET /health answers status 200 within 30 seconds',
    // every attempt with its value, time, executor, evidence and deviation
    '1 of 2', 'status: 503', '2 of 2', 'status: 200', retried.attempts[0]!.started, retried.attempts[1]!.started,
    'qualify for avery', `${evidence.path.replace('evidence/', '')} ${evidence.sha256.slice(0, 12)}`,
    'DEV-001 closed',
    // the manual step
    'Manual step TC-05.1: PASS', 'Instruction: Open the change record of release 1.4.2 and confirm that it is approved.',
    'Expected observation: Change record approved for release 1.4.2',
    'Answer: "pass: CR-2026-0099 approved, release 1.4.2 confirmed"', `Recorded by: avery at ${manual.observedBy!.at} (UTC)`, 'avery (manual entry)',
    // conclusion from results and dispositions
    'QUALIFIED WITH RESTRICTIONS', 'every deviation is closed by a QA disposition',
    'DEV-001 (step TC-02.1): Impact: none, 1.4.1 and 1.4.2 share the configuration format',
    // traceability coverage
    'Coverage: 3 of 3 requirements tested by this record (100 %)',
    // audit-trail extract
    'Audit trail', 'deviation.close', 'deviations.DEV-001.status: open → closed',
  ];
}

describe('a report with a manual step, a retried step and a closed deviation', () => {
  it('keeps every attempt with its observed value in the record; the folder is whole and verifies', async () => {
    const record = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(validateRecord(record)).toEqual([]);
    const retried = record.cases.find((c) => c.id === 'TC-03')!.steps[0]!;
    expect(retried.attempts.map((a) => [a.n, a.status, (a.actual as { status: number }).status])).toEqual([[1, 'fail', 503], [2, 'pass', 200]]);
    expect(record.cases.map((c) => c.kind)).toEqual(['positive', 'positive', 'positive', 'negative', 'positive']);
    expect(record.system).toEqual({ name: 'Test LIMS', version: '1.4.2', versionFrom: 'qualify.yaml' });
    expect(record.tool.validation).toEqual({ reference: 'TVR-0100 revision 01', versions: [TOOL_VERSION], covered: true });
    expect(record.traceability!.requirements.map((r) => [r.id, r.cases])).toEqual([['URS-01', ['TC-01', 'TC-05']], ['URS-02', ['TC-02', 'TC-04']], ['URS-03', ['TC-03']]]);
    expect(record.traceability!.documents.map((d) => d.documentId)).toEqual(['URS-0100']);
    const verify = await cli(['verify', rel]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('report.md shows all of it', () => {
    const record = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    const flat = md.replace(/\\/g, '').replace(/`/g, '').replace(/\s+/g, ' ');
    for (const s of expectedContent(record)) expect(flat, s).toContain(s.replace(/\s+/g, ' '));
    // The audit extract holds the run and the disposition; the executed signature's own entry follows
    // the rendering it triggered, so it appears in the next rendering.
    expect(md).toMatch(/\| run \| conclusion: — → `fail` \|/);
  });

  it('report.pdf shows all of it (pdftotext) and carries the text evidence as attached files (pdfdetach)', () => {
    const record = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    const pdf = join(dir, 'report.pdf');
    // In content order (-raw): a table cell's wrapped lines stay together.
    const text = squash(pdftotext(pdf, '-raw'));
    // The pages are rendered with the first signature (here the disposition, whose own audit entry follows
    // its rendering); later signatures are incremental updates: widgets and attached envelopes.
    const later = ['deviation.close', 'deviations.DEV-001.status: open → closed'];
    for (const s of expectedContent(record).filter((c) => !later.includes(c))) expect(text, s).toContain(squash(s));
    expect(text).toContain(squash('Electronically signed: DISPOSITIONED DEV-001'));
    expect(text).toContain(squash('Electronically signed: EXECUTED'));
    const list = execFileSync('pdfdetach', ['-list', pdf], { encoding: 'utf8' });
    const evidence = record.cases.flatMap((c) => c.steps.flatMap((s) => s.evidence));
    expect(evidence.length).toBeGreaterThan(4);
    const names = list.split('\n').slice(1).map((l) => l.replace(/^\d+: /, '').trim()).filter(Boolean);
    for (const e of evidence) expect(names, e.path).toContain(e.path.replace('/', '-'));
    expect(names).toContain('report.json');
    expect(names).toContain('dispositions-DEV-001.dsse.json');
    // An attachment is the evidence file as stored (masked), byte for byte.
    const manual = evidence.find((e) => e.path.includes('TC-05.1'))!;
    const n = names.indexOf(manual.path.replace('/', '-')) + 1;
    const out = join(qms.dir, 'detached.json');
    execFileSync('pdfdetach', ['-save', String(n), '-o', out, pdf]);
    const bytes = readFileSync(out);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(manual.sha256);
    expect(bytes.toString('utf8')).toContain('CR-2026-0099');
  });

  it('rendered again (qualify render), the same record and signatures give the same report.md, audit extract included', async () => {
    const before = readFileSync(join(dir, 'report.md'), 'utf8');
    const r = await cli(['render', rel]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(before);
  });

  it('qualify trace shows the latest result of each case in the environment of the run', async () => {
    const r = await cli(['trace']);
    expect(r.code).toBe(0);
    const record = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(r.stdout).toContain('Requirements: 3; tested by at least one case: 3 (100 %).');
    expect(r.stdout).toContain(`| URS-02 Only the approved release is configured | high | data-integrity | QP-0100 TC-02 | positive | FAIL ${record.started.slice(0, 10)} ${record.reportId} (rev 01) |`);
    expect(r.stdout).toContain(`| URS-02 Only the approved release is configured | high | data-integrity | QP-0100 TC-04 | negative | PASS ${record.started.slice(0, 10)} ${record.reportId} (rev 01) |`);
    const json = JSON.parse((await cli(['trace', '--format', 'json', '--env', 'default'])).stdout) as { environments: string[] };
    expect(json.environments).toEqual(['default']);
  });
});

describe('a record written before these fields', () => {
  it('still renders: the report says what it does not know', () => {
    const old = JSON.parse(readFileSync(new URL('../fixtures/render/record/report.json', import.meta.url), 'utf8')) as Report;
    expect(old.system).toBeUndefined();
    expect(old.traceability).toBeUndefined();
    const md = renderReportMarkdown(old);
    expect(md).toContain('| System | not declared |');
    expect(md).toContain('| Tool validation | not declared |');
    expect(md).toContain('Not recorded: this record was written before records kept the requirements traced to their cases.');
    expect(md).toContain('The audit-trail extract is not part of this rendering');
    expect(md).toMatch(/\| Conclusion \| \*\*(NOT QUALIFIED|QUALIFIED|QUALIFIED WITH RESTRICTIONS)\*\* \|/);
  });
});
