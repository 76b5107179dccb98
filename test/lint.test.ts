// qualify lint / docs end to end on fixture files, the shared corpus and the seeds.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { makeTempDir, writeTree } from './helpers/tmp.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const invalidDir = join(repo, 'test/fixtures/documents/invalid');
const shared = join(repo, '../shared');

describe('qualify lint on invalid fixtures', () => {
  it('reports every expected file:line:col CODE in one run and exits 2', async () => {
    const r = await runCli(['lint', '.'], { cwd: invalidDir });
    expect(r.code).toBe(2);
    const got = r.stdout.trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '));
    const expected = readFileSync(join(invalidDir, 'EXPECTED'), 'utf8').trim().split('\n');
    expect(got).toEqual(expected);
    expect(r.stderr).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  });

  it('never executes ---js front matter', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeTree(dir, { 'sops/x.md': readFileSync(join(invalidDir, 'js-front-matter.md'), 'utf8') });
      const r = await runCli(['lint'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stdout).toContain('FRONT_MATTER_LANGUAGE');
      expect(existsSync(join(dir, 'front-matter-was-executed'))).toBe(false);
      expect(existsSync(join(process.cwd(), 'front-matter-was-executed'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('messages say what was expected and what was found', async () => {
    const r = await runCli(['lint', '.'], { cwd: invalidDir });
    expect(r.stdout).toContain('bad-dates.md:7:16 DATE_INVALID field "approval_date" must be a real calendar date YYYY-MM-DD; found text "2026-02-30"');
    expect(r.stdout).toContain('effective_date 2026-06-01 is before approval_date 2026-06-10');
    expect(r.stdout).toMatch(/STATUS_INVALID field "status" must be one of draft, .*; found text "released"/);
  });

  it('prints JSON with --json', async () => {
    const r = await runCli(['lint', '.', '--json'], { cwd: invalidDir });
    const data = JSON.parse(r.stdout);
    expect(data.errors).toBeGreaterThan(10);
    expect(data.issues[0]).toMatchObject({ file: expect.any(String), line: expect.any(Number), column: expect.any(Number), code: expect.any(String) });
  });

  it('reports a missing path as a located error, not a crash', async () => {
    const r = await runCli(['lint', 'no-such-folder'], { cwd: invalidDir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('no-such-folder:1:1 PATH_NOT_FOUND');
  });
});

describe('real-world documents', () => {
  const corpus = join(shared, 'corpus');
  it.skipIf(!existsSync(corpus))('lints every corpus file with warnings or located errors, never a crash', async () => {
    const files = readdirSync(corpus).filter((f) => f.endsWith('.md'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const r = await runCli(['lint', join(corpus, f)], { cwd: repo });
      expect([0, 2]).toContain(r.code);
      expect(r.stderr).not.toContain('internal error');
      for (const line of r.stdout.trim().split('\n').filter(Boolean)) expect(line).toMatch(/^\S+:\d+:\d+ [A-Z_]+ /);
    }
  });

  it.skipIf(!existsSync(join(shared, 'seeds')))('parses the seed SOP-0013 front matter fields unchanged', async () => {
    const seed = readdirSync(join(shared, 'seeds')).map((f) => join(shared, 'seeds', f)).find((p) => readFileSync(p, 'utf8').includes('document_id: "SOP-0013"'))!;
    const { dir, cleanup } = makeTempDir();
    try {
      writeTree(dir, { 'sops/SOP-0013.md': readFileSync(seed) });
      const lint = await runCli(['lint'], { cwd: dir });
      expect(lint.code).toBe(0);
      const docs = await runCli(['docs', '--json'], { cwd: dir, now: new Date('2026-11-22T00:00:00Z') });
      const [info] = JSON.parse(docs.stdout);
      // Parsed unchanged; not effective though: revision 05 names no change record (DC-09, issue 12).
      expect(info).toMatchObject({ documentId: 'SOP-0013', revision: '05', approvalDate: '2020-07-18', effectiveDate: '2020-07-18', approvers: ['github.com/bewest'], computedStatus: 'in-review', approval: 'front-matter' });
      expect(info.notes).toContain('approval recorded but not signed');
      expect(info.notes).toContain('revision 05 names no change_control: a revision after 01 is approved only with the change record that justifies it (DC-09)');
      expect(lint.stdout).toMatch(/^sops\/SOP-0013\.md:\d+:11 CHANGE_CONTROL_MISSING \(warning\) revision 05 names no change_control/m);
    } finally {
      cleanup();
    }
  });
});

describe('qualify docs', () => {
  it('lists documents with claimed and computed status as a table', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeTree(dir, {
        'qualify.yaml': 'environments: {}\n',
        'sops/SOP-0001-a.md': '---\ndocument_id: SOP-0001\ntitle: Alpha\nrevision: "02"\nstatus: effective\napprovers: [quinn]\napproval_date: 2026-01-02\neffective_date: 2026-01-05\nchange_control: CC-1\n---\nx\n',
        'sops/SOP-0002-b.md': '---\ndocument_id: SOP-0002\ntitle: Beta\nrevision: "01"\nstatus: approved\napprovers: [quinn]\napproval_date: 2026-11-01\neffective_date: 2026-12-01\n---\nx\n',
        'sops/SOP-0003-c.md': '---\ndocument_id: SOP-0003\ntitle: Gamma\nrevision: "01"\nstatus: draft\n---\nx\n',
      });
      const r = await runCli(['docs'], { cwd: join(dir, 'sops'), now: new Date('2026-11-22T10:00:00Z') });
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toMatch(/^ID\s+REV\s+TITLE\s+CLAIMED\s+COMPUTED/);
      expect(lines.find((l) => l.startsWith('SOP-0001'))).toMatch(/02\s+Alpha\s+effective\s+effective\s+front-matter\s+2026-01-02\s+2026-01-05/);
      expect(lines.find((l) => l.startsWith('SOP-0002'))).toMatch(/approved\s+approved\s+front-matter/);
      expect(lines.find((l) => l.startsWith('SOP-0003'))).toMatch(/draft\s+draft\s+none/);
      expect(r.stdout).toContain('SOP-0002 rev 01: approval recorded but not signed; not effective before 2026-12-01');
    } finally {
      cleanup();
    }
  });
});

describe('defects found tried as a new user would (issue 9)', () => {
  const SOP = (id: string, eol = '\n') => ['---', `document_id: ${id}`, 'title: Line endings', 'revision: "01"', 'status: draft', 'training_required: true', '---', '# Purpose', '', 'Text.', ''].join(eol);

  it('12: a CRLF document lints as valid as its LF twin (no "found text \\"draft\\"")', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeTree(dir, { 'qualify.yaml': '', 'sops/SOP-0001.md': SOP('SOP-0001', '\r\n'), 'sops/SOP-0002.md': SOP('SOP-0002') });
      const r = await runCli(['lint'], { cwd: dir });
      expect(r.stdout).toBe('');
      expect(r.code).toBe(0);
    } finally {
      cleanup();
    }
  });

  it('13: a step that depends on itself, or steps that wait for each other, are located lint errors', async () => {
    const { dir, cleanup } = makeTempDir();
    const check = (id: string, deps: string) => ['```check', `id: ${id}`, 'type: manual', 'instruction: Look.', 'expect: { observation: ok }', `depends_on: ${deps}`, '```', ''].join('\n');
    try {
      writeTree(dir, {
        'qualify.yaml': '',
        'protocols/QP-0001.md': ['---', 'document_id: QP-0001', 'title: Cycles', 'revision: "01"', 'status: draft', '---', '### IQ-01 Self', '', check('A', 'A'), '### IQ-02 Pair', '', check('B', 'C'), check('C', '[B]'), '### IQ-03 Through a case', '', check('D', 'IQ-04'), '### IQ-04 Back', '', check('E', 'IQ-03'), '### IQ-05 Fine', '', check('F', 'B'), ''].join('\n'),
      });
      const r = await runCli(['lint'], { cwd: dir });
      expect(r.code).toBe(2);
      const cycles = r.stdout.split('\n').filter((l) => l.includes('CHECK_DEPENDS_CYCLE'));
      expect(cycles.map((l) => l.split(' ')[0])).toEqual(['protocols/QP-0001.md:14:1', 'protocols/QP-0001.md:24:1', 'protocols/QP-0001.md:32:1', 'protocols/QP-0001.md:42:1', 'protocols/QP-0001.md:52:1']);
      expect(cycles[0]).toContain('step A depends on itself');
      expect(cycles[1]).toContain('(B, C wait for each other)');
      expect(r.stdout).not.toMatch(/QP-0001.md:6\d:1 CHECK_DEPENDS_CYCLE/); // F depends on B without a cycle
    } finally {
      cleanup();
    }
  });

  it('14: YAML anchors, aliases and merge keys in a document are located errors, as the docs say', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeTree(dir, { 'qualify.yaml': 'defaults: &d { environment: null }\n', 'sops/SOP-0001.md': '---\ndocument_id: SOP-0001\ntitle: &t Anchored\nrevision: "01"\nstatus: draft\ndescription: *t\n---\nx\n' });
      const r = await runCli(['lint'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stdout).toContain('sops/SOP-0001.md:3:8 FRONT_MATTER_INVALID YAML anchor "&t" is not allowed in a controlled document');
      expect(r.stdout).toContain('sops/SOP-0001.md:6:14 FRONT_MATTER_INVALID YAML alias "*t" is not allowed');
      const docs = readFileSync(join(repo, 'docs/writing-protocols.md'), 'utf8');
      expect(docs).toMatch(/anchor \(`&name`\), an alias \(`\*name`\) or a merge\s+key \(`<<:`\) is a lint error/);
    } finally {
      cleanup();
    }
  });

  it('15: a FIFO, a folder or a link named *.md is reported; a FIFO never blocks; a link out of the repository is not followed', async () => {
    const { dir, cleanup } = makeTempDir();
    const outside = makeTempDir();
    try {
      writeTree(dir, { 'qualify.yaml': '', 'sops/SOP-0001.md': SOP('SOP-0001'), 'sops/folder.md/SOP-0002.md': SOP('SOP-0002') });
      writeTree(outside.dir, { 'SOP-0009.md': SOP('SOP-0009') });
      execFileSync('mkfifo', [join(dir, 'sops/pipe.md')]);
      symlinkSync(join(outside.dir, 'SOP-0009.md'), join(dir, 'sops/out.md'));
      symlinkSync('missing.md', join(dir, 'sops/broken.md'));
      const r = await runCli(['lint'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stdout).toContain('sops/pipe.md:1:1 FILE_NOT_REGULAR is a FIFO (named pipe), not a file');
      expect(r.stdout).toContain('sops/folder.md:1:1 PATH_IS_FOLDER (warning) is a folder named like a Markdown file');
      expect(r.stdout).toContain('sops/out.md:1:1 SYMLINK_OUTSIDE_REPOSITORY is a symbolic link to');
      expect(r.stdout).toContain('sops/broken.md:1:1 SYMLINK_BROKEN');
      expect(r.stdout.split('\n').filter((l) => l.startsWith('sops/out.md'))).toHaveLength(1); // its target is never read
      const direct = await runCli(['lint', 'sops/pipe.md'], { cwd: dir });
      expect(direct.code).toBe(2);
      expect(direct.stdout).toContain('FILE_NOT_REGULAR');
      const verify = await runCli(['verify', 'sops/pipe.md'], { cwd: dir });
      expect(verify.code).toBe(2);
      expect(verify.stderr).toContain('it is a FIFO (named pipe), not a regular file');
      const verifyOut = await runCli(['verify', 'sops/out.md'], { cwd: dir });
      expect(verifyOut.code).toBe(2);
      expect(verifyOut.stderr).toContain('DOCUMENT_OUTSIDE_REPOSITORY');
    } finally {
      cleanup();
      outside.cleanup();
    }
  });
});

describe('fan-out in protocols (issue 11): targets and each: replica are validated where written', () => {
  it('accepts the forms of the docs and locates every misuse', async () => {
    const { dir, cleanup } = makeTempDir();
    const block = (yaml: string) => ['```check', yaml, '```', ''].join('\n');
    const lines = [
      '---', 'document_id: QP-0001', 'title: Fleet', 'revision: "01"', 'status: draft', '---',
      '### IQ-01 Good', '',
      '```case\ntargets: [eu-1, eu-2]\n```', '',
      block('type: container.image\neach: replica\nlabel: app=orders\nexpect: { digest: "sha256:0" }'),
      block('type: container.running\neach: replica\nservice: orders\ntargets: all\nexpect: { state: running }'),
      block('type: service.running\nservice: orders\ntargets: managers'),
      block('type: container.running\nlabel: app=orders\nexpect: { replicas: 3 }'),
      block('type: command\neach: replica\nname: "orders-*"\nargv: ["true"]\nexpect: { exit_code: 0 }'),
      '### IQ-02 Bad', '',
      block('type: container.image\ntargets: eu 1\ncontainer: web\nexpect: { digest: "sha256:0" }'),
      block('type: container.image\ntargets: [eu-1, eu-1]\ncontainer: web\nexpect: { digest: "sha256:0" }'),
      block('type: http.get\nurl: http://127.0.0.1/\ntargets: all'),
      block('type: container.image\neach: replicas\nlabel: a=b\nexpect: { digest: "sha256:0" }'),
      block('type: container.image\neach: replica\nexpect: { digest: "sha256:0" }'),
      block('type: container.image\neach: replica\nlabel: a=b\nname: web\nexpect: { digest: "sha256:0" }'),
      block('type: container.image\neach: replica\nlabel: a=b\ncontainer: web\nexpect: { digest: "sha256:0" }'),
      block('type: service.image\neach: replica\nservice: orders\nexpect: { digest: "sha256:0" }'),
      block('id: IQ-02@x\ntype: container.image\ncontainer: web\nexpect: { digest: "sha256:0" }'),
      block('type: command\nargv: ["true"]\ntargets: all\nexpect: { exit_code: 0 }'),
      '',
    ];
    try {
      writeTree(dir, { 'qualify.yaml': '', 'protocols/QP-0001.md': lines.join('\n') });
      const r = await runCli(['lint'], { cwd: dir });
      expect(r.code).toBe(2);
      const issues = r.stdout.trim().split('\n').filter((l) => / (CHECK|CASE)_[A-Z_]+ /.test(l));
      const at = (code: string) => issues.filter((l) => l.includes(` ${code} `)).map((l) => l.split(' ')[0]);
      // Nothing in IQ-01 (lines 7-48) is a problem.
      expect(issues.filter((l) => Number(l.split(':')[1]) < 49)).toEqual([]);
      expect(at('CHECK_TARGETS_INVALID')).toEqual(['protocols/QP-0001.md:52:1', 'protocols/QP-0001.md:59:1', 'protocols/QP-0001.md:67:1', 'protocols/QP-0001.md:116:1']);
      expect(at('CHECK_EACH_INVALID')).toEqual(['protocols/QP-0001.md:72:1', 'protocols/QP-0001.md:79:1', 'protocols/QP-0001.md:85:1', 'protocols/QP-0001.md:95:1', 'protocols/QP-0001.md:101:1']);
      expect(at('CHECK_PARAM_REQUIRED')).toEqual([]);
      expect(at('CHECK_ID_INVALID')).toEqual(['protocols/QP-0001.md:107:1']);
      expect(r.stdout).toContain('"targets" must be all, managers, or a list of target names of qualify.yaml such as [eu-1, eu-2]; found text "eu 1"');
      expect(r.stdout).toContain('"targets" names "eu-1" twice');
      expect(r.stdout).toContain('http.get observes from this machine, not on a target');
      expect(r.stdout).toContain('"each" must be replica');
      expect(r.stdout).toContain('"each: replica" needs exactly one selector: label (key=value), name (a container name, * and ? as wildcards) or service (a Swarm or Compose service); found none');
      expect(r.stdout).toContain('found label, name');
      expect(r.stdout).toContain('"container" and "each: replica" exclude each other');
      expect(r.stdout).toContain('"each: replica" applies to checks of one container (service.image takes no "container"); a service check observes every task of the service already');
      expect(r.stdout).toContain('step id "IQ-02@x" must not contain "@", "/" or spaces');
      expect(r.stdout).toContain('command without "container" observes from this machine');
    } finally {
      cleanup();
    }
  });
});
