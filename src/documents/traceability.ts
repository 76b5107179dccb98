// Requirements ↔ test cases across the repository (PC-06, PC-07): which cases test each requirement,
// and the rules an approver relies on: no case naming an unknown requirement or none (orphan), no
// requirement without a case (untested), no high-risk requirement without a negative or limit case.
// A written `justification` on the case or the requirement accepts a departure from a rule.
// Superseded and obsolete documents take no part.
import type { ControlledDocument, Issue, Position, Protocol, TestCase } from '../model/index.js';
import type { Requirement } from '../model/requirements.js';
import type { RequirementsDocument } from './requirements.js';

/** A case of a protocol, as a link of the matrix. */
export interface CaseRef {
  protocol: Protocol;
  testCase: TestCase;
}

export interface Traceability {
  /** False when the repository has no requirements document: nothing can be traced. */
  available: boolean;
  requirements: RequirementsDocument[];
  /** Every requirement in force by id (the first one when an id is declared twice). */
  byId: Map<string, Requirement>;
  /** Requirement id → the cases naming it, in protocol and document order. */
  cases: Map<string, CaseRef[]>;
  /** Cases naming no known requirement, with the ids they name that are unknown. */
  orphans: Array<CaseRef & { unknown: string[] }>;
  protocols: Protocol[];
}

const inForce = (d: ControlledDocument): boolean => d.meta.status !== 'superseded' && d.meta.status !== 'obsolete';

/** Builds the matrix of the requirements documents and protocols given (superseded and obsolete ones left out). */
export function traceRequirements(requirementsDocs: RequirementsDocument[], protocols: Protocol[]): Traceability {
  const docs = requirementsDocs.filter(inForce);
  const active = protocols.filter(inForce);
  const byId = new Map<string, Requirement>();
  for (const d of docs) for (const r of d.requirements) if (!byId.has(r.id)) byId.set(r.id, r);
  const cases = new Map<string, CaseRef[]>([...byId.keys()].map((id) => [id, []]));
  const orphans: Traceability['orphans'] = [];
  for (const protocol of active) {
    for (const testCase of protocol.cases) {
      const unknown = testCase.requirements.filter((id) => !byId.has(id));
      for (const id of new Set(testCase.requirements)) cases.get(id)?.push({ protocol, testCase });
      if (testCase.requirements.length === 0 || unknown.length > 0) orphans.push({ protocol, testCase, unknown });
    }
  }
  return { available: docs.length > 0, requirements: docs, byId, cases, orphans, protocols: active };
}

const isTestedBy = (kind: TestCase['kind']) => kind === 'negative' || kind === 'limit';

/**
 * The traceability problems, located: orphan cases at their `requirements` key (or heading), untested
 * requirements and high-risk requirements without a negative or limit case at their heading.
 * `shown` gives the path an issue names for a document.
 */
export function traceabilityIssues(trace: Traceability, shown: (doc: ControlledDocument) => string): Issue[] {
  const issues: Issue[] = [];
  const add = (doc: ControlledDocument, pos: Position, code: string, message: string, severity: Issue['severity'] = 'error') =>
    issues.push({ file: shown(doc), line: pos.line, column: pos.column, code, severity, message });

  if (!trace.available) {
    for (const protocol of trace.protocols) {
      const first = protocol.cases.find((c) => c.requirements.length > 0);
      if (!first) continue;
      const named = [...new Set(protocol.cases.flatMap((c) => c.requirements))];
      add(protocol, first.requirementsPosition ?? first.position, 'TRACE_NO_REQUIREMENTS', `this repository has no requirements document (requirements/, type: requirements), so the requirements its cases name (${named.slice(0, 5).join(', ')}${named.length > 5 ? ', ...' : ''}) cannot be traced; write the URS as a requirements document (docs/requirements.md)`, 'warning');
    }
    return issues;
  }

  const first = new Map<string, Requirement>();
  for (const doc of trace.requirements) {
    for (const r of doc.requirements) {
      const earlier = first.get(r.id);
      if (earlier && earlier !== r) add(doc, r.position, 'REQUIREMENT_ID_DUPLICATE', `requirement id "${r.id}" is also declared in ${earlier.path}:${earlier.position.line}; a requirement id is unique across the requirements documents`);
      else first.set(r.id, r);
    }
  }

  const known = [...trace.byId.keys()];
  for (const { protocol, testCase, unknown } of trace.orphans) {
    if (testCase.justification) continue;
    if (unknown.length) {
      add(protocol, testCase.requirementsPosition ?? testCase.position, 'TRACE_REQUIREMENT_UNKNOWN', `test case ${testCase.id} names ${unknown.length === 1 ? 'a requirement' : 'requirements'} that no requirements document declares: ${unknown.join(', ')} (known: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', ...' : ''}); correct the id, or write a "justification" in the case block`);
    } else {
      add(protocol, testCase.position, 'TRACE_CASE_ORPHAN', `test case ${testCase.id} traces to no requirement: name the requirements it tests in its case block (requirements: [URS-01]), or write a "justification" saying why it has none`);
    }
  }

  for (const doc of trace.requirements) {
    for (const r of doc.requirements) {
      if (trace.byId.get(r.id) !== r || r.justification) continue;
      const cases = trace.cases.get(r.id) ?? [];
      if (cases.length === 0) {
        add(doc, r.position, 'TRACE_REQUIREMENT_UNTESTED', `requirement ${r.id} is tested by no case of any protocol: name it in the case block of the case that tests it (requirements: [${r.id}]), or write a "justification" in its requirement block`);
        continue;
      }
      if (r.risk === 'high' && !cases.some((c) => isTestedBy(c.testCase.kind)) && !cases.some((c) => c.testCase.justification)) {
        add(doc, r.position, 'TRACE_HIGH_RISK_NO_NEGATIVE', `high-risk requirement ${r.id} has no negative or limit case (PC-06); it is tested only by ${cases.map((c) => c.testCase.id).join(', ')} (positive): add a case with "kind: negative" or "kind: limit", or write a "justification" in the requirement block`);
      }
    }
  }
  return issues;
}

/** Codes of the traceability rules (an approval of a protocol is refused while any of them is an error). */
export const TRACE_CODES = new Set(['TRACE_REQUIREMENT_UNKNOWN', 'TRACE_CASE_ORPHAN', 'TRACE_REQUIREMENT_UNTESTED', 'TRACE_HIGH_RISK_NO_NEGATIVE', 'REQUIREMENT_ID_DUPLICATE']);
