// One qualification run end to end, as a library call: plan the protocol, observe the engine, run
// every step, collect the subject, assemble the masked record with its evidence, render report.md
// (and junit.xml, report.pdf when asked) and write the report folder atomically.
// The CLI (`qualify run`) only resolves documents, parameters and the environment, then calls this.

import { hostname } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { Protocol } from '../model/document.js';
import type { DocumentLookup, ManualAsk } from '../model/check.js';
import { REPORT_RENDERINGS, type EngineInfo, type Report } from '../model/report.js';
import type { Probes } from '../probes/types.js';
import type { PdfAttachment } from '../pdf/types.js';
import type { CheckDefinition } from '../checks/define.js';
import { judgeObservation } from '../checks/define.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { createRedactor, type Redactor } from '../evidence/redact.js';
import { evidenceManifest, learnEvidence, sha256Hex, type ReportFile } from '../evidence/store.js';
import { assembleRecord, makeReportId, serializeRecord, stepSecrets } from '../report/record.js';
import type { RecordContext } from '../report/record-context.js';
import { evidenceAttachments } from '../report/evidence-attachments.js';
import { trailExtract } from '../report/audit-extract.js';
import { renderReportMarkdown } from '../report/markdown.js';
import { renderJunit } from '../report/junit.js';
import { recoverStaleTemps, ReportExistsError, writeFolderAtomic, type RunRecorded } from '../report/folder.js';
import { planRun } from './plan.js';
import { expandReplicas } from './fanout.js';
import { observeTargets, planTargets, prefetchSnapshots } from './targets.js';
import { count } from '../plural.js';
import { executeRun, type RunReporter, type RunOutcome, type StepOutcome } from './run.js';
import { collectSubject } from './subject.js';

/** The check context the builtin checks need, minus what the runner adds per step. */
export interface BaseCheckContext {
  probes: Probes;
  repoRoot: string;
  now(): Date;
  documents: DocumentLookup;
}

export interface QualificationOptions {
  protocol: Protocol;
  /** Document-control facts of the protocol at run time (status, approval, git commit). */
  protocolInfo: Report['protocol'];
  /** Resolved run parameters (defaults applied, validated). */
  parameters: Record<string, string>;
  dryRun: boolean;
  executor: { id: string; name?: string | null; host?: string; attribution?: Report['executor']['attribution']; initiatedBy?: Report['executor']['initiatedBy'] };
  environment: string | null;
  probes: Probes;
  /** Engine facts observed already (the CLI starts this early); default: observed here. */
  engine?: Promise<EngineInfo>;
  /** Facts of every target (observeTargets, in the order of probes.targets), observed already; default: observed here. */
  engines?: Promise<EngineInfo[]>;
  checks: ReadonlyMap<string, CheckDefinition>;
  repoRoot: string;
  documents: DocumentLookup;
  ask?: ManualAsk;
  now: () => Date;
  signal?: AbortSignal;
  /** Progress display; receives a function masking secrets in any text it shows. */
  reporter?: (mask: (text: string) => string) => RunReporter;
  /** `reports/` (or --out): the record goes to `<reportsDir>/<protocol id>/<report id>/`. */
  reportsDir: string;
  junit?: boolean;
  /** Renders report.pdf from the record and its Markdown (with the text evidence to attach); omitted: no PDF. */
  renderPdf?: (report: Report, markdown: string, extra: { attachments: PdfAttachment[] }) => Promise<Uint8Array>;
  /** Markdown template source (default: the tool's templates/report.md.hbs). */
  template?: string;
  /** Notices every reader of the record must see (approval not signed...). */
  warnings?: string[];
  /** Values known to be secret beyond those found by key names (masked everywhere). */
  secrets?: string[];
  /**
   * Names declared secret (`secret: true` parameters, qualify.yaml `secrets`): the values of run
   * parameters, container environment variables and fields with these names are masked.
   */
  secretKeys?: string[];
  concurrency?: number;
  defaultTimeoutMs?: number;
  /** Test hook: called with the temporary folder written, before it is renamed into place. */
  beforeCommit?: () => Promise<void>;
  /**
   * Appends the run (and the files it rendered) to the audit trail when the report folder is complete,
   * just before it is renamed into place (the CLI passes the signing module's appendAuditEntries). A
   * failure here is thrown and leaves no report: a record missing from the trail is not a record.
   */
  audit?: (entries: RunAuditEntry[]) => Promise<unknown>;
  /** Whether the trail recorded a run (report id, sha256 of its report.json): a run killed after its trail entry is completed. */
  recorded?: RunRecorded;
  /** Suffix of report ids (default: 4 random hex digits); tests force collisions with it. */
  reportIdSuffix?: () => string;
  /** The system, the tool's validation record and the requirements traced (report/record-context.ts); absent: not stated. */
  recordContext?: RecordContext;
}

