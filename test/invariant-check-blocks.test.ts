// The invariant of issue 10, PDF half: the check blocks the protocol PDF prints are exactly the
// root-level `code` nodes with lang `check` of parseMarkdown's tree, in the same order (the runner
// executes those). Checked on every Markdown file of the repository, ../shared/corpus and
// ../shared/seeds (when present: CI clones do not have them) and on generated documents with tricky
// structure. What the PDF prints is taken twice: from the layouter (the code blocks it typeset, with
// the label it gave them) and from the PDF itself (pdftotext: the labels, then each block's lines).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import matter from 'gray-matter';
import type { Code, Root } from 'mdast';
import { afterAll, describe, expect, test } from 'vitest';
import { parseMarkdown } from '../src/markdown/parse.js';
import { renderMarkdownToPdf, type PdfDocumentMeta, type TypesetCode } from '../src/pdf/index.js';
import { pdftotext, savePdf, squash } from './helpers/pdf-tools.js';
import { mulberry32 } from './helpers/random.js';
import { makeTempDir } from './helpers/tmp.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// CI has shared/ beside the clone; a git worktree one level deeper finds it one folder further up.
const SHARED = [resolve(REPO, '..', 'shared'), resolve(REPO, '..', '..', 'shared')].find((p) => existsSync(join(p, 'corpus')));
const SKIP = new Set(['node_modules', 'dist', '.git', 'coverage', 'reports', 'demo-workspace', '.scratch']);

function markdownFiles(dir: string, pattern = /\.md$/i): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...markdownFiles(p, pattern));
    else if (st.isFile() && pattern.test(name)) out.push(p);
  }
  return out;
}

/** The body of a file: front matter cut off by gray-matter, never evaluated (every engine reads nothing). */
function body(text: string): string {
  const none = (): object => ({});
  try {
    return matter(text, { engines: { yaml: none, json: none, toml: none, js: none, javascript: none, coffee: none, coffeescript: none, cson: none } } as never).content;
  } catch {
    return text;
  }
}

// ---- generated documents ------------------------------------------------------------------

const FRAGMENTS: string[] = [
  '```check\ntype: plain.backticks\n```',
  '~~~check\ntype: plain.tildes\n~~~',
  '`````check\n```\ntype: long.fence.holds.short\n```\n`````',
  '~~~~check\n~~~\ntype: long.tildes\n~~~~',
  '```check title="x"\ntype: with.meta\n```',
  '``` check\ntype: space.before.lang\n```',
  '```case\nid: IQ-01\n```',
  '- item\n\n  ```check\n  type: in.list.item\n  ```',
  '1. item\n   ```check\n   type: in.ordered.item\n   ```',
  '-\n\n  ```check\n  type: blank.start.item\n  ```',
  '> ```check\n> type: in.quote\n> ```',
  '> quote\n```check\ntype: after.lazy.quote\n```',
  '    ```check\n    type: indented.code.not.fence\n    ```',
  '   ```check\n   type: indented.three\n   ```',
  '<!--\n```check\ntype: in.comment\n```\n-->',
  '<!-- one line --> after\n```check\ntype: after.comment.line\n```',
  '<div>\n```check\ntype: in.html.block\n```\n</div>',
  '<div>\n\n```check\ntype: after.blank.ends.html\n```\n\n</div>',
  '<details><summary>More</summary>\n\n```check\ntype: in.details\n```\n\n</details>',
  '<table><tr><td>cell</td></tr></table>',
  '<pre><code class="language-check">type: html.pre.code</code></pre>',
  '#####Notes:\n```check\ntype: after.notes\n```',
  '#####Notes:',
  '##### Notes:',
  'Setext\n======',
  'para\n```check\ntype: interrupts.paragraph\n```',
  '```check\ntype: unclosed.at.end',
  '```check\n```',
  '```\nno lang\n```',
  '```checks\ntype: other.lang\n```',
  '| a | b |\n|---|---|\n| `x` | y |',
  '[^1]: note with\n\n    ```check\n    type: in.footnote\n    ```',
  'Text with <span>inline html</span> and `code`.',
  '***',
  '\t```check\n\ttype: tab.indented\n\t```',
];

