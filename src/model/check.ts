// The contract between protocol documents (lint), check types (observe) and the runner (judge).
// A check type declares what it takes (params) and observes facts; the runner compares them with
// `expect` using the shared matchers. "What we expect" stays apart from "how we observe" (goss).

import type { Assertion, EvidenceRef } from './report.js';

export type ParamKind = 'string' | 'number' | 'boolean' | 'string[]' | 'map' | 'any';

export interface ParamDef {
  kind: ParamKind;
  description: string;
  required?: boolean;
  /** Allowed values for a string parameter. */
  enum?: string[];
}

/** What lint and `qualify checks` need to know of a check type. */
export interface CheckTypeInfo {
  type: string;
  /** One line: what this check establishes. */
  summary: string;
  params: Record<string, ParamDef>;
  /** Each group lists parameters of which exactly one must be given, e.g. [['container', 'label']]. */
  exactlyOne?: string[][];
  /** Keys allowed under `expect`; undefined means any key. */
  expectKeys?: string[];
  /** True when the type judges itself (e.g. release.provenance) and `expect` is optional. */
  implicitVerdict?: boolean;
  /** A complete `check` block body (YAML), shown by `qualify checks` and executed by a shared test. */
  example: string;
  /**
   * Observed key that top-level matchers of `expect` address: for container.logs (`logs`),
   * `expect: { not_contains: { matches: ERROR } }` means `expect: { logs: { not_contains: ... } }`.
   */
  primaryKey?: string;
  /** Acceptance applied when a step gives no `expect` (e.g. http.get: `status: 200`). */
  defaultExpect?: Record<string, unknown>;
  /**
   * Where the check observes, which decides how it fans out over the targets of an environment:
   * `engine` (containers, images, projects: every target by default), `swarm` (services: the Swarm
   * managers by default), `container-param` (on the engine when its `container` parameter is given,
   * else on this machine: file, command), absent: this machine (http, git, documents, people).
   */
  scope?: 'engine' | 'swarm' | 'container-param';
}

/** Raw observation to keep as evidence; the evidence store hashes, masks and names it. */
export interface EvidenceInput {
  /** Short file name stem, e.g. `inspect` or `response`; made unique per step by the store. */
  name: string;
  mediaType: string;
  description: string;
  content: string | Uint8Array;
}

/** What a check type returns: the facts, and optionally verdicts it computed itself. */
export interface Observation {
  /** Observed values, addressed by `expect` keys (dotted paths allowed: `json.version`). */
  actual: Record<string, unknown>;
  evidence?: EvidenceInput[];
  /** Verdicts of implicit checks (release.provenance: "revision label equals tag commit"). */
  assertions?: Assertion[];
  /**
   * Why waiting cannot change this observation (a container that exited or is gone): a step with
   * `retry` that does not pass ends at once instead of retrying for its whole window.
   */
  final?: string;
}

export type { EvidenceRef };

/** The computed document-control state of one controlled document, as checks and the run gate see it. */
export interface DocumentStatusInfo {
  documentId: string;
  title: string | null;
  revision: string | null;
  path: string;
  sha256: string;
  /** Status claimed in front matter. */
  claimedStatus: string | null;
  /** Status computed from approvals (signatures, or front matter when no signer registry exists) and dates. */
  computedStatus: string;
  /** True when the document is effective today. */
  effective: boolean;
  /** 'signed' when backed by valid approval signatures; 'front-matter' when only claimed (no signers.yaml). */
  approval: 'signed' | 'front-matter' | 'none';
  approvers: string[];
  approvalDate: string | null;
  effectiveDate: string | null;
  /** Why it is not effective, or a warning such as "approval recorded but not signed". */
  notes: string[];
}

/** Looks up a controlled document of the repository by id; null when there is none. */
export type DocumentLookup = (documentId: string) => Promise<DocumentStatusInfo | null>;

/** Asks a person for a manual observation (terminal prompt or --answers file); null when nobody can answer. */
/** A manual answer: `by` is the run's (authenticated) executor, `at` when it was entered; `note` keeps a name an answers file gave. */
export type ManualAsk = (question: { stepId: string; instruction: string; expect: unknown }) => Promise<{ answer: string; by: string; at: string; note?: string | null } | null>;