/** An audit trail entry of a run (the shape of signing/audit.ts AuditEntryInput). */
export interface RunAuditEntry {
  at: string;
  who: { id: string; name: string | null };
  action: 'run' | 'render';
  object: { type: 'report'; id: string; path: string };
  field: string;
  old: null;
  new: string;
  why: string;
  ref: { path: string; sha256: string };
}


/**
 * The trail entries of a run: `run` binds the record (sha256 of the bytes of report.json), then one
 * `render` entry per rendering written with it (report.md, report.pdf, junit.xml), so that `verify`
 * finds any later change of those files.
 */
export function runAuditEntries(report: Report, files: ReadonlyArray<{ path: string; bytes: Uint8Array }>, folder: string): RunAuditEntry[] {
  const record = files.find((f) => f.path === 'report.json')!;
  const object = { type: 'report' as const, id: report.reportId, path: folder };
  const who = { id: report.executor.id, name: report.executor.name };
  const entries: RunAuditEntry[] = [{
    at: report.ended,
    who,
    action: 'run',
    object,
    field: 'conclusion',
    old: null,
    new: report.conclusion,
    why: `executed ${report.protocol.documentId} revision ${report.protocol.revision}${report.dryRun ? ' (dry run, NOT A GxP RECORD)' : ''}${report.incomplete ? ' (interrupted, incomplete)' : ''}: ${report.summary.passed} passed, ${report.summary.failed} failed, ${count(report.summary.errored, 'error')}, ${report.summary.skipped} skipped`,
    ref: { path: 'report.json', sha256: sha256Hex(record.bytes) },
  }];
  for (const name of REPORT_RENDERINGS) {
    const f = files.find((x) => x.path === name);
    if (!f) continue;
    const sha = sha256Hex(f.bytes);
    entries.push({ at: report.ended, who, action: 'render', object, field: name, old: null, new: sha, why: `${name} rendered by the run`, ref: { path: name, sha256: sha } });
  }
  return entries;
}

export interface QualificationResult {
  report: Report;
  /** Absolute path of the report folder. */
  path: string;
  /** Files written, relative to the folder. */
  files: string[];
  outcome: RunOutcome;
}

const CONTAINER_TYPES = /^(container\.|release\.provenance$)/;

/** Teaches the redactor the secrets of the containers the run looks at (every target's) before anything is shown. */
async function seedSecrets(redactor: Redactor, probes: Probes, signal?: AbortSignal): Promise<void> {
  // An unreachable engine gives null: the steps report it; nothing to learn there.
  for (const snapshot of await prefetchSnapshots(probes, { signal })) {
    for (const c of snapshot?.containers ?? []) {
      for (const [k, v] of Object.entries(c.env)) if (redactor.isSecretKey(k)) redactor.addSecret(v);
    }
  }
}

/**
 * The console goes through the same masking as the record: before a step's line is shown, the secrets
 * its observation reveals (a `json.token` compared, a password in its evidence) are learned, and its
 * reason is masked as the record masks it.
 */
