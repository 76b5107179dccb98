// qualify sign: a Part 11 electronic signature on a report folder or a controlled document.
import type { Command } from '../command.js';
import { UsageError } from '../../model/errors.js';
import type { SignatureMeaning } from '../../model/signature.js';
import { signDocument, signReport } from '../../signing/sign.js';
import { findQmsRoot, repoRelative } from '../../signing/repo.js';
import { MEANINGS } from '../../signing/payload.js';
import { commitIfAsked, passphraseReader, printSignResult, reportDirOf, requireFlag, targetArg } from '../signing-args.js';

export const command: Command = {
  usage: 'sign <report-dir | document.md> --as ID --meaning executed|reviewed|approved|authored [--comment TEXT] [--passphrase-stdin]',
  description: [
    'Signs a report (executed → reviewed → approved) or a controlled document (authored, reviewed, approved).',
    'The signature is a DSSE envelope over the canonical record hash (or the document file hash) with your id,',
    'printed name (from signers.yaml), the meaning and the UTC time inside the signed bytes. Your passphrase',
    'is asked every time. Reports: written to signatures/NN-<meaning>-<id>.dsse.json and report.pdf is',
    'rendered again; the approved PDF carries a PDF digital signature. Documents: written to',
    'approvals/<document_id>/<revision>/. Every signature (and every refusal) is in audit/trail.jsonl.',
  ].join('\n'),
  flags: {
    as: { kind: 'string', value: 'ID', description: 'your signer id in signers.yaml' },
    meaning: { kind: 'string', value: 'MEANING', description: `what the signature means: ${MEANINGS.join(', ')}` },
    comment: { kind: 'string', value: 'TEXT', description: 'a comment kept inside the signature' },
    'passphrase-stdin': { kind: 'boolean', description: 'read the passphrase from standard input (automation)' },
    commit: { kind: 'boolean', description: 'commit the signature, PDF and audit trail with git' },
    json: { kind: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, ctx) {
    const target = targetArg(args, ctx, 'sign', 'report folder or document');
    const signer = requireFlag(args, 'as', 'sign', 'ID');
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
      await commitIfAsked(args, ctx, root, [`${rel}/${r.file}`, ...(r.pdf ? [`${rel}/report.pdf`] : [])], `qualify sign: ${rel} ${meaning} by ${signer}`);
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
