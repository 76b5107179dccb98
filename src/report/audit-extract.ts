// The audit-trail extract a report prints (RC-08): the entries whose object is this report, up to the
// last event the rendering shows, so that the same record and signatures render the same bytes
// whenever they are rendered (an approver's `sign --resume` restores the very PDF they signed):
//
// - a rendering that shows no signature or disposition lists the trail up to the run's own entry;
// - a rendering made by a signature (or disposition) lists everything before it: its own entry is
//   written after the rendering it triggers;
// - a later rendering of the same envelopes lists the entries before the newest envelope's entry,
//   which is what that envelope's rendering listed.
//
// `render` entries are never listed: they record the bytes of renderings, and a rendering cannot list
// its own entry; `qualify audit` prints the whole trail.

/** What the report prints of an audit entry (signing/audit.ts AuditEntry has this shape). */
export interface AuditExtractEntry {
  at: string;
  who: { id: string; name: string | null };
  action: string;
  object: { type: string; id: string };
  field?: string | null;
  old?: unknown;
  new?: unknown;
  why: string;
  ref?: { path: string } | null;
}

/** Actions whose `ref` records a signature or disposition envelope written to the report folder. */
const ENVELOPE_ACTIONS = new Set(['sign', 'deviation.close', 'sign.resume']);

/**
 * The entries of `entries` (in trail order) about report `reportId` that a rendering showing the
 * envelopes `envelopes` (signature and disposition files, relative to the report folder) lists.
 */
export function trailExtract<T extends AuditExtractEntry>(entries: readonly T[], reportId: string, envelopes: readonly string[] = []): T[] {
  const about = entries.filter((e) => e.object?.type === 'report' && e.object.id === reportId && e.action !== 'render');
  if (envelopes.length === 0) {
    const run = about.findIndex((e) => e.action === 'run');
    return run < 0 ? about : about.slice(0, run + 1);
  }
  const recordedAt = new Map<string, number>();
  about.forEach((e, i) => {
    if (e.ref && ENVELOPE_ACTIONS.has(e.action) && envelopes.includes(e.ref.path) && !recordedAt.has(e.ref.path)) recordedAt.set(e.ref.path, i);
  });
  // One envelope not in the trail yet: this is its own rendering, made before its entry is written.
  if (envelopes.some((f) => !recordedAt.has(f))) return about;
  return about.slice(0, Math.max(...recordedAt.values()));
}