function maskedReporter(inner: RunReporter, redactor: Redactor): RunReporter {
  const learnt = new Set<StepOutcome>();
  const shown = (s: StepOutcome): StepOutcome => {
    if (!learnt.has(s)) {
      learnt.add(s);
      redactor.learn(s.params);
      redactor.learn(s.actual);
      for (const e of s.evidence) learnEvidence(redactor, e);
    }
    return s.reason === null ? s : { ...s, reason: redactor.mask(s.reason, stepSecrets(redactor, s)) };
  };
  return {
    start: inner.start?.bind(inner),
    stepStart: inner.stepStart?.bind(inner),
    stepEnd: inner.stepEnd ? (s) => inner.stepEnd!(shown(s)) : undefined,
    caseEnd: inner.caseEnd ? (c) => inner.caseEnd!({ ...c, steps: c.steps.map(shown) }) : undefined,
    end: inner.end?.bind(inner),
  };
}

function engineOrError(info: EngineInfo | null, endpoint: string, err: unknown): EngineInfo {
  if (info) return info;
  return { endpoint, version: null, apiVersion: null, os: null, arch: null, hostname: null, time: null, engineId: null, swarm: null, error: err instanceof Error ? err.message : String(err) };
}

/** The facts of every target: given by the caller (started early), else observed now; never throws. */
async function targetFacts(options: QualificationOptions): Promise<EngineInfo[]> {
  const { probes, signal } = options;
  if (options.engines) return options.engines.catch((err: unknown) => probes.targets.map((t) => engineOrError(null, t.docker.endpoint, err)));
  if (options.engine && probes.targets.length === 1) {
    const one = await options.engine.then((i) => i, (err: unknown) => engineOrError(null, probes.docker.endpoint, err));
    return [probes.targets[0]!.named ? { name: probes.targets[0]!.name, ...one } : one];
  }
  return observeTargets(probes, { signal });
}

