// The repository as a witness of its audit trail (AT-02, AT-03, EX-06). A hash chain in a writable file
// proves nothing by itself: whoever removes entries can recompute it. What cannot be recomputed are the
// signed artifacts: every signature envelope, disposition and role change carries the trail head (seq and
// hash) when it was made, so removing or rewriting any entry up to that head is found; every run entry
// names its report folder, so deleting a folder (a failed run's) is found; signers.yaml must be the bytes
// qualify last wrote (AT-07); and git, when the trail is committed, is a second witness (committed entries
// are never changed or removed). What stays undetectable without an external anchor: removing the entries
// after the last anchored artifact that left no file behind (refusals, failed passphrases), when the trail
// was not committed since. docs/signatures.md says so.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditFindings, isTrailHead, type AuditEntry, type AuditTrail, type TrailHead } from './audit.js';
import { envelopePayload, envelopeShapeProblem, type DsseEnvelope } from './dsse.js';
import { parseJsonBytes } from './json-file.js';
import { recordTrailFindings } from './record-trail.js';
import { ATTESTATION_FILE, DISPOSITIONS_DIR, loadRecord, readReportEnvelopes, SIGNATURES_DIR } from './report-record.js';
import { ACKNOWLEDGEMENTS_DIR } from './acknowledgement.js';
import { APPROVALS_DIR, readSignerRegistryText } from './repo.js';
import { registryFindings, ROLES_DIR, type RoleHistory } from './roles.js';
import { short, type SignerRegistry } from './signers.js';
import type { Finding } from './verdict.js';

export interface WitnessResult {
  findings: Finding[];
  passed: string[];
}

/** Actions whose `ref` is a signed file (relative to the report folder for reports, to the repository otherwise). */
const SIGNED_ACTIONS = new Set(['sign', 'deviation.close', 'attest', 'sign.resume', 'roles.grant', 'roles.revoke', 'keys.acknowledge']);

/** Repository path of the file an entry's `ref` names. */
function refPath(e: AuditEntry): string | null {
  if (!e.ref) return null;
  return e.object?.type === 'report' && e.object.path ? `${e.object.path}/${e.ref.path}` : e.ref.path;
}

/** The trail head a signed file carries, or null (older signatures carry none). */
function anchorOf(bytes: Uint8Array): TrailHead | null {
  const read = parseJsonBytes(bytes);
  if (!read.ok || envelopeShapeProblem(read.value)) return null;
  const payload = parseJsonBytes(envelopePayload(read.value as DsseEnvelope));
  if (!payload.ok) return null;
  const t = (payload.value as Record<string, unknown> | null)?.trail;
  return isTrailHead(t) ? t : null;
}

function listDsse(dir: string, shownAs: string, depth: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names.sort()) {
    if (n.endsWith('.dsse.json')) out.push(`${shownAs}/${n}`);
    else if (depth > 0 && !n.includes('.')) out.push(...listDsse(join(dir, n), `${shownAs}/${n}`, depth - 1));
  }
  return out;
}

/** A report folder path a run entry names, when it lies inside the repository. */
function reportFolderOf(e: AuditEntry): string | null {
  const p = e.object?.path;
  if (!p || p.startsWith('..') || p.startsWith('/') || /^[A-Za-z]:/.test(p)) return null;
  return p;
}

/** The signed files of the repository that can carry a trail head, relative to the root. */
function signedFiles(root: string, folders: string[]): string[] {
  const files = [...listDsse(join(root, APPROVALS_DIR), APPROVALS_DIR, 3), ...listDsse(join(root, ROLES_DIR), ROLES_DIR, 0), ...listDsse(join(root, ACKNOWLEDGEMENTS_DIR), ACKNOWLEDGEMENTS_DIR, 0)];
  for (const f of folders) {
    files.push(...listDsse(join(root, f, SIGNATURES_DIR), `${f}/${SIGNATURES_DIR}`, 0), ...listDsse(join(root, f, DISPOSITIONS_DIR), `${f}/${DISPOSITIONS_DIR}`, 0));
    if (existsSync(join(root, f, ATTESTATION_FILE))) files.push(`${f}/${ATTESTATION_FILE}`);
  }
  return files;
}

/**
 * Checks every anchor in the signed files against the trail: the entry at the anchored seq exists and has
 * the anchored hash, and the entry that recorded the file comes after it.
 */
function anchorFindings(root: string, trail: AuditTrail, files: string[]): { findings: Finding[]; anchored: number } {
  const findings: Finding[] = [];
  const bySeq = new Map(trail.entries.map((e) => [e.seq, e]));
  const last = trail.entries.at(-1);
  const recordedAt = new Map<string, AuditEntry>();
  for (const e of trail.entries) {
    const p = SIGNED_ACTIONS.has(e.action) ? refPath(e) : null;
    if (p && !recordedAt.has(p)) recordedAt.set(p, e);
  }
  let anchored = 0;
  for (const file of files) {
    let anchor: TrailHead | null;
    try {
      anchor = anchorOf(readFileSync(join(root, file)));
    } catch {
      continue;
    }
    if (!anchor) continue;
    anchored++;
    const entry = bySeq.get(anchor.seq);
    if (!entry) {
      findings.push({ code: 'AUDIT_TRAIL_TRIMMED', file, message: `${file} was signed when the audit trail's head was entry ${anchor.seq} (hash ${short(anchor.hash)}); the trail now ends at entry ${last?.seq ?? 0}: entries were removed` });
    } else if (entry.hash !== anchor.hash) {
      findings.push({ code: 'AUDIT_TRAIL_REWRITTEN', file, message: `${file} was signed when the audit trail's entry ${anchor.seq} had hash ${short(anchor.hash)}; that entry now has ${short(entry.hash)} (${entry.action} at ${entry.at}): entries up to it were removed, inserted or rewritten` });
    } else {
      const rec = recordedAt.get(file);
      if (rec && rec.seq <= anchor.seq) findings.push({ code: 'AUDIT_TRAIL_REWRITTEN', file, message: `${file} is recorded at trail entry ${rec.seq}, at or before the head it was signed at (${anchor.seq}): the trail was re-ordered` });
    }
  }
  return { findings, anchored };
}

