// The audit-trail extract a report prints (RC-08): the entries whose object is this report, as the
// trail holds them when the report is rendered. `render` entries are left out: they record the bytes
// of renderings, and a rendering cannot list its own entry (the same record and signatures render the
// same bytes whenever they are rendered); `qualify audit` shows them.

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
}

/** The entries of `entries` about report `reportId`, renderings left out, in trail order. */
export function trailExtract<T extends AuditExtractEntry>(entries: readonly T[], reportId: string): T[] {
  return entries.filter((e) => e.object?.type === 'report' && e.object.id === reportId && e.action !== 'render');
}
