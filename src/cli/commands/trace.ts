// qualify trace [--format md|csv|json] [--out FILE] [--env NAME]: the traceability matrix, requirement ↔
// case ↔ latest result per environment (from the records under reports/).
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../../model/errors.js';
import { findRepoRoot, loadConfig, loadRepository } from '../../documents/index.js';
import { buildTraceMatrix, readRecords, TRACE_FORMATS } from '../../report/trace-matrix.js';
import { writeFileAtomic } from '../../report/folder.js';

export const command: Command = {
  usage: 'trace [--format md|csv|json] [--out FILE] [--env NAME]',
  description: [
    'Prints the traceability matrix of the repository both ways: each requirement of the requirements',
    'documents (requirements/) with the test cases of the protocols that name it and the latest result of',
    'each case per environment (from the records under reports/, dry runs left out); then each case with',
    'the requirements it names (orphans and unknown ids marked). Untested requirements and high-risk',
    'requirements without a negative or limit case are listed first. --env keeps one environment\'s records.',
  ].join('\n'),
  flags: {
    format: { kind: 'string', value: 'FORMAT', description: `output format: ${[...TRACE_FORMATS.keys()].join(', ')} (default md)` },
    out: { kind: 'string', value: 'FILE', description: 'write the matrix to FILE instead of standard output' },
    env: { kind: 'string', value: 'NAME', description: 'only the records of this environment' },
  },
  async run(args, ctx) {
    if (args.positionals.length) throw new UsageError('ARGUMENTS', `qualify trace takes no paths (it reads requirements/ and protocols/ of the repository); found ${args.positionals.join(' ')}`);
    const format = (args.flags.format as string | undefined) ?? 'md';
    const formatter = TRACE_FORMATS.get(format);
    if (!formatter) throw new UsageError('FORMAT_UNKNOWN', `qualify trace: unknown --format "${format}"; known: ${[...TRACE_FORMATS.keys()].join(', ')}`);
    const root = findRepoRoot(ctx.cwd);
    const config = await loadConfig(root);
    const { records, notes } = readRecords(resolve(root, config.defaults.reportsDir));
    const env = args.flags.env as string | undefined;
    if (env !== undefined && !config.environments[env] && !records.some((r) => (r.environment ?? 'default') === env)) {
      throw new UsageError('ENV_UNKNOWN', `environment "${env}" is not defined in qualify.yaml and no record names it (defined: ${Object.keys(config.environments).sort().join(', ') || 'none'})`);
    }
    const repo = await loadRepository({ root, cwd: ctx.cwd, now: ctx.now() });
    if (!repo.traceability.available) ctx.stderr.write('qualify trace: this repository has no requirements document (requirements/, type: requirements); only the cases are listed (docs/requirements.md)\n');
    const matrix = buildTraceMatrix(repo.traceability, records, { env });
    matrix.notes.unshift(...notes);
    const text = formatter(matrix);
    if (typeof args.flags.out === 'string') {
      const out = resolve(ctx.cwd, args.flags.out);
      await writeFileAtomic(out, Buffer.from(text, 'utf8'));
      ctx.stderr.write(`traceability matrix written to ${args.flags.out}\n`);
    } else {
      ctx.stdout.write(text);
    }
    const s = matrix.summary;
    ctx.stderr.write(`${s.tested} of ${s.requirements} requirement${s.requirements === 1 ? '' : 's'} tested${s.untested.length ? `; untested: ${s.untested.join(', ')}` : ''}${s.highRiskWithoutNegative.length ? `; high risk without a negative or limit case: ${s.highRiskWithoutNegative.join(', ')}` : ''}${s.orphans.length ? `; orphan cases: ${s.orphans.join(', ')}` : ''}\n`);
    return EXIT.ok;
  },
};
