// The documents list and one page per controlled document: control block, computed status, approval
// signatures with their verdicts, revision history from git, and the text rendered from its mdast.
import { existsSync, statSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import type { Element } from 'hast';
import type { Root as MdastRoot } from 'mdast';
import { parseMarkdown } from '../../markdown/parse.js';
import type { Protocol } from '../../model/index.js';
import { isInside } from '../../signing/repo.js';
import { markdownToHast, textOf } from '../../render/html/index.js';
import { badge, digest, facts, h, kids, link, renderPage, row, section, table, time, type Child } from '../html.js';
import type { DocumentEntry, SiteModel } from '../model.js';
import { relativeUrl, safePath } from '../paths.js';
import { documentLink, none, statusBadge } from './common.js';

const LIST = 'documents/index.html';

export function documentsListPage(model: SiteModel): string {
  const today = model.build.builtAt.slice(0, 10);
  const rows = model.documents.map((d) => {
    const m = d.doc.meta;
    return row([
      documentLink(LIST, d),
      m.title ?? '—',
      m.type,
      m.revision ?? '—',
      [statusBadge(d.status.computedStatus), d.status.claimedStatus && d.status.claimedStatus !== d.status.computedStatus ? [' ', h('span', { className: ['muted'] }, `(claims ${d.status.claimedStatus})`)] : null],
      approvalSummary(d),
      d.doc.meta.effectiveDate ?? '—',
      d.reviewDue ? [d.reviewDue, d.reviewDue < today && (d.status.computedStatus === 'effective' || d.status.computedStatus === 'approved') ? [' ', badge('fail', 'OVERDUE')] : null] : '—',
    ]);
  });
  return renderPage(model, {
    path: LIST,
    title: 'Controlled documents',
    nav: 'documents',
    main: [
      h('h1', 'Controlled documents'),
      h('p', { className: ['lead'] }, 'SOPs, protocols and requirements under document control. "Computed" is what approval signatures and dates establish; a claim in the front matter alone is not trusted.'),
      model.documents.length
        ? [
            filterBox('documents-table', 'Filter documents'),
            table({ caption: `${model.documents.length} controlled document(s)`, head: ['ID', 'Title', 'Type', 'Revision', 'Computed status', 'Approval', 'Effective', 'Review due'], rows, id: 'documents-table', className: ['sortable'] }),
          ]
        : none('No controlled document found under sops/ or protocols/.'),
    ],
  });
}

/** A text box that filters the rows of a table (works with the site script; the table reads without it). */
export function filterBox(tableId: string, label: string): Child {
  // Hidden until the site script shows it: without JavaScript the whole table is there to read.
  return [
    h('div', { className: ['filters', 'js-only'], dataFilterFor: tableId, hidden: true }, [
      h('label', [label, ' ', h('input', { type: 'search', dataFilterText: '', autoComplete: 'off' })]),
    ]),
    h('p', { className: ['filter-count'], dataCountFor: tableId, ariaLive: 'polite' }),
  ];
}

function approvalSummary(d: DocumentEntry): Child {
  const s = d.status;
  if (s.approval === 'signed') {
    const who = d.verification?.signatures.filter((x) => x.valid && x.meaning === 'approved').map((x) => x.name ?? x.signerId) ?? [];
    return ['signed', who.length ? ` by ${who.join(', ')}` : '', s.approvalDate ? ` on ${s.approvalDate}` : ''];
  }
  if (s.approval === 'front-matter') return [badge('warn', 'not signed'), ' front matter only'];
  return h('span', { className: ['muted'] }, 'none');
}

export interface PageContext {
  /** Registers a repository file to copy into the site; returns its site path. */
  copyAsset(absolute: string): string;
}

export function documentPage(model: SiteModel, d: DocumentEntry, ctx: PageContext): string {
  const path = d.page;
  const m = d.doc.meta;
  const s = d.status;
  const id = m.documentId ?? d.doc.path;
  const v = d.verification;
  const tree = documentTree(d);
  const body = markdownToHast(tree, { resolveUrl: urlResolver(model, d, ctx), topHeading: 3 });
  const toc = tableOfContents(body.children as Element[]);

  const control = facts([
    ['Document', id],
    ['Title', m.title ?? '—'],
    ['Type', m.type],
    ['Revision', m.revision ?? '—'],
    ['Computed status', [statusBadge(s.computedStatus), s.claimedStatus && s.claimedStatus !== s.computedStatus ? [' ', badge('warn', `front matter claims "${s.claimedStatus}"`)] : null]],
    ['Why', s.notes.length ? h('ul', { className: ['notes'] }, s.notes.map((n) => h('li', n))) : null],
    ['Approval', approvalSummary(d)],
    ['Approval date', s.approvalDate],
    ['Effective date', m.effectiveDate],
    ['Authors', m.authors.join(', ')],
    ['Reviewers', m.reviewers.join(', ')],
    ['Approvers', m.approvers.join(', ')],
    ['Change control', m.changeControl],
    ['Supersedes', m.supersedes],
    ['Periodic review', m.reviewPeriodMonths ? `every ${m.reviewPeriodMonths} months${d.reviewDue ? `, next due ${d.reviewDue}` : ''}` : null],
    ['Training required', m.trainingRequired === null ? null : m.trainingRequired ? 'yes' : 'no'],
    ['File', h('code', d.doc.path)],
    ['File sha256', digest(d.doc.sha256, 64)],
    ['PDF', link(path, d.pdf, `${id} revision ${m.revision ?? '—'} (PDF)`)],
  ]);

  const signatures = v?.signatures.length
    ? table({
        caption: 'Electronic signatures over this revision (the file sha256 is inside each signature).',
        head: ['Printed name', 'Signer id', 'Meaning', 'Signed (UTC)', 'Key', 'Comment', 'Verdict'],
        rows: v.signatures.map((x) => row([x.name ?? '—', x.signerId ?? '—', x.meaning ?? '—', time(x.time), digest(x.keyFingerprint, 16), x.comment ?? '—', x.valid ? badge('ok', '✓ valid') : [badge('fail', '✗ INVALID'), ' ', h('span', { className: ['reason'] }, x.reasons.join('; '))]])),
      })
    : none(model.trust ? 'No approval signature covers this revision.' : 'This repository has no signer registry: approvals are recorded in the front matter only ("approval not signed").');
  const findings = v?.findings.length ? h('ul', { className: ['findings'] }, v.findings.map((f) => h('li', [badge('fail', f.code), ' ', f.message]))) : null;

  const history = d.history.length
    ? table({
        caption: 'Commits that changed this file, newest first.',
        head: ['Date (UTC)', 'Author', 'Revision', 'Change control', 'Commit', 'Message'],
        rows: d.history.map((e) => row([time(e.date), e.author, e.revision ?? '—', e.changeControl ?? '—', h('code', e.commit.slice(0, 12)), e.subject])),
      })
    : none(model.build.commit ? 'This file has no commit yet.' : 'The repository is not under git: no revision history.');

  const protocol = d.doc as Protocol;
  const cases = Array.isArray(protocol.cases) && protocol.cases.length
    ? table({
        caption: 'Test cases of this protocol.',
        head: ['Case', 'Title', 'Stage', 'Risk', 'Requirements', 'Checks'],
        rows: protocol.cases.map((c) => row([link(path, `${path}#${c.id}`, c.id), c.title, c.stage, c.risk ?? '—', c.requirements.join(', ') || '—', c.checks.map((k) => k.type).join(', ') || '—'])),
      })
    : null;

  return renderPage(model, {
    path,
    title: `${id} ${m.title ?? ''}`.trim(),
    nav: 'documents',
    main: [
      h('nav', { className: ['crumbs'], ariaLabel: 'Breadcrumb' }, [link(path, 'index.html', 'Overview'), ' › ', link(path, LIST, 'Documents'), ' › ', id]),
      h('h1', [`${id} `, h('span', { className: ['subtitle'] }, m.title ?? '')]),
      section('control', 'Document control', [control]),
      section('signatures', 'Approval signatures', [signatures, findings]),
      section('history', 'Revision history', [history]),
      cases ? section('cases', 'Test cases', [cases]) : null,
      section('text', `Text of revision ${m.revision ?? '—'}`, [
        toc.length > 2 ? h('details', { className: ['toc'] }, [h('summary', 'Contents'), h('ol', toc.map(([anchor, text]) => h('li', [link(path, `${path}#${anchor}`, text)])))]) : null,
        h('article', { className: ['doc-body'] }, kids(body.children as Element[])),
      ]),
    ],
  });
}

const parsed = new WeakMap<object, MdastRoot>();

/** The document's mdast: the tree the document carries, or its body parsed once by the one Markdown pipeline. */
export function documentTree(d: DocumentEntry): MdastRoot {
  const carried = (d.doc as { tree?: MdastRoot }).tree;
  if (carried) return carried;
  let tree = parsed.get(d.doc);
  if (!tree) {
    tree = parseMarkdown(d.doc.body);
    parsed.set(d.doc, tree);
  }
  return tree;
}

function tableOfContents(nodes: Element[]): Array<[string, string]> {
  return nodes.filter((n) => n.type === 'element' && /^h3$/.test(n.tagName) && typeof n.properties?.id === 'string').map((n) => [String(n.properties.id), textOf(n)]);
}

/**
 * Links to other documents of the repository go to their pages; relative images inside the repository are
 * copied into the site; other relative links (files not in the site) keep their text only. External links
 * stay (the reader chooses to follow them); nothing is fetched by the page itself.
 */
function urlResolver(model: SiteModel, d: DocumentEntry, ctx: PageContext) {
  const byPath = new Map(model.documents.map((x) => [x.doc.path, x]));
  const folder = posix.dirname(d.doc.path);
  return (url: string, kind: 'link' | 'image'): string | null => {
    if (url.startsWith('#')) return kind === 'link' ? url : null;
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return kind === 'link' ? url : null;
    const [target, hash] = url.split('#', 2) as [string, string | undefined];
    let rel: string;
    try {
      rel = posix.normalize(posix.join(folder, decodeURIComponent(target)));
    } catch {
      return null;
    }
    if (kind === 'link') {
      const doc = byPath.get(rel);
      return doc ? relativeUrl(d.page, `${doc.page}${hash ? `#${hash}` : ''}`) : null;
    }
    const abs = resolve(model.root, rel);
    if (!isInside(model.root, abs) || !/\.(png|jpe?g|gif|webp)$/i.test(abs) || !existsSync(abs) || !statSync(abs).isFile()) return null;
    return relativeUrl(d.page, ctx.copyAsset(abs));
  };
}

/** Site path for a copied document image. */
export function assetPath(root: string, abs: string): string {
  return `files/${safePath(abs.slice(resolve(root).length + 1))}`;
}
