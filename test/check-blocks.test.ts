// The invariant, protocol half: the steps a run executes are exactly checkBlocks(tree), the root-level
// `check` code nodes of the one mdast tree, in document order (the PDF half, in the PDF's tests,
// prints exactly checkBlocks(tree)). Proved on generated documents whose answer is known by
// construction, on hand-written hard cases, and on every Markdown file of the repository, the shared
// corpus and the seeds (../shared is absent in plain clones: then that part is skipped).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Code, Root } from 'mdast';
import { visitParents } from 'unist-util-visit-parents';
import { checkBlocks } from '../src/markdown/check-blocks.js';
import { parseMarkdown } from '../src/markdown/parse.js';
import { parseDocument } from '../src/documents/document.js';
import { parseProtocol } from '../src/documents/protocol.js';
import { assertPlanFromCheckBlocks, planRun } from '../src/runner/plan.js';
import { expandReplicas } from '../src/runner/fanout.js';
import { loadCatalog } from '../src/cli/repo.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const shared = join(repo, '../shared');
const blocksDir = join(repo, 'test/fixtures/blocks');

const typeOf = (code: Code) => /type: (\S+)/.exec(code.value)?.[1] ?? null;

/** Every `check` code node of the tree with whether its parent is the root: an oracle that walks all nodes. */
function allCheckCode(tree: Root): Array<{ node: Code; root: boolean }> {
  const out: Array<{ node: Code; root: boolean }> = [];
  visitParents(tree, 'code', (node, ancestors) => {
    if ((node as Code).lang === 'check') out.push({ node: node as Code, root: ancestors.length === 1 });
  });
  return out;
}

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((e) => e !== 'node_modules' && e !== 'dist' && !e.startsWith('.')).flatMap((e) => {
    const path = join(dir, e);
    const st = statSync(path);
    return st.isDirectory() ? markdownFiles(path) : st.isFile() && /\.(md|txt)$/.test(e) ? [path] : [];
  });
}

describe('checkBlocks on generated documents (answer known by construction)', () => {
  const expected = JSON.parse(readFileSync(join(blocksDir, 'generated.json'), 'utf8')) as Record<string, string[]>;

  it.each(Object.keys(expected))('%s', (name) => {
    const text = readFileSync(join(blocksDir, name), 'utf8');
    const tree = parseMarkdown(text);
    const found = checkBlocks(tree);
    expect(found.map(typeOf)).toEqual(expected[name]);
    // The generator's other fences are where it says: nested ones inside a container, none-ones not code.
    const everywhere = allCheckCode(tree);
    for (const { node, root } of everywhere) {
      const type = typeOf(node)!;
      if (type.startsWith('nested.')) expect(root, `${name}: ${type}`).toBe(false);
      expect(type.startsWith('none.'), `${name}: ${type} is a code block`).toBe(false);
    }
    const nested = (text.match(/type: nested\.\d+/g) ?? []).map((t) => t.slice(6));
    expect(everywhere.filter((e) => !e.root).map((e) => typeOf(e.node))).toEqual(nested);
  });

  it('covers the tricky structures: lists, quotes, HTML, tildes, long fences, indented code, #####Notes:, CRLF, tabs', () => {
    const all = Object.keys(expected).map((n) => readFileSync(join(blocksDir, n), 'utf8')).join('\n');
    for (const marker of ['\n- item', '\n1. item', '\n> ', '<div>', '<!--', '~~~', '````', '\n    ```', '#####Notes:', '\r\n', '\t```check', '[^n]:']) {
      expect(all, marker).toContain(marker);
    }
  });
});

describe('checkBlocks on the hand-written hard cases', () => {
  /** Lines of the root-level check fences, as CommonMark + GFM (micromark) reads each file. */
  const EXPECTED: Record<string, number[]> = {
    'bom.md': [3],
    'containers.md': [24, 35, 44, 73],
    'cr.md': [5],
    'crlf.md': [3, 12],
    'fences.md': [1, 5, 11, 20, 24, 31, 43, 51, 62, 66, 70, 75, 88, 92],
    'headings.md': [],
    // 6, not 7: a fence inside an HTML comment, a <div> or a CDATA section is no check block.
    'html.md': [8, 20, 27, 40, 54, 65],
  };

  it.each(Object.keys(EXPECTED))('%s', (name) => {
    const text = readFileSync(join(blocksDir, name), 'utf8').replace(/^\uFEFF/, '');
    const tree = parseMarkdown(text);
    expect(checkBlocks(tree).map((b) => b.position!.start.line)).toEqual(EXPECTED[name]);
    expect(checkBlocks(tree)).toEqual(allCheckCode(tree).filter((e) => e.root).map((e) => e.node));
  });

  it('lists every hand-written fixture', () => {
    const files = readdirSync(blocksDir).filter((f) => f.endsWith('.md') && !f.startsWith('generated-'));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });
});

