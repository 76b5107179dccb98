// qualify verify: recompute every hash, check every signature and rule, the PDF and the audit trail.
import { readFileSync, statSync } from 'node:fs';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';
import type { X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { IntegrityError, UsageError } from '../../model/errors.js';
import { verifyDocument } from '../../signing/documents.js';
import { findQmsRoot, repoRelative } from '../../signing/repo.js';
import { failureCount, type VerifyResult } from '../../signing/verdict.js';
import { createVerifySession, verifyReport } from '../../signing/verify-report.js';
import { verifyPdf, verifyPdfAlone } from '../../signing/verify-pdf.js';
import { parsePemCertificates } from '../../signing/pdf-registry.js';
import { QualifyError } from '../../model/errors.js';
import { count } from '../../plural.js';
import { reportDirOf, targetArg } from '../signing-args.js';

/** Human form of a verification: one verdict line per signature, then findings and notes. */
export function formatVerifyResult(r: VerifyResult): string {
  const out: string[] = [];
  const head = r.kind === 'document' ? `document ${r.id ?? r.target} (${r.target})` : `report ${r.id ?? r.target} (${r.target})`;
  out.push(`${head}: ${r.state}${r.sha256 ? `, ${r.kind === 'document' ? 'file' : 'record'} sha256 ${r.sha256}` : ''}`);
  for (const p of r.passed) out.push(`  ok    ${p}`);
  for (const s of [...r.signatures, ...r.dispositions]) {
    const who = s.signerId ? `${s.name ?? '?'} (${s.signerId})` : 'unknown signer';
    const base = s.file.slice(s.file.lastIndexOf('/') + 1);
    const verdict = s.valid ? 'valid' : `INVALID: ${s.reasons.join('; ')}`;
    out.push(`  ${s.valid ? 'ok  ' : 'FAIL'}  signature ${base}: ${who}, ${s.meaning ?? '?'}, ${s.time ?? 'no signed time'}, key ${s.keyFingerprint?.slice(0, 16) ?? '?'}: ${verdict}`);
    for (const n of s.notes) out.push(`          note: ${n}`);
  }
  for (const f of r.findings) out.push(`  FAIL  ${f.code} ${f.message}`);
  for (const n of r.notes) out.push(`  note  ${n}`);
  const failures = failureCount(r);
  out.push(failures === 0 ? 'verified: every check holds' : `NOT VERIFIED: ${count(failures, 'problem')}`);
  return `${out.join('\n')}\n`;
}

/** The trust anchors of --trust: every PEM certificate in the file. */
function readTrust(file: string, ctx: CliContext): X509Certificate[] {
  const path = resolve(ctx.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError('TRUST_UNREADABLE', `qualify verify --trust: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let certs: X509Certificate[] = [];
  try {
    certs = parsePemCertificates(text);
  } catch (err) {
    throw new UsageError('TRUST_INVALID', `qualify verify --trust: ${file} holds a PEM certificate that does not parse: ${(err as Error).message}`);
  }
  if (!certs.length) throw new UsageError('TRUST_INVALID', `qualify verify --trust: ${file} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----, the signer CA's certificate)`);
  return certs;
}

/** The repository around `start`, or null outside any. */
function repoAround(start: string): string | null {
  try {
    return findQmsRoot(start);
  } catch (err) {
    if (err instanceof QualifyError && err.code === 'REPO_NOT_FOUND') return null;
    throw err;
  }
}

async function verifyTarget(path: string, ctx: CliContext, trustFile: string | undefined): Promise<VerifyResult> {
  const now = ctx.now();
  const target = repoRelative(ctx.cwd, path) || '.';
  if (path.endsWith('.pdf') && !statSync(path).isDirectory()) {
    // A PDF verifies on its own against a trust anchor (--trust), or outside any repository; inside one,
    // against the repository's signer registry and audit trail.
    const root = trustFile ? null : repoAround(ctx.cwd);
    if (trustFile || !root) return verifyPdfAlone(path, { now, trust: trustFile ? readTrust(trustFile, ctx) : null, target });
    return verifyPdf(path, { now, root, target });
  }
  if (trustFile) throw new UsageError('TRUST_NOT_PDF', `qualify verify --trust: a trust anchor is for a PDF verified on its own; ${target} is verified against its repository's signers.yaml`);
  const root = findQmsRoot(path);
  const dir = reportDirOf(path);
  if (dir) return verifyReport(dir, { now, session: createVerifySession(root, now), target });
  if (path.endsWith('.md')) return await verifyDocument(root, path, { now, target });
  throw new UsageError('TARGET_UNKNOWN', `qualify verify: ${target} is neither a report folder, a report.pdf nor a Markdown document`);
}

export const command: Command = {
  usage: 'verify <report-dir | report.pdf | document.md> [--trust ca.pem] [--json]',
  description: [
    'Recomputes the record hash (RFC 8785 canonical report.json) and every evidence hash, checks every signature',
    'and disposition (key enrolled and valid at signing time, signature, printed name, meaning permitted by role,',
    'executed → reviewed → approved order, segregation, deviations dispositioned before approval, chain of',
    'signatures), the PDF (embedded record, PDF signature over the whole file), the protocol\'s approval before',
    'the run, the attestation, and the audit trail (chain, and every signed file recorded). Prints one verdict per',
    'signature. Exit 0 when everything holds, 4 on any failure.',
    'A report.pdf verifies on its own (outside any repository, or with --trust): the record, the signature',
    'envelopes and certificates it embeds, every PDF signature (one per revision), against the signer CA given',
    'with --trust; without --trust outside a repository it checks the rest and fails with TRUST_ANCHOR_MISSING.',
  ].join('\n'),
  flags: {
    json: { kind: 'boolean', description: 'print the verification result as JSON' },
    trust: { kind: 'string', value: 'FILE', description: 'PEM certificate(s) of the signer CA to trust: verify a report.pdf on its own, without the repository' },
  },
  async run(args, ctx) {
    const path = targetArg(args, ctx, 'verify', 'report folder, PDF or document');
    const trust = typeof args.flags.trust === 'string' ? args.flags.trust : undefined;
    const result = await verifyTarget(path, ctx, trust);
    ctx.stdout.write(args.flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatVerifyResult(result));
    const failures = failureCount(result);
    if (failures > 0) {
      const first = result.findings[0]?.message ?? [...result.signatures, ...result.dispositions].find((s) => !s.valid)?.reasons[0] ?? 'see above';
      throw new IntegrityError('VERIFY_FAILED', `${result.target}: ${count(failures, 'problem')}; first: ${first}`);
    }
    return 0;
  },
};