/** Runs a protocol and writes its report folder; returns the record and where it is. */
export async function runQualification(options: QualificationOptions): Promise<QualificationResult> {
  // Phase marks (node:perf_hooks, a few µs each) for bench/run.mjs's breakdown; nothing reads them otherwise.
  performance.mark('qualify:run');
  const { protocol, probes, now } = options;
  const documentId = options.protocolInfo.documentId;
  const startedAt = now();
  const suffix = options.reportIdSuffix;
  let reportId = makeReportId(documentId, startedAt, { dryRun: options.dryRun, suffix: suffix?.() });
  const redactor = createRedactor({ secretKeys: options.secretKeys });
  for (const [k, v] of Object.entries(options.parameters)) if (redactor.isSecretKey(k)) redactor.addSecret(v);
  for (const s of options.secrets ?? []) redactor.addSecret(s);

  const needsEngine = protocol.cases.some((c) => c.checks.some((s) => CONTAINER_TYPES.test(s.type) || options.checks.get(s.type)?.scope !== undefined));
  const [engines] = await Promise.all([
    targetFacts(options),
    needsEngine ? seedSecrets(redactor, probes, options.signal) : Promise.resolve(),
  ]);
  performance.mark('qualify:observed');

  const planned = planRun(protocol, {
    scope: { ...options.parameters, run: { id: reportId, started: startedAt.toISOString() } },
    defaultTimeoutMs: options.defaultTimeoutMs,
    targets: planTargets(probes, engines),
    environment: options.environment,
    types: options.checks,
  });
  // `each: replica` steps become one step per replica, from each target's snapshot (taken once).
  const plan = await expandReplicas(protocol, planned, (target) => probes.forTarget(target).docker.snapshot({ signal: options.signal }));
  performance.mark('qualify:planned');
  const context: BaseCheckContext = { probes, repoRoot: options.repoRoot, now, documents: options.documents };
  const outcome = await executeRun<BaseCheckContext>({
    plan,
    checks: options.checks,
    context,
    fresh: (c) => ({ ...c, probes: c.probes.fresh() }),
    contextFor: (step, c) => (step.target === null ? c : { ...c, probes: c.probes.forTarget(step.target) }),
    judge: (check, expect, observation) => judgeObservation(check as CheckDefinition, expect, observation),
    ask: options.ask,
    concurrency: options.concurrency,
    now,
    signal: options.signal,
    reporter: options.reporter ? maskedReporter(options.reporter((t) => redactor.mask(t)), redactor) : undefined,
  });

  performance.mark('qualify:checked');
  const steps = outcome.cases.flatMap((c) => c.steps);
  const { subject, warnings: subjectWarnings } = await collectSubject(steps, { probes, repoRoot: options.repoRoot, parameters: options.parameters });
  performance.mark('qualify:subject');
  const { report, evidence } = assembleRecord({
    reportId,
    dryRun: options.dryRun,
    protocol: options.protocolInfo,
    parameters: options.parameters,
    executor: {
      id: options.executor.id, name: options.executor.name ?? null, host: options.executor.host ?? hostname(),
      ...(options.executor.attribution ? { attribution: options.executor.attribution, initiatedBy: options.executor.initiatedBy ?? null } : {}),
    },
    environment: options.environment,
    targets: engines,
    subject,
    outcome,
    warnings: [...(options.warnings ?? []), ...subjectWarnings, ...(options.recordContext?.warnings ?? [])],
    tool: { name: TOOL_NAME as 'qualify', version: TOOL_VERSION, node: process.version },
    redactor,
    ...(options.recordContext ? { system: options.recordContext.system, toolValidation: options.recordContext.toolValidation, traceability: options.recordContext.traceability } : {}),
  });

  performance.mark('qualify:assembled');
  const parent = join(options.reportsDir, documentId.replace(/[^A-Za-z0-9._-]+/g, '_'));
  await recoverStaleTemps(parent, options.recorded);
  for (let attempt = 0; ; attempt++) {
    const files = await renderFiles(report, evidence, options);
    performance.mark('qualify:rendered');
    try {
      const audit = options.audit;
      const path = await writeFolderAtomic(parent, reportId, files, {
        beforeRename: options.beforeCommit,
        commit: audit ? (finalPath) => audit(runAuditEntries(report, files, relative(options.repoRoot, finalPath).split(sep).join('/'))).then(() => undefined) : undefined,
      });
      performance.mark('qualify:written');
      performance.mark('qualify:done');
      return { report, path, files: files.map((f) => f.path).sort(), outcome };
    } catch (err) {
      // Another run took this id in the same second: take a new suffix, never overwrite.
      if (!(err instanceof ReportExistsError) || attempt >= 5) throw err;
      reportId = makeReportId(documentId, startedAt, { dryRun: options.dryRun, suffix: suffix?.() });
      report.reportId = reportId;
    }
  }
}

async function renderFiles(report: Report, evidence: ReturnType<typeof assembleRecord>['evidence'], options: QualificationOptions): Promise<ReportFile[]> {
  const record = Buffer.from(serializeRecord(report), 'utf8');
  // The run's own trail entry is appended with the folder (or there is no report): the report shows it.
  const audit = options.audit ? trailExtract(runAuditEntries(report, [{ path: 'report.json', bytes: record }], ''), report.reportId) : undefined;
  const markdown = renderReportMarkdown(report, { template: options.template, auditTrail: audit });
  const files: ReportFile[] = [
    { path: 'report.json', bytes: record },
    { path: 'report.md', bytes: Buffer.from(markdown, 'utf8') },
    ...evidence.map((e) => ({ path: e.ref.path, bytes: e.bytes })),
    evidenceManifest(evidence),
  ];
  if (options.junit) files.push({ path: 'junit.xml', bytes: Buffer.from(renderJunit(report), 'utf8') });
  if (options.renderPdf) {
    performance.mark('qualify:pdf');
    const byPath = new Map(evidence.map((e) => [e.ref.path, e.bytes]));
    files.push({ path: 'report.pdf', bytes: await options.renderPdf(report, markdown, { attachments: evidenceAttachments(report, (p) => byPath.get(p) ?? null) }) });
    performance.mark('qualify:pdf-done');
  }
  return files;
}
