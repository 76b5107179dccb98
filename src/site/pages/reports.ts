// The list of every executed report: one row per report folder, sortable and filterable by the site
// script (protocol, environment, target, result, verification, signer, text); plain and complete without it.
import { h, kids, renderPage, table, time, type Child } from '../html.js';
import type { ReportEntry, SiteModel } from '../model.js';
import { targetsOf, validSignatures, verdictOf } from '../summary.js';
import { conclusionBadge, none, reportLink, verdictBadge } from './common.js';

const PATH = 'reports/index.html';

function select(label: string, key: string, values: string[]): Child {
  const id = `filter-${key}`;
  return h('div', { className: ['field'] }, [
    h('label', { htmlFor: id }, label),
    h('select', { id, dataFilterKey: key }, [h('option', { value: '' }, 'all'), ...[...new Set(values)].sort().map((v) => h('option', { value: v }, v))]),
  ]);
}

/** The folder's name when it is not the record's id (a copied or renamed folder must not pass for the original). */
export function folderNote(r: ReportEntry): Child {
  const folder = r.path.split('/').pop()!;
  return r.record && folder !== r.record.reportId ? h('span', { className: ['folder-note'] }, ['folder ', h('code', folder)]) : null;
}

function reportRow(r: ReportEntry): ReturnType<typeof h> {
  const rec = r.record;
  const v = verdictOf(r);
  const signers = validSignatures(r);
  const targets = targetsOf(r);
  const cell = (content: Child, sort?: string) => h('td', sort === undefined ? {} : { dataSort: sort }, kids([content]));
  return h('tr', {
    dataProtocol: rec?.protocol.documentId ?? '(unreadable)',
    dataEnvironment: rec?.environment ?? '(default)',
    dataTarget: targets.join('|'),
    dataResult: rec ? (rec.dryRun ? 'dry run' : rec.conclusion) : 'unreadable',
    dataVerification: v.state,
    dataSigners: signers.map((s) => `${s.name ?? ''} ${s.signerId ?? ''}`).join('|'),
    dataDate: rec?.started ?? '',
    // What the text filter matches besides the visible cells: digests, image ids, commit, parameters.
    dataText: rec ? [rec.reportId, ...rec.subject.images.flatMap((i) => [i.digest ?? '', i.imageId, i.repository ?? '', i.tag ?? '']), rec.subject.application?.commit ?? '', rec.subject.application?.tag ?? '', ...Object.values(rec.parameters)].join(' ') : r.path,
    className: v.state === 'failed' ? ['row-failed'] : undefined,
  }, [
    h('th', { scope: 'row', dataSort: rec?.reportId ?? r.path }, [reportLink(PATH, r), folderNote(r)]),
    cell(rec?.protocol.documentId ? `${rec.protocol.documentId} rev ${rec.protocol.revision}` : '—'),
    cell(rec?.environment ?? '—'),
    cell(targets.join(', ')),
    cell(time(rec?.started), rec?.started ?? ''),
    cell(conclusionBadge(rec?.conclusion, rec?.dryRun), rec ? (rec.dryRun ? 'dry run' : rec.conclusion) : ''),
    cell(r.verification?.state ?? '—'),
    cell(verdictBadge(r, true), v.state),
    cell(signers.length ? h('ul', { className: ['plain', 'signers'] }, signers.map((s) => h('li', [s.name ?? s.signerId ?? '?', ' ', h('span', { className: ['muted'] }, s.meaning ?? '')]))) : '—', signers.map((s) => s.name).join(', ')),
  ]);
}

export function reportsListPage(model: SiteModel): string {
  const reports = [...model.reports].sort((a, b) => (b.record?.started ?? '').localeCompare(a.record?.started ?? '') || a.path.localeCompare(b.path));
  const recs = reports.map((r) => r.record).filter((x) => x !== null);
  const failed = reports.filter((r) => verdictOf(r).state === 'failed').length;
  const filters = h('form', { className: ['filters', 'js-only'], dataFilterFor: 'reports-table', ariaLabel: 'Filter reports', hidden: true }, [
    select('Protocol', 'protocol', recs.map((r) => r.protocol.documentId)),
    select('Environment', 'environment', recs.map((r) => r.environment ?? '(default)')),
    select('Target', 'target', reports.flatMap(targetsOf)),
    select('Result', 'result', reports.map((r) => (r.record ? (r.record.dryRun ? 'dry run' : r.record.conclusion) : 'unreadable'))),
    select('Verification', 'verification', reports.map((r) => verdictOf(r).state)),
    h('div', { className: ['field'] }, [h('label', { htmlFor: 'filter-signer' }, 'Signer'), h('input', { id: 'filter-signer', type: 'search', dataFilterKey: 'signers', dataFilterMode: 'contains', autoComplete: 'off' })]),
    h('div', { className: ['field'] }, [h('label', { htmlFor: 'filter-from' }, 'From date'), h('input', { id: 'filter-from', type: 'date', dataFilterKey: 'date', dataFilterMode: 'from' })]),
    h('div', { className: ['field'] }, [h('label', { htmlFor: 'filter-to' }, 'To date'), h('input', { id: 'filter-to', type: 'date', dataFilterKey: 'date', dataFilterMode: 'to' })]),
    h('div', { className: ['field', 'field-wide'] }, [h('label', { htmlFor: 'filter-text' }, 'Text'), h('input', { id: 'filter-text', type: 'search', dataFilterText: '', placeholder: 'report id, digest…', autoComplete: 'off' })]),
    h('button', { type: 'reset' }, 'Clear filters'),
  ]);
  return renderPage(model, {
    path: PATH,
    title: 'Reports',
    nav: 'reports',
    main: [
      h('h1', 'Executed reports'),
      h('p', { className: ['lead'] }, [
        `${reports.length} report folder(s), newest first`,
        failed ? [', ', h('strong', { className: ['text-fail'] }, `${failed} FAILED verification`)] : ', every one verified',
        '. Select a column heading to sort.',
      ]),
      reports.length
        ? [
            filters,
            h('p', { className: ['filter-count'], dataCountFor: 'reports-table', ariaLive: 'polite' }),
            table({
              caption: 'Reports: protocol, environment, target, run start (UTC), result, signature state, verification verdict and signers.',
              captionHidden: true,
              head: ['Report', 'Protocol', 'Environment', 'Target', 'Run started', 'Result', 'Signed', 'Verification', 'Signers'],
              rows: reports.map(reportRow),
              id: 'reports-table',
              className: ['sortable', 'reports'],
            }),
          ]
        : none('No report has been recorded yet: run "qualify run <protocol>".'),
    ],
  });
}
