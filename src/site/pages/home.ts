// The overview an auditor opens first: what failed verification, the latest qualification of every
// protocol per environment and target, open deviations, documents by computed status, reviews due.
import { DOCUMENT_STATUSES } from '../../model/document.js';
import { badge, h, link, renderPage, row, section, table, time, type Child } from '../html.js';
import type { SiteModel } from '../model.js';
import { latestQualifications, openDeviations, reviewsDue, verdictOf } from '../summary.js';
import { conclusionBadge, documentLink, imageLabel, none, reportLink, statusBadge, verdictBadge } from './common.js';

const PATH = 'index.html';

function card(label: string, value: Child, detail: Child, tone: 'ok' | 'fail' | 'warn' | 'plain', to: string): Child {
  return h('li', { className: ['card', `card-${tone}`] }, [link(PATH, to, [h('span', { className: ['card-value'] }, [value]), h('span', { className: ['card-label'] }, label)]), h('span', { className: ['card-detail'] }, [detail])]);
}

export function homePage(model: SiteModel): string {
  const today = model.build.builtAt.slice(0, 10);
  const failed = model.reports.filter((r) => verdictOf(r).state === 'failed');
  const verified = model.reports.filter((r) => verdictOf(r).state === 'verified');
  const open = openDeviations(model.reports);
  const due = reviewsDue(model.documents, today);
  const effective = model.documents.filter((d) => d.status.computedStatus === 'effective').length;
  const chainOk = model.audit.problems.length === 0;

  const cards = h('ul', { className: ['cards'] }, [
    card('reports', String(model.reports.length), failed.length ? `${failed.length} FAILED verification` : `${verified.length} verified`, failed.length ? 'fail' : 'ok', 'reports/index.html'),
    card('controlled documents', String(model.documents.length), `${effective} effective`, 'plain', 'documents/index.html'),
    card('open deviations', String(open.length), open.length ? 'awaiting QA disposition' : 'none open', open.length ? 'warn' : 'ok', '#open-deviations'),
    card('reviews due', String(due.length), `within 60 days of ${today}`, due.length ? 'warn' : 'ok', '#reviews-due'),
    card('audit trail', chainOk ? 'intact' : 'BROKEN', `${model.audit.entries.length} entries`, chainOk ? 'ok' : 'fail', 'audit.html'),
  ]);

  const failedSection = failed.length
    ? h('section', { id: 'failed', className: ['alert', 'alert-fail'], ariaLabelledBy: 'failed-title' }, [h('h2', { id: 'failed-title' }, `${failed.length} report(s) FAILED verification`),
        h('ul', failed.map((r) => h('li', [reportLink(PATH, r), ' ', verdictBadge(r, true)]))),
      ])
    : null;

  const latest = latestQualifications(model.reports);
  const latestTable = latest.length
    ? table({
        caption: 'The latest GxP record of each protocol per environment and target (dry runs excluded).',
        head: ['Protocol', 'Environment', 'Target', 'Report', 'Run started', 'Result', 'Signed', 'Verification', 'Image'],
        rows: latest.map((q) => {
          const rec = q.report.record!;
          return row([q.protocol, q.environment, q.target, reportLink(PATH, q.report), time(rec.started), conclusionBadge(rec.conclusion), q.report.verification?.state ?? '—', verdictBadge(q.report), rec.subject.images.map((i) => h('div', [imageLabel(i)]))]);
        }),
      })
    : none('No qualification has been recorded yet.');

  const deviations = open.length
    ? table({
        caption: 'Deviations without a valid QA disposition.',
        head: ['Deviation', 'Report', 'Step', 'Opened', 'What happened'],
        rows: open.map((o) => row([o.deviation.id, reportLink(PATH, o.report), o.deviation.stepId, time(o.deviation.opened), o.deviation.description])),
      })
    : none('No open deviation.');

  const byStatus = DOCUMENT_STATUSES.map((s) => [s, model.documents.filter((d) => d.status.computedStatus === s)] as const).filter(([, list]) => list.length);
  const documents = byStatus.length
    ? byStatus.map(([s, list]) =>
        h('section', { ariaLabelledBy: `status-${s}` }, [
          h('h3', { id: `status-${s}` }, [statusBadge(s), ` ${list.length} document(s)`]),
          h('ul', { className: ['doc-list'] }, list.map((d) => h('li', [documentLink(PATH, d), ` ${d.doc.meta.title ?? ''} `, h('span', { className: ['muted'] }, `rev ${d.doc.meta.revision ?? '—'}`), d.status.claimedStatus && d.status.claimedStatus !== d.status.computedStatus ? [' ', badge('warn', `claims ${d.status.claimedStatus}`)] : null]))),
        ]),
      )
    : none('No controlled document found.');

  const reviews = due.length
    ? table({
        caption: `Documents in force whose periodic review is due by ${new Date(Date.parse(`${today}T00:00:00Z`) + 60 * 86_400_000).toISOString().slice(0, 10)}.`,
        head: ['Document', 'Title', 'Revision', 'Approved', 'Review period', 'Review due'],
        rows: due.map((d) => row([documentLink(PATH, d), d.doc.meta.title ?? '—', d.doc.meta.revision ?? '—', d.status.approvalDate ?? '—', `${d.doc.meta.reviewPeriodMonths} months`, [d.reviewDue!, d.reviewDue! < today ? [' ', badge('fail', 'OVERDUE')] : null]])),
      })
    : none('No periodic review falls due in the next 60 days.');

  return renderPage(model, {
    path: PATH,
    title: 'Overview',
    nav: 'home',
    main: [
      h('h1', 'The system at a glance'),
      h('p', { className: ['lead'] }, ['Every verdict below was recomputed from the files when this site was built, with the same checks as ', h('code', 'qualify verify'), '.']),
      cards,
      failedSection,
      section('latest', 'Latest qualification per environment and target', [latestTable]),
      section('open-deviations', 'Open deviations', [deviations]),
      section('documents', 'Documents by computed status', [h('p', { className: ['muted'] }, 'Status is computed from approval signatures and dates, not taken from the front matter.'), documents]),
      section('reviews-due', 'Documents due for periodic review', [reviews]),
    ],
  });
}
