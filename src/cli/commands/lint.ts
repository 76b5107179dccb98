// qualify lint [paths...]: every problem of every file, `file:line:col CODE message`; exit 2 on errors.
import type { Command } from '../command.js';
import { EXIT, formatIssue } from '../../model/index.js';
import { openRepository } from '../repo.js';
import { count } from '../../plural.js';

export const command: Command = {
  usage: 'lint [paths...] [--json] [--errors-only]',
  description: 'Validates controlled documents (SOPs, protocols, requirements) against the document-control rules, the check catalog\nand the traceability rules (docs/requirements.md). With no paths: the repository\'s sops/, protocols/ and requirements/.\nExit 0 when clean (warnings allowed), 2 when any error.',
  flags: {
    json: { kind: 'boolean', description: 'print the issues as JSON' },
    'errors-only': { kind: 'boolean', description: 'do not print warnings' },
  },
  async run(args, ctx) {
    const repo = await openRepository(ctx, args.positionals);
    const shown = args.flags['errors-only'] ? repo.issues.filter((i) => i.severity === 'error') : repo.issues;
    const errors = repo.issues.filter((i) => i.severity === 'error').length;
    const warnings = repo.issues.length - errors;
    if (args.flags.json) {
      ctx.stdout.write(`${JSON.stringify({ files: repo.documents.length, errors, warnings, issues: shown }, null, 2)}\n`);
    } else {
      for (const issue of shown) ctx.stdout.write(`${formatIssue(issue)}\n`);
      const files = new Set(repo.issues.map((i) => i.file)).size;
      const where = repo.issues.length ? `in ${files} of ${count(repo.files, 'file')} checked` : `in ${count(repo.files, 'file')} checked`;
      ctx.stderr.write(`${count(errors, 'error')}, ${count(warnings, 'warning')} ${where}\n`);
    }
    return errors > 0 ? EXIT.invalid : EXIT.ok;
  },
};
