// Page building blocks on hast (hastscript): every record value goes in as a text node or an attribute
// value and is escaped by the serializer, so nothing from a report or document can become markup.
import type { Element, ElementContent, Properties, Root } from 'hast';
import { h as hast } from 'hastscript';
import { serializeHtml } from '../render/html/index.js';
import type { PageFrame } from './model.js';
import { relativeUrl } from './paths.js';

export type Child = ElementContent | string | null | undefined | false | Child[];

function isNode(v: object): v is ElementContent {
  const n = v as { type?: unknown; tagName?: unknown; value?: unknown };
  if (n.type === 'element') return typeof n.tagName === 'string';
  return (n.type === 'text' || n.type === 'comment') && typeof n.value === 'string' && Object.keys(v).every((k) => k === 'type' || k === 'value' || k === 'position' || k === 'data');
}

/** An element: `h('a', { href }, children)` or `h('p', children)`; children may hold strings, arrays and empty values. */
export function h(tag: string, propsOrChildren?: Record<string, unknown> | Child, children?: Child): Element {
  const hasProps = propsOrChildren !== null && typeof propsOrChildren === 'object' && !Array.isArray(propsOrChildren) && !isNode(propsOrChildren);
  const props = (hasProps ? propsOrChildren : {}) as Properties;
  const content = (hasProps ? children : propsOrChildren) as Child;
  return hast(tag, props, kids([content]));
}

/** The Content Security Policy of every page: nothing but the site's own stylesheet, script and images. */
export const CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; form-action 'self'; base-uri 'none'";

export type NavKey = 'home' | 'documents' | 'reports' | 'trace' | 'audit' | 'verify' | 'search';

const NAV: Array<[NavKey, string, string]> = [
  ['home', 'index.html', 'Overview'],
  ['documents', 'documents/index.html', 'Documents'],
  ['reports', 'reports/index.html', 'Reports'],
  ['trace', 'trace.html', 'Traceability'],
  ['audit', 'audit.html', 'Audit trail'],
  ['verify', 'verify.html', 'Verify it yourself'],
];

export interface PageSpec {
  /** Site path of the page. */
  path: string;
  title: string;
  nav?: NavKey;
  main: Child[];
  /** Extra scripts (site paths), e.g. the search index. */
  scripts?: string[];
}

/** Flattens children, dropping empty ones and turning strings into text nodes. */
export function kids(children: Child[]): ElementContent[] {
  const out: ElementContent[] = [];
  const add = (c: Child): void => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else if (typeof c === 'string') out.push({ type: 'text', value: c });
    else out.push(c);
  };
  children.forEach(add);
  return out;
}

/** A whole page as HTML text. */
export function renderPage(model: PageFrame, spec: PageSpec): string {
  const url = (to: string) => relativeUrl(spec.path, to);
  const b = model.build;
  const head = h('head', [
    h('meta', { charSet: 'utf-8' }),
    h('meta', { httpEquiv: 'Content-Security-Policy', content: CSP }),
    h('meta', { name: 'referrer', content: 'no-referrer' }),
    h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    h('meta', { name: 'color-scheme', content: 'light dark' }),
    h('title', `${spec.title} · ${model.title}`),
    // No favicon request: the site asks for nothing it does not contain.
    h('link', { rel: 'icon', href: 'data:,' }),
    h('link', { rel: 'stylesheet', href: url('assets/site.css') }),
    h('script', { src: url('assets/site.js'), defer: true }),
    ...(spec.scripts ?? []).map((s) => h('script', { src: url(s), defer: true })),
  ]);
  const nav = h('nav', { ariaLabel: 'Site' }, [
    h('ul', NAV.map(([key, to, label]) => h('li', [h('a', { href: url(to), ariaCurrent: spec.nav === key ? 'page' : undefined }, label)]))),
  ]);
  const search = h('form', { className: ['site-search'], role: 'search', action: url('search.html'), method: 'get' }, [
    h('label', { htmlFor: 'site-q', className: ['sr-only'] }, 'Search documents and reports'),
    h('input', { id: 'site-q', name: 'q', type: 'search', placeholder: 'Search: id, digest, signer…', autoComplete: 'off' }),
    h('button', { type: 'submit' }, 'Search'),
  ]);
  const body = h('body', [
    h('a', { className: ['skip'], href: '#main' }, 'Skip to content'),
    h('header', { className: ['top'] }, [h('a', { className: ['brand'], href: url('index.html') }, [h('span', { className: ['brand-mark'], ariaHidden: 'true' }, 'Q'), ` ${model.title}`]), nav, search]),
    h('main', { id: 'main', tabIndex: -1 }, kids(spec.main)),
    h('footer', { className: ['foot'] }, [
      h('p', [
        `Built ${formatUtc(b.builtAt)} by ${b.tool}`,
        b.commit ? [' from commit ', h('code', b.commit.slice(0, 12)), b.uncommitted ? ` with ${b.uncommitted} uncommitted change(s)` : ''] : ' (repository not under git)',
        '. Verdicts were computed when the site was built; ',
        h('a', { href: url('verify.html') }, 'check them again yourself'),
        '.',
      ]),
    ]),
  ]);
  const root: Root = { type: 'root', children: [{ type: 'doctype' }, h('html', { lang: 'en' }, [head, body])] };
  return serializeHtml(root);
}

