import { describe, expect, it } from 'vitest';
import { parseMarkdown } from '../../markdown/parse.js';
import { markdownToHast } from './markdown-to-hast.js';
import { serializeHtml } from './serialize.js';

const html = (md: string, options = {}) => serializeHtml(markdownToHast(parseMarkdown(md), options));

describe('markdownToHast: the document tree as sanitized HTML', () => {
  it('renders GFM: headings, lists, tables, code, emphasis', () => {
    const out = html('# Purpose\n\nText with **bold** and `code`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```sh\necho hi\n```\n');
    expect(out).toContain('<h1 id="purpose">Purpose</h1>');
    expect(out).toContain('<strong>bold</strong>');
    expect(out).toContain('<li>one</li>');
    expect(out).toContain('<table>');
    expect(out).toContain('<td>2</td>');
    expect(out).toContain('<code class="language-sh">echo hi\n</code>');
  });

  it('removes scripts, event handlers, styles and javascript: URLs written in a document', () => {
    const md = [
      '<script>alert(1)</script>',
      '',
      '<img src="x" onerror="alert(2)">',
      '',
      '<div style="position:fixed" onclick="alert(3)">box</div>',
      '',
      '[click](javascript:alert(4)) <a href="javascript:alert(5)">x</a>',
      '',
      '<iframe src="https://example.invalid"></iframe><style>body{display:none}</style>',
      '',
      '<details><summary>More</summary>kept <sub>2</sub></details>',
    ].join('\n');
    const out = html(md);
    expect(out).not.toMatch(/<script|onerror|onclick|style=|javascript:|<iframe|<style/i);
    expect(out).toContain('<details><summary>More</summary>kept <sub>2</sub></details>');
    expect(out).toContain('box');
  });

  it('escapes text: angle brackets in prose and code stay text', () => {
    const out = html('A value `<b>x</b>` and 1 < 2 & "quotes".\n\n```\n</pre><script>bad()</script>\n```\n');
    expect(out).toContain('<code>&#x3C;b>x&#x3C;/b></code>');
    expect(out).toContain('&#x3C;/pre>&#x3C;script>bad()&#x3C;/script>');
    expect(out).not.toContain('<script>');
  });

  it('anchors test case headings by their id and labels check and case blocks', () => {
    const out = html('### IQ-02 The running image\n\n```case\nrequirements: [URS-04]\n```\n\n```check\ntype: container.image\n```\n\n## IQ-02 again\n');
    expect(out).toContain('<h3 id="IQ-02">IQ-02 The running image</h3>');
    expect(out).toContain('<h2 id="IQ-02-2">');
    expect(out).toContain('<figure class="block block-case"><figcaption>Test case data (requirements, risk, stage)</figcaption><pre><code class="language-case">');
    expect(out).toContain('<figure class="block block-check"><figcaption>Executable check (read by qualify run)</figcaption>');
  });

  it('loads no image by itself: images become text unless the resolver maps them into the site', () => {
    expect(html('![diagram](https://example.invalid/d.png)')).toContain('<span class="image-omitted">[image not included: diagram]</span>');
    const mapped = html('![diagram](img/d.png) [other](SOP-2.md) [web](https://example.invalid/)', { resolveUrl: (u: string, kind: string) => (kind === 'image' ? `../files/${u}` : u.endsWith('.md') ? null : u) });
    expect(mapped).toContain('<img src="../files/img/d.png" alt="diagram" loading="lazy">');
    expect(mapped).toContain('<a>other</a>');
    expect(mapped).toContain('<a href="https://example.invalid/">web</a>');
  });

  it('moves headings under a page section (topHeading) and never changes the tree it is given', () => {
    const tree = parseMarkdown('# Title\n\n## Part\n\n###### Deep\n');
    const before = JSON.stringify(tree);
    const out = serializeHtml(markdownToHast(tree, { topHeading: 3 }));
    expect(out).toContain('<h3 id="title">Title</h3>');
    expect(out).toContain('<h4 id="part">Part</h4>');
    expect(out).toContain('<h6 id="deep">Deep</h6>');
    expect(JSON.stringify(tree)).toBe(before);
  });
});
