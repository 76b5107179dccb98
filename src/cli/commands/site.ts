// qualify site [--out DIR]: the auditor's static site of the whole repository, verified at build time.
import { join, relative, resolve } from 'node:path';
import type { Command } from '../command.js';
import { EXIT } from '../../model/errors.js';
import { siteSource } from '../site-source.js';

export const command: Command = {
  usage: 'site [--out DIR] [--title TEXT] [--no-pdf]',
  description: [
    'Builds a static, self-contained HTML site of the repository for auditors: documents with computed status,',
    'approval signatures, git history and their text and PDF; every report with its subject, results, evidence,',
    'deviations, signatures and the verdict of "qualify verify" computed now; the traceability rows, the audit',
    'trail with its chain verdict, a search, and how to verify it all yourself. It works from file:// and from a',
    'zip: no server, no network, no request leaves the site. Default folder: site/ in the repository.',
  ].join('\n'),
  flags: {
    out: { kind: 'string', value: 'DIR', description: 'folder to write (replaced if it holds an earlier site)' },
    title: { kind: 'string', value: 'TEXT', description: 'title shown on every page (default "Quality records")' },
    'no-pdf': { kind: 'boolean', description: 'do not render the documents\' PDFs (report PDFs are always included)' },
  },
  async run(args, ctx) {
    const started = performance.now();
    const source = await siteSource(ctx, typeof args.flags.title === 'string' ? args.flags.title : undefined);
    const out = typeof args.flags.out === 'string' ? resolve(ctx.cwd, args.flags.out) : join(source.root, 'site');
    const { model, verified, reportPages, pdfHelpers, close } = await source.prepare();
    const { writeSite } = await import('../../site/build.js');
    const { verdictOf } = await import('../../site/summary.js');
    let stats;
    try {
      stats = await writeSite(model, { out, documentPdf: args.flags['no-pdf'] ? null : (d) => source.documentPdf(d), verified, reportPages, pdfHelpers });
    } finally {
      close();
    }
    const failed = model.reports.filter((r) => verdictOf(r).state === 'failed');
    const shown = relative(ctx.cwd, out) || '.';
    ctx.stdout.write(`${join(shown, 'index.html')}\n`);
    ctx.stderr.write(`qualify site: ${stats.pages} pages, ${model.documents.length} document(s), ${model.reports.length} report(s) (${model.reports.length - failed.length} verified, ${failed.length} FAILED), audit trail ${model.audit.problems.length ? 'BROKEN' : 'intact'}${stats.pdfsRendered + stats.pdfsReused ? `; document PDFs: ${stats.pdfsRendered} rendered, ${stats.pdfsReused} unchanged` : ''}; ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    for (const r of failed) ctx.stderr.write(`qualify site: FAILED ${r.path}: ${verdictOf(r).reason}\n`);
    return EXIT.ok;
  },
};
