// Issue 9, friction found as a new user: where `qualify run` may write (--out, item 16), the CI copies
// (--junit/--json, item 25), manual answers checked before any step runs (item 24) and the wording of
// summaries (item 26). In-process runs against real files; no Docker needed.

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, writeTree } from '../helpers/tmp.js';
import { listFiles, reportFolders } from '../helpers/report-folder.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

const FILE_CASE = '### IQ-01 The configuration file is in place\n\n```check\ntype: file\npath: app.conf\nexpect:\n  exists: true\n  contains: "release {{release}}"\n```\n';
const MANUAL_CASE = '### OQ-03 The change is authorised\n\n```check\ntype: manual\ninstruction: Open the change record.\nexpect:\n  observation: Change record approved\n```\n';

const RELEASE_PARAM = "  release: { description: release, pattern: '^\\d+\\.\\d+\\.\\d+$' }";

function qms(options: { body?: string; config?: string; parameters?: string } = {}): string {
  const t = makeTempDir('qualify-friction-');
  cleanups.push(t.cleanup);
  writeTree(t.dir, {
    'qualify.yaml': options.config ?? 'environments:\n  local: {}\ndefaults:\n  environment: local\n',
    'app.conf': 'release 1.4.2\n',
    'protocols/QP-0300-config.md': [
      '---',
      'document_id: QP-0300',
      'type: protocol',
      'title: Configuration protocol',
      'revision: "02"',
      'change_control: CC-2020-001',
      'status: effective',
      'approvers: [quinn]',
      'approval_date: 2020-01-01',
      'effective_date: 2020-01-02',
      'parameters:',
      options.parameters ?? RELEASE_PARAM,
      '---',
      '',
      options.body ?? FILE_CASE,
    ].join('\n'),
  });
  return t.dir;
}

const PROTOCOL = 'protocols/QP-0300-config.md';
const RUN = ['run', PROTOCOL, '--param', 'release=1.4.2'];

