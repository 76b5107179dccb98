// remark-stringify writes Markdown: `qualify fmt` (idempotent, meaning preserved, check blocks byte for
// byte, --check for CI) and `qualify revise` (the next revision, every other byte kept) on the shipped
// SOPs and protocol, the shared corpus (mdn_qms SOPs) and the seeds.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Root } from 'mdast';
import { formatDocument, normalise } from '../src/markdown/format.js';
import { nextRevision, reviseDocument } from '../src/markdown/revise.js';
import { parseFrontMatter } from '../src/markdown/front-matter.js';
import { parseMarkdown } from '../src/markdown/parse.js';
import { runCli } from './helpers/cli.js';
import { makeTempDir, writeTree } from './helpers/tmp.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const shared = join(repo, '../shared');
const corpus = join(shared, 'corpus');

const shipped = [
  ...readdirSync(join(repo, 'sops')).map((f) => join(repo, 'sops', f)),
  ...readdirSync(join(repo, 'protocols')).map((f) => join(repo, 'protocols', f)),
];
const sharedFiles = existsSync(shared)
  ? [...readdirSync(corpus).map((f) => join(corpus, f)), ...readdirSync(join(shared, 'seeds')).map((f) => join(shared, 'seeds', f))].filter((f) => statSync(f).isFile())
  : [];
const mdnSops = sharedFiles.filter((f) => /mdn_qms-(SOP|PD)_/.test(f));

/** Front matter data and body tree of a document's text. */
function read(text: string): { data: Record<string, unknown>; tree: Root; source: string } {
  const fm = parseFrontMatter(text.replace(/^\uFEFF/, ''), 'x.md');
  return { data: fm.data, tree: parseMarkdown(fm.body, { line: fm.bodyStartLine, offset: fm.bodyOffset }), source: text.replace(/^\uFEFF/, '') };
}

/** The source text of every root-level check/case block, line endings as LF. */
function protocolBlockSources(doc: { tree: Root; source: string }): string[] {
  const out: string[] = [];
  for (const node of doc.tree.children) {
    if (node.type === 'code' && (node.lang === 'check' || node.lang === 'case')) out.push(doc.source.slice(node.position!.start.offset, node.position!.end.offset).replace(/\r\n/g, '\n'));
  }
  return out;
}

describe('qualify fmt: formatDocument', () => {
  const files = [...shipped, ...sharedFiles, join(repo, 'README.md'), join(repo, 'docs/writing-protocols.md')];

  it.each(files.map((f) => [basename(f), f]))('%s: fmt twice = fmt once, same meaning, check blocks byte for byte', (_, file) => {
    const original = readFileSync(file, 'utf8');
    const once = formatDocument(original, file);
    expect(once.issues).toEqual([]);
    const twice = formatDocument(once.text, file);
    expect(twice.issues).toEqual([]);
    expect(twice.changed).toBe(false);
    expect(twice.text).toBe(once.text);

    const before = read(original);
    const after = read(once.text);
    expect(after.data).toEqual(before.data);
    expect(normalise(after.tree.children)).toEqual(normalise(before.tree.children));
    expect(protocolBlockSources(after)).toEqual(protocolBlockSources(before));
  });

  it('normalises the front matter key order, list and emphasis markers and tables', () => {
    const text = '---\nstatus: draft\nrevision: "01"\n# the id\ndocument_id: SOP-1\ncustom: kept last\ntitle: T\n---\n# T\n\n* one\n* two\n\n_emphasis_ and __strong__\n\nA | B\n---|:-:\nx | y\n\n~~~check\ntype: manual\n~~~\n';
    const { text: out, changed, issues } = formatDocument(text, 'x.md');
    expect(issues).toEqual([]);
    expect(changed).toBe(true);
    expect(out).toBe('---\n# the id\ndocument_id: SOP-1\ntitle: T\nrevision: "01"\nstatus: draft\ncustom: kept last\n---\n\n# T\n\n- one\n- two\n\n*emphasis* and **strong**\n\n| A | B |\n| - | :-: |\n| x | y |\n\n~~~check\ntype: manual\n~~~\n');
  });

  it('leaves a document whose front matter is broken as it is, with the located error', () => {
    const r = formatDocument('---\ntitle: [x\n---\nBody\n', 'x.md');
    expect(r.changed).toBe(false);
    expect(r.issues[0]).toMatchObject({ code: 'FRONT_MATTER_INVALID', line: 2 });
  });

  it('refuses rather than change what a document says (a case remark cannot write back)', () => {
    const text = readFileSync(join(repo, 'test/fixtures/blocks/headings.md'), 'utf8');
    const r = formatDocument(text, 'headings.md');
    expect(r.changed).toBe(false);
    expect(r.text).toBe(text);
    expect(r.issues[0]).toMatchObject({ code: 'FMT_WOULD_CHANGE_CONTENT', line: 58 });
  });
});

