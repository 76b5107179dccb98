// `qualify run` as a command, in-process, against real files (no Docker needed): the approval gate
// and --dry-run, parameter validation, manual answers, output formats, dependencies and retries.

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, makeGitRepo, writeTree } from '../helpers/tmp.js';
import { checkReportFolder, filesContaining, reportFolders } from '../helpers/report-folder.js';
import { createServer } from 'node:http';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

interface RepoOptions {
  status?: string;
  effective?: string;
  parameters?: string;
  body?: string;
  git?: boolean;
}

const FILE_CASE = '### IQ-01 The configuration file is in place\n\nThe file exists and names the release.\n\n```case\nrequirements: [URS-01]\nrisk: low\n```\n\n```check\ntype: file\npath: "{{config}}"\nexpect:\n  exists: true\n  contains: "release {{release}}"\n```\n';

function qms(options: RepoOptions = {}): string {
  const t = makeTempDir('qualify-run-cli-');
  cleanups.push(t.cleanup);
  const files = {
    'qualify.yaml': 'environments:\n  local:\n    params:\n      config: app.conf\n  other: {}\ndefaults:\n  environment: local\n',
    'app.conf': 'release 1.4.2\n',
    'protocols/QP-0300-config.md': [
      '---',
      'document_id: QP-0300',
      'type: protocol',
      'title: Configuration protocol',
      'revision: "02"',
      'change_control: CC-2020-001',
      `status: ${options.status ?? 'effective'}`,
      'approvers: [quinn]',
      'approval_date: 2020-01-01',
      `effective_date: ${options.effective ?? '2020-01-02'}`,
      'parameters:',
      options.parameters ?? "  config: { description: config file }\n  release: { description: release, pattern: '^\\d+\\.\\d+\\.\\d+$' }",
      '---',
      '',
      options.body ?? FILE_CASE,
    ].join('\n'),
  };
  if (options.git) makeGitRepo(t.dir, files);
  else writeTree(t.dir, files);
  return t.dir;
}

const PROTOCOL = 'protocols/QP-0300-config.md';
const folders = (dir: string): string[] => reportFolders(join(dir, 'reports', 'QP-0300'));