/** Run entries whose report folder (inside the repository) is gone: a record was deleted (EX-06). */
function folderFindings(root: string, trail: AuditTrail): { findings: Finding[]; folders: string[] } {
  const findings: Finding[] = [];
  const folders: string[] = [];
  const seen = new Set<string>();
  for (const e of trail.entries) {
    if (e.action !== 'run' || e.object?.type !== 'report') continue;
    const f = reportFolderOf(e);
    // A dry run is a try, never a record: git-ignored, it may be deleted (and is absent from any clone).
    if (!f || seen.has(f) || e.object.id.includes('-DRYRUN-')) continue;
    seen.add(f);
    if (existsSync(join(root, f, 'report.json'))) folders.push(f);
    else findings.push({ code: 'REPORT_FOLDER_MISSING', file: f, message: `the run of ${e.object.id} (audit trail seq ${e.seq}, ${e.at}, by ${e.who.id}: ${e.new === null ? 'no conclusion' : `conclusion ${String(e.new)}`}) wrote ${f}, which is missing: a record is never deleted, only invalidated with a reason` });
  }
  return { findings, folders };
}

/** Each report folder's record, renderings and signed files against the trail (what `verify` does for one report). */
function reportBindings(root: string, trail: AuditTrail, folders: string[]): Finding[] {
  const findings: Finding[] = [];
  for (const f of folders) {
    const dir = join(root, f);
    const loaded = loadRecord(dir);
    if (!loaded.record || !loaded.fileSha256) continue;
    const bound = recordTrailFindings(trail, dir, loaded.record, loaded.fileSha256);
    const envelopes = readReportEnvelopes(dir);
    const signed = [...envelopes.signatures, ...envelopes.dispositions];
    if (existsSync(join(dir, ATTESTATION_FILE))) signed.push({ file: ATTESTATION_FILE, bytes: readFileSync(join(dir, ATTESTATION_FILE)) });
    const audit = auditFindings({ ...trail, problems: [] }, { type: 'report', id: loaded.record.reportId }, signed);
    for (const x of [...bound.findings, ...audit.findings]) findings.push({ ...x, file: `${f}/${x.file ?? ''}`.replace(/\/$/, ''), message: `${f}: ${x.message}` });
  }
  return findings;
}

/** Trail entries about signed files of the repository (documents, roles) whose file is gone. */
function removedFindings(root: string, trail: AuditTrail): Finding[] {
  const findings: Finding[] = [];
  for (const e of trail.entries) {
    if (e.action !== 'sign' || e.object?.type !== 'document' || !e.ref) continue;
    if (!existsSync(join(root, e.ref.path))) findings.push({ code: 'SIGNATURE_REMOVED', file: e.ref.path, message: `${e.ref.path} was recorded in the audit trail (seq ${e.seq}, signed by ${e.who.id} at ${e.at}) but is missing: a document signature was removed` });
  }
  return findings;
}

export interface WitnessOptions {
  now: Date;
  /** Also check every report folder's record, renderings and signed files against the trail (`audit --verify`). */
  reports?: boolean;
  /** Compare with the trail committed in git (a second witness); `history`: every committed version, not only HEAD's. */
  git?: { env?: Record<string, string | undefined>; history?: boolean } | false;
}

/** Checks the trail against the repository: anchors, report folders, document signatures, signers.yaml, roles, git. */
export async function witnessTrail(root: string, trail: AuditTrail, registry: SignerRegistry | null, options: WitnessOptions): Promise<WitnessResult> {
  const findings: Finding[] = [];
  const passed: string[] = [];
  if (!trail.present) return { findings, passed };
  const folders = folderFindings(root, trail);
  findings.push(...folders.findings);
  const anchors = anchorFindings(root, trail, signedFiles(root, folders.folders));
  findings.push(...anchors.findings);
  findings.push(...removedFindings(root, trail));
  if (options.reports) findings.push(...reportBindings(root, trail, folders.folders));
  if (registry) {
    const history = registry.timeline as RoleHistory | undefined;
    if (history?.findings) findings.push(...history.findings);
    const text = readSignerRegistryText(root);
    if (history && text !== null) findings.push(...registryFindings(registry, text, trail, history));
  }
  if (options.git) {
    const { auditTrailAppendOnly } = await import('./git.js');
    const text = readFileSync(join(root, trail.file), 'utf8');
    const problem = await auditTrailAppendOnly(root, text, { env: options.git.env });
    if (problem) findings.push({ code: 'AUDIT_HISTORY_REWRITTEN', file: trail.file, message: problem });
    else if (options.git.history) {
      const { auditTrailHistoryAppendOnly } = await import('./git.js');
      const rewritten = await auditTrailHistoryAppendOnly(root, { env: options.git.env });
      if (rewritten) findings.push({ code: 'AUDIT_HISTORY_REWRITTEN', file: trail.file, message: rewritten });
    }
  }
  if (!findings.length) passed.push(`audit trail witnessed by the repository: ${anchors.anchored} signed file(s) anchor its head, ${folders.folders.length} report folder(s) of its runs present${registry ? `, ${registry.file} as qualify last wrote it` : ''}`);
  return { findings, passed };
}