/** Deterministic documents made of 3–9 fragments each, some with CRLF line endings or a BOM. */
function generated(count: number): Array<{ name: string; text: string }> {
  const rnd = mulberry32(20261010);
  const out: Array<{ name: string; text: string }> = FRAGMENTS.map((f, i) => ({ name: `fragment-${i}`, text: `# Fragment ${i}\n\n${f}\n` }));
  for (let k = 0; k < count; k++) {
    const parts: string[] = [];
    for (let n = 3 + Math.floor(rnd() * 7); n > 0; n--) parts.push(FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)]!);
    // Fragments glued with one or two line endings: some join into one block, as in hand-edited files.
    let text = parts.reduce((acc, p) => `${acc}${rnd() < 0.3 ? '\n' : '\n\n'}${p}`, `# Generated ${k}`) + '\n';
    if (k % 3 === 1) text = text.replace(/\n/g, '\r\n');
    if (k % 7 === 2) text = `\uFEFF${text}`;
    out.push({ name: `generated-${k}${k % 3 === 1 ? '-crlf' : ''}`, text });
  }
  return out;
}

// ---- the invariant ---------------------------------------------------------------------------

const meta: PdfDocumentMeta = { documentId: 'QP-0001', title: 'Invariant', revision: '01', status: 'effective', kind: 'protocol', created: '2026-10-10' };

/** What the runner executes: root-level code nodes with lang `check`, in document order. */
const rootChecks = (tree: Root): Code[] => tree.children.filter((n): n is Code => n.type === 'code' && n.lang === 'check');

const tmp = makeTempDir('qualify-invariant-');
afterAll(() => tmp.cleanup());

async function assertInvariant(name: string, text: string): Promise<void> {
  const tree = parseMarkdown(body(text));
  const want = rootChecks(tree).map((c) => c.value);
  let typeset: readonly TypesetCode[] = [];
  const pdf = await renderMarkdownToPdf(tree, meta, { onTypeset: (t) => (typeset = t.code) });
  // The layouter: the blocks it labelled as executable checks are exactly those.
  expect(typeset.filter((c) => c.label === 'check').map((c) => c.value), name).toEqual(want);
  // The PDF: one "CHECK · executable step" label per check block, and each block's lines after it, in order.
  const path = savePdf(tmp.dir, `${name.replace(/[^\w.-]+/g, '_')}.pdf`, pdf);
  const raw = pdftotext(path, '-raw');
  expect(raw.split('\n').filter((l) => l.trim() === 'CHECK · executable step').length, name).toBe(want.length);
  const all = squash(raw);
  let at = 0;
  for (const value of want) {
    at = all.indexOf(squash('CHECK · executable step'), at);
    expect(at, name).toBeGreaterThanOrEqual(0);
    for (const line of value.split(/\r?\n|\r/).map(squash).filter(Boolean)) {
      const next = all.indexOf(line, at);
      expect(next, `${name}: "${line}" printed after its label`).toBeGreaterThanOrEqual(0);
      at = next + line.length;
    }
  }
}

describe('the check blocks the PDF prints are the root-level check blocks of the tree', () => {
  const repoFiles = markdownFiles(REPO);
  test('the repository has Markdown files to check', () => {
    expect(repoFiles.length).toBeGreaterThan(20);
  });

  test.each(repoFiles.map((f) => [relative(REPO, f), f]))('repository: %s', async (name, file) => {
    await assertInvariant(name, readFileSync(file, 'utf8'));
  });

  const shared = SHARED ? [...markdownFiles(join(SHARED, 'corpus')), ...(existsSync(join(SHARED, 'seeds')) ? markdownFiles(join(SHARED, 'seeds'), /\.(md|txt)$/i) : [])] : [];
  test.skipIf(!SHARED).each(shared.map((f) => [relative(SHARED ?? '', f), f]))('shared: %s', async (name, file) => {
    await assertInvariant(name, readFileSync(file, 'utf8'));
  });

  const docs = generated(60);
  test('the generated set covers nested, hidden and executable check blocks', () => {
    let root = 0;
    let nested = 0;
    for (const d of docs) {
      const tree = parseMarkdown(body(d.text));
      root += rootChecks(tree).length;
      let all = 0;
      const walk = (n: { type: string; lang?: string | null; children?: unknown[] }): void => {
        if (n.type === 'code' && n.lang === 'check') all++;
        for (const c of (n.children ?? []) as Array<typeof n>) walk(c);
      };
      walk(tree);
      nested += all - rootChecks(tree).length;
    }
    expect(root).toBeGreaterThan(50);
    expect(nested).toBeGreaterThan(20);
  });

  test.each(docs.map((d) => [d.name, d.text]))('generated: %s', async (name, text) => {
    await assertInvariant(name, text);
  });
});
if (!SHARED) console.log('invariant: ../shared is absent; the shared corpus and seeds are skipped');
