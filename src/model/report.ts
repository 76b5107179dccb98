// The executed qualification record (report.json) as plain data.
// schemas/report.schema.json is the machine-checkable form of these types; keep them in step.

import type { Risk, Stage } from './document.js';
import type { CaseKind, TracedRequirement } from './requirements.js';

export const REPORT_SCHEMA = 'qualify.report/v1';

/** Files of a report folder rendered from the record; the audit trail records the bytes of each one written. */
export const REPORT_RENDERINGS = ['report.md', 'report.pdf', 'junit.xml'] as const;

export type StepStatus = 'pass' | 'fail' | 'error' | 'skipped';
export type Conclusion = 'pass' | 'fail';

/** A raw observation stored under evidence/, content-addressed by sha256. */
export interface EvidenceRef {
  /** Path relative to the report folder, e.g. `evidence/IQ-02.1-inspect.json`. */
  path: string;
  sha256: string;
  bytes: number;
  mediaType: string;
  /** What it is, for a reader: "docker inspect of container web". */
  description: string;
}

/** One comparison of an `expect` entry against the observed value. */
export interface Assertion {
  /** Path into the actual values, e.g. `json.version` or `health`. */
  path: string;
  /** `equals`, `matches`, `contains`, `not_contains`, `lte`, `gte`, `one_of`, `absent`. */
  matcher: string;
  expected: unknown;
  actual: unknown;
  pass: boolean;
  message?: string;
}

export interface Attempt {
  n: number;
  started: string;
  ended: string;
  status: StepStatus;
  reason?: string;
  /**
   * What this attempt observed (masked), so that every attempt's actual value stays in the record
   * (EX-06), not only the last one's. Absent in records written before attempts kept their values.
   */
  actual?: Record<string, unknown> | null;
}

export interface StepResult {
  id: string;
  type: string;
  /** Parameters after interpolation, secrets masked. */
  params: Record<string, unknown>;
  /** `expect` after interpolation. */
  expected: Record<string, unknown> | null;
  /** Observed values (masked); null when nothing could be observed. */
  actual: Record<string, unknown> | null;
  assertions: Assertion[];
  status: StepStatus;
  /** Why it failed, errored or was skipped, in one sentence. */
  reason: string | null;
  attempts: Attempt[];
  started: string;
  ended: string;
  durationMs: number;
  evidence: EvidenceRef[];
  /** For manual steps: who observed, when. */
  observedBy?: { id: string; at: string } | null;
  /** For a step of a fan-out (several targets or replicas): the check block it comes from, where it ran. */
  fanout?: StepFanout;
}

/** Where one step of a fanned-out check block ran: its target and, with `each: replica`, its replica. */
export interface StepFanout {
  /** The check block's id (`IQ-02.1`); the step's own id adds `@target` and `/replica`. */
  check: string;
  /** Target name of qualify.yaml (null: the environment's only engine). */
  target: string | null;
  replica: ReplicaRef | null;
}

/** One replica a step looked at: the container of a Swarm task, a Compose service or a label/name selection. */
export interface ReplicaRef {
  /** `orders.2` (Swarm service and slot, Compose service and number) or the container name. */
  name: string;
  container: string;
  containerId: string;
}

export interface CaseResult {
  id: string;
  title: string;
  stage: Stage;
  risk: Risk | null;
  requirements: string[];
  /** Objective and acceptance criteria, Markdown as written in the protocol. */
  objective: string;
  status: StepStatus;
  steps: StepResult[];
  /** How the case exercises its requirements (its `case` block's `kind`); absent in older records. */
  kind?: CaseKind;
  /** The case block's written `justification`, when it has one. */
  justification?: string | null;
}

/** The validation record covering the tool (qualify.yaml `tool_validation:`), RC-10. */
export interface ToolValidation {
  /** The validation or adequacy record, e.g. "TVR-0001 revision 02". */
  reference: string;
  /** Tool versions the record covers, as declared; null when it does not say. */
  versions: string[] | null;
  /** Whether this run's tool version is among `versions`; null when no versions are declared. */
  covered: boolean | null;
}

/** Requirements and their cases as read at run time (requirements documents of the repository). */
export interface TraceabilitySnapshot {
  /** The requirements documents read: id, revision, path and sha256 of the bytes. */
  documents: Array<{ documentId: string; revision: string | null; path: string; sha256: string }>;
  requirements: TracedRequirement[];
  /** Cases of the executed protocol naming no requirement of those documents. */
  orphans: Array<{ case: string; requirements: string[]; justification: string | null }>;
}

export interface Deviation {
  id: string; // DEV-001
  caseId: string;
  stepId: string;
  /** The target of a fanned-out step (absent: one engine). */
  target?: string;
  /** The replica of an `each: replica` step. */
  replica?: string;
  /** What went wrong: expected vs actual in one paragraph. */
  description: string;
  opened: string;
  status: 'open' | 'closed';
  disposition: null | {
    text: string;
    by: string;
    at: string;
    /** Path of the signature envelope that closed it, relative to the report folder. */
    signature?: string;
  };
}

