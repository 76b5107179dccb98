// What the site takes from a report folder: the record (report.json) and its archival PDF are copied; text
// evidence is shown inline in the report page (so it is read, not copied); evidence that is not text or too
// long to show inline is copied as a file. The other files (signatures, manifest, report.md) are listed with
// their size: their content is shown on the page (signature verdicts) or is in the repository.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportEntry } from './model.js';
import { REPORT_SCHEMA, type Report } from '../model/report.js';
import { recordShapeProblem } from '../signing/report-record.js';
import { reportFile } from './paths.js';

/** How many bytes of a text evidence file are shown inline; a longer one is also copied whole. */
export const INLINE_LIMIT = 256 * 1024;

const TEXT_TYPES = /^(text\/|application\/(json|x-ndjson|yaml|x-yaml|xml)|message\/http)/i;

export interface FolderFile {
  size: number;
  /** Content when the page shows it or the site copies it. */
  bytes: Buffer | null;
  sha256: string | null;
  /** Site path of the copy; null when the file is not copied. */
  site: string | null;
  /** Text evidence shown inline in the report page. */
  inline: boolean;
}

export function isText(bytes: Buffer, mediaType: string): boolean {
  return TEXT_TYPES.test(mediaType) || !bytes.subarray(0, 8192).includes(0);
}

/** Reads the files of a report folder the site needs, and decides which are copied. */
export function readReportFiles(entry: ReportEntry): Map<string, FolderFile> {
  const media = new Map<string, string>();
  for (const c of entry.record?.cases ?? []) for (const s of c.steps) for (const e of s.evidence) media.set(e.path, e.mediaType);
  const out = new Map<string, FolderFile>();
  for (const f of entry.files) {
    const abs = join(entry.dir, f);
    const copy = f === 'report.pdf' || f === 'report.json';
    if (!copy && !media.has(f)) {
      out.set(f, { size: statSync(abs).size, bytes: null, sha256: null, site: null, inline: false });
      continue;
    }
    const bytes = readFileSync(abs);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const inline = media.has(f) && isText(bytes, media.get(f)!);
    const copied = copy || !inline || bytes.length > INLINE_LIMIT;
    out.set(f, { size: bytes.length, bytes, sha256, site: copied ? reportFile(entry.base, f) : null, inline });
  }
  return out;
}

/** The record for display; null when it cannot be read as one (verification says why). */
export function readRecord(dir: string): Report | null {
  try {
    const r = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    if (!r || r.schema !== REPORT_SCHEMA || typeof r.reportId !== 'string') return null;
    return recordShapeProblem(r as unknown as Record<string, unknown>) ? null : r;
  } catch {
    return null;
  }
}
