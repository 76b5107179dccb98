// The text evidence of a record as PDF attachments (associated files of report.pdf), so that an auditor
// holding only the PDF can read the raw observations behind each result: JSON, text, HTTP exchanges,
// masked as stored, each checked against the sha256 the record names. Binary evidence (images) is
// listed in the report with its hash but not attached.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { EvidenceRef, Report } from '../model/report.js';
import type { PdfAttachment } from '../pdf/types.js';
import { IntegrityError } from '../model/errors.js';

/** Media types read as text: text/*, JSON, XML, YAML and HTTP messages. */
export function isTextEvidence(mediaType: string): boolean {
  const type = mediaType.split(';')[0]!.trim().toLowerCase();
  return type.startsWith('text/') || type === 'message/http' || /^application\/([\w.-]+\+)?(json|xml|yaml|x-yaml|x-ndjson)$/.test(type);
}

/** The name an evidence file has in the PDF: its path with `/` as `-` (`evidence-IQ-02.1-inspect.json`). */
export function attachmentName(ref: Pick<EvidenceRef, 'path'>): string {
  return ref.path.replace(/\//g, '-');
}

/**
 * The text evidence of `report` read with `read` (a path relative to the report folder → bytes, null
 * when missing), in record order. A file missing or not matching its recorded sha256 is refused
 * (IntegrityError): a PDF never carries evidence other than the record's.
 */
export function evidenceAttachments(report: Report, read: (path: string) => Uint8Array | null): PdfAttachment[] {
  const out: PdfAttachment[] = [];
  for (const c of report.cases) {
    for (const s of c.steps) {
      for (const e of s.evidence) {
        if (!isTextEvidence(e.mediaType)) continue;
        const bytes = read(e.path);
        if (!bytes) throw new IntegrityError('EVIDENCE_MISSING', `${e.path} (evidence of step ${s.id}) is missing from the report folder; the PDF cannot carry it`);
        const sha = createHash('sha256').update(bytes).digest('hex');
        if (sha !== e.sha256) throw new IntegrityError('EVIDENCE_MISMATCH', `${e.path} (evidence of step ${s.id}) has sha256 ${sha}, the record says ${e.sha256}; the PDF cannot carry it`);
        out.push({ name: attachmentName(e), mediaType: e.mediaType, bytes, description: `Evidence of step ${s.id}: ${e.description} (sha256 ${e.sha256})` });
      }
    }
  }
  return out;
}

/** Reads an evidence file of the report folder `dir`; null when missing or when `path` leaves the folder. */
export function readEvidenceFile(dir: string, path: string): Uint8Array | null {
  const rel = normalize(path);
  if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) return null;
  try {
    return readFileSync(join(dir, rel));
  } catch {
    return null;
  }
}
