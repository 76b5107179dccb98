// qualify deviation close: a QA-signed disposition of a report's deviation.
import type { Command } from '../command.js';
import { UsageError } from '../../model/errors.js';
import { closeDeviation } from '../../signing/sign.js';
import { findQmsRoot, repoRelative } from '../../signing/repo.js';
import { commitIfAsked, passphraseReader, printSignResult, reportDirOf, requireFlag } from '../signing-args.js';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';

export const command: Command = {
  usage: 'deviation close <report-dir> DEV-001 --disposition TEXT --as ID [--passphrase-stdin]',
  description: [
    'Closes a deviation of a report with a disposition (impact assessment, root cause, decision) signed by QA',
    '(role qa or approver, not the executor). The record is never rewritten: the disposition is a signed side',
    'file dispositions/DEV-001.dsse.json bound to the record hash; the PDF shows it, and an approval lists it.',
  ].join('\n'),
  flags: {
    disposition: { kind: 'string', value: 'TEXT', description: 'the disposition: impact, root cause, decision' },
    as: { kind: 'string', value: 'ID', description: 'your signer id (qa or approver)' },
    'passphrase-stdin': { kind: 'boolean', description: 'read the passphrase from standard input' },
    commit: { kind: 'boolean', description: 'commit the disposition, PDF and audit trail with git' },
    json: { kind: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, ctx) {
    const [action, report, deviationId, ...rest] = args.positionals;
    if (action !== 'close' || !report || !deviationId || rest.length) throw new UsageError('ARGUMENTS', 'usage: qualify deviation close <report-dir> DEV-001 --disposition TEXT --as ID');
    const path = resolve(ctx.cwd, report);
    const dir = existsSync(path) ? reportDirOf(path) : null;
    if (!dir) throw new UsageError('TARGET_UNKNOWN', `qualify deviation: ${report} is not a report folder (no report.json)`);
    const disposition = requireFlag(args, 'disposition', 'deviation close', 'TEXT');
    const signer = requireFlag(args, 'as', 'deviation close', 'ID');
    const r = await closeDeviation(dir, deviationId, disposition, signer, { now: ctx.now(), env: ctx.env, passphrase: passphraseReader(ctx, args, signer) });
    const root = findQmsRoot(dir);
    const rel = repoRelative(root, dir);
    printSignResult(ctx, args, r, [
      `closed ${deviationId} of ${rel} with a disposition signed by ${signer}`,
      `  disposition  ${rel}/${r.file}`,
      `  pdf          ${r.pdf ? `${rel}/report.pdf rendered` : 'not rendered'}`,
    ]);
    await commitIfAsked(args, ctx, root, [`${rel}/${r.file}`, ...(r.pdf ? [`${rel}/report.pdf`] : [])], `qualify deviation close: ${rel} ${deviationId} by ${signer}`);
    return 0;
  },
};