describe('--out: a folder inside the repository (issue 9 item 16)', () => {
  it('/dev/null or a file is exit 2 with a clear message, not 70 ENOTDIR', async () => {
    const dir = qms();
    for (const out of ['/dev/null', 'app.conf', 'app.conf/reports']) {
      const r = await runCli([...RUN, '--out', out], { cwd: dir });
      expect(r.code, `${out}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('OUT_NOT_A_FOLDER');
      expect(r.stderr).toContain(`--out ${out}`);
      expect(r.stderr).not.toMatch(/ENOTDIR|internal error|\n\s+at /);
    }
    expect(readFileSync(join(dir, 'app.conf'), 'utf8')).toBe('release 1.4.2\n');
  });

  it('a folder outside the repository (../.., an absolute path, a symlink out) is refused with exit 2 and nothing is written', async () => {
    const dir = qms();
    // Outside paths in a temporary folder: a regression must not write into / or /etc.
    const outside = makeTempDir('qualify-outside-');
    cleanups.push(outside.cleanup);
    symlinkSync(outside.dir, join(dir, 'escape'));
    for (const out of [`../${basename(outside.dir)}`, `protocols/../../${basename(outside.dir)}/reports`, outside.dir, 'escape/reports']) {
      const r = await runCli([...RUN, '--out', out], { cwd: dir });
      expect(r.code, `${out}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('OUT_OUTSIDE_REPOSITORY');
      expect(r.stderr).toContain('allow_outside');
    }
    expect(reportFolders(join(outside.dir, 'reports', 'QP-0300'))).toEqual([]);
    expect(reportFolders(join(outside.dir, 'QP-0300'))).toEqual([]);
  });

  it('inside the repository, or a folder qualify.yaml allows with reports.allow_outside, is written', async () => {
    const outside = makeTempDir('qualify-allowed-');
    cleanups.push(outside.cleanup);
    const dir = qms({ config: `environments:\n  local: {}\ndefaults:\n  environment: local\nreports:\n  allow_outside: [${JSON.stringify(join(outside.dir, 'records'))}]\n` });
    expect((await runCli([...RUN, '--out', 'records'], { cwd: dir })).code).toBe(0);
    expect(reportFolders(join(dir, 'records', 'QP-0300'))).toHaveLength(1);
    const allowed = await runCli([...RUN, '--out', join(outside.dir, 'records')], { cwd: dir });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(reportFolders(join(outside.dir, 'records', 'QP-0300'))).toHaveLength(1);
    // A sibling of the allowed folder is still outside.
    expect((await runCli([...RUN, '--out', join(outside.dir, 'other')], { cwd: dir })).code).toBe(2);
  });

  it('qualify.yaml reports must be { allow_outside: [folders] }', async () => {
    const dir = qms({ config: 'reports:\n  allow_outside: /tmp\n' });
    const r = await runCli(RUN, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/qualify\.yaml:1:1 "reports\.allow_outside" must be a list of folders/);
  });
});

describe('--junit FILE and --json FILE for CI (issue 9 item 25)', () => {
  it('writes junit.xml and report.json where CI wants them, the same bytes as the report folder', async () => {
    const dir = qms();
    const r = await runCli([...RUN, '--junit', 'ci/out/junit.xml', '--json', 'ci/report.json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const [folder] = reportFolders(join(dir, 'reports', 'QP-0300'));
    expect(readFileSync(join(dir, 'ci/out/junit.xml'))).toEqual(readFileSync(join(folder!, 'junit.xml')));
    expect(readFileSync(join(dir, 'ci/report.json'))).toEqual(readFileSync(join(folder!, 'report.json')));
    expect(readFileSync(join(dir, 'ci/out/junit.xml'), 'utf8')).toContain('<testcase name="IQ-01 The configuration file is in place"');
    // A second run replaces the copies whole.
    const again = await runCli([...RUN, '--junit', 'ci/out/junit.xml'], { cwd: dir });
    expect(again.code).toBe(0);
    const second = reportFolders(join(dir, 'reports', 'QP-0300')).find((f) => f !== folder)!;
    expect(readFileSync(join(dir, 'ci/out/junit.xml'))).toEqual(readFileSync(join(second, 'junit.xml')));
  });

  it('a folder, a device or a path through a file as --junit/--json is exit 2 before anything runs', async () => {
    const dir = qms();
    mkdirSync(join(dir, 'ci'));
    for (const args of [['--junit', 'ci'], ['--json', '/dev/null'], ['--json', 'app.conf/report.json']]) {
      const r = await runCli([...RUN, ...args], { cwd: dir });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('OUTPUT_NOT_A_FILE');
    }
    expect(reportFolders(join(dir, 'reports', 'QP-0300'))).toEqual([]);
  });
});

describe('manual answers are checked before any step runs (issue 9 item 24)', () => {
  const body = `${FILE_CASE}\n${MANUAL_CASE}`;

  it('accepts the documented format: OQ-03.1: "CHG-2026-0412 confirmed"', async () => {
    const dir = qms({ body });
    writeTree(dir, { 'answers.yaml': 'OQ-03.1: "CHG-2026-0412 confirmed"\n' });
    const r = await runCli([...RUN, '--answers', 'answers.yaml', '--format', 'json', '--as', 'erin'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const step = JSON.parse(r.stdout).cases[1].steps[0];
    expect(step.status).toBe('pass');
    expect(step.actual).toMatchObject({ answer: 'CHG-2026-0412 confirmed', result: 'pass', comment: 'CHG-2026-0412', observed_by: 'erin' });
  });

  it('an answer without a verdict is exit 2 naming file:line:col, and nothing runs or is written', async () => {
    const dir = qms({ body });
    writeTree(dir, { 'answers.yaml': '# answers of the executor\nIQ-01.1: pass\nOQ-03.1:   "CHG-2026-0412"\nOQ-09: pass\n' });
    const r = await runCli([...RUN, '--answers', 'answers.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ANSWERS_INVALID');
    expect(r.stderr).toContain('answers.yaml:3:12 the answer of "OQ-03.1" gives no verdict: "CHG-2026-0412"');
    expect(r.stderr).toContain('answers.yaml:4:1 "OQ-09" is not a step or case of QP-0300');
    expect(r.stderr).not.toContain('running');
    expect(reportFolders(join(dir, 'reports', 'QP-0300'))).toEqual([]);
  });

  it('a YAML error in the answers file names its place', async () => {
    const dir = qms({ body });
    writeTree(dir, { 'answers.yaml': 'OQ-03.1: "unterminated\n' });
    const r = await runCli([...RUN, '--answers', 'answers.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/answers\.yaml:\d+:\d+ invalid YAML/);
  });

  it('without --answers and without a terminal, a protocol with manual steps is exit 2 before any step runs', async () => {
    const dir = qms({ body });
    const r = await runCli(RUN, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('MANUAL_ANSWERS_MISSING');
    expect(r.stderr).toContain('QP-0300 has 1 manual step without an answer (OQ-03.1)');
    expect(r.stderr).toContain('--answers answers.yaml');
    expect(reportFolders(join(dir, 'reports', 'QP-0300'))).toEqual([]);
    // An answers file that misses one is refused the same way.
    writeTree(dir, { 'answers.yaml': 'IQ-01: pass\n' });
    const partial = await runCli([...RUN, '--answers', 'answers.yaml'], { cwd: dir });
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('add them to the --answers file');
  });

  it('on a terminal, an answer without a verdict is asked again instead of becoming an error step', async () => {
    const dir = qms({ body });
    const { main } = await import('../../src/cli/main.js');
    const replies = ['looks fine', 'CHG-2026-0412 confirmed'];
    const questions: string[] = [];
    let stdout = '';
    const code = await main([...RUN, '--format', 'json', '--as', 'frank'], {
      cwd: dir, env: {},
      stdout: { write: (t) => (stdout += t), isTTY: false },
      stderr: { write: () => undefined, isTTY: true },
      readStdin: async () => '',
      prompt: async (q) => { questions.push(q); return replies.shift()!; },
      color: false, now: () => new Date(), signal: new AbortController().signal,
    });
    expect(code).toBe(0);
    expect(questions).toHaveLength(2);
    expect(questions[1]).toContain('No verdict in "looks fine"');
    expect(JSON.parse(stdout).cases[1].steps[0].actual.comment).toBe('CHG-2026-0412');
  });
});

describe('declared secrets and ordinary parameters (issue 9 item 7)', () => {
  it('a parameter declared secret: true and a qualify.yaml secrets name are masked; --param environment=production is not', async () => {
    const ref = `CHG-planted-${process.pid}-77`;
    const license = `LIC-planted-${process.pid}-99`;
    const body = [
      '### IQ-01 The change reference is in the configuration',
      '',
      '```check\ntype: file\npath: app.conf\nexpect:\n  contains: "{{change_ref}}"\n```',
      '',
      '```check\ntype: file\npath: app.conf\nexpect:\n  contains: "{{environment}}"\n```',
      '',
    ].join('\n');
    const dir = qms({
      body,
      config: 'environments:\n  local: {}\ndefaults:\n  environment: local\nsecrets: [ORDERS_LICENSE]\n',
      parameters: '  change_ref: { description: change record, secret: true }\n  environment: { description: environment qualified }',
    });
    writeTree(dir, { 'app.conf': `release 1.4.2\nenvironment production\nchange ${ref}\nORDERS_LICENSE=${license}\n` });
    const lint = await runCli(['lint', PROTOCOL], { cwd: dir });
    expect(lint.stdout).not.toContain('PARAMETER_FIELD_UNKNOWN');
    const r = await runCli(['run', PROTOCOL, '--param', `change_ref=${ref}`, '--param', 'environment=production', '--format', 'json', '--no-pdf'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const [folder] = reportFolders(join(dir, 'reports', 'QP-0300'));
    const written = listFiles(folder!).map((f) => readFileSync(join(folder!, f), 'utf8')).join('\n') + r.stdout + r.stderr;
    expect(written).not.toContain(ref);
    expect(written).not.toContain(license);
    const record = JSON.parse(r.stdout);
    expect(record.parameters.change_ref).toMatch(/^\[MASKED:\d+\]$/);
    expect(record.parameters.environment).toBe('production');
    expect(written).toContain('environment production');
    expect(written).toContain('ORDERS_LICENSE=[MASKED:');
  });
});

describe('summaries count in words (issue 9 item 26)', () => {
  it('lint: "0 errors, 1 warning in 1 of 2 files checked", plurals right, never "file(s)"', async () => {
    const dir = qms();
    writeTree(dir, { 'sops/SOP-0001-a.md': '---\ndocument_id: SOP-0001\ntitle: A\ntype: sop\nrevision: "01"\nstatus: draft\n---\n# Purpose\n\nText.\n' });
    const clean = await runCli(['lint'], { cwd: dir });
    expect(clean.code).toBe(0);
    // (the protocol of qms() carries one warning)
    expect(clean.stderr).toBe('0 errors, 1 warning in 1 of 2 files checked\n');
    writeTree(dir, { 'sops/SOP-0002-b.md': '---\ndocument_id: SOP-0002\ntitle: B\ntype: sop\nrevision: "01"\nstatus: approved\napproval_date: not-a-date\n---\n# Purpose\n' });
    const bad = await runCli(['lint'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^1 error, \d+ warnings in 2 of 3 files checked\n$/);
    expect(bad.stderr).not.toMatch(/\b1 errors\b|\b1 warnings\b|\(s\)/);
  });

  it('run: "1 error", "1 deviation", and the number of steps', async () => {
    const dir = qms({ body: `${FILE_CASE}\n### OQ-01 Broken\n\n\`\`\`check\ntype: file\npath: app.conf\ncontainer: no-such-container-${process.pid}\nexpect:\n  exists: true\n\`\`\`\n` });
    const r = await runCli([...RUN, '--no-pdf'], { cwd: dir, env: { DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FAIL: 2 steps: 1 passed, 0 failed, 1 error, 0 skipped; 1 deviation opened');
    expect(r.stderr).not.toMatch(/\b1 errors\b|\b1 deviations\b/);
    expect(r.stderr).toContain('! OQ-01 Broken  (1 error)');
    expect(r.stderr).toContain('✓ IQ-01 The configuration file is in place  (1 passed)');
  });
});

describe('the tmp folder used by these tests is not inside a repository', () => {
  it('holds for the refusal tests above to mean something', () => {
    expect(existsSync(join(tmpdir(), 'qualify.yaml'))).toBe(false);
  });
});
