// Inline Markdown (CommonMark + GFM strikethrough and autolink literals) → Inline[].
// Hand-written for speed: the engine parses every page of a record on each render.
import type { Inline } from './ast.js';
import { decodeEntity } from './entities.js';

export type LinkRefs = Map<string, string>;

interface Delim {
  type: 'delim';
  char: string;
  count: number;
  orig: number;
  canOpen: boolean;
  canClose: boolean;
}
interface Bracket {
  type: 'bracket';
  image: boolean;
  active: boolean;
}
type Node = Inline | Delim | Bracket;

const PUNCT = /[!-/:-@[-`{-~\p{P}\p{S}]/u;
const WS = /\s/u;
const ESCAPABLE = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function isPunct(c: string): boolean {
  return c !== '' && PUNCT.test(c);
}
function isWs(c: string): boolean {
  return c === '' || WS.test(c);
}

/** Normalises a link label for reference lookup. */
export function normalizeLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

const AUTOLINK_RE = /^<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/;
const EMAIL_RE = /^<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>/;
const HTML_TAG_RE = /^(?:<\/?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*\/?>|<!--[\s\S]*?-->)/;
const ENTITY_RE = /^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/;
const LITERAL_URL_RE = /^(?:https?:\/\/|www\.)[^\s<]*/;

/** Parses inline Markdown. */
export function parseInline(src: string, refs: LinkRefs = new Map()): Inline[] {
  const nodes: Node[] = [];
  let text = '';
  const flush = (): void => {
    if (text) {
      nodes.push({ type: 'text', value: text });
      text = '';
    }
  };
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src[i]!;
    switch (c) {
      case '\\': {
        const d = src[i + 1];
        if (d === '\n') {
          flush();
          nodes.push({ type: 'break' });
          i += 2;
          while (src[i] === ' ') i++;
          continue;
        }
        if (d !== undefined && ESCAPABLE.includes(d)) {
          text += d;
          i += 2;
          continue;
        }
        text += c;
        i++;
        continue;
      }
      case '`': {
        let run = 1;
        while (src[i + run] === '`') run++;
        const fence = '`'.repeat(run);
        let j = i + run;
        let end = -1;
        while (true) {
          const k = src.indexOf(fence, j);
          if (k < 0) break;
          let r = fence.length;
          while (src[k + r] === '`') r++;
          if (r === run) {
            end = k;
            break;
          }
          j = k + r;
        }
        if (end < 0) {
          text += fence;
          i += run;
          continue;
        }
        let value = src.slice(i + run, end).replace(/\n/g, ' ');
        if (value.length > 2 && value.startsWith(' ') && value.endsWith(' ') && value.trim() !== '') value = value.slice(1, -1);
        flush();
        nodes.push({ type: 'inlineCode', value });
        i = end + run;
        continue;
      }
      case '*':
      case '_':
      case '~': {
        let run = 1;
        while (src[i + run] === c) run++;
        if (c === '~' && run > 2) {
          text += src.slice(i, i + run);
          i += run;
          continue;
        }
        const before = i > 0 ? src[i - 1]! : '';
        const after = i + run < n ? src[i + run]! : '';
        const leftFlanking = !isWs(after) && (!isPunct(after) || isWs(before) || isPunct(before));
        const rightFlanking = !isWs(before) && (!isPunct(before) || isWs(after) || isPunct(after));
        let canOpen = leftFlanking;
        let canClose = rightFlanking;
        if (c === '_') {
          canOpen = leftFlanking && (!rightFlanking || isPunct(before));
          canClose = rightFlanking && (!leftFlanking || isPunct(after));
        }
        flush();
        nodes.push({ type: 'delim', char: c, count: run, orig: run, canOpen, canClose });
        i += run;
        continue;
      }
      case '!':
        if (src[i + 1] === '[') {
          flush();
          nodes.push({ type: 'bracket', image: true, active: true });
          i += 2;
          continue;
        }
        text += c;
        i++;
        continue;
      case '[': {
        // GFM footnote reference: shown as [label].
        const fn = /^\[\^([^\]\s]+)\]/.exec(src.slice(i, i + 80));
        if (fn) {
          text += `[${fn[1]}]`;
          i += fn[0].length;
          continue;
        }
        flush();
        nodes.push({ type: 'bracket', image: false, active: true });
        i++;
        continue;
      }
      case ']': {
        let b = nodes.length - 1;
        while (b >= 0 && nodes[b]!.type !== 'bracket') b--;
        if (b < 0) {
          text += c;
          i++;
          continue;
        }
        const opener = nodes[b] as Bracket;
        if (!opener.active) {
          nodes.splice(b, 1);
          text += c;
          i++;
          continue;
        }
        flush();
        const target = parseLinkTarget(src, i + 1, refs, nodes.slice(b + 1));
        if (!target) {
          nodes.splice(b, 1, { type: 'text', value: opener.image ? '![' : '[' });
          text += c;
          i++;
          continue;
        }
        const inner = nodes.splice(b + 1);
        nodes.pop(); // the bracket
        const children = processEmphasis(inner);
        if (opener.image) {
          nodes.push({ type: 'image', url: target.url, alt: plain(children) });
        } else {
          nodes.push({ type: 'link', url: target.url, children });
          for (const x of nodes) if (x.type === 'bracket' && !x.image) x.active = false;
        }
        i = target.end;
        continue;
      }
      case '<': {
        const rest = src.slice(i, i + 2048);
        let m = AUTOLINK_RE.exec(rest);
        if (m) {
          flush();
          nodes.push({ type: 'link', url: m[1]!, children: [{ type: 'text', value: m[1]! }] });
          i += m[0].length;
          continue;
        }
        m = EMAIL_RE.exec(rest);
        if (m) {
          flush();
          nodes.push({ type: 'link', url: `mailto:${m[1]}`, children: [{ type: 'text', value: m[1]! }] });
          i += m[0].length;
          continue;
        }
        m = HTML_TAG_RE.exec(rest);
        if (m) {
          flush();
          nodes.push({ type: 'html', value: m[0] });
          i += m[0].length;
          continue;
        }
        text += c;
        i++;
        continue;
      }
      case '&': {
        const m = ENTITY_RE.exec(src.slice(i, i + 40));
        const decoded = m ? decodeEntity(m[1]!) : null;
        if (m && decoded !== null) {
          text += decoded;
          i += m[0].length;
          continue;
        }
        text += c;
        i++;
        continue;
      }
      case '\n': {
        // Hard break: two or more trailing spaces; else a soft break read as a space.
        const hard = / {2,}$/.test(text);
        text = text.replace(/ +$/, '');
        if (hard) {
          flush();
          nodes.push({ type: 'break' });
        } else {
          text += ' ';
        }
        i++;
        while (src[i] === ' ') i++;
        continue;
      }
      case 'h':
      case 'w': {
        const prev = i > 0 ? src[i - 1]! : ' ';
        if (/[\s(*_~]/.test(prev)) {
          const m = LITERAL_URL_RE.exec(src.slice(i, i + 2048));
          if (m && (m[0].startsWith('www.') ? m[0].length > 4 : m[0].length > 8)) {
            let url = m[0].replace(/[?!.,:*_~'"]+$/, '');
            // Keep a closing parenthesis only when balanced inside the URL.
            while (url.endsWith(')') && count(url, '(') < count(url, ')')) url = url.slice(0, -1);
            url = url.replace(/[?!.,:*_~'"]+$/, '');
            if (url.length > 4) {
              flush();
              nodes.push({ type: 'link', url: url.startsWith('www.') ? `http://${url}` : url, children: [{ type: 'text', value: url }] });
              i += url.length;
              continue;
            }
          }
        }
        text += c;
        i++;
        continue;
      }
      default: {
        // Fast path: copy a run of ordinary characters.
        let j = i + 1;
        while (j < n && !SPECIAL.has(src.charCodeAt(j))) j++;
        text += src.slice(i, j);
        i = j;
      }
    }
  }
  flush();
  // Unmatched brackets become text again.
  const out = processEmphasis(nodes.map((x) => (x.type === 'bracket' ? ({ type: 'text', value: x.image ? '![' : '[' } as Inline) : x)));
  return out;
}

const SPECIAL = new Set([...'\\`*_~![]<&\nhw'].map((c) => c.charCodeAt(0)));

function count(s: string, ch: string): number {
  let k = 0;
  for (const c of s) if (c === ch) k++;
  return k;
}

function plain(nodes: Inline[]): string {
  let s = '';
  for (const x of nodes) {
    if (x.type === 'text' || x.type === 'inlineCode') s += x.value;
    else if (x.type === 'image') s += x.alt;
    else if ('children' in x) s += plain(x.children);
  }
  return s;
}

/** After `]` at `pos`: an inline destination `(url "title")`, a full/collapsed reference, or a shortcut reference. */
function parseLinkTarget(src: string, pos: number, refs: LinkRefs, inner: Node[]): { url: string; end: number } | null {
  if (src[pos] === '(') {
    let j = pos + 1;
    while (src[j] === ' ' || src[j] === '\n') j++;
    let url = '';
    if (src[j] === '<') {
      const k = src.indexOf('>', j);
      if (k < 0) return null;
      url = src.slice(j + 1, k);
      j = k + 1;
    } else {
      let depth = 0;
      const start = j;
      while (j < src.length) {
        const ch = src[j]!;
        if (ch === '\\' && j + 1 < src.length) {
          j += 2;
          continue;
        }
        if (ch === '(') depth++;
        else if (ch === ')') {
          if (depth === 0) break;
          depth--;
        } else if (ch === ' ' || ch === '\n') break;
        j++;
      }
      url = src.slice(start, j);
    }
    while (src[j] === ' ' || src[j] === '\n') j++;
    if (src[j] === '"' || src[j] === "'" || src[j] === '(') {
      const close = src[j] === '(' ? ')' : src[j]!;
      const k = src.indexOf(close, j + 1);
      if (k < 0) return null;
      j = k + 1;
      while (src[j] === ' ' || src[j] === '\n') j++;
    }
    if (src[j] !== ')') return null;
    return { url: url.replace(/\\(.)/g, '$1'), end: j + 1 };
  }
  if (src[pos] === '[') {
    const k = src.indexOf(']', pos + 1);
    if (k > 0) {
      const label = src.slice(pos + 1, k);
      const key = normalizeLabel(label || plainNodes(inner));
      const url = refs.get(key);
      if (url !== undefined) return { url, end: k + 1 };
    }
    return null;
  }
  const url = refs.get(normalizeLabel(plainNodes(inner)));
  return url !== undefined ? { url, end: pos } : null;
}

function plainNodes(nodes: Node[]): string {
  let s = '';
  for (const x of nodes) {
    if (x.type === 'delim') s += x.char.repeat(x.count);
    else if (x.type === 'bracket') s += x.image ? '![' : '[';
    else s += plain([x]);
  }
  return s;
}

/** CommonMark's delimiter algorithm over one sequence of nodes; returns plain inlines. */
function processEmphasis(nodes: Node[]): Inline[] {
  const list = nodes.slice();
  for (let ci = 0; ci < list.length; ci++) {
    const closer = list[ci]!;
    if (closer.type !== 'delim' || !closer.canClose || closer.count === 0) continue;
    let matched = false;
    for (let oi = ci - 1; oi >= 0; oi--) {
      const opener = list[oi]!;
      if (opener.type !== 'delim' || opener.char !== closer.char || !opener.canOpen || opener.count === 0) continue;
      if (closer.char === '~') {
        if (opener.count !== closer.count) continue;
      } else if ((opener.canClose || closer.canOpen) && (opener.orig + closer.orig) % 3 === 0 && !(opener.orig % 3 === 0 && closer.orig % 3 === 0)) {
        continue;
      }
      const use = closer.char === '~' ? closer.count : closer.count >= 2 && opener.count >= 2 ? 2 : 1;
      const inner = list.slice(oi + 1, ci);
      const children = finish(inner);
      const node: Inline = { type: closer.char === '~' ? 'delete' : use === 2 ? 'strong' : 'emphasis', children };
      opener.count -= use;
      closer.count -= use;
      const replacement: Node[] = [];
      if (opener.count > 0) replacement.push(opener);
      replacement.push(node);
      if (closer.count > 0) replacement.push(closer);
      list.splice(oi, ci - oi + 1, ...replacement);
      ci = oi + (opener.count > 0 ? 1 : 0) + (closer.count > 0 ? 0 : 0);
      // Re-examine the closer if it still has delimiters left.
      ci = closer.count > 0 ? list.indexOf(closer) - 1 : list.indexOf(node);
      matched = true;
      break;
    }
    if (!matched && !closer.canOpen) closer.canClose = false;
  }
  return finish(list);
}

/** Turns leftover delimiters into text and merges adjacent text nodes. */
function finish(nodes: Node[]): Inline[] {
  const out: Inline[] = [];
  for (const x of nodes) {
    let v: Inline;
    if (x.type === 'delim') {
      if (x.count === 0) continue;
      v = { type: 'text', value: x.char.repeat(x.count) };
    } else if (x.type === 'bracket') {
      v = { type: 'text', value: x.image ? '![' : '[' };
    } else {
      v = x;
    }
    const last = out[out.length - 1];
    if (v.type === 'text' && last && last.type === 'text') last.value += v.value;
    else out.push(v.type === 'text' ? { type: 'text', value: v.value } : v);
  }
  return out;
}
