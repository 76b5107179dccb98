// The traceability page, the audit trail page and the search page.
import { badge, h, link, renderPage, row, table, time, valueText, type Child } from '../html.js';
import type { SiteModel, TraceLink } from '../model.js';
import { none, stepBadge } from './common.js';
import { filterBox } from './documents.js';

export function tracePage(model: SiteModel): string {
  const path = 'trace.html';
  const t = model.trace;
  const linkCells = (l: TraceLink): Child[] => [
    [link(path, l.href, `${l.protocol} ${l.caseId}`), ' ', l.title],
    l.stage,
    l.risk ?? '—',
    l.results.length ? h('ul', { className: ['plain'] }, l.results.map((r) => h('li', [`${r.environment}: `, stepBadge(r.status), ' ', link(path, r.href, r.report)]))) : h('span', { className: ['muted'] }, 'not run yet'),
  ];
  const rows = t.rows.flatMap(({ requirement, links }) => links.map((l, i) => {
    const cells = linkCells(l).map((c) => h('td', [c]));
    return h('tr', i === 0 ? [h('th', { scope: 'row', rowSpan: links.length }, requirement), ...cells] : cells);
  }));
  return renderPage(model, {
    path,
    title: 'Traceability',
    nav: 'trace',
    main: [
      h('h1', 'Traceability: requirements to test cases'),
      h('p', { className: ['lead'] }, ['Each requirement with the test cases that verify it and their outcome in the latest qualification per environment. Source: ', t.source, '.']),
      t.rows.length
        ? table({ caption: `${t.rows.length} requirement(s) covered by test cases.`, head: ['Requirement', 'Test case', 'Stage', 'Risk', 'Latest result'], rows, className: ['trace'] })
        : none('No test case names a requirement yet (add requirements: [...] to a case block).'),
      t.untested.length
        ? [
            h('h2', { id: 'untested' }, 'Requirements no test case verifies'),
            table({
              caption: `${t.untested.length} requirement(s) of the requirements documents without a test case.`,
              head: ['Requirement', 'Document', 'Risk', 'Justification'],
              rows: t.untested.map((u) => row([[link(path, u.href, u.requirement), ' ', u.title], u.document, u.risk ?? '—', u.justification ?? h('span', { className: ['muted'] }, 'none: a gap')])),
            }),
          ]
        : null,
      t.unlinked.length
        ? [h('h2', { id: 'unlinked' }, 'Test cases without a requirement'), table({ caption: 'Cases whose case block names no requirement.', head: ['Test case', 'Stage', 'Risk', 'Latest result'], rows: t.unlinked.map((l) => row(linkCells(l))) })]
        : null,
    ],
  });
}

export function auditPage(model: SiteModel): string {
  const path = 'audit.html';
  const a = model.audit;
  const banner = !a.present
    ? h('p', { className: ['alert', 'alert-muted'] }, `No audit trail yet (${a.file}).`)
    : a.problems.length
      ? h('section', { id: 'chain', className: ['alert', 'alert-fail'], ariaLabelledBy: 'chain-title' }, [h('h2', { id: 'chain-title' }, [badge('fail', '✗ BROKEN'), ' The hash chain does not hold']), h('ul', { className: ['findings'] }, a.problems.map((p) => h('li', p)))])
      : h('section', { id: 'chain', className: ['alert', 'alert-ok'], ariaLabelledBy: 'chain-title' }, [h('h2', { id: 'chain-title' }, [badge('ok', '✓ INTACT'), ` ${a.entries.length} entries, hash chain intact`]), h('p', 'Every entry carries the hash of the one before it: an edited, removed or re-ordered entry breaks the chain. Committed entries were checked against git.')]);
  const change = (e: (typeof a.entries)[number]): Child => (e.field || e.old !== null || e.new !== null ? [e.field ? h('code', e.field) : null, ': ', h('code', { className: ['wrap'] }, valueText(e.old)), ' → ', h('code', { className: ['wrap'] }, valueText(e.new))] : '—');
  return renderPage(model, {
    path,
    title: 'Audit trail',
    nav: 'audit',
    main: [
      h('h1', 'Audit trail'),
      h('p', { className: ['lead'] }, ['Who did what, when (UTC) and why: every run, render, signature, disposition, key change and refusal, from ', h('code', a.file), '.']),
      banner,
      a.entries.length
        ? [
            filterBox('audit-table', 'Filter entries'),
            table({
              caption: `${a.entries.length} entries, oldest first.`,
              head: ['#', 'Time (UTC)', 'Who', 'Action', 'Object', 'Change', 'Why', 'Host, tool'],
              rows: a.entries.map((e) => row([String(e.seq), time(e.at), `${e.who.name ?? e.who.id} (${e.who.id})`, h('code', e.action), `${e.object.type} ${e.object.id}`, change(e), e.why, `${e.host}, ${e.tool.name} ${e.tool.version}`])),
              id: 'audit-table',
              className: ['sortable', 'audit'],
            }),
          ]
        : null,
    ],
  });
}

export function searchPage(model: SiteModel): string {
  const path = 'search.html';
  return renderPage(model, {
    path,
    title: 'Search',
    nav: 'search',
    scripts: ['search-index.js'],
    main: [
      h('h1', 'Search documents and reports'),
      h('form', { className: ['search-form'], role: 'search', action: 'search.html', method: 'get' }, [
        h('label', { htmlFor: 'q' }, 'Search for an id, a title, an image digest, a commit, a signer or a word of a document'),
        h('div', { className: ['search-row'] }, [h('input', { id: 'q', name: 'q', type: 'search', autoComplete: 'off' }), h('button', { type: 'submit' }, 'Search')]),
      ]),
      h('p', { id: 'search-status', className: ['filter-count'], ariaLive: 'polite' }),
      h('ol', { id: 'search-results', className: ['search-results'] }),
      h('noscript', [h('p', 'Search runs in the browser and needs JavaScript. Without it, use the lists of documents and reports.')]),
    ],
  });
}
