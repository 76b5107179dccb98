// Block Markdown (CommonMark + GFM tables, task items, footnotes) → Block[].
// Line-oriented and recursive: containers (quotes, list items) collect their lines, strip their markers
// and parse the result again. Lenient where real documents are sloppy (`#####Notes:` is a heading;
// an HTML <table> keeps going across blank lines until </table>).
import type { Align, Block, Inline, ListItem } from './ast.js';
import { normalizeLabel, parseInline, type LinkRefs } from './parse-inline.js';

const FENCE_RE = /^(`{3,}|~{3,})[ \t]*([^ \t]*)[ \t]*(.*)$/;
const ATX_RE = /^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const ATX_LENIENT_RE = /^(#{2,6})([^#\s].*?)(?:[ \t]+#+)?[ \t]*$/;
const HR_RE = /^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const BULLET_RE = /^([-+*])([ \t]+|$)/;
const ORDERED_RE = /^(\d{1,9})([.)])([ \t]+|$)/;
const HTML_BLOCK_TAGS = new Set(
  'address article aside base basefont blockquote body caption center col colgroup dd details dialog dir div dl dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html iframe legend li link main menu menuitem nav noframes ol optgroup option p param section source summary table tbody td tfoot th thead title tr track ul pre script style textarea'.split(' '),
);
const HTML_OPEN_RE = /^<\/?([A-Za-z][A-Za-z0-9-]*)(?:[\s/>]|$)/;
const HTML_LONE_TAG_RE = /^(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*\/?>|<\/[A-Za-z][A-Za-z0-9-]*\s*>)\s*$/;
const REF_DEF_RE = /^ {0,3}\[([^\]^][^\]]*)\]:[ \t]*<?([^\s>]+)>?(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*$/;
const FOOTNOTE_RE = /^ {0,3}\[\^([^\]\s]+)\]:[ \t]?(.*)$/;
const TABLE_DELIM_RE = /^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

interface Ctx {
  refs: LinkRefs;
  /** Inline parsing is deferred until every link reference definition is known. */
  pending: Array<() => void>;
}

/** Parses a Markdown document (without front matter) into blocks. */
export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').replace(/\u0000/g, '\ufffd').split('\n').map(expandTabs);
  const ctx: Ctx = { refs: new Map(), pending: [] };
  const blocks = parseLines(lines, ctx);
  for (const run of ctx.pending) run();
  return blocks;
}

function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) {
    if (ch === '\t') out += ' '.repeat(4 - (out.length % 4));
    else out += ch;
  }
  return out;
}

function indentOf(line: string): number {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

const isBlank = (line: string): boolean => line.trim() === '';

function inline(ctx: Ctx, raw: string): Inline[] {
  const target: Inline[] = [];
  ctx.pending.push(() => {
    target.push(...parseInline(raw, ctx.refs));
  });
  return target;
}

/** Does `line` (already relative to its container) start a block that may interrupt a paragraph? */
function interruptsParagraph(line: string): boolean {
  const ind = indentOf(line);
  if (ind >= 4) return false;
  const t = line.slice(ind);
  if (t === '') return true;
  const c = t[0]!;
  if (c === '>' ) return true;
  if (c === '#' && (ATX_RE.test(t) || ATX_LENIENT_RE.test(t))) return true;
  if ((c === '`' || c === '~') && FENCE_RE.test(t) && !(c === '`' && /`/.test(t.replace(/^`+/, '')))) return true;
  if ((c === '-' || c === '*' || c === '_') && HR_RE.test(t)) return true;
  if ((c === '-' || c === '+' || c === '*') && /^[-+*][ \t]+\S/.test(t)) return true;
  if (/^1[.)][ \t]+\S/.test(t)) return true;
  if (c === '<') {
    const m = HTML_OPEN_RE.exec(t);
    if ((m && HTML_BLOCK_TAGS.has(m[1]!.toLowerCase())) || t.startsWith('<!--')) return true;
  }
  return false;
}

interface ListMarker {
  ordered: boolean;
  bullet: string; // '-', '+', '*', '.' or ')'
  start: number;
  /** Columns from the line start to the item's content. */
  contentOffset: number;
  /** First line of content. */
  first: string;
}

function listMarker(line: string): ListMarker | null {
  const ind = indentOf(line);
  if (ind >= 4) return null;
  const t = line.slice(ind);
  let m = BULLET_RE.exec(t);
  let ordered = false;
  let start = 1;
  let markerLen: number;
  let spaces: string;
  let bullet: string;
  if (m) {
    if (HR_RE.test(t)) return null;
    bullet = m[1]!;
    markerLen = 1;
    spaces = m[2]!;
  } else {
    m = ORDERED_RE.exec(t);
    if (!m) return null;
    ordered = true;
    start = parseInt(m[1]!, 10);
    bullet = m[2]!;
    markerLen = m[1]!.length + 1;
    spaces = m[3]!;
  }
  const rest = t.slice(markerLen + spaces.length);
  let pad = spaces.length;
  if (rest === '' || pad > 4) pad = Math.min(pad, 1) || 1;
  const contentOffset = ind + markerLen + pad;
  const first = rest === '' ? '' : line.slice(contentOffset).replace(/^ +/, (s) => s) ;
  return { ordered, bullet, start, contentOffset, first: spaces.length > 4 ? ' '.repeat(spaces.length - 1) + rest : rest };
}

function splitRow(line: string): string[] {
  let t = line.trim();
  if (t.startsWith('|')) t = t.slice(1);
  if (t.endsWith('|') && !t.endsWith('\\|')) t = t.slice(0, -1);
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < t.length; i++) {
    const ch = t[i]!;
    if (ch === '\\' && t[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (ch === '|') {
      cells.push(cur.trim());
      cur = '';
    } else {
      cur += ch;
    }
  }
  cells.push(cur.trim());
  return cells;
}

function parseLines(lines: string[], ctx: Ctx): Block[] {
  const out: Block[] = [];
  let i = 0;
  const n = lines.length;
  while (i < n) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const ind = indentOf(line);
    // Indented code block.
    if (ind >= 4) {
      const buf: string[] = [];
      while (i < n && (isBlank(lines[i]!) || indentOf(lines[i]!) >= 4)) {
        buf.push(lines[i]!.slice(Math.min(4, indentOf(lines[i]!))));
        i++;
      }
      while (buf.length && isBlank(buf[buf.length - 1]!)) buf.pop();
      out.push({ type: 'code', lang: null, meta: null, value: buf.join('\n') });
      continue;
    }
    const t = line.slice(ind);
    const c = t[0]!;

    // Fenced code block.
    if (c === '`' || c === '~') {
      const m = FENCE_RE.exec(t);
      if (m && !(c === '`' && (m[2]! + m[3]!).includes('`'))) {
        const fence = m[1]!;
        const buf: string[] = [];
        i++;
        while (i < n) {
          const l = lines[i]!;
          const li = indentOf(l);
          const lt = l.slice(li);
          if (li < 4 && lt.startsWith(fence[0]!.repeat(fence.length)) && new RegExp(`^\\${fence[0]}+[ \\t]*$`).test(lt)) {
            i++;
            break;
          }
          buf.push(l.slice(Math.min(ind, li)));
          i++;
        }
        out.push({ type: 'code', lang: m[2] || null, meta: m[3] || null, value: buf.join('\n') });
        continue;
      }
    }

    // ATX heading (and the lenient `#####Notes:` form).
    if (c === '#') {
      const m = ATX_RE.exec(t) ?? ATX_LENIENT_RE.exec(t);
      if (m) {
        out.push({ type: 'heading', depth: m[1]!.length, children: inline(ctx, (m[2] ?? '').trim()) });
        i++;
        continue;
      }
    }

    // Thematic break.
    if ((c === '-' || c === '*' || c === '_') && HR_RE.test(t)) {
      out.push({ type: 'thematicBreak' });
      i++;
      continue;
    }

    // Block quote: marked lines plus lazy paragraph continuations.
    if (c === '>') {
      const buf: string[] = [];
      let lazyOk = false;
      while (i < n) {
        const l = lines[i]!;
        const li = indentOf(l);
        if (li < 4 && l[li] === '>') {
          let rest = l.slice(li + 1);
          if (rest.startsWith(' ')) rest = rest.slice(1);
          buf.push(rest);
          lazyOk = !isBlank(rest) && indentOf(rest) < 4 && !/^(`{3,}|~{3,})/.test(rest.trim());
          i++;
        } else if (lazyOk && !isBlank(l) && !interruptsParagraph(l) && !listMarker(l)) {
          buf.push(l);
          i++;
        } else {
          break;
        }
      }
      out.push({ type: 'blockquote', children: parseLines(buf, ctx) });
      continue;
    }

    // Lists.
    const marker = listMarker(line);
    if (marker) {
      const list = parseList(lines, i, marker, ctx);
      out.push(list.block);
      i = list.next;
      continue;
    }

    // HTML block.
    if (c === '<') {
      const m = HTML_OPEN_RE.exec(t);
      const known = m && HTML_BLOCK_TAGS.has(m[1]!.toLowerCase());
      if (t.startsWith('<!--') || known || HTML_LONE_TAG_RE.test(t)) {
        const buf: string[] = [];
        const tag = m?.[1]?.toLowerCase();
        const untilClose = t.startsWith('<!--') ? '-->' : tag && ['table', 'pre', 'script', 'style', 'textarea'].includes(tag) && !t.startsWith('</') ? `</${tag}>` : null;
        while (i < n) {
          const l = lines[i]!;
          if (!untilClose && isBlank(l)) break;
          buf.push(l);
          i++;
          if (untilClose && l.toLowerCase().includes(untilClose)) break;
        }
        out.push({ type: 'html', value: buf.join('\n') });
        continue;
      }
    }

    // Footnote definition.
    const fn = FOOTNOTE_RE.exec(line);
    if (fn) {
      const buf = [fn[2]!];
      i++;
      while (i < n && (isBlank(lines[i]!) ? i + 1 < n && indentOf(lines[i + 1]!) >= 4 : indentOf(lines[i]!) >= 4)) {
        buf.push(lines[i]!.slice(Math.min(4, indentOf(lines[i]!))));
        i++;
      }
      out.push({ type: 'footnoteDefinition', label: fn[1]!, children: parseLines(buf, ctx) });
      continue;
    }

    // Link reference definition.
    const ref = REF_DEF_RE.exec(line);
    if (ref) {
      const key = normalizeLabel(ref[1]!);
      if (!ctx.refs.has(key)) ctx.refs.set(key, ref[2]!);
      i++;
      continue;
    }

    // GFM table: a header row followed by a delimiter row with as many cells.
    if (t.includes('|') && i + 1 < n && TABLE_DELIM_RE.test(lines[i + 1]!.trim()) && lines[i + 1]!.includes('-')) {
      const header = splitRow(t);
      const delims = splitRow(lines[i + 1]!);
      if (header.length === delims.length) {
        const align: Align[] = delims.map((d) => {
          const l = d.startsWith(':');
          const r = d.endsWith(':');
          return l && r ? 'center' : r ? 'right' : l ? 'left' : null;
        });
        const rows: Inline[][][] = [header.map((h) => inline(ctx, h))];
        i += 2;
        while (i < n && !isBlank(lines[i]!) && !(interruptsParagraph(lines[i]!) && !lines[i]!.trim().startsWith('|'))) {
          const cells = splitRow(lines[i]!);
          const row: Inline[][] = [];
          for (let k = 0; k < header.length; k++) row.push(inline(ctx, cells[k] ?? ''));
          rows.push(row);
          i++;
        }
        out.push({ type: 'table', align, rows });
        continue;
      }
    }

    // Paragraph (possibly a setext heading).
    const buf: string[] = [t];
    i++;
    let setext = 0;
    while (i < n) {
      const l = lines[i]!;
      if (isBlank(l)) break;
      const lt = l.trim();
      if (indentOf(l) < 4 && /^=+$/.test(lt)) {
        setext = 1;
        i++;
        break;
      }
      if (indentOf(l) < 4 && /^-+$/.test(lt)) {
        setext = 2;
        i++;
        break;
      }
      if (interruptsParagraph(l)) break;
      buf.push(l.replace(/^ +/, ''));
      i++;
    }
    const raw = buf.join('\n').replace(/[ \t]+$/, '');
    if (setext) out.push({ type: 'heading', depth: setext, children: inline(ctx, raw) });
    else out.push({ type: 'paragraph', children: inline(ctx, raw) });
  }
  return out;
}

function sameKind(a: ListMarker, b: ListMarker): boolean {
  return a.ordered === b.ordered && a.bullet === b.bullet;
}

function parseList(lines: string[], start: number, first: ListMarker, ctx: Ctx): { block: Block; next: number } {
  const items: ListItem[] = [];
  let tight = true;
  let i = start;
  const n = lines.length;
  let marker: ListMarker | null = first;
  const baseIndent = indentOf(lines[start]!);
  while (marker && i < n) {
    const off = marker.contentOffset;
    const buf: string[] = [marker.first];
    i++;
    let lastBlank = marker.first === '';
    let sawBlankInside = false;
    let inFence: string | null = /^(`{3,}|~{3,})/.exec(marker.first.trim())?.[1] ?? null;
    while (i < n) {
      const l = lines[i]!;
      if (isBlank(l)) {
        // The item goes on only if later content is indented into it.
        let k = i + 1;
        while (k < n && isBlank(lines[k]!)) k++;
        if (k < n && indentOf(lines[k]!) >= off) {
          for (let j = i; j < k; j++) buf.push('');
          if (!inFence) sawBlankInside = true;
          i = k;
          lastBlank = true;
          continue;
        }
        break;
      }
      const li = indentOf(l);
      if (li >= off) {
        const content = l.slice(off);
        buf.push(content);
        const f = /^(`{3,}|~{3,})/.exec(content.trim());
        if (f) inFence = inFence ? (content.trim().startsWith(inFence) ? null : inFence) : f[1]!;
        lastBlank = false;
        i++;
        continue;
      }
      // Lazy continuation of a paragraph inside the item.
      if (!lastBlank && !inFence && !interruptsParagraph(l) && !listMarker(l)) {
        buf.push(l.trimStart());
        i++;
        continue;
      }
      break;
    }
    let checked: boolean | null = null;
    const task = /^\[([ xX])\][ \t]+/.exec(buf[0]!);
    if (task) {
      checked = task[1] !== ' ';
      buf[0] = buf[0]!.slice(task[0].length);
    }
    if (sawBlankInside && buf.filter((b) => b !== '').length > 1) tight = false;
    items.push({ checked, children: parseLines(buf, ctx) });
    // Next item of the same list?
    let k = i;
    let blankBetween = false;
    while (k < n && isBlank(lines[k]!)) {
      k++;
      blankBetween = true;
    }
    if (k >= n) {
      i = k;
      break;
    }
    const next = listMarker(lines[k]!);
    if (next && sameKind(next, first) && indentOf(lines[k]!) < off && indentOf(lines[k]!) >= Math.max(0, baseIndent - 3)) {
      if (blankBetween) tight = false;
      i = k;
      marker = next;
    } else {
      marker = null;
    }
  }
  return { block: { type: 'list', ordered: first.ordered, start: first.start, tight, items }, next: i };
}
