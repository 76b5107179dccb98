// One executed report: the verification verdict first, then header, subject, parameters, results with
// expected and actual, evidence, deviations with dispositions, signatures, and the folder's files.
import type { EvidenceRef, Report, StepResult } from '../../model/report.js';
import { parseMarkdown } from '../../markdown/parse.js';
import { markdownToHast } from '../../render/html/index.js';
import { badge, digest, facts, h, kids, link, renderPage, row, section, table, time, valueText, type Child } from '../html.js';
import type { ReportEntry, ReportPageModel } from '../model.js';
import { INLINE_LIMIT, type FolderFile } from '../report-files.js';
import { dispositionsOf, verdictOf } from '../summary.js';
import { conclusionBadge, none, stepBadge } from './common.js';

/** Only links a reader can follow from the site: web, mail and in-page anchors. */
const safeLinks = (url: string, kind: 'link' | 'image') => (kind === 'link' && /^(https?:|mailto:|#)/i.test(url) ? url : null);

// Reports of one protocol share their objectives: each text is rendered once (the nodes are only read).
const objectives = new Map<string, Child>();

function markdown(text: string): Child {
  if (!text.trim()) return null;
  let html = objectives.get(text);
  if (!html) {
    html = h('div', { className: ['objective'] }, kids(markdownToHast(parseMarkdown(text), { resolveUrl: safeLinks, topHeading: 4 }).children as never));
    if (objectives.size > 5000) objectives.clear();
    objectives.set(text, html);
  }
  return html;
}

function verificationBanner(entry: ReportEntry): Child {
  const v = entry.verification;
  if (!v) return h('section', { id: 'verdict', className: ['alert', 'alert-muted'], ariaLabelledBy: 'verdict-title' }, [h('h2', { id: 'verdict-title' }, 'Verification not computed for this view')]);
  const verdict = verdictOf(entry);
  if (verdict.state === 'verified') {
    return h('section', { id: 'verdict', className: ['alert', 'alert-ok'], ariaLabelledBy: 'verdict-title' }, [h('h2', { id: 'verdict-title' }, [badge('ok', '✓ VERIFIED'), ' Every hash, signature and rule holds']),
      h('details', [h('summary', `What was checked (${v.passed.length})`), h('ul', v.passed.map((p) => h('li', p)))]),
    ]);
  }
  const badSignatures = [...v.signatures, ...v.dispositions].filter((s) => !s.valid);
  return h('section', { id: 'verdict', className: ['alert', 'alert-fail'], ariaLabelledBy: 'verdict-title' }, [h('h2', { id: 'verdict-title' }, [badge('fail', '✗ FAILED'), ' Verification failed: this record cannot be trusted as it is']),
    h('ul', { className: ['findings'] }, [
      ...v.findings.map((f) => h('li', [h('strong', f.code), ' ', f.message])),
      ...badSignatures.map((s) => h('li', [h('strong', 'SIGNATURE_INVALID'), ` ${s.file}: ${s.reasons.join('; ')}`])),
    ]),
    v.passed.length ? h('details', [h('summary', `What still holds (${v.passed.length})`), h('ul', v.passed.map((p) => h('li', p)))]) : null,
  ]);
}

function header(path: string, model: ReportPageModel, entry: ReportEntry, r: Report): Child {
  const protocol = model.documents.find((d) => d.doc.meta.documentId === r.protocol.documentId && d.doc.meta.revision === r.protocol.revision) ?? model.documents.find((d) => d.doc.path === r.protocol.path);
  return facts([
    ['Report', r.reportId],
    ['Protocol', [protocol ? link(path, protocol.page, `${r.protocol.documentId} revision ${r.protocol.revision}`) : `${r.protocol.documentId} revision ${r.protocol.revision}`, ` ${r.protocol.title}`]],
    ['Protocol sha256', digest(r.protocol.sha256, 64)],
    ['Protocol approval at run time', `${r.protocol.status} (${r.protocol.approval === 'signed' ? 'signed' : r.protocol.approval === 'front-matter' ? 'front matter only: approval not signed' : 'none'})`],
    ['Protocol read at commit', r.protocol.gitCommit ? h('code', r.protocol.gitCommit) : null],
    ['Environment', r.environment ?? '(default)'],
    ['Executed by', `${r.executor.name ?? r.executor.id} (${r.executor.id}) on ${r.executor.host}`],
    ['Run', [time(r.started), ' to ', time(r.ended)]],
    ['Result', [conclusionBadge(r.conclusion, r.dryRun), ` ${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.errored} errored, ${r.summary.skipped} skipped of ${r.summary.steps} step(s) in ${r.summary.cases} case(s)`]],
    ['Signature state', entry.verification?.state ?? '—'],
    ['Record sha256', entry.verification?.sha256 ? digest(entry.verification.sha256, 64) : null],
    ['Tool', `${r.tool.name} ${r.tool.version} (Node ${r.tool.node})`],
    ['Folder', [h('code', entry.path), entry.path.split('/').pop() !== r.reportId ? [' ', badge('warn', 'the folder name is not the report id')] : null]],
    ['Flags', r.dryRun || r.incomplete ? [r.dryRun ? badge('warn', 'DRY RUN: NOT A GxP RECORD') : null, r.incomplete ? [' ', badge('fail', 'INCOMPLETE: the run was interrupted')] : null] : null],
    ['Warnings', r.warnings.length ? h('ul', { className: ['notes'] }, r.warnings.map((w) => h('li', w))) : null],
  ]);
}

function subject(r: Report): Child {
  const images = r.subject.images.length
    ? table({
        caption: 'Images observed running (the subject of this qualification).',
        head: ['Container', 'Repository', 'Tag', 'Digest', 'Image id'],
        rows: r.subject.images.map((i) => row([i.container ?? '—', i.repository ?? '—', i.tag ?? '—', i.digest ? h('code', { className: ['wrap'] }, i.digest) : '—', h('code', { className: ['wrap'] }, i.imageId)])),
      })
    : none('No image was observed.');
  const app = r.subject.application;
  const targets = table({
    caption: 'Docker engines (targets) the checks ran against.',
    head: ['Endpoint', 'Host', 'Engine', 'API', 'OS/arch', 'Engine clock (UTC)', 'Error'],
    rows: r.targets.map((t) => row([h('code', t.endpoint), t.hostname ?? '—', t.version ?? '—', t.apiVersion ?? '—', `${t.os ?? '?'}/${t.arch ?? '?'}`, time(t.time), t.error ?? '—'])),
  });
  return [images, app ? facts([['Application repository', h('code', app.repo)], ['Commit', app.commit ? h('code', app.commit) : '—'], ['Tag', app.tag ?? '—']]) : null, targets];
}

function parameters(r: Report): Child {
  const entries = Object.entries(r.parameters);
  if (!entries.length) return none('No parameters.');
  return table({ caption: 'Run parameters (secrets masked).', head: ['Parameter', 'Value'], rows: entries.map(([k, v]) => row([h('code', k), h('code', { className: ['wrap'] }, v)])) });
}

function evidenceList(path: string, entry: ReportEntry, refs: EvidenceRef[], altered: Map<string, string>): Child {
  if (!refs.length) return null;
  return h('ul', { className: ['evidence'] }, refs.map((e) => h('li', [
    link(path, `${path}#${evidenceAnchor(e.path)}`, e.path.replace(/^evidence\//, '')),
    altered.has(e.path) ? [' ', badge('fail', '✗ ALTERED', altered.get(e.path))] : null,
    h('span', { className: ['evidence-what'] }, e.description),
    h('span', { className: ['evidence-meta'] }, [`${e.mediaType} · ${e.bytes} bytes · sha256 `, digest(e.sha256, 12)]),
  ])));
}

function stepRows(path: string, entry: ReportEntry, s: StepResult, altered: Map<string, string>): ReturnType<typeof h>[] {
  const rows: ReturnType<typeof h>[] = [];
  const first = (extra: Child[]) => h('tr', { id: `step-${s.id}` }, [
    h('th', { scope: 'row', rowSpan: Math.max(1, s.assertions.length) }, [h('code', s.id), h('br'), h('span', { className: ['muted'] }, s.type)]),
    ...extra.map((c) => h('td', kids([c]))),
  ]);
  const evidence = evidenceList(path, entry, s.evidence, altered);
  const observed = s.observedBy ? ` observed by ${s.observedBy.id} at ${s.observedBy.at}` : '';
  if (!s.assertions.length) {
    rows.push(first(['—', '—', s.actual ? h('code', { className: ['wrap'] }, valueText(s.actual)) : '—', [stepBadge(s.status), s.reason ? [' ', s.reason] : null, observed], evidence ?? '—']));
    return rows;
  }
  s.assertions.forEach((a, i) => {
    const cells: Child[] = [
      h('code', a.path),
      h('code', { className: ['wrap'] }, a.matcher === 'equals' ? valueText(a.expected) : `${a.matcher}: ${valueText(a.expected)}`),
      h('code', { className: ['wrap'] }, valueText(a.actual)),
      [a.pass ? badge('ok', 'PASS') : badge('fail', 'FAIL'), a.message ? [' ', a.message] : null, i === 0 && s.reason && s.status !== 'pass' ? [' ', s.reason] : null, i === 0 ? observed : ''],
    ];
    if (i === 0) rows.push(first([...cells, evidence ?? '—']));
    else rows.push(h('tr', cells.map((c) => h('td', kids([c])))));
  });
  // The evidence cell spans the assertions of the step.
  const evCell = rows[0]!.children.at(-1) as ReturnType<typeof h>;
  evCell.properties = { ...evCell.properties, rowSpan: Math.max(1, s.assertions.length) };
  return rows;
}

function results(path: string, entry: ReportEntry, r: Report, altered: Map<string, string>): Child {
  return r.cases.map((c) => h('section', { className: ['case'], ariaLabelledBy: `case-${c.id}` }, [
    h('h3', { id: `case-${c.id}` }, [`${c.id} ${c.title} `, stepBadge(c.status)]),
    h('p', { className: ['muted'] }, [`${c.stage}`, c.risk ? ` · risk ${c.risk}` : '', c.requirements.length ? ` · requirements ${c.requirements.join(', ')}` : '']),
    markdown(c.objective),
    table({
      caption: `Steps of ${c.id}: expected and actual values.`,
      captionHidden: true,
      head: ['Step', 'Field', 'Expected', 'Actual', 'Outcome', 'Evidence'],
      rows: c.steps.flatMap((s) => stepRows(path, entry, s, altered)),
      className: ['steps'],
    }),
  ]));
}

function deviations(entry: ReportEntry, r: Report): Child {
  if (!r.deviations.length) return none('No deviation was opened: every step passed.');
  const closed = dispositionsOf(entry);
  const invalid = new Map((entry.verification?.dispositions ?? []).filter((d) => !d.valid).map((d) => [d.file.slice(d.file.lastIndexOf('/') + 1).replace(/\.dsse\.json$/, ''), d]));
  return table({
    caption: 'Deviations opened by failed or errored steps, with their QA dispositions.',
    head: ['Deviation', 'Step', 'Opened', 'What happened', 'Status', 'Disposition'],
    rows: r.deviations.map((d) => {
      const disp = closed.get(d.id);
      const bad = invalid.get(d.id);
      return row([d.id, h('code', d.stepId), time(d.opened), d.description, disp ? badge('ok', 'closed') : badge('warn', 'OPEN'),
        disp ? [h('q', disp.comment ?? ''), ` by ${disp.name ?? disp.signerId} (${disp.signerId}), `, time(disp.time)] : bad ? [badge('fail', '✗ INVALID'), ` ${bad.reasons.join('; ')}`] : 'awaiting QA disposition'], { id: `dev-${d.id}` });
    }),
  });
}

function signatures(entry: ReportEntry): Child {
  const v = entry.verification;
  if (!v?.signatures.length) return none('No electronic signature yet.');
  return table({
    caption: 'Electronic signatures (Part 11): printed name, meaning and UTC time are inside the signed bytes.',
    head: ['#', 'Printed name', 'Signer id', 'Meaning', 'Signed (UTC)', 'Key', 'Comment', 'Verdict'],
    rows: v.signatures.map((s, i) => row([String(i + 1), s.name ?? '—', s.signerId ?? '—', s.meaning ?? '—', time(s.time), digest(s.keyFingerprint, 16), s.comment ?? '—',
      s.valid ? [badge('ok', '✓ valid'), s.notes.length ? [' ', h('span', { className: ['muted'] }, s.notes.join('; '))] : null] : [badge('fail', '✗ INVALID'), ' ', h('span', { className: ['reason'] }, s.reasons.join('; '))]])),
  });
}

function fileTable(path: string, entry: ReportEntry, files: Map<string, FolderFile>): Child {
  return table({
    caption: `Files of the report folder ${entry.path} as they were when the site was built.`,
    head: ['File', 'Bytes', 'sha256', 'In this site'],
    rows: entry.files.map((f) => {
      const file = files.get(f);
      const where = file?.site ? link(path, file.site, 'copy') : file?.inline ? link(path, `${path}#${evidenceAnchor(f)}`, 'shown above') : h('span', { className: ['muted'] }, 'in the repository');
      return row([h('code', f), String(file?.size ?? '—'), digest(file?.sha256 ?? null, 16), where]);
    }),
  });
}

/** The report page; `files` is what the site read of the folder (readReportFiles). */
export function reportPage(model: ReportPageModel, entry: ReportEntry, files: Map<string, FolderFile>): string {
  const path = `${entry.base}index.html`;
  const r = entry.record;
  const title = r ? `Report ${r.reportId}` : `Report folder ${entry.path}`;
  const altered = new Map((entry.verification?.findings ?? []).filter((f) => f.file && f.code.startsWith('EVIDENCE')).map((f) => [f.file!, f.message]));
  const pdfFile = files.get('report.pdf')?.site;
  const pdf = pdfFile ? link(path, pdfFile, entry.verification?.state === 'approved' ? 'report.pdf: the archival PDF, signed by the approver' : 'report.pdf: the archival PDF') : null;
  const json = files.get('report.json')?.site;
  return renderPage(model, {
    path,
    title,
    nav: 'reports',
    main: [
      h('nav', { className: ['crumbs'], ariaLabel: 'Breadcrumb' }, [link(path, 'index.html', 'Overview'), ' › ', link(path, 'reports/index.html', 'Reports'), ' › ', r?.reportId ?? entry.path]),
      h('h1', [title, r ? [' ', h('span', { className: ['subtitle'] }, r.protocol.title)] : null]),
      verificationBanner(entry),
      r ? h('nav', { className: ['on-page'], ariaLabel: 'On this page' }, h('ul', [['header', 'Header'], ['subject', 'Subject'], ['parameters', 'Parameters'], ['results', 'Results'], ['deviations', `Deviations (${r.deviations.length})`], ['signatures', 'Signatures'], ['evidence', 'Evidence'], ['files', 'Files']].map(([id, label]) => h('li', [h('a', { href: `#${id}` }, label!)])))) : null,
      r
        ? [
            section('header', 'Header', [header(path, model, entry, r), h('p', [pdf, pdf && json ? ' · ' : null, json ? link(path, json, 'report.json: the record') : null])]),
            section('subject', 'Subject: what was deployed where', [subject(r)]),
            section('parameters', 'Parameters', [parameters(r)]),
            section('results', 'Results', [results(path, entry, r, altered)]),
            section('deviations', 'Deviations', [deviations(entry, r)]),
          ]
        : h('p', { className: ['text-fail'] }, 'report.json cannot be read as a record; the files of the folder are listed below.'),
      section('signatures', 'Signatures', [signatures(entry)]),
      r ? section('evidence', 'Evidence', [h('p', { className: ['muted'] }, 'Raw observations as recorded (secrets were masked when they were recorded), each with the sha256 the record and its signatures cover.'), evidenceSection(path, entry, r, files)]) : null,
      entry.verification?.notes.length ? section('notes', 'Notes from verification', [h('ul', entry.verification.notes.map((n) => h('li', n)))]) : null,
      section('files', 'Files', [fileTable(path, entry, files)]),
    ],
  });
}


/** The anchor of an evidence file in its report page. */
export function evidenceAnchor(path: string): string {
  return `ev-${path.replace(/^evidence\//, '').replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/** Every evidence file named by the record once, with the step that recorded it. */
export function evidenceRefs(r: Report): Array<EvidenceRef & { step: string }> {
  const seen = new Set<string>();
  const out: Array<EvidenceRef & { step: string }> = [];
  for (const c of r.cases) {
    for (const s of c.steps) {
      for (const e of s.evidence) {
        if (seen.has(e.path)) continue;
        seen.add(e.path);
        out.push({ ...e, step: s.id });
      }
    }
  }
  return out;
}

/** One evidence file: what the record says about it, what it is now, and its text (masked as recorded) inline. */
function evidenceItem(path: string, entry: ReportEntry, ref: EvidenceRef & { step: string }, file: FolderFile | null): Child {
  const bytes = file?.bytes ?? null;
  const actual = file?.sha256 ?? null;
  const matches = actual === ref.sha256 && bytes?.length === ref.bytes;
  const masked = entry.record?.redaction.entries.filter((e) => e.where === ref.path).reduce((n, e) => n + (e.count ?? 1), 0) ?? 0;
  const text = file?.inline ?? false;
  const anchor = evidenceAnchor(ref.path);
  return h('article', { id: anchor, className: ['evidence-item'], ariaLabelledBy: `${anchor}-title` }, [
    h('h3', { id: `${anchor}-title` }, [h('code', ref.path), ' ',
      bytes === null ? badge('fail', '✗ MISSING') : matches ? badge('ok', '✓ matches the record') : badge('fail', '✗ ALTERED')]),
    bytes !== null && !matches ? h('p', { className: ['text-fail'] }, `This file differs from what the record and its signatures cover: sha256 ${actual} and ${bytes.length} bytes now, the record says ${ref.sha256} and ${ref.bytes} bytes.`) : null,
    bytes === null ? h('p', { className: ['text-fail'] }, 'The file named by the record is not in the report folder.') : null,
    facts([
      ['Step', link(path, `${path}#step-${ref.step}`, ref.step)],
      ['What it is', ref.description],
      ['Media type, size', `${ref.mediaType}, ${ref.bytes} bytes`],
      ['sha256 in the record', h('code', { className: ['wrap'] }, ref.sha256)],
      ['Masking', masked ? `${masked} secret value(s) masked when recorded; shown exactly as recorded` : 'nothing masked'],
      ['Raw file', file?.site ? link(path, file.site, ref.path.split('/').pop()!) : null],
    ]),
    text
      ? h('details', { className: ['evidence-content'] }, [
          h('summary', `Show the content (${bytes!.length} bytes)`),
          bytes!.length > INLINE_LIMIT ? h('p', { className: ['muted'] }, `The first ${INLINE_LIMIT} bytes are shown; the raw file (copied into the site) has all of it.`) : null,
          h('pre', { className: ['evidence-text'], tabIndex: 0, ariaLabel: `Content of ${ref.path}` }, [h('code', bytes!.subarray(0, INLINE_LIMIT).toString('utf8'))]),
        ])
      : bytes
        ? h('p', { className: ['muted'] }, 'Not text: open the raw file to inspect it.')
        : null,
  ]);
}

function evidenceSection(path: string, entry: ReportEntry, r: Report, files: Map<string, FolderFile>): Child {
  const refs = evidenceRefs(r);
  if (!refs.length) return none('This record has no evidence files.');
  return refs.map((ref) => evidenceItem(path, entry, ref, files.get(ref.path) ?? null));
}
