// qualify sign: a Part 11 electronic signature on a report folder or a controlled document.
import type { Command } from '../command.js';
import { UsageError } from '../../model/errors.js';
import type { SignatureMeaning } from '../../model/signature.js';
import { resumeReport, signDocument, signReport } from '../../signing/sign.js';
import { findQmsRoot, repoRelative } from '../../signing/repo.js';
import { MEANINGS } from '../../signing/payload.js';
import { commitIfAsked, passphraseReader, printSignResult, reportDirOf, requireFlag, targetArg } from '../signing-args.js';

export const command: Command = {
  usage: 'sign <report-dir | document.md> --as ID --meaning executed|reviewed|approved|authored [--comment TEXT] [--passphrase-stdin]\n       sign <report-dir> --resume --as ID [--passphrase-stdin]',
  description: [
    'Signs a report (executed → reviewed → approved) or a controlled document (authored, reviewed, approved).',
    'The signature is a DSSE envelope over the canonical record hash (or the document file hash) with your id,',
    'printed name (from signers.yaml), the meaning and the UTC time inside the signed bytes. Your passphrase',
    'is asked every time. Reports: written to signatures/NN-<meaning>-<id>.dsse.json and report.pdf is',
    'rendered again; the approved PDF carries a PDF digital signature. Documents: written to',
    'approvals/<document_id>/<revision>/. Every signature (and every refusal) is in audit/trail.jsonl.',
    'Before your first signature, sign the policy acknowledgement once: qualify keys acknowledge --as ID.',
    'Refusals exit 5: wrong passphrase, keys locked after failed passphrases or revoked, a role that does not',
    'permit the meaning, segregation of duties or signing order, no acknowledgement.',
    '--resume completes a report after an interruption (a killed process, a full disk): renders report.md and',
    'report.pdf again from the valid signatures, re-applies the approval\'s PDF signature (as its approver),',
    'and records in the audit trail your signatures that it is missing.',
  ].join('\n'),
  flags: {
    as: { kind: 'string', value: 'ID', description: 'your signer id in signers.yaml' },
    meaning: { kind: 'string', value: 'MEANING', description: `what the signature means: ${MEANINGS.join(', ')}` },
    comment: { kind: 'string', value: 'TEXT', description: 'a comment kept inside the signature' },
    resume: { kind: 'boolean', description: 'complete an interrupted signing: render again, re-apply the approval PDF signature, record what the trail misses' },
    'passphrase-stdin': { kind: 'boolean', description: 'read the passphrase from standard input (automation)' },
    commit: { kind: 'boolean', description: 'commit the signature, PDF and audit trail with git' },
    json: { kind: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, ctx) {
    const target = targetArg(args, ctx, 'sign', 'report folder or document');
    const signer = requireFlag(args, 'as', 'sign', 'ID');
    if (args.flags.resume) {
      const reportDir = reportDirOf(target);
      if (!reportDir) throw new UsageError('TARGET_UNKNOWN', `qualify sign --resume: ${args.positionals[0]} is not a report folder (with report.json)`);
      if (args.flags.meaning !== undefined) throw new UsageError('FLAG_CONFLICT', 'qualify sign: --resume signs nothing new; leave out --meaning');
      const root = findQmsRoot(reportDir);
      const r = await resumeReport(reportDir, signer, { now: ctx.now(), env: ctx.env, passphrase: passphraseReader(ctx, args, signer) });
      const rel = repoRelative(root, reportDir);
      const resumed = (r.payload as { resumed: string[] }).resumed;
      printSignResult(ctx, args, r, [
        `resumed ${rel} (${r.to})`,
        `  pdf          ${r.pdf ? `${rel}/report.pdf rendered again${r.pdf.signed ? ' and PDF-signed' : ''}` : 'not rendered'}`,
        `  recorded     ${resumed.length ? resumed.join(', ') : 'nothing missing from the audit trail'}`,
      ]);
      await commitIfAsked(args, ctx, root, [...(r.pdf ? [`${rel}/report.pdf`, `${rel}/report.md`] : [])], `qualify sign --resume: ${rel} by ${signer}`);
      return 0;
    }
    const meaning = requireFlag(args, 'meaning', 'sign', 'MEANING') as SignatureMeaning;
    if (!MEANINGS.includes(meaning)) throw new UsageError('MEANING_INVALID', `qualify sign: --meaning must be one of ${MEANINGS.join(', ')}; found "${meaning}"`);
    const comment = typeof args.flags.comment === 'string' ? args.flags.comment : null;
    const sctx = { now: ctx.now(), env: ctx.env, passphrase: passphraseReader(ctx, args, signer) };
    const root = findQmsRoot(target);
    const reportDir = reportDirOf(target);
    if (reportDir) {
      const r = await signReport(reportDir, signer, meaning, comment, sctx);
      const rel = repoRelative(root, reportDir);
      const p = r.payload as { signer: { name: string }; time: string; subject: { sha256: string } };
      printSignResult(ctx, args, r, [
        `signed ${rel} as ${meaning} by ${p.signer.name} (${signer}) at ${p.time}`,
        `  record sha256 ${p.subject.sha256}`,
        `  signature    ${rel}/${r.file}`,
        `  status       ${r.from} → ${r.to}`,
        `  pdf          ${r.pdf ? `${rel}/report.pdf rendered${r.pdf.signed ? ' and PDF-signed' : ''}` : 'not rendered (no report renderer or report.md in this build)'}`,
      ]);
      await commitIfAsked(args, ctx, root, [`${rel}/${r.file}`, ...(r.pdf ? [`${rel}/report.pdf`, `${rel}/report.md`] : [])], `qualify sign: ${rel} ${meaning} by ${signer}`);
      return 0;
    }
    if (target.endsWith('.md')) {
      const r = await signDocument(target, signer, meaning, comment, sctx);
      const p = r.payload as { signer: { name: string }; time: string; subject: { sha256: string; documentId: string; revision: string | null } };
      printSignResult(ctx, args, r, [
        `signed ${p.subject.documentId} revision ${p.subject.revision ?? '(none)'} as ${meaning} by ${p.signer.name} (${signer}) at ${p.time}`,
        `  file sha256  ${p.subject.sha256}`,
        `  signature    ${r.file}`,
        `  approval     ${r.from} → ${r.to}`,
      ]);
      await commitIfAsked(args, ctx, root, [r.file], `qualify sign: ${p.subject.documentId} ${meaning} by ${signer}`);
      return 0;
    }
    throw new UsageError('TARGET_UNKNOWN', `qualify sign: ${args.positionals[0]} is neither a report folder (with report.json) nor a Markdown document`);
  },
};
