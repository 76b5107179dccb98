// qualify lint / docs end to end on fixture files, the shared corpus and the seeds.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
      expect(info).toMatchObject({ documentId: 'SOP-0013', revision: '05', approvalDate: '2020-07-18', effectiveDate: '2020-07-18', approvers: ['github.com/bewest'], computedStatus: 'effective', approval: 'front-matter' });
      expect(info.notes).toContain('approval recorded but not signed');
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
        'sops/SOP-0001-a.md': '---\ndocument_id: SOP-0001\ntitle: Alpha\nrevision: "02"\nstatus: effective\napprovers: [quinn]\napproval_date: 2026-01-02\neffective_date: 2026-01-05\n---\nx\n',
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