describe('qualify run: the approval gate', () => {
  it('refuses a protocol that is not effective (exit 3) and writes nothing', async () => {
    const dir = qms({ status: 'in-review' });
    const r = await runCli(['run', PROTOCOL, '--param', 'release=1.4.2'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('PROTOCOL_NOT_EFFECTIVE');
    expect(r.stderr).toContain('--dry-run');
    expect(folders(dir)).toEqual([]);
  });

  it('refuses a protocol whose effective date has not come', async () => {
    const dir = qms({ effective: '2999-01-01' });
    const r = await runCli(['run', PROTOCOL, '--param', 'release=1.4.2'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/is approved, not effective/);
  });

  it('--dry-run runs it anyway; the record, report.md and id say NOT A GxP RECORD', async () => {
    const dir = qms({ status: 'draft' });
    const r = await runCli(['run', PROTOCOL, '--param', 'release=1.4.2', '--dry-run', '--format', 'junit'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('dry run: NOT A GxP RECORD');
    const [folder] = folders(dir);
    const report = checkReportFolder(folder!);
    expect(report.reportId).toMatch(/^QP-0300-DRYRUN-\d{8}T\d{6}Z-[0-9a-f]{4}$/);
    expect(report.dryRun).toBe(true);
    expect(report.warnings).toContain('Dry run: NOT A GxP RECORD.');
    expect(readFileSync(join(folder!, 'report.md'), 'utf8')).toMatch(/^> \*\*NOT A GxP RECORD\.\*\*/);
    expect(readFileSync(join(folder!, 'junit.xml'), 'utf8')).toContain('dry run: NOT A GxP RECORD');
  });
});

describe('qualify run: parameters', () => {
  it('reports unknown, missing and malformed parameters together (exit 2)', async () => {
    const dir = qms();
    const r = await runCli(['run', PROTOCOL, '--param', 'release=v1.4', '--param', 'colour=blue', '--param', 'oops'], { cwd: dir, env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PARAM_INVALID');
    expect(r.stderr).toContain('unknown parameter "colour" (--param); QP-0300 declares: config, release');
    expect(r.stderr).toContain('parameter "release" = "v1.4" does not match the pattern');
    expect(r.stderr).toContain('--param "oops" must be NAME=VALUE');
    expect(folders(dir)).toEqual([]);
  });

  it('takes defaults, then the environment, then --params, then --param', async () => {
    const dir = qms({ parameters: "  config: { description: config file, default: missing.conf }\n  release: { description: release, default: '0.0.1' }" });
    writeTree(dir, { 'params.yaml': 'release: 1.4.2\n' });
    const r = await runCli(['run', PROTOCOL, '--params', 'params.yaml', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.parameters).toEqual({ config: 'app.conf', release: '1.4.2' });
    const other = await runCli(['run', PROTOCOL, '--env', 'other', '--param', 'release=1.4.2'], { cwd: dir });
    expect(other.code).toBe(1);
    const failed = folders(dir).map((f) => checkReportFolder(f)).find((rep) => rep.environment === 'other')!;
    expect(failed.parameters.config).toBe('missing.conf');
    expect(failed.deviations).toHaveLength(1);
  });

  it('names an unknown environment and lists the known ones (exit 2)', async () => {
    const r = await runCli(['run', PROTOCOL, '--env', 'prod', '--param', 'release=1.4.2'], { cwd: qms() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('environment "prod" is not defined in qualify.yaml (defined: local, other)');
  });

  it('rejects an unknown --format and a missing protocol file (exit 2)', async () => {
    const dir = qms();
    expect((await runCli(['run', PROTOCOL, '--format', 'pdf,xml'], { cwd: dir })).stderr).toContain('unknown --format "pdf"');
    const missing = await runCli(['run', 'protocols/nope.md'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such protocol file: protocols/nope.md');
  });
});

describe('qualify run: secrets of HTTP checks', () => {
  it('masks the Authorization header, URL credentials and the token echoed back, everywhere', async () => {
    const token = `t0k-${Math.random().toString(36).slice(2)}${Date.now()}`;
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', `session=${token}`);
      res.end(JSON.stringify({ version: '1.4.2', echo: req.headers.authorization, basic: req.headers.authorization?.startsWith('Basic') ? 'yes' : 'no' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const body = [
        '### OQ-01 The API answers',
        '',
        '```check\ntype: http.get\nurl: "{{url}}/version"\nheaders:\n  Authorization: "Bearer {{api_token}}"\nexpect:\n  status: 200\n  json: { version: "1.4.2" }\n```',
        '',
        '```check\ntype: http.get\nurl: "http://admin:{{admin_password}}@127.0.0.1:' + port + '/version"\nexpect:\n  status: 200\n```',
      ].join('\n');
      const dir = qms({ body, parameters: '  url: { description: base }\n  api_token: { description: token }\n  admin_password: { description: password }' });
      const r = await runCli(['run', PROTOCOL, '--param', `url=http://127.0.0.1:${port}`, '--param', `api_token=${token}`, '--param', `admin_password=${password}`, '--format', 'json,junit'], { cwd: dir });
      expect(r.code).toBe(0);
      const [folder] = folders(dir);
      checkReportFolder(folder!);
      expect(filesContaining(folder!, [token, password])).toEqual([]);
      for (const text of [r.stdout, r.stderr]) expect(text.includes(token) || text.includes(password)).toBe(false);
      const record = JSON.parse(r.stdout);
      expect(record.parameters.api_token).toMatch(/^\[MASKED:\d+\]$/);
      expect(record.parameters.url).toBe(`http://127.0.0.1:${port}`);
      expect(record.cases[0].steps[0].params.headers.Authorization).toMatch(/^\[MASKED:/);
    } finally {
      server.close();
    }
  });
});

describe('qualify run: record details', () => {
  it('records the protocol git commit and warns when the file has uncommitted changes', async () => {
    const dir = qms({ git: true });
    const clean = await runCli(['run', PROTOCOL, '--param', 'release=1.4.2', '--format', 'json', '--as', 'erin'], { cwd: dir });
    const record = JSON.parse(clean.stdout);
    expect(record.protocol.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(record.executor.id).toBe('erin');
    expect(record.warnings.some((w: string) => w.includes('not committed'))).toBe(false);
    writeTree(dir, { [PROTOCOL]: `${readFileSync(join(dir, PROTOCOL), 'utf8')}\nEdited.\n` });
    const dirty = JSON.parse((await runCli(['run', PROTOCOL, '--param', 'release=1.4.2', '--format', 'json'], { cwd: dir })).stdout);
    expect(dirty.warnings.some((w: string) => w.includes('has changes not committed to git'))).toBe(true);
    expect(dirty.protocol.sha256).not.toBe(record.protocol.sha256);
  });

  it('manual steps take answers from --answers (by step or case id) and record who and when; no answer is refused before running', async () => {
    const body = `${FILE_CASE}\n### OQ-01 A person confirms\n\n\`\`\`check\ntype: manual\ninstruction: Look at the screen.\nexpect:\n  observation: It shows release {{release}}.\n\`\`\`\n`;
    const dir = qms({ body });
    writeTree(dir, { 'answers.yaml': 'OQ-01:\n  answer: "pass: shows 1.4.2"\n  by: mallory\n', 'bad.yaml': 'OQ-09: pass\n' });
    const now = new Date('2030-05-01T08:00:00.000Z');
    const r = await runCli(['run', PROTOCOL, '--param', 'release=1.4.2', '--answers', 'answers.yaml', '--format', 'json', '--as', 'erin'], { cwd: dir, now });
    expect(r.code).toBe(0);
    const step = JSON.parse(r.stdout).cases[1].steps[0];
    // The answer is the run's executor's, stamped when entered; the file's free-text by: is only a note (EX-05).
    expect(step.observedBy).toEqual({ id: 'erin', at: '2030-05-01T08:00:00.000Z' });
    expect(step.actual.answers_file_by).toBe('mallory');
    expect(step.actual.comment).toBe('shows 1.4.2');

    // Issue 9 item 24: without a terminal and without an answer, exit 2 before any step runs (it used to
    // become an error step and a deviation in the record).
    const none = await runCli(['run', PROTOCOL, '--param', 'release=1.4.2', '--format', 'json'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('MANUAL_ANSWERS_MISSING');

    const bad = await runCli(['run', PROTOCOL, '--param', 'release=1.4.2', '--answers', 'bad.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"OQ-09" is not a step or case of QP-0300');
  });

  it('on a terminal, a manual step prompts the executor (--as) and records the answer', async () => {
    const body = `${FILE_CASE}\n### OQ-01 A person confirms\n\n\`\`\`check\ntype: manual\ninstruction: Look at the screen.\nexpect:\n  observation: It shows release {{release}}.\n\`\`\`\n`;
    const dir = qms({ body });
    const { main } = await import('../../src/cli/main.js');
    const questions: string[] = [];
    let stdout = '';
    let stderr = '';
    const code = await main(['run', PROTOCOL, '--param', 'release=1.4.2', '--as', 'frank', '--format', 'json'], {
      cwd: dir,
      env: {},
      stdout: { write: (t) => (stdout += t), isTTY: false },
      stderr: { write: (t) => (stderr += t), isTTY: true },
      readStdin: async () => '',
      prompt: async (q) => {
        questions.push(q);
        return 'fail: the screen shows 1.4.1';
      },
      color: false,
      now: () => new Date(),
      signal: new AbortController().signal,
    });
    expect(code).toBe(1);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain('OQ-01.1: Look at the screen.');
    expect(questions[0]).toContain('Expected: It shows release 1.4.2.');
    const step = JSON.parse(stdout).cases[1].steps[0];
    expect(step.status).toBe('fail');
    expect(step.observedBy.id).toBe('frank');
    expect(step.reason).toContain('the screen shows 1.4.1');
    expect(stderr).toContain('\x1b[');
  });

  it('junit.xml names each testcase by case id and title with the stage as classname', async () => {
    const dir = qms();
    const r = await runCli(['run', PROTOCOL, '--param', 'release=9.9.9', '--format', 'junit'], { cwd: dir });
    expect(r.code).toBe(1);
    const xml = readFileSync(join(folders(dir)[0]!, 'junit.xml'), 'utf8');
    expect(xml).toContain('<testcase name="IQ-01 The configuration file is in place" classname="IQ"');
    expect(xml).toContain('<failure message="IQ-01.1:');
    expect(xml).toContain('expected: contains release 9.9.9');
  });

  it('--no-pdf writes the record without report.pdf; verify accepts it, render adds the PDF', async () => {
    const dir = qms();
    const r = await runCli(['run', PROTOCOL, '--param', 'release=1.4.2', '--no-pdf'], { cwd: dir });
    expect(r.code).toBe(0);
    const [folder] = folders(dir);
    checkReportFolder(folder!);
    expect(existsSync(join(folder!, 'report.md'))).toBe(true);
    expect(existsSync(join(folder!, 'report.pdf'))).toBe(false);
    const v = await runCli(['verify', folder!], { cwd: dir });
    expect(v.code).toBe(0);
    expect(v.stdout + v.stderr).toContain('no report.pdf in the folder');
    const rendered = await runCli(['render', folder!], { cwd: dir });
    expect(rendered.code).toBe(0);
    expect(readFileSync(join(folder!, 'report.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await runCli(['verify', folder!], { cwd: dir })).code).toBe(0);
  });

  it('prints where the report is; report.md renders the same bytes from the same record', async () => {
    const dir = qms();
    const r = await runCli(['run', PROTOCOL, '--param', 'release=1.4.2'], { cwd: dir });
    expect(r.code).toBe(0);
    const [folder] = folders(dir);
    expect(r.stdout).toBe(`report: ${join('reports', 'QP-0300', folder!.split(/[\\/]/).pop()!)}\n`);
    const report = checkReportFolder(folder!);
    const { renderReportMarkdown } = await import('../../src/report/markdown.js');
    const { trailExtract } = await import('../../src/report/audit-extract.js');
    const { readAuditTrail } = await import('../../src/signing/audit.js');
    // With the audit-trail extract as the trail holds it: the run's own entry.
    const auditTrail = trailExtract(readAuditTrail(dir).entries, report.reportId);
    expect(auditTrail.map((e) => e.action)).toEqual(['run']);
    expect(renderReportMarkdown(report, { auditTrail })).toBe(readFileSync(join(folder!, 'report.md'), 'utf8'));
  });
});
