// qualify export --inspection OUT.zip|DIR: the package an auditor takes away.
import { relative, resolve } from 'node:path';
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../../model/errors.js';
import { siteSource } from '../site-source.js';

export const command: Command = {
  usage: 'export --inspection OUT.zip|DIR [--title TEXT]',
  description: [
    'Writes an inspection package: the site of "qualify site" (verified now), every report and document PDF',
    'under pdf/, the verification results as JSON, the trust root (signer registry and CA certificate) and a',
    'README for the auditor. OUT ending in .zip gives one zip file, else a new folder.',
  ].join('\n'),
  flags: {
    inspection: { kind: 'string', value: 'OUT', description: 'the zip file or folder to write (must not exist)' },
    title: { kind: 'string', value: 'TEXT', description: 'title shown on every page' },
  },
  async run(args, ctx) {
    if (typeof args.flags.inspection !== 'string') throw new UsageError('ARGS', 'qualify export: expected --inspection OUT.zip or --inspection DIR; see "qualify export --help"');
    if (args.positionals.length) throw new UsageError('ARGS', `qualify export: unexpected argument "${args.positionals[0]}"`);
    const source = await siteSource(ctx, typeof args.flags.title === 'string' ? args.flags.title : undefined);
    const model = await source.load();
    const { writeInspectionPackage } = await import('../../site/inspection.js');
    const { verdictOf } = await import('../../site/summary.js');
    const result = await writeInspectionPackage(model, { out: resolve(ctx.cwd, args.flags.inspection), documentPdf: (d) => source.documentPdf(d) });
    const failed = model.reports.filter((r) => verdictOf(r).state === 'failed');
    ctx.stdout.write(`${relative(ctx.cwd, result.path) || '.'}\n`);
    ctx.stderr.write(`qualify export: inspection package with ${result.files} file(s), ${result.pdfs} PDF(s); ${model.reports.length - failed.length} of ${model.reports.length} report(s) verified${failed.length ? `, ${failed.length} FAILED` : ''}\n`);
    for (const r of failed) ctx.stderr.write(`qualify export: FAILED ${r.path}: ${verdictOf(r).reason}\n`);
    return EXIT.ok;
  },
};