/** `2026-12-02 08:30:13 UTC` in a <time> element (the record keeps ISO 8601 with Z). */
export function time(iso: string | null | undefined): Child {
  if (!iso) return '—';
  return h('time', { dateTime: iso }, formatUtc(iso));
}

export function formatUtc(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

export type Tone = 'ok' | 'fail' | 'warn' | 'info' | 'muted';

export function badge(tone: Tone, text: string, title?: string): Element {
  return h('span', { className: ['badge', `badge-${tone}`], title }, text);
}

/** A table with a caption; `head` cells become <th scope=col>, a row's first cell may be a <th scope=row>. */
export function table(options: { caption: Child; head: Child[]; rows: Element[]; className?: string[]; id?: string; captionHidden?: boolean }): Element {
  return h('div', { className: ['table-wrap'] }, [
    h('table', { className: options.className, id: options.id }, [
      h('caption', { className: options.captionHidden ? ['sr-only'] : undefined }, kids([options.caption])),
      h('thead', [h('tr', kids(options.head).map((c) => h('th', { scope: 'col' }, [c])))]),
      h('tbody', options.rows),
    ]),
  ]);
}

export function row(cells: Child[], props: Record<string, unknown> = {}): Element {
  return h('tr', props as never, cells.map((c) => h('td', kids([c]))));
}

/** A definition list from [term, value] pairs (values may be empty: they are skipped). */
export function facts(pairs: Array<[string, Child]>, className = 'facts'): Element {
  const items = pairs.filter(([, v]) => v !== null && v !== undefined && v !== false && v !== '');
  return h('dl', { className: [className] }, items.flatMap(([k, v]) => [h('dt', k), h('dd', kids([v]))]));
}

export function link(from: string, to: string, text: Child, props: Record<string, unknown> = {}): Element {
  return h('a', { href: relativeUrl(from, to), ...props } as never, kids([text]));
}

/** A digest or hash shortened for a table, the whole value kept for copy and search. */
export function digest(value: string | null | undefined, keep = 19): Child {
  if (!value) return '—';
  if (value.length <= keep + 1) return h('code', value);
  return h('code', { className: ['digest'], title: value }, [h('span', { className: ['digest-short'], ariaHidden: 'true' }, `${value.slice(0, keep)}…`), h('span', { className: ['digest-full'] }, value)]);
}

/** Any value of a record (expected/actual) as compact text. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ');
}

/** A section with its heading; the section carries the id (an anchor for links), the heading labels it. */
export function section(id: string, title: string, children: Child[], level: 'h2' | 'h3' = 'h2'): Element {
  return h('section', { id, ariaLabelledBy: `${id}-title` }, [h(level, { id: `${id}-title` }, title), ...kids(children)]);
}
