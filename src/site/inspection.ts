// The inspection package an auditor takes away: the site, every PDF (reports and documents) under pdf/,
// the verification results as JSON, the trust root and a README, as a folder or one zip file.
import { randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { UsageError } from '../model/errors.js';
import { writeSite, type WriteSiteOptions } from './build.js';
import type { SiteModel } from './model.js';
import { safeSegment } from './paths.js';
import { verdictOf } from './summary.js';

export interface InspectionResult {
  /** The zip file or folder written. */
  path: string;
  files: number;
  pdfs: number;
}

export async function writeInspectionPackage(model: SiteModel, options: { out: string; documentPdf: WriteSiteOptions['documentPdf'] }): Promise<InspectionResult> {
  const out = resolve(options.out);
  const zip = /\.zip$/i.test(out);
  if (existsSync(out) && (zip || readdirSync(out).length > 0)) {
    throw new UsageError('EXPORT_EXISTS', `${out} already exists; an inspection package is written once: choose a new ${zip ? 'file' : 'folder'} name`);
  }
  mkdirSync(dirname(out), { recursive: true });
  const staging = join(dirname(out), `.${basename(out)}.tmp-${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(staging);
    await writeSite(model, { out: join(staging, 'site'), documentPdf: options.documentPdf });
    const pdfs = collectPdfs(model, staging);
    copyFileSync(join(staging, 'site/verification.json'), join(staging, 'verification.json'));
    if (model.trust) {
      mkdirSync(join(staging, 'trust-root'));
      for (const f of readdirSync(join(staging, 'site/trust-root'))) copyFileSync(join(staging, 'site/trust-root', f), join(staging, 'trust-root', f));
    }
    writeFileSync(join(staging, 'README.txt'), readme(model, pdfs));
    const files = listFiles(staging);
    if (zip) {
      await writeZip(staging, files, out, new Date(model.build.builtAt));
      rmSync(staging, { recursive: true, force: true });
    } else {
      if (existsSync(out)) rmSync(out, { recursive: true });
      renameSync(staging, out);
    }
    return { path: out, files: files.length, pdfs };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Copies every report PDF and document PDF of the site under pdf/ with readable names; returns the count. */
function collectPdfs(model: SiteModel, staging: string): number {
  let n = 0;
  const copy = (from: string, to: string) => {
    const src = join(staging, 'site', from);
    if (!existsSync(src)) return;
    mkdirSync(dirname(join(staging, to)), { recursive: true });
    copyFileSync(src, join(staging, to));
    n++;
  };
  for (const r of model.reports) {
    if (!r.files.includes('report.pdf')) continue;
    const [protocol, folder] = r.base.split('/').slice(1, 3) as [string, string];
    copy(`${r.base}report.pdf`, `pdf/reports/${protocol}/${folder}.pdf`);
  }
  for (const d of model.documents) {
    const name = d.doc.meta.documentId ? `${d.doc.meta.documentId}-rev${d.doc.meta.revision ?? 'none'}` : basename(d.doc.path).replace(/\.(md|markdown)$/i, '');
    copy(d.pdf, `pdf/documents/${safeSegment(name)}.pdf`);
  }
  return n;
}

function readme(model: SiteModel, pdfs: number): string {
  const failed = model.reports.filter((r) => verdictOf(r).state === 'failed');
  const b = model.build;
  const example = model.reports.find((r) => r.record)?.path ?? 'reports/<protocol>/<report-id>';
  const lines = [
    `Inspection package: ${model.title}`,
    `Built ${b.builtAt} by ${b.tool}${b.commit ? ` from commit ${b.commit}${b.uncommitted ? ` (${b.uncommitted} uncommitted change(s) in the working tree)` : ''}` : ' (the repository is not under git)'}.`,
    '',
    'START HERE: open site/index.html in a web browser. It works offline, from this folder or the unpacked zip:',
    'no server, no network; the only script sorts, filters and searches.',
    '',
    'Contents',
    '  site/               the site: overview, controlled documents, executed reports with their evidence,',
    '                      deviations and signatures, traceability, audit trail, "verify it yourself"',
    `  pdf/reports/        the archival PDF of every report (${model.reports.filter((r) => r.files.includes('report.pdf')).length}); each signature is a PDF signature of its own (incremental updates), the approver's last`,
    `  pdf/documents/      every controlled document as PDF (${pdfs - model.reports.filter((r) => r.files.includes('report.pdf')).length})`,
    '  verification.json   the result of "qualify verify" for every report and document when the package was built',
    '  trust-root/         the signer registry (signers.yaml) and the certificate of its signing CA (ca.pem)',
    '',
    'Verdicts when the package was built',
    `  Reports: ${model.reports.length - failed.length} of ${model.reports.length} verified${failed.length ? `, ${failed.length} FAILED:` : '.'}`,
    ...failed.map((r) => `    FAILED ${r.path}: ${verdictOf(r).reason}`),
    `  Audit trail: ${!model.audit.present ? 'none' : model.audit.problems.length ? `BROKEN (${model.audit.problems.join('; ')})` : `intact, ${model.audit.entries.length} entries`}`,
    '',
    'Trust root',
    ...(model.trust
      ? [
          `  Signer registry ${model.trust.file}, sha256 ${model.trust.sha256}`,
          ...(model.trust.ca ? [`  CA "${model.trust.ca.name}", certificate SHA-256 fingerprint:`, `    ${model.trust.ca.fingerprint}`] : []),
          '  Compare the fingerprint with the record your QA department keeps before trusting any signature:',
          '    openssl x509 -in trust-root/ca.pem -noout -fingerprint -sha256',
          ...model.trust.signers.flatMap((s) => s.keys.map((k) => `  Signer ${s.id} (${s.name}, ${s.roles.join(', ')}): key ${k.fingerprint}${k.revoked ? ` revoked ${k.revoked.at}` : ''}`)),
        ]
      : ['  None: this repository has no signer registry; approvals are front matter only ("approval not signed").']),
    '',
    'Verify it yourself, in a clone of the repository at the commit above, with the qualify tool:',
    `  qualify verify ${example}     (hashes, signatures, rules, PDF, audit trail; exit 4 on failure)`,
    '  qualify audit --verify          (the audit trail hash chain)',
    '  qualify site --out site         (rebuilds this site, verifying everything again)',
    'and without it:',
    '  pdfsig pdf/reports/<protocol>/<report>.pdf      (the PDF signatures, poppler-utils)',
    '  qualify verify pdf/reports/<protocol>/<report>.pdf --trust trust-root/ca.pem   (one PDF alone, no clone needed)',
    `  sha256sum site/${model.reports[0]?.base ?? 'reports/<protocol>/<report>/'}evidence/*   (compare with the record)`,
    '',
  ];
  return `${lines.join('\n')}`;
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** A zip of `files` (relative to `dir`) with a fixed time on every entry, written beside `out` and renamed. */
async function writeZip(dir: string, files: string[], out: string, mtime: Date): Promise<void> {
  const zip = new yazl.ZipFile();
  const tmp = `${out}.tmp-${randomBytes(6).toString('hex')}`;
  const top = basename(out).replace(/\.zip$/i, '');
  for (const f of files) zip.addFile(join(dir, f), `${top}/${f}`, { mtime, mode: 0o100644, compress: !/\.(pdf|png|jpe?g|gif|webp)$/i.test(f) });
  zip.end();
  try {
    await pipeline(zip.outputStream, createWriteStream(tmp));
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
