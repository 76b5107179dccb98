// What a record states beyond the run itself (RC-01, RC-10, PC-07): the system qualified and its
// version as qualify.yaml declares them, the validation record covering the tool, and the requirements
// of the repository traced to the executed protocol's cases. Computed by the caller of a run from the
// repository it read, and passed to runQualification.
import type { Protocol } from '../model/document.js';
import type { QualifyConfig } from '../model/config.js';
import type { TraceabilitySnapshot } from '../model/report.js';
import type { Traceability } from '../documents/traceability.js';
import { interpolate } from '../documents/template.js';

export interface RecordContext {
  /** qualify.yaml `system:` with run parameters interpolated; absent when not declared. */
  system?: { name: string | null; version: string | null };
  toolValidation: { reference: string; versions: string[] | null } | null;
  /** null: the repository has no requirements document. */
  traceability: TraceabilitySnapshot | null;
  /** Notices for the record (a `system` value naming an unknown run parameter). */
  warnings: string[];
}

/** The requirements traced to `protocol`'s cases, as a record keeps them. */
export function traceabilitySnapshot(trace: Traceability, protocol: Pick<Protocol, 'path' | 'cases' | 'meta'>): TraceabilitySnapshot | null {
  if (!trace.available) return null;
  const self = (p: Pick<Protocol, 'path'>): boolean => p.path === protocol.path;
  const requirements: TraceabilitySnapshot['requirements'] = [];
  for (const doc of trace.requirements) {
    for (const r of doc.requirements) {
      if (trace.byId.get(r.id) !== r) continue;
      const links = trace.cases.get(r.id) ?? [];
      requirements.push({
        id: r.id,
        title: r.title,
        risk: r.risk ?? null,
        type: r.type ?? null,
        document: `${doc.meta.documentId ?? doc.path}${doc.meta.revision ? ` revision ${doc.meta.revision}` : ''}`,
        cases: protocol.cases.filter((c) => c.requirements.includes(r.id)).map((c) => c.id),
        elsewhere: [...new Set(links.filter((l) => !self(l.protocol)).map((l) => l.protocol.meta.documentId ?? l.protocol.path))],
        justification: r.justification ?? null,
      });
    }
  }
  return {
    documents: trace.requirements.map((d) => ({ documentId: d.meta.documentId ?? d.path, revision: d.meta.revision, path: d.path, sha256: d.sha256 })),
    requirements,
    orphans: protocol.cases
      .filter((c) => c.requirements.length === 0 || c.requirements.some((id) => !trace.byId.has(id)))
      .map((c) => ({ case: c.id, requirements: [...c.requirements], justification: c.justification ?? null })),
  };
}

/** The record context of a run of `protocol` with `parameters`. */
export function recordContext(input: { traceability: Traceability; protocol: Protocol; config: QualifyConfig; parameters: Record<string, string> }): RecordContext {
  const warnings: string[] = [];
  const value = (key: 'name' | 'version'): string | null => {
    const template = input.config.system?.[key];
    if (!template) return null;
    try {
      return interpolate(template, input.parameters) || null;
    } catch (err) {
      warnings.push(`qualify.yaml system.${key} "${template}" cannot be filled from the run parameters (${(err as Error).message.split('\n')[0]}); the record says "not declared".`);
      return null;
    }
  };
  const declared = input.config.system;
  return {
    ...(declared ? { system: { name: value('name'), version: value('version') } } : {}),
    toolValidation: input.config.toolValidation ?? null,
    traceability: traceabilitySnapshot(input.traceability, input.protocol),
    warnings,
  };
}