describe('qualify fmt (CLI)', () => {
  const DRAFT = '---\nstatus: draft\ndocument_id: SOP-0001\ntitle: A draft\nrevision: "01"\n---\n# Purpose\n\n* one\n* two\n';

  it('--check exits 1 and writes nothing; fmt writes; --check then exits 0; approved documents are left alone', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const approved = readFileSync(join(repo, 'sops/SOP-0101-docker-release-and-operations.md'), 'utf8');
      writeTree(dir, { 'qualify.yaml': '', 'sops/SOP-0001.md': DRAFT, 'sops/SOP-0101.md': approved });
      const check = await runCli(['fmt', '--check'], { cwd: dir });
      expect(check.code).toBe(1);
      expect(check.stdout).toBe('would reformat sops/SOP-0001.md\n');
      expect(check.stderr).toContain('sops/SOP-0101.md: left as it is: it claims status effective');
      expect(readFileSync(join(dir, 'sops/SOP-0001.md'), 'utf8')).toBe(DRAFT);

      const fmt = await runCli(['fmt'], { cwd: dir });
      expect(fmt.code).toBe(0);
      expect(fmt.stdout).toBe('formatted sops/SOP-0001.md\n');
      expect(readFileSync(join(dir, 'sops/SOP-0001.md'), 'utf8')).toBe('---\ndocument_id: SOP-0001\ntitle: A draft\nrevision: "01"\nstatus: draft\n---\n\n# Purpose\n\n- one\n- two\n');
      expect(readFileSync(join(dir, 'sops/SOP-0101.md'), 'utf8')).toBe(approved);

      const again = await runCli(['fmt', '--check', 'sops'], { cwd: dir });
      expect(again.code).toBe(0);
      expect(again.stdout).toBe('');
      expect((await runCli(['lint'], { cwd: dir })).code).toBe(0);
    } finally {
      cleanup();
    }
  });

  it('exits 2 on a file it cannot format, naming file:line:col', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      writeTree(dir, { 'qualify.yaml': '', 'sops/bad.md': '---\nstatus: draft\ntitle: [x\n---\nBody\n' });
      const r = await runCli(['fmt', '--check'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/^sops\/bad\.md:3:\d+ FRONT_MATTER_INVALID /m);
    } finally {
      cleanup();
    }
  });
});

