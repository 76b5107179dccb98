// Raw HTML blocks degrade to readable content instead of failing: <table> markup (common in SOPs
// converted from Word) becomes a real table; anything else becomes paragraphs of its text.
import type { Block, Inline } from './ast.js';
import { decodeEntities } from './entities.js';

const TOKEN_RE = /<!--[\s\S]*?-->|<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|[^<]+|</g;
const BLOCK_BREAK = new Set(['p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'section', 'article', 'blockquote', 'pre', 'dt', 'dd']);

interface Tok {
  tag: string | null;
  closing: boolean;
  text: string;
  attrs: string;
}

function tokens(html: string): Tok[] {
  const out: Tok[] = [];
  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN_RE.exec(html))) {
    if (m[0].startsWith('<!--')) continue;
    if (m[2]) out.push({ tag: m[2].toLowerCase(), closing: m[1] === '/', text: m[0], attrs: m[3] ?? '' });
    else out.push({ tag: null, closing: false, text: m[0], attrs: '' });
  }
  return out;
}

/** Collects inline content from tokens (bold/italic/code/links kept, <br> and paragraphs as breaks). */
class InlineBuilder {
  private stack: Inline[][] = [[]];
  private kinds: string[] = [];
  get root(): Inline[] {
    return this.stack[0]!;
  }
  private get cur(): Inline[] {
    return this.stack[this.stack.length - 1]!;
  }
  text(t: string): void {
    const v = decodeEntities(t.replace(/\s+/g, ' '));
    if (!v) return;
    const last = this.cur[this.cur.length - 1];
    if (last && last.type === 'text') last.value += v;
    else this.cur.push({ type: 'text', value: v });
  }
  brk(): void {
    if (this.isEmpty()) return;
    this.trimEnd();
    this.cur.push({ type: 'break' });
  }
  open(tag: string, attrs: string): void {
    let node: Inline | null = null;
    if (tag === 'b' || tag === 'strong') node = { type: 'strong', children: [] };
    else if (tag === 'i' || tag === 'em') node = { type: 'emphasis', children: [] };
    else if (tag === 'u' || tag === 'ins') node = { type: 'underline', children: [] };
    else if (tag === 's' || tag === 'del' || tag === 'strike') node = { type: 'delete', children: [] };
    else if (tag === 'a') {
      const href = /href\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(attrs);
      node = href ? { type: 'link', url: href[1] ?? href[2]!, children: [] } : null;
    }
    if (!node) return;
    this.cur.push(node);
    this.stack.push((node as { children: Inline[] }).children);
    this.kinds.push(tag);
  }
  close(tag: string): void {
    const i = this.kinds.lastIndexOf(tag);
    if (i < 0) return;
    this.kinds.length = i;
    this.stack.length = i + 1;
  }
  code(t: string): void {
    this.cur.push({ type: 'inlineCode', value: decodeEntities(t) });
  }
  isEmpty(): boolean {
    const walk = (l: Inline[]): boolean => l.every((n) => (n.type === 'text' ? n.value.trim() === '' : n.type === 'break' ? true : 'children' in n ? walk(n.children) : false));
    return walk(this.root);
  }
  trimEnd(): void {
    const last = this.cur[this.cur.length - 1];
    if (last && last.type === 'text') last.value = last.value.replace(/\s+$/, '');
  }
  finish(): Inline[] {
    const trim = (l: Inline[]): void => {
      while (l.length && l[l.length - 1]!.type === 'break') l.pop();
      const first = l[0];
      if (first && first.type === 'text') first.value = first.value.replace(/^\s+/, '');
      const last = l[l.length - 1];
      if (last && last.type === 'text') last.value = last.value.replace(/\s+$/, '');
    };
    trim(this.root);
    return this.root;
  }
}

