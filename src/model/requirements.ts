// Requirements (URS/FRS) and their traceability to test cases, as plain data.
import type { Position, Risk } from './document.js';

/** Kinds of requirement a `requirement` block may declare (`type:`). */
export const REQUIREMENT_TYPES = [
  'functional', 'performance', 'security', 'data-integrity', 'regulatory', 'interface', 'operational', 'usability',
] as const;
export type RequirementType = (typeof REQUIREMENT_TYPES)[number];

/** How a test case exercises its requirements (`kind:` of its `case` block; default positive). */
export const CASE_KINDS = ['positive', 'negative', 'limit'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** One identified requirement of a requirements document: a heading `### URS-04 Title`, its prose, its `requirement` block. */
export interface Requirement {
  id: string;
  title: string;
  /** The prose under the heading (the requirement's statement), Markdown as written. */
  text: string;
  risk: Risk | undefined;
  type: RequirementType | undefined;
  /** Why this requirement departs from the traceability rules (not tested, no negative case), written out. */
  justification: string | undefined;
  /** document_id of the requirements document. */
  documentId: string | null;
  /** The document's path (relative to the repository root). */
  path: string;
  /** Where the heading starts. */
  position: Position;
}

/** A requirement as a run records it: what it is, and which cases of the executed protocol test it. */
export interface TracedRequirement {
  id: string;
  title: string;
  risk: Risk | null;
  type: string | null;
  /** document_id (revision) of the requirements document. */
  document: string;
  /** Cases of the executed protocol that name it, in document order. */
  cases: string[];
  /** Other protocols (document ids) with cases naming it. */
  elsewhere: string[];
  justification: string | null;
}
