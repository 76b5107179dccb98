// The engine's warm-up (src/pdf/prepare.ts) leaves no trace in the documents typeset after it: what it
// keeps (parsed faces, shaped runs, fallback fonts) gives the same bytes as a cold engine. This file's
// first render runs on a cold engine (vitest gives each test file its own module state).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { parseMarkdown } from '../src/markdown/parse.js';
import { renderMarkdownToPdf, warmUpEngine, type PdfDocumentMeta } from '../src/pdf/index.js';

const FIX = fileURLToPath(new URL('./fixtures/render/', import.meta.url));
const fixture = (name: string): string => readFileSync(join(FIX, name), 'utf8');
const meta: PdfDocumentMeta = { documentId: 'SOP-0042', title: 'Warm and cold', revision: '03', status: 'effective', kind: 'sop', approvers: ['quinn'], approvalDate: '2026-01-10', effectiveDate: '2026-01-15', created: '2026-01-10' };

describe('warmUpEngine', () => {
  test('documents typeset after the warm-up are byte-identical to those of a cold engine', async () => {
    const docs = ['unicode.md', 'scripts.md', 'wide-table.md', 'html-tables.md'].map((f) => fixture(f));
    const cold: Uint8Array[] = [];
    for (const md of docs) cold.push(await renderMarkdownToPdf(parseMarkdown(md), meta));
    await warmUpEngine();
    for (const [i, md] of docs.entries()) expect(Buffer.from(await renderMarkdownToPdf(parseMarkdown(md), meta)).equals(Buffer.from(cold[i]!))).toBe(true);
  }, 120_000);

  test('stops as soon as what the caller waits for has come', async () => {
    const asked: boolean[] = [];
    await warmUpEngine(() => (asked.push(false), false));
    expect(asked).toHaveLength(1);
    let n = 0;
    await warmUpEngine(() => ++n < 2);
    expect(n).toBe(2);
    n = 0;
    await warmUpEngine(() => (++n, true));
    expect(n).toBe(2);
    // What comes through the event loop meanwhile (a worker's message) is seen at the first question.
    let come = false;
    setImmediate(() => (come = true));
    n = 0;
    await warmUpEngine(() => (++n, !come));
    expect(n).toBe(1);
  }, 60_000);
});
