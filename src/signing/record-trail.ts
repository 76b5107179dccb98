// What the audit trail knows of one report folder, checked against the folder: the run that wrote the
// record (the sha256 of the bytes of report.json it wrote), the renderings written since (report.md,
// report.pdf, junit.xml: the bytes of the last one recorded), and the signers enrolled before the run.
// A record edited after its run, or a rendering edited after qualify wrote it, is found here.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { REPORT_RENDERINGS, type Report } from '../model/report.js';
import type { AuditEntry, AuditTrail } from './audit.js';
import { sha256Hex } from './hash.js';
import { RECORD_FILE } from './report-record.js';
import { short } from './signers.js';
import type { Finding } from './verdict.js';

export interface RecordTrail {
  /** The `run` entry of the record, when the trail has exactly one. */
  run: AuditEntry | null;
  findings: Finding[];
  passed: string[];
}

/** The entries about report `reportId` that wrote `file` (the run and renders), in trail order. */
function writesOf(trail: AuditTrail, reportId: string, file: string): AuditEntry[] {
  return trail.entries.filter((e) => e.object?.type === 'report' && e.object.id === reportId && e.ref?.path === file && (e.action === 'run' || e.action === 'render'));
}

/** The record's run entry and renderings against the trail; `fileSha256` is the sha256 of report.json's bytes. */
export function recordTrailFindings(trail: AuditTrail, dir: string, record: Report, fileSha256: string, options: { renderings?: boolean } = {}): RecordTrail {
  const out: RecordTrail = { run: null, findings: [], passed: [] };
  const { findings } = out;
  // A report folder is named after its record: a record copied into another report's folder is not that report.
  if (basename(dir) !== record.reportId) findings.push({ code: 'RECORD_MISPLACED', file: RECORD_FILE, message: `the folder ${basename(dir)} holds the record ${record.reportId}: a report folder is named after its record, this one was copied or moved over another` });
  if (!trail.present) {
    findings.push({ code: 'AUDIT_TRAIL_MISSING', file: trail.file, message: `${trail.file} is missing: the run that wrote ${record.reportId} is recorded there` });
    return out;
  }
  const runs = trail.entries.filter((e) => e.action === 'run' && e.object?.type === 'report' && e.object.id === record.reportId);
  if (runs.length === 0) {
    findings.push({ code: 'RUN_NOT_AUDITED', file: RECORD_FILE, message: `${trail.file} has no run of ${record.reportId}: the record was not written by a run of this repository, or its entry was removed` });
    return out;
  }
  if (runs.length > 1) findings.push({ code: 'RUN_AUDITED_TWICE', file: trail.file, message: `${trail.file} records ${runs.length} runs of ${record.reportId} (seq ${runs.map((e) => e.seq).join(', ')}): a run is recorded once; later entries were added outside a run` });
  const run = runs[0]!;
  out.run = run;
  if (run.ref?.sha256 !== fileSha256) {
    findings.push({ code: 'RECORD_NOT_AS_RUN', file: RECORD_FILE, message: `report.json has sha256 ${short(fileSha256)}, the run wrote ${short(String(run.ref?.sha256))} (audit trail seq ${run.seq}): the record was changed after the run` });
  } else if (runs.length === 1) {
    out.passed.push(`record report.json: the bytes the run wrote (audit trail seq ${run.seq}, ${run.at})`);
  }
  if (options.renderings === false) return out;
  for (const name of REPORT_RENDERINGS) {
    const last = writesOf(trail, record.reportId, name).at(-1);
    const path = join(dir, name);
    const present = existsSync(path);
    if (!last) {
      if (present) findings.push({ code: 'RENDERING_NOT_AUDITED', file: name, message: `${name} is not recorded in ${trail.file}: it was not written by qualify` });
      continue;
    }
    if (!present) {
      findings.push({ code: 'RENDERING_MISSING', file: name, message: `${name} was written (audit trail seq ${last.seq}, ${last.action} at ${last.at}) but is missing: it was removed` });
      continue;
    }
    const sha = sha256Hex(readFileSync(path));
    if (sha !== last.ref!.sha256) findings.push({ code: 'RENDERING_ALTERED', file: name, message: `${name} has sha256 ${short(sha)}, the audit trail recorded ${short(last.ref!.sha256)} (seq ${last.seq}, ${last.action} at ${last.at}): it was changed after qualify wrote it` });
    else out.passed.push(`${name}: the bytes qualify wrote (audit trail seq ${last.seq})`);
  }
  return out;
}

/** True when the trail shows signers enrolled before `entry` (a key created earlier). */
export function signersBefore(trail: AuditTrail, entry: AuditEntry): boolean {
  return trail.entries.some((e) => e.seq < entry.seq && e.action === 'keys.create');
}
