// The record (report.json): assembled from a run's outcome, with every observed value, parameter,
// reason and piece of evidence masked by one redactor (learn everything first, then mask), deviations
// opened for every failed or errored step, the summary and the conclusion.

import { randomBytes } from 'node:crypto';
import type { Assertion, Attempt, EvidenceRef, Report, StepResult, CaseResult, Deviation, EngineInfo, ToolValidation, TraceabilitySnapshot } from '../model/report.js';
import { REPORT_SCHEMA } from '../model/report.js';
import type { Redactor } from '../evidence/redact.js';
import { learnEvidence, storeEvidence, type StoredEvidence } from '../evidence/store.js';
import type { RunOutcome, StepOutcome } from '../runner/run.js';

/** `QP-0001-20261005T101500Z-3fa2` (dry runs: `QP-0001-DRYRUN-20261005T101500Z-3fa2`). */
export function makeReportId(protocolId: string, at: Date, options: { dryRun?: boolean; suffix?: string } = {}): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const suffix = options.suffix ?? randomBytes(2).toString('hex');
  const safeId = protocolId.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${safeId}-${options.dryRun ? 'DRYRUN-' : ''}${stamp}-${suffix}`;
}

/** The pattern report ids follow (also in the JSON Schema). */
export const REPORT_ID_PATTERN = /^[A-Za-z0-9._-]+-(DRYRUN-)?\d{8}T\d{6}Z-[0-9a-f]{4,}$/;

export interface RecordInput {
  reportId: string;
  dryRun: boolean;
  protocol: Report['protocol'];
  parameters: Record<string, string>;
  executor: Report['executor'];
  environment: string | null;
  targets: EngineInfo[];
  subject: Report['subject'];
  outcome: RunOutcome;
  warnings: string[];
  tool: Report['tool'];
  redactor: Redactor;
  /** The system as qualify.yaml `system:` declares it (run parameters interpolated); the version falls back to what was observed. */
  system?: { name: string | null; version: string | null };
  /** qualify.yaml `tool_validation:`; null or absent: not declared. */
  toolValidation?: { reference: string; versions: string[] | null } | null;
  /** Requirements traced to the protocol's cases at run time (null: no requirements document); absent: not traced. */
  traceability?: TraceabilitySnapshot | null;
}

export interface AssembledRecord {
  report: Report;
  evidence: StoredEvidence[];
}

function stepWhere(id: string, part: string): string {
  return `step ${id} ${part}`;
}

/** One paragraph a reviewer can disposition: which step (on which target, which replica), expected against found. */
function deviationText(step: StepResult, caseId: string, caseTitle: string, targets: EngineInfo[]): string {
  const verb = step.status === 'fail' ? 'failed' : 'could not be observed (error)';
  const reason = (step.reason ?? 'no reason recorded').replace(/\.$/, '');
  const f = step.fanout;
  const endpoint = f?.target ? targets.find((t) => t.name === f.target)?.endpoint : undefined;
  const where = [
    f?.target ? ` on target ${f.target}${endpoint ? ` (${endpoint})` : ''}` : '',
    f?.replica ? `${f.target ? ',' : ' on'} replica ${f.replica.name}${f.replica.container !== f.replica.name ? ` (container ${f.replica.container})` : ''}` : '',
  ].join('');
  return `Step ${step.id} (${step.type}) of ${caseId} "${caseTitle}"${where} ${verb}: ${reason}.`;
}

/** The last name of an assertion path (`json.token` → `token`, `items[0].sig` → `sig`). */
function lastSegment(path: string): string {
  return path.split(/[.[\]]+/).filter(Boolean).pop() ?? path;
}

/**
 * Values a step compared under a secret name (`json.token`): masked in its assertions, and in its own
 * reason even when too short to be searched for everywhere (`found "4711"`).
 */
export function stepSecrets(redactor: Redactor, step: Pick<StepOutcome, 'assertions'>): string[] {
  const out: string[] = [];
  for (const a of step.assertions) {
    if (!redactor.isSecretKey(lastSegment(a.path))) continue;
    for (const v of [a.actual, a.expected]) {
      // As the reason shows it (describeFailures quotes strings): `found "4711"`, never a bare "1".
      if (typeof v === 'string' && v.length > 0) out.push(JSON.stringify(v));
      else if (typeof v === 'number' && String(v).length >= 3) out.push(String(v));
    }
  }
  return out.sort((x, y) => y.length - x.length);
}

/**
 * An attempt as recorded: its reason masked; its observed values kept (masked) when the step was
 * attempted more than once (EX-06: every attempt's actual value), the last one being the step's `actual`.
 */
function maskAttempt(redactor: Redactor, a: Attempt, s: StepOutcome): Attempt {
  const { actual, reason, ...rest } = a;
  const out: Attempt = { ...rest };
  if (reason !== undefined) out.reason = redactor.text(reason, stepWhere(s.id, 'attempts'), stepSecrets(redactor, s));
  if (s.attempts.length > 1) out.actual = actual ? redactor.value(actual, stepWhere(s.id, 'attempts')) : null;
  return out;
}

function maskAssertion(redactor: Redactor, a: Assertion, where: string): Assertion {
  const masked = redactor.value({ ...a }, where);
  const name = lastSegment(a.path);
  if (!redactor.isSecretKey(name)) return masked;
  // The compared values are the secret's own field.
  const secret = redactor.value({ [name]: { expected: a.expected, actual: a.actual } }, where)[name]!;
  const message = a.message === undefined ? {} : { message: redactor.text(a.message, where, stepSecrets(redactor, { assertions: [a] })) };
  return { ...masked, expected: secret.expected, actual: secret.actual, ...message };
}

/** Builds the record and its masked evidence. Deterministic for the same input (and redactor salt). */
export function assembleRecord(input: RecordInput): AssembledRecord {
  const { redactor, outcome } = input;
  const steps: StepOutcome[] = outcome.cases.flatMap((c) => c.steps);

  // 1. Learn every secret before masking anything, so order never decides what leaks.
  for (const s of steps) {
    redactor.learn(s.params);
    redactor.learn(s.actual);
    for (const a of s.attempts) if (a.actual) redactor.learn(a.actual);
    for (const e of s.evidence) learnEvidence(redactor, e);
  }
  redactor.learn(input.parameters);

  // 2. Evidence: masked, named, hashed.
  const stored = storeEvidence(
    steps.flatMap((s) => s.evidence.map((e) => ({ stepId: s.id, input: e }))),
    redactor,
  );
  const refsByStep = new Map<string, EvidenceRef[]>();
  for (const e of stored) {
    const list = refsByStep.get(e.stepId) ?? [];
    list.push(e.ref);
    refsByStep.set(e.stepId, list);
  }

  // 3. Cases and steps, masked.
  const cases: CaseResult[] = outcome.cases.map((c) => ({
    id: c.testCase.id,
    title: c.testCase.title,
    stage: c.testCase.stage,
    risk: c.testCase.risk ?? null,
    requirements: [...c.testCase.requirements],
    objective: c.testCase.objective,
    kind: c.testCase.kind ?? 'positive',
    justification: c.testCase.justification ?? null,
    status: c.status,
    steps: c.steps.map((s): StepResult => ({
      id: s.id,
      type: s.type,
      params: redactor.value(s.params, stepWhere(s.id, 'params')),
      expected: s.expected === null ? null : redactor.value(s.expected, stepWhere(s.id, 'expected')),
      actual: s.actual === null ? null : redactor.value(s.actual, stepWhere(s.id, 'actual')),
      assertions: s.assertions.map((a) => maskAssertion(redactor, a, stepWhere(s.id, 'assertions'))),
      status: s.status,
      reason: s.reason === null ? null : redactor.text(s.reason, stepWhere(s.id, 'reason'), stepSecrets(redactor, s)),
      attempts: s.attempts.map((a) => maskAttempt(redactor, a, s)),
      started: s.started,
      ended: s.ended,
      durationMs: s.durationMs,
      evidence: refsByStep.get(s.id) ?? [],
      observedBy: s.observedBy,
      ...(s.fanout ? { fanout: redactor.value(s.fanout, stepWhere(s.id, 'fanout')) } : {}),
    })),
  }));

  // 4. Deviations: one per failed or errored step, in document order.
  const deviations: Deviation[] = [];
  for (const c of cases) {
    for (const s of c.steps) {
      if (s.status !== 'fail' && s.status !== 'error') continue;
      deviations.push({
        id: `DEV-${String(deviations.length + 1).padStart(3, '0')}`,
        caseId: c.id,
        stepId: s.id,
        ...(s.fanout?.target ? { target: s.fanout.target } : {}),
        ...(s.fanout?.replica ? { replica: s.fanout.replica.name } : {}),
        description: deviationText(s, c.id, c.title, input.targets),
        opened: outcome.ended,
        status: 'open',
        disposition: null,
      });
    }
  }

  const all = cases.flatMap((c) => c.steps);
  const count = (st: string): number => all.filter((s) => s.status === st).length;
  const summary = {
    cases: cases.length,
    steps: all.length,
    passed: count('pass'),
    failed: count('fail'),
    errored: count('error'),
    skipped: count('skipped'),
    deviations: deviations.length,
  };
  const conclusion = !outcome.incomplete && all.length > 0 && summary.passed === all.length ? 'pass' : 'fail';

  const validation = toolValidation(input.toolValidation ?? null, input.tool.version);
  const warnings = [...input.warnings];
  if (validation?.covered === false) warnings.push(`Tool version ${input.tool.version} is not among the versions covered by its validation record ${validation.reference} (${validation.versions!.join(', ')}).`);
  if (outcome.incomplete) warnings.push('Run interrupted: steps not run are skipped; this record is incomplete.');
  if (input.dryRun) warnings.push('Dry run: NOT A GxP RECORD.');

  const report: Report = {
    schema: REPORT_SCHEMA,
    reportId: input.reportId,
    dryRun: input.dryRun,
    incomplete: outcome.incomplete,
    protocol: { ...input.protocol },
    parameters: redactor.value(sortObject(input.parameters), 'parameters'),
    executor: { ...input.executor },
    tool: { ...input.tool, validation },
    system: { name: null, version: null, versionFrom: null }, // set below from the masked subject, in this place of the record
    environment: input.environment,
    targets: input.targets.map((t) => ({ ...t, endpoint: redactor.text(t.endpoint, 'targets'), error: t.error === null ? null : redactor.text(t.error, 'targets') })),
    started: outcome.started,
    ended: outcome.ended,
    cases,
    deviations,
    subject: redactor.value(input.subject, 'subject'),
    ...(input.traceability === undefined ? {} : { traceability: input.traceability }),
    summary,
    conclusion,
    warnings: warnings.map((w) => redactor.text(w, 'warnings')),
    redaction: { count: 0, entries: [] },
  };
  report.system = systemOf(input.system, report.subject, (t) => redactor.text(t, 'system'));
  const { count: maskedCount, scheme, entries } = redactor.summary();
  report.redaction = { count: maskedCount, scheme, entries };
  return { report, evidence: stored };
}

/** The tool's validation record and whether it covers `version` (RC-10); null when none is declared. */
function toolValidation(declared: RecordInput['toolValidation'], version: string): ToolValidation | null {
  if (!declared) return null;
  return { reference: declared.reference, versions: declared.versions, covered: declared.versions ? declared.versions.includes(version) : null };
}

/** The system's name as declared; its version as declared, else the application's tag, else the image's tag. */
function systemOf(declared: RecordInput['system'], subject: Report['subject'], mask: (text: string) => string): NonNullable<Report['system']> {
  const name = declared?.name ? mask(declared.name) : null;
  if (declared?.version) return { name, version: mask(declared.version), versionFrom: 'qualify.yaml' };
  if (subject.application?.tag) return { name, version: subject.application.tag, versionFrom: 'application tag' };
  const tagged = subject.images.find((i) => i.tag);
  if (tagged) return { name, version: tagged.tag, versionFrom: 'image tag' };
  return { name, version: null, versionFrom: null };
}

function sortObject<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The record as written to report.json: two-space JSON, trailing newline. */
export function serializeRecord(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