describe('the steps a run executes are exactly checkBlocks(tree), or the protocol cannot run', () => {
  const files = [
    ...['sops', 'protocols', 'templates', 'docs', 'examples', 'test/fixtures', 'README.md'].flatMap((d) => {
      const p = join(repo, d);
      return existsSync(p) && statSync(p).isFile() ? [p] : markdownFiles(p);
    }),
    ...markdownFiles(join(shared, 'corpus')),
    ...markdownFiles(join(shared, 'seeds')),
  ];

  it('finds the repository\'s Markdown (and the shared corpus when present)', () => {
    expect(files.length).toBeGreaterThan(40);
    if (existsSync(shared)) expect(files.some((f) => f.includes('inforlife-qualification'))).toBe(true);
  });

  it('on every file read as a protocol', async () => {
    const catalog = await loadCatalog();
    let runnable = 0;
    for (const file of files) {
      const name = relative(repo, file);
      const parsed = parseDocument(readFileSync(file), name, { folderType: 'protocol' });
      if (!parsed.document) continue;
      const { protocol, issues } = parseProtocol(parsed.document, catalog);
      const blocks = checkBlocks(protocol.tree).map((b) => b.position!.start);
      const steps = protocol.cases.flatMap((c) => c.checks.map((s) => s.position));
      const errors = [...parsed.issues, ...issues].filter((i) => i.severity === 'error');
      if (errors.length > 0) continue; // the run refuses an invalid protocol (exit 2): nothing executes
      runnable++;
      expect(steps, name).toEqual(blocks.map((p) => ({ line: p.line, column: p.column })));
      expect(() => planRun(protocol, { scope: { run: { id: 'r', started: 's' } } })).not.toThrow();
    }
    expect(runnable).toBeGreaterThan(0);
  });

  it('the shipped protocol runs each of its check blocks, in order', async () => {
    const file = join(repo, 'protocols/QP-0001-deployment-qualification.md');
    const { document } = parseDocument(readFileSync(file), 'protocols/QP-0001.md', { folderType: 'protocol' });
    const { protocol } = parseProtocol(document!, await loadCatalog());
    const fences = readFileSync(file, 'utf8').split('\n').flatMap((l, i) => (l === '```check' ? [i + 1] : []));
    expect(protocol.cases.flatMap((c) => c.checks.map((s) => s.position.line))).toEqual(fences);
    expect(checkBlocks(protocol.tree).map((b) => b.position!.start.line)).toEqual(fences);
  });

  it('a fan-out over targets and replicas runs each check block of the tree, every step from exactly one block', async () => {
    const text = '---\ndocument_id: QP-9\ntitle: t\nrevision: "01"\nstatus: draft\n---\n### IQ-01 A\n\n```check\ntype: container.image\neach: replica\nlabel: app=web\nexpect: { digest: "sha256:0" }\n```\n\n```check\ntype: http.get\nurl: http://127.0.0.1/\n```\n\n```check\ntype: container.running\ncontainer: web\ntargets: [b]\n```\n';
    const { document } = parseDocument(text, 'p.md', { folderType: 'protocol' });
    const catalog = await loadCatalog();
    const { protocol, issues } = parseProtocol(document!, catalog);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    const targets = [{ name: 'a', named: true }, { name: 'b', named: true }];
    const planned = planRun(protocol, { scope: { run: { id: 'r', started: 's' } }, targets, types: catalog.types });
    const web = (name: string) => ({ name, id: name, labels: { app: 'web' } });
    const plan = await expandReplicas(protocol, planned, async (t) => ({ endpoint: t, takenAt: 't', images: {}, containers: (t === 'a' ? [web('web-1'), web('web-2')] : [web('web-1')]) as never }));
    expect(plan.steps.map((s) => s.id)).toEqual(['IQ-01.1@a/web-1', 'IQ-01.1@a/web-2', 'IQ-01.1@b/web-1', 'IQ-01.2', 'IQ-01.3@b']);
    // The blocks the steps derive from are the tree's check blocks, in order.
    const derived = [...new Set(plan.steps.map((s) => s.spec.position.line))];
    expect(derived).toEqual(checkBlocks(protocol.tree).map((b) => b.position!.start.line));
    // A plan that lost a block's steps, or whose steps no longer follow the document, is refused.
    expect(() => assertPlanFromCheckBlocks(protocol, plan.steps.filter((s) => s.checkId !== 'IQ-01.2'))).toThrow(/STEPS_NOT_CHECK_BLOCKS|are not the check blocks/);
    expect(() => assertPlanFromCheckBlocks(protocol, [plan.steps[3]!, ...plan.steps.filter((_, i) => i !== 3)])).toThrow(/are not the check blocks/);
  });

  it('the runner refuses a protocol whose steps are not its check blocks', async () => {
    const text = '---\ndocument_id: QP-9\ntitle: t\nrevision: "01"\nstatus: draft\n---\n### IQ-01 A\n\n```check\ntype: manual\ninstruction: look\nexpect: { answer: ok }\n```\n\n```check\ntype: manual\ninstruction: again\nexpect: { answer: ok }\n```\n';
    const { document } = parseDocument(text, 'p.md', { folderType: 'protocol' });
    const { protocol, issues } = parseProtocol(document!, await loadCatalog());
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(planRun(protocol, { scope: { run: { id: 'r', started: 's' } } }).steps.map((s) => s.spec.position.line)).toEqual([9, 15]);
    const dropped = { ...protocol, cases: protocol.cases.map((c) => ({ ...c, checks: c.checks.slice(1) })) };
    expect(() => planRun(dropped, { scope: { run: { id: 'r', started: 's' } } })).toThrow(/STEPS_NOT_CHECK_BLOCKS|are not the check blocks/);
  });
});