/** Converts one raw HTML block to blocks a reader can follow. */
export function htmlToBlocks(html: string): Block[] {
  const toks = tokens(html);
  const out: Block[] = [];
  let para = new InlineBuilder();
  const endPara = (): void => {
    if (!para.isEmpty()) out.push({ type: 'paragraph', children: para.finish() });
    para = new InlineBuilder();
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.tag === 'table' && !t.closing) {
      endPara();
      const end = findClose(toks, i, 'table');
      out.push(tableFrom(toks.slice(i + 1, end)));
      i = end;
      continue;
    }
    if (t.tag === null) para.text(t.text);
    else if (t.tag === 'br') para.brk();
    else if (t.tag === 'li' && !t.closing) {
      endPara();
      para.text('• ');
    } else if (BLOCK_BREAK.has(t.tag)) endPara();
    else if (t.tag === 'img') {
      const src = /src\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(t.attrs);
      const alt = /alt\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(t.attrs);
      if (src) {
        endPara();
        out.push({ type: 'paragraph', children: [{ type: 'image', url: src[1] ?? src[2]!, alt: decodeEntities(alt?.[1] ?? alt?.[2] ?? '') }] });
      }
    } else if (t.tag === 'code' && !t.closing) {
      const end = findClose(toks, i, 'code');
      para.code(toks.slice(i + 1, end).map((x) => (x.tag ? '' : x.text)).join(''));
      i = end;
    } else if (t.closing) para.close(t.tag);
    else para.open(t.tag, t.attrs);
  }
  endPara();
  return out;
}

function findClose(toks: Tok[], from: number, tag: string): number {
  let depth = 0;
  for (let j = from; j < toks.length; j++) {
    const t = toks[j]!;
    if (t.tag !== tag) continue;
    if (!t.closing) depth++;
    else if (--depth === 0) return j;
  }
  return toks.length;
}

function tableFrom(toks: Tok[]): Block {
  const rows: Array<{ header: boolean; cells: Inline[][] }> = [];
  let inHead = false;
  let row: { header: boolean; cells: Inline[][] } | null = null;
  let cell: InlineBuilder | null = null;
  const endCell = (): void => {
    if (cell && row) row.cells.push(cell.finish());
    cell = null;
  };
  const endRow = (): void => {
    endCell();
    if (row && row.cells.length) rows.push(row);
    row = null;
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.tag === 'thead') inHead = !t.closing;
    else if (t.tag === 'tr') {
      endRow();
      if (!t.closing) row = { header: inHead, cells: [] };
    } else if (t.tag === 'td' || t.tag === 'th') {
      endCell();
      if (!t.closing) {
        if (!row) row = { header: inHead, cells: [] };
        if (t.tag === 'th' && row.cells.length === 0 && rows.length === 0) row.header = true;
        cell = new InlineBuilder();
      }
    } else if (t.tag === 'table' && !t.closing) {
      // A nested table: flatten its text into the current cell.
      const end = findClose(toks, i - 0, 'table');
      cell?.text(toks.slice(i + 1, end).map((x) => (x.tag ? ' ' : x.text)).join(''));
      i = end;
    } else if (cell) {
      const c: InlineBuilder = cell;
      if (t.tag === null) c.text(t.text);
      else if (t.tag === 'br') c.brk();
      else if (t.tag === 'p' || t.tag === 'div' || t.tag === 'li') {
        if (!t.closing) c.brk();
      } else if (t.closing) c.close(t.tag);
      else c.open(t.tag, t.attrs);
    }
  }
  endRow();
  const width = Math.max(1, ...rows.map((r) => r.cells.length));
  const pad = (cells: Inline[][]): Inline[][] => [...cells, ...Array.from({ length: width - cells.length }, () => [] as Inline[])];
  const hasHeader = rows.length > 0 && rows[0]!.header;
  return {
    type: 'table',
    align: Array.from({ length: width }, () => null),
    rows: rows.map((r) => pad(r.cells)),
    noHeader: !hasHeader,
  } as Block;
}

