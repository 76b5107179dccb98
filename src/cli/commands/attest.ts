// qualify attest: an in-toto test-result attestation of an approved report, signed (DSSE).
import type { Command } from '../command.js';
import { UsageError } from '../../model/errors.js';
import { attestReport } from '../../signing/sign.js';
import { findQmsRoot, repoRelative } from '../../signing/repo.js';
import { commitIfAsked, passphraseReader, printSignResult, reportDirOf, requireFlag, targetArg } from '../signing-args.js';

export const command: Command = {
  usage: 'attest <report-dir> --as ID [--passphrase-stdin]',
  description: [
    'Writes attestation.intoto.dsse.json in an approved report folder: an in-toto Statement v1 whose subjects',
    'are the running images by registry digest and whose predicate is a test-result (v0.1) with the protocol',
    'and the record as configuration, signed by an approver (or qa), for supply-chain gates.',
  ].join('\n'),
  flags: {
    as: { kind: 'string', value: 'ID', description: 'your signer id (approver or qa)' },
    'passphrase-stdin': { kind: 'boolean', description: 'read the passphrase from standard input' },
    commit: { kind: 'boolean', description: 'commit the attestation and audit trail with git' },
    json: { kind: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, ctx) {
    const target = targetArg(args, ctx, 'attest', 'report folder');
    const dir = reportDirOf(target);
    if (!dir) throw new UsageError('TARGET_UNKNOWN', `qualify attest: ${args.positionals[0]} is not a report folder (no report.json)`);
    const signer = requireFlag(args, 'as', 'attest', 'ID');
    const r = await attestReport(dir, signer, { now: ctx.now(), env: ctx.env, passphrase: passphraseReader(ctx, args, signer) });
    const root = findQmsRoot(dir);
    const rel = repoRelative(root, dir);
    const st = r.payload as { subject: Array<{ name: string; digest: { sha256: string } }>; predicate: { result: string } };
    printSignResult(ctx, args, r, [
      `attested ${rel}: ${st.predicate.result}`,
      ...st.subject.map((s) => `  subject      ${s.name}@sha256:${s.digest.sha256}`),
      `  attestation  ${rel}/${r.file}`,
    ]);
    await commitIfAsked(args, ctx, root, [`${rel}/${r.file}`], `qualify attest: ${rel} by ${signer}`);
    return 0;
  },
};