describe('qualify revise', () => {
  it.each([
    ['05', '06'], ['9', '10'], ['099', '100'], ['R1', 'R2'], ['1.2', '1.3'], ['B', 'C'], ['Z', null], ['final', null],
  ])('counts revision %j up to %j', (from, to) => {
    expect(nextRevision(from)).toBe(to);
  });

  /** Lines of `text` without those revise may change: the front matter fields it edits, the history it adds. */
  const untouched = (text: string, addedRows: RegExp) =>
    text.replace(/\s+$/, '').split(/\r?\n/).filter((l) => !/^(revision|status|approval_date|effective_date|change_control):/.test(l) && !addedRows.test(l) && l !== '## Revision history' && l !== '| Revision | Effective date | Author | Change | Change control |' && l !== '|---|---|---|---|---|');

  const documents = [...shipped, ...mdnSops];
  it.each(documents.map((f) => [basename(f), f]))('%s: the next revision, lint clean, differing only where intended', async (name, file) => {
    const { dir, cleanup } = makeTempDir();
    try {
      const original = readFileSync(file, 'utf8');
      const folder = name.startsWith('QP-') ? 'protocols' : 'sops';
      writeTree(dir, { 'qualify.yaml': '', [`${folder}/${name}`]: original });
      const r = await runCli(['revise', `${folder}/${name}`, '--change-control', 'CC-2026-044', '--summary', 'Clarified the procedure', '--author', 'avery'], { cwd: dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const revised = readFileSync(join(dir, folder, name), 'utf8');
      const before = read(original).data;
      const after = read(revised).data;
      const next = nextRevision(String(before.revision))!;
      expect(after).toEqual({ ...Object.fromEntries(Object.entries(before).filter(([k]) => k !== 'approval_date' && k !== 'effective_date')), revision: next, status: 'draft', change_control: 'CC-2026-044' });
      const row = new RegExp(`^\\| ${next} \\| \\| avery \\| Clarified the procedure \\| CC-2026-044 \\|$`);
      expect(revised.split('\n').filter((l) => row.test(l))).toHaveLength(1);
      // Everything outside the front matter's edited lines and the new row (or the new section at the
      // end, when the document had no history) is byte for byte the same.
      const added = /\n## Revision history\r?\n/.test(original) ? -1 : revised.lastIndexOf('\n## Revision history\n');
      expect(untouched(added === -1 ? revised : revised.slice(0, added), row)).toEqual(untouched(original, row));
      const lint = await runCli(['lint', `${folder}/${name}`], { cwd: dir });
      expect(lint.stdout.split('\n').filter((l) => / [A-Z_]+ (?!\(warning\))/.test(l) && !l.includes('(warning)'))).toEqual([]);
      expect(lint.code).toBe(0);
      const docs = await runCli(['docs', '--json'], { cwd: dir });
      expect(JSON.parse(docs.stdout)[0]).toMatchObject({ revision: next, claimedStatus: 'draft', computedStatus: 'draft' });
    } finally {
      cleanup();
    }
  });

  it('keeps CRLF, a BOM, comments and quoting; writes a history section when there is none', () => {
    const text = '\ufeff---\r\ndocument_id: SOP-0042 # the id\r\ntitle: T\r\nrevision: \'R9\'\r\nstatus: effective\r\napprovers: [quinn]\r\napproval_date: 2026-01-01 # signed\r\neffective_date: 2026-01-02\r\n---\r\n# T\r\n\r\n## 1. Purpose\r\n\r\nText.\r\n';
    const r = reviseDocument(text, 'x.md', { changeControl: 'CC-7' });
    expect(r.issues).toEqual([]);
    expect(r.text).toBe('\ufeff---\r\ndocument_id: SOP-0042 # the id\r\ntitle: T\r\nrevision: \'R10\'\r\nstatus: draft\r\napprovers: [quinn]\r\nchange_control: CC-7\r\n---\r\n# T\r\n\r\n## 1. Purpose\r\n\r\nText.\r\n\r\n## Revision history\r\n\r\n| Revision | Effective date | Author | Change | Change control |\r\n|---|---|---|---|---|\r\n| R10 | | | | CC-7 |\r\n');
  });

  it('finds the history table by its heading, not a "Change record" section, and matches its pipes', () => {
    const text = '---\ndocument_id: SOP-1\ntitle: T\nrevision: "1"\nstatus: approved\napproval_date: 2026-01-01\n---\n## Change record\n\n| Revision | Change |\n|---|---|\n| x | y |\n\n## Document History\n\nRev | Date | Description | CR\n---|---|---|---\n1 | 2026-01-01 | First | CC-1\n\n## Annex\n';
    const r = reviseDocument(text, 'x.md', { changeControl: 'CC-2', summary: 'Second' });
    expect(r.historyHeading).toBe('Document History');
    expect(r.text).toContain('1 | 2026-01-01 | First | CC-1\n2 | | Second | CC-2\n\n## Annex\n');
    expect(r.text).toContain('| x | y |\n\n## Document History');
  });

  it('refuses a draft, a document without front matter, a missing change control', async () => {
    expect(reviseDocument('---\ndocument_id: S-1\ntitle: T\nrevision: "01"\nstatus: draft\n---\nx\n', 'x.md', { changeControl: 'CC-1' }).issues[0]!.message).toContain('status is "draft"');
    expect(reviseDocument('# No front matter\n', 'x.md', { changeControl: 'CC-1' }).issues[0]!.code).toBe('REVISE_REFUSED');
    const { dir, cleanup } = makeTempDir();
    try {
      writeFileSync(join(dir, 'qualify.yaml'), '');
      writeFileSync(join(dir, 'a.md'), '---\ndocument_id: S-1\ntitle: T\nrevision: "01"\nstatus: effective\napproval_date: 2026-01-01\neffective_date: 2026-01-01\napprovers: [q]\n---\nx\n');
      const r = await runCli(['revise', 'a.md'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--change-control is required');
      const draft = await runCli(['revise', 'a.md', '--change-control', 'CC-1'], { cwd: dir });
      expect(draft.code).toBe(0);
      const twice = await runCli(['revise', 'a.md', '--change-control', 'CC-2'], { cwd: dir });
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain('a.md:5:9 REVISE_REFUSED status is "draft"');
    } finally {
      cleanup();
    }
  });
});