export interface SubjectImage {
  /** Target it was observed on (fleet environments only). */
  target?: string;
  /** Replica the container is (`orders.2`), when it belongs to a Swarm service or Compose project. */
  replica?: string;
  /** Container name the image was observed in (null for images inspected directly). */
  container: string | null;
  repository: string | null;
  tag: string | null;
  /** `repo@sha256:...` when the image came from a registry, else null. */
  digest: string | null;
  imageId: string;
}

/** One Swarm task a service check observed: which replica, on which node, running which digest. */
export interface SubjectTask {
  /** Target (Swarm manager) it was observed through; absent for a single-engine environment. */
  target?: string;
  service: string;
  /** `orders.2` (replicated: service and slot; global: service and node id). */
  replica: string;
  taskId: string;
  nodeId: string | null;
  node: string | null;
  state: string;
  desiredState: string;
  /** `repo@sha256:...` the task runs (its spec image, pinned by Swarm), null when unpinned. */
  digest: string | null;
  containerId: string | null;
}

/** The Swarm role of an engine: a manager, a worker, or not in a Swarm. */
export type SwarmRole = 'manager' | 'worker' | 'none';

export interface EngineInfo {
  /** Target name (fleet environments; absent for an environment of one engine). */
  name?: string;
  /** Endpoint as configured (unix socket path or tcp URL, credentials masked). */
  endpoint: string;
  /** The engine's own id (`docker info` ID); absent in older records. */
  engineId?: string | null;
  /** Swarm membership; null when it could not be observed; absent in older records. */
  swarm?: { role: SwarmRole; nodeId: string | null; clusterId: string | null } | null;
  version: string | null;
  apiVersion: string | null;
  os: string | null;
  arch: string | null;
  hostname: string | null;
  /** Engine clock (UTC) when observed. */
  time: string | null;
  error: string | null;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  reportId: string;
  dryRun: boolean;
  /** True when the run was interrupted (Ctrl-C): not all steps ran. */
  incomplete: boolean;
  protocol: {
    documentId: string;
    title: string;
    revision: string;
    path: string;
    sha256: string;
    gitCommit: string | null;
    /** Computed status at run time. */
    status: string;
    /** How the approval was established: signatures, or front matter only (with a warning). */
    approval: 'signed' | 'front-matter' | 'none';
  };
  parameters: Record<string, string>;
  executor: {
    id: string;
    /** Printed name from signers.yaml when authenticated; null otherwise. */
    name: string | null;
    host: string;
    /**
     * How the executor was established: `authenticated` (--as, passphrase), `service` (a service identity of
     * qualify.yaml running for `initiatedBy`), `unattributed` (no --as). Absent in records of older versions.
     */
    attribution?: 'authenticated' | 'service' | 'unattributed';
    /** The person responsible for a service run: the only one who may sign it as executed. */
    initiatedBy?: { id: string; name: string } | null;
  };
  tool: {
    name: 'qualify';
    version: string;
    node: string;
    /** The validation record the tool is covered by; null (or absent, older records): not declared. */
    validation?: ToolValidation | null;
  };
  /**
   * The system qualified (RC-01): its name as qualify.yaml `system.name` declares it, its application
   * version from `system.version` or else as observed. Absent in older records.
   */
  system?: { name: string | null; version: string | null; versionFrom: 'qualify.yaml' | 'application tag' | 'image tag' | null };
  /** Requirements traced to this protocol's cases at run time; null: the repository has no requirements documents. Absent in older records. */
  traceability?: TraceabilitySnapshot | null;
  environment: string | null;
  targets: EngineInfo[];
  started: string;
  ended: string;
  cases: CaseResult[];
  deviations: Deviation[];
  subject: {
    images: SubjectImage[];
    /** Swarm tasks observed by service checks (absent when none). */
    tasks?: SubjectTask[];
    application: { repo: string; commit: string | null; tag: string | null } | null;
  };
  summary: {
    cases: number;
    steps: number;
    passed: number;
    failed: number;
    errored: number;
    skipped: number;
    deviations: number;
  };
  conclusion: Conclusion;
  /** Notices every reader must see, e.g. "approval not signed". */
  warnings: string[];
  /**
   * Masking performed on evidence and record: a count, and per place the number of the masked value
   * (`[MASKED:n]`) and how often. Nothing computed from a masked value is kept (docs/secrets.md).
   * Records written before this scheme carry `salt`, `algorithm` and per entry a `hash` instead of `ref`.
   */
  redaction: {
    count: number;
    /** How markers refer to masked values (redact.ts REDACTION_SCHEME). */
    scheme?: string;
    /** Older records: the salt of their hashes. */
    salt?: string;
    /** Older records: how `hash` was computed from a masked value. */
    algorithm?: string;
    /** One entry per place and masked value; `count` = occurrences masked there. */
    entries: Array<{ where: string; ref?: number; hash?: string; count?: number }>;
  };
}
