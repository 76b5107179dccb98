// Controlled documents (SOPs, protocols) as plain data.
import type { Root } from 'mdast';
import type { CaseKind } from './requirements.js';

export type DocumentType = 'sop' | 'protocol' | 'requirements' | 'work-instruction' | 'document';

export const DOCUMENT_STATUSES = ['draft', 'in-review', 'approved', 'effective', 'superseded', 'obsolete'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/**
 * Front-matter fields, in the order of design.md's field table and then the other fields a document
 * may carry (`repository`, `folder`, `content_type` come from real imported SOPs, mdn_qms). Lint
 * knows these; `qualify fmt` writes them in this order.
 */
export const FRONT_MATTER_FIELDS = [
  'document_id', 'title', 'description', 'type', 'revision', 'status',
  'authors', 'reviewers', 'approvers', 'approval_date', 'effective_date',
  'review_period_months', 'supersedes', 'change_control', 'training_required',
  'owner', 'change_summary', 'training_audience', 'repository', 'folder', 'content_type', 'parameters',
] as const;

/** A position in the source file (1-based). */
export interface Position {
  line: number;
  column: number;
}

/** The document-control fields we understand, normalised from front matter. */
export interface DocumentMeta {
  documentId: string | null;
  title: string | null;
  description: string | null;
  type: DocumentType;
  revision: string | null;
  /** Status claimed in front matter (not trusted on its own). */
  status: DocumentStatus | null;
  authors: string[];
  reviewers: string[];
  approvers: string[];
  /** ISO dates YYYY-MM-DD, or null when absent or invalid. */
  approvalDate: string | null;
  effectiveDate: string | null;
  reviewPeriodMonths: number | null;
  supersedes: string | null;
  changeControl: string | null;
  trainingRequired: boolean | null;
}

export interface ControlledDocument {
  /** Path relative to the repository root (or as given), with forward slashes. */
  path: string;
  /** sha256 (hex) of the file's bytes as read. */
  sha256: string;
  /** Raw front matter as parsed (YAML data), {} when there is none. */
  frontMatter: Record<string, unknown>;
  /** Where each top-level front-matter key starts. */
  fieldPositions: Record<string, Position>;
  meta: DocumentMeta;
  /** Markdown body after the front matter. */
  body: string;
  /** Line number in the file of the body's first line (1-based). */
  bodyStartLine: number;
  /**
   * The body parsed once by the one Markdown pipeline (src/markdown/parse.ts): every consumer (lint,
   * the protocol's cases and check blocks, status, the PDF) reads this tree. Its positions are file
   * positions: lines and columns of the file, offsets into the file's text (decoded, without a BOM).
   */
  tree: Root;
  hasFrontMatter: boolean;
}

export interface ParameterSpec {
  description?: string;
  pattern?: string;
  default?: string;
  required?: boolean;
  /** The value is a secret: masked in the record, the evidence and the console (`secret: true`). */
  secret?: boolean;
}

export type Stage = 'IQ' | 'OQ' | 'PQ';
export type Risk = 'high' | 'medium' | 'low';

/** One executable step of a test case, as written (before interpolation). */
export interface CheckSpec {
  /** `<case>.<n>` unless given. */
  id: string;
  type: string;
  /** Parameters of the check type: every key except the reserved ones below. */
  params: Record<string, unknown>;
  expect: Record<string, unknown> | undefined;
  /** Step timeout in milliseconds. */
  timeoutMs: number | undefined;
  retry: { untilMs: number; everyMs: number } | undefined;
  dependsOn: string[];
  /** Where the fenced block starts. */
  position: Position;
  /** Where each key of the block starts (file positions). */
  keyPositions: Record<string, Position>;
  /** `targets:` of the block (absent: the case's, else the check type's default). */
  targets?: TargetSelection;
  /** `each: replica` with its selector (absent: the case's, else one step per target). */
  each?: ReplicaSelector;
}

/** Which targets of the environment a check runs on: every one, the Swarm managers, or named ones. */
export type TargetSelection = 'all' | 'managers' | string[];

/** `each: replica` with one selector: containers by label (`key=value`), by name (`*` and `?` wildcards) or by service. */
export interface ReplicaSelector {
  by: 'label' | 'name' | 'service';
  value: string;
}

export interface TestCase {
  id: string;
  title: string;
  stage: Stage;
  risk: Risk | undefined;
  requirements: string[];
  /** Markdown prose under the heading (objective, acceptance criteria), without fenced case/check blocks. */
  objective: string;
  checks: CheckSpec[];
  position: Position;
  /** `targets:` of the case block: the default of its checks. */
  targets?: TargetSelection;
  /** `each: replica` of the case block: the default of its checks that observe one container. */
  each?: ReplicaSelector;
  /** Where the case block's `targets` was written (for run-time messages). */
  targetsAt?: Position;
  /** How the case exercises its requirements (`kind` of the case block); positive when not given. */
  kind?: CaseKind;
  /** Why the case departs from the traceability rules (an orphan case, a positive-only test of a high-risk requirement), written out. */
  justification?: string;
  /** Where the case block's `requirements` key starts (else the block, else the heading). */
  requirementsPosition?: Position;
}

export interface Protocol extends ControlledDocument {
  parameters: Record<string, ParameterSpec>;
  cases: TestCase[];
}
