// qualify sign: a Part 11 electronic signature on a report folder or a controlled document.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';
import type { ParsedArgs } from '../args.js';
import { UsageError } from '../../model/errors.js';
import type { SignatureMeaning } from '../../model/signature.js';
import { signDocument, signReport, type SignResult } from '../../signing/sign.js';
import { findQmsRoot, repoRelative, AUDIT_TRAIL } from '../../signing/repo.js';
import { MEANINGS } from '../../signing/payload.js';
import { commitPaths } from '../../signing/git.js';

/** Reads the passphrase: from standard input with --passphrase-stdin, else asked on the terminal (never echoed, never logged). */
export function passphraseReader(ctx: CliContext, args: ParsedArgs, label: string, confirm = false): () => Promise<string> {
  return async () => {
    if (args.flags['passphrase-stdin']) {
      const text = (await ctx.readStdin()).replace(/\r?\n$/, '');
      if (!text) throw new UsageError('PASSPHRASE_MISSING', '--passphrase-stdin was given but standard input was empty');
      return text;
    }
    if (!ctx.prompt) throw new UsageError('PASSPHRASE_REQUIRED', 'there is no terminal to ask the passphrase on: pass --passphrase-stdin and write the passphrase to standard input');
    const first = await ctx.prompt(`Passphrase for ${label}: `, { secret: true });
    if (confirm) {
      const second = await ctx.prompt('Repeat the passphrase: ', { secret: true });
      if (first !== second) throw new UsageError('PASSPHRASE_MISMATCH', 'the two passphrases differ; nothing was created');
    }
    return first;
  };
}

/** The value of a required string flag. */
export function requireFlag(args: ParsedArgs, name: string, command: string, hint: string): string {
  const v = args.flags[name];
  if (typeof v !== 'string' || !v.trim()) throw new UsageError('FLAG_MISSING', `qualify ${command}: --${name} ${hint} is required`);
  return v;
}

/** The single positional argument, resolved against the working directory. */
export function targetArg(args: ParsedArgs, ctx: CliContext, command: string, what: string): string {
  if (args.positionals.length !== 1) throw new UsageError('ARGUMENT_COUNT', `qualify ${command}: expected one ${what}, found ${args.positionals.length}`);
  const path = resolve(ctx.cwd, args.positionals[0]!);
  if (!existsSync(path)) throw new UsageError('TARGET_MISSING', `qualify ${command}: ${args.positionals[0]} does not exist`);
  return path;
}

/** A report folder from a folder or a file inside it (report.json, report.pdf); null when not a report. */
export function reportDirOf(path: string): string | null {
  if (statSync(path).isDirectory()) return existsSync(join(path, 'report.json')) ? path : null;
  if (['report.json', 'report.pdf'].includes(basename(path)) && existsSync(join(dirname(path), 'report.json'))) return dirname(path);
  return null;
}

/** Commits the files a signing step wrote (--commit). */
export async function commitIfAsked(args: ParsedArgs, ctx: CliContext, root: string, paths: string[], message: string): Promise<void> {
  if (!args.flags.commit) return;
  const id = await commitPaths(root, [...paths, AUDIT_TRAIL, 'audit/.gitignore'].filter((p) => existsSync(join(root, p))), message);
  ctx.stdout.write(id ? `committed ${id.slice(0, 12)}: ${message}\n` : 'not a git repository: nothing committed\n');
}

export function printSignResult(ctx: CliContext, args: ParsedArgs, r: SignResult, lines: string[]): void {
  if (args.flags.json) {
    ctx.stdout.write(`${JSON.stringify({ file: r.file, from: r.from, to: r.to, payload: r.payload, pdf: r.pdf, audit: r.audit.map((a) => ({ seq: a.seq, hash: a.hash })) }, null, 2)}\n`);
    return;
  }
  ctx.stdout.write(`${lines.join('\n')}\n`);
}

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
