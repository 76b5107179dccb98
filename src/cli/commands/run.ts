// qualify run <protocol.md>: executes a protocol against a deployment and writes the record.
// Resolves the documents, the parameters and the environment, refuses a protocol that is not
// effective (exit 3) unless --dry-run, runs, writes reports/<protocol>/<report-id>/, exits 0 when
// every step passed and 1 otherwise.

import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';
import { ApprovalError, DocumentError, EXIT, UsageError } from '../../model/errors.js';
import { formatIssue } from '../../model/issue.js';
import type { DocumentStatusInfo, ManualAsk } from '../../model/check.js';
import type { Protocol } from '../../model/document.js';
import type { Report } from '../../model/report.js';
import { createDocumentLookup, DOCUMENT_FOLDERS, findRepoRoot, loadConfig, loadRepository } from '../../documents/index.js';
import { parseYamlValue } from '../../markdown/yaml.js';
import { describeValue, parseYamlWithPositions } from '../../markdown/yaml.js';
import { ANSWER_FORMS, parseManualAnswer } from '../../checks/manual.js';
import { builtinChecks, createCheckRegistry } from '../../checks/index.js';
import { createProbes, type GitState } from '../../probes/index.js';
import { loadApprovals, loadCatalog } from '../repo.js';
import { runQualification } from '../../runner/qualify.js';
import { observeTargets, prefetchSnapshots } from '../../runner/targets.js';
import { createProgressReporter, type ProgressReporter } from '../../runner/progress.js';
import { serializeRecord } from '../../report/record.js';
import { recordContext } from '../../report/record-context.js';
import { writeFileAtomic } from '../../report/folder.js';
import { count } from '../../plural.js';
import { isSecretKey } from '../../evidence/redact.js';
import { resolveCopyTarget, resolveReportsDir } from '../output-paths.js';

/** Output formats beside report.json/report.md, by name (a duplicate name is a programming error). */
const FORMATS = new Set(['junit', 'json']);

export const command: Command = {
  usage: 'run <protocol.md> [--env NAME] [--param k=v]... [--params file.yaml] [--answers file.yaml] [--format junit,json] [--junit FILE] [--json FILE] [--out DIR] [--dry-run] [--no-pdf] [--as ID [--passphrase-stdin]] [--as SERVICE --initiated-by ID]',
  description: [
    'Executes the checks of an approved, effective protocol against the deployment of an environment and',
    'writes the record to reports/<protocol id>/<report id>/ (report.json, evidence/, report.md; junit.xml',
    'with --format junit, report.pdf unless --no-pdf). --format json also prints the record on standard output.',
    '--junit FILE and --json FILE also write junit.xml and report.json where CI picks them up (atomically,',
    'beside the report folder, which keeps its own copies). --out must be a folder inside the repository',
    'unless qualify.yaml allows it (reports: { allow_outside: [DIR] }).',
    'With --no-pdf (fast CI runs) report.pdf is rendered later, by qualify render <report-dir> or at the',
    'first qualify sign.',
    'A protocol that is not effective is refused (exit 3) unless --dry-run, whose record is marked',
    '"NOT A GxP RECORD". Exit 0 when every step passed, 1 when any failed or errored or the run was',
    'interrupted, 2 for invalid documents or arguments.',
    '--as ID binds the record to you: an enrolled signer with the executor role, authenticated by your passphrase',
    '(asked, or --passphrase-stdin); an unknown id, another role, a wrong passphrase or locked keys are refused',
    '(exit 5). In CI, --as SERVICE --initiated-by ID: a service identity of qualify.yaml (signatures.service_identities)',
    'executes for the person named, who signs the record as executed afterwards. Without --as the record says',
    'it is unattributed. Manual answers are attributed to the executor, stamped with the time they were entered.',
  ].join('\n'),
  flags: {
    env: { kind: 'string', value: 'NAME', description: 'environment of qualify.yaml (default: defaults.environment)' },
    param: { kind: 'list', value: 'K=V', description: 'run parameter (repeatable); overrides --params and the environment' },
    params: { kind: 'string', value: 'FILE', description: 'YAML mapping of run parameters' },
    answers: { kind: 'string', value: 'FILE', description: 'YAML answers of manual steps: { <step or case id>: { answer, by } }' },
    format: { kind: 'list', value: 'LIST', description: 'extra outputs: junit (junit.xml in the report), json (record on stdout)' },
    junit: { kind: 'string', value: 'FILE', description: 'also write junit.xml to FILE (for CI; implies junit.xml in the report)' },
    json: { kind: 'string', value: 'FILE', description: 'also write the record (report.json) to FILE (for CI)' },
    out: { kind: 'string', value: 'DIR', description: 'reports folder inside the repository (default: defaults.reportsDir of qualify.yaml, "reports")' },
    'dry-run': { kind: 'boolean', description: 'run a protocol that is not effective; the record says NOT A GxP RECORD' },
    'no-pdf': { kind: 'boolean', description: 'do not render report.pdf now (qualify render or the first sign renders it)' },
    as: { kind: 'string', value: 'ID', description: 'your signer id (executor role; passphrase asked), or a service identity with --initiated-by' },
    'initiated-by': { kind: 'string', value: 'ID', description: 'CI: the enrolled executor responsible for a run by the service identity --as' },
    'passphrase-stdin': { kind: 'boolean', description: 'read the passphrase of --as from standard input' },
  },
  async run(args, ctx) {
    if (args.positionals.length !== 1) {
      throw new UsageError('ARGUMENTS', `qualify run expects one protocol file, found ${args.positionals.length ? args.positionals.map((p) => `"${p}"`).join(' ') : 'none'}; usage: qualify ${command.usage}`);
    }
    const formats = parseFormats(args.flags.format as string[] | undefined);
    const dryRun = Boolean(args.flags['dry-run']);
    const protocolFile = resolve(ctx.cwd, args.positionals[0]!);
    if (!existsSync(protocolFile)) throw new UsageError('PROTOCOL_NOT_FOUND', `no such protocol file: ${args.positionals[0]}`);

    const root = findRepoRoot(ctx.cwd);
    const config = await loadConfig(root);
    // Where the record and its CI copies go is settled before anything runs.
    const reportsDir = resolveReportsDir({ out: args.flags.out as string | undefined, cwd: ctx.cwd, root, defaultDir: config.defaults.reportsDir, allowOutside: config.reports.allowOutside });
    const copies = (['junit', 'json'] as const)
      .filter((f) => typeof args.flags[f] === 'string')
      .map((f) => ({ from: f === 'junit' ? 'junit.xml' : 'report.json', to: resolveCopyTarget(f, args.flags[f] as string, ctx.cwd) }));
    const envName = (args.flags.env as string | undefined) ?? config.defaults.environment ?? null;
    if (envName !== null && !config.environments[envName]) {
      throw new UsageError('ENV_UNKNOWN', `environment "${envName}" is not defined in qualify.yaml (defined: ${Object.keys(config.environments).sort().join(', ') || 'none'})`);
    }
    const env = envName ? config.environments[envName]! : {};
    // The engine is resolved here, before any document is read: one that cannot be used is exit 2.
    const probes = createProbes({ docker: env.docker, targets: env.targets?.map((t) => ({ name: t.name, docker: t.docker })), baseDir: root, env: ctx.env, now: () => ctx.now() });
    // Observing the engines (every target, a bounded pool) and the repository's git state overlaps with reading the documents.
    const engines = observeTargets(probes, { signal: ctx.signal });
    // Each target's container snapshot (memoized for the run) too: its requests overlap with parsing the protocol.
    prefetchSnapshots(probes, { signal: ctx.signal }).catch(() => undefined);
    const protocolGit = probes.git.status(root).catch(() => null);
    // The signing layer (audit trail, signer names) loads while the engine and git answer.
    const signing = Promise.all([import('../../signing/audit.js'), import('../../signing/repo.js')]);
    signing.catch(() => undefined); // awaited where used; a refused run never needs it
    try {
      const checks = createCheckRegistry(builtinChecks);
      const catalog = await loadCatalog();
      performance.mark('qualify:catalog');
      const paths = [...DOCUMENT_FOLDERS.map((f) => join(root, f)).filter((p) => existsSync(p)), protocolFile];
      const repo = await loadRepository({ root, cwd: ctx.cwd, paths, catalog, approvals: await loadApprovals(root, ctx.now()), now: ctx.now() });
      performance.mark('qualify:documents');
      const protocol = repo.protocols.find((p) => resolve(root, p.path) === protocolFile);
      if (!protocol) {
        const problems = repo.issues.filter((i) => resolve(ctx.cwd, i.file) === protocolFile && i.severity === 'error');
        if (problems.length) throw new DocumentError('PROTOCOL_INVALID', `${args.positionals[0]} cannot be run:\n${problems.map(formatIssue).join('\n')}`);
        throw new UsageError('NOT_A_PROTOCOL', `${args.positionals[0]} is not a protocol (type: protocol in its front matter, or a file under protocols/)`);
      }
      const errors = repo.issues.filter((i) => resolve(ctx.cwd, i.file) === protocolFile && i.severity === 'error');
      if (errors.length) throw new DocumentError('PROTOCOL_INVALID', `${args.positionals[0]} has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix them (qualify lint) before running:\n${errors.map(formatIssue).join('\n')}`);

      // The gate: only an approved, effective protocol produces a GxP record. A repository that has had
      // signers never falls back to the front matter, even with signers.yaml moved aside.
      const status = repo.status.get(protocol)!;
      if (!dryRun && !(await signing)[1].loadSignerRegistry(root)) {
        const { signersEvidence } = await import('../../signing/signers-history.js');
        const evidence = await signersEvidence(root);
        if (evidence) throw new ApprovalError('SIGNERS_MISSING', `the signer registry is missing, but this repository has had electronic signatures (${evidence}): only signed approvals count, the front matter of ${protocol.path} is not an approval. Restore signers.yaml.`);
      }
      if (!status.effective && !dryRun) {
        throw new ApprovalError('PROTOCOL_NOT_EFFECTIVE', `${protocol.path} (${status.documentId} revision ${status.revision ?? '?'}) is ${status.computedStatus}, not effective${status.notes.length ? ` (${status.notes.join('; ')})` : ''}; only an approved, effective protocol can be executed for a record. Use --dry-run to try it (NOT A GxP RECORD).`);
      }

      const parameters = await resolveParameters(protocol, env.params ?? {}, args.flags, ctx);
      const answers = args.flags.answers ? await readAnswers(resolve(ctx.cwd, args.flags.answers as string), args.flags.answers as string, protocol) : null;
      checkAnswersComplete(protocol, answers, ctx.prompt !== null);
      // Who executes: authenticated before any step runs (refusals exit 5).
      const { runExecutor } = await import('../../signing/run-identity.js');
      const { passphraseReader } = await import('../signing-args.js');
      const asId = args.flags.as as string | undefined;
      const identity = await runExecutor(root, {
        as: asId, initiatedBy: args.flags['initiated-by'] as string | undefined, fallbackId: ctx.env.USER ?? ctx.env.USERNAME ?? 'unknown', host: hostname(),
        passphrase: passphraseReader(ctx, args, asId ?? ''), now: ctx.now(), env: ctx.env,
      });
      const executor = identity.executor;
      // Manual answers are the responsible person's: the authenticated executor, or the person a service run names.
      const answeredBy = executor.initiatedBy?.id ?? executor.id;

      const protocolInfo = describeProtocol(protocol, status, await protocolGit);
      const warnings: string[] = [...protocolInfo.warnings, ...identity.warnings];
      if (status.approval === 'front-matter') warnings.push(`Approval not signed: ${protocol.meta.documentId} revision ${protocol.meta.revision} is approved by its front matter only (no signers.yaml); no electronic approval signature backs it.`);
      if (dryRun && !status.effective) warnings.push(`The protocol is ${status.computedStatus}, not effective${status.notes.length ? `: ${status.notes.join('; ')}` : ''}.`);
      const live = ctx.stderr.isTTY && !ctx.env.CI;
      let progress: ProgressReporter | null = null;
      const result = await runQualification({
        protocol,
        protocolInfo: protocolInfo.info,
        parameters,
        dryRun,
        executor,
        environment: envName,
        probes,
        engines,
        checks,
        repoRoot: root,
        documents: createDocumentLookup(repo),
        ask: createAsk(answers, protocol, answeredBy, ctx, (fn) => (progress ? progress.suspend(fn) : fn())),
        now: () => ctx.now(),
        signal: ctx.signal,
        reporter: (mask) => (progress = createProgressReporter({ out: ctx.stderr, live, color: ctx.color && live, mask })),
        reportsDir,
        junit: formats.has('junit') || typeof args.flags.junit === 'string',
        audit: async (entries) => (await signing)[0].appendAuditEntries(root, entries),
        recorded: async (reportId, sha256) => (await signing)[0].readAuditTrail(root).entries.some((e) => e.action === 'run' && e.object.id === reportId && e.ref?.sha256 === sha256),
        renderPdf: args.flags['no-pdf'] ? undefined : async (report, markdown, extra) => (await import('../../report/pdf.js')).renderReportPdf(report, markdown, { pageSize: config.defaults.pageSize, ...extra }),
        recordContext: recordContext({ traceability: repo.traceability, protocol, config, parameters }),
        warnings,
        secretKeys: [...Object.entries(protocol.parameters).filter(([, spec]) => spec.secret).map(([name]) => name), ...config.secrets],
      });
      // The CI copies are the very bytes of the report folder.
      for (const c of copies) await writeFileAtomic(c.to, await readFile(join(result.path, c.from)));
      const shown = relative(ctx.cwd, result.path) || '.';
      const r = result.report;
      const summary = `${r.conclusion.toUpperCase()}${r.incomplete ? ' (interrupted, incomplete)' : ''}: ${count(r.summary.steps, 'step')}: ${r.summary.passed} passed, ${r.summary.failed} failed, ${count(r.summary.errored, 'error')}, ${r.summary.skipped} skipped; ${count(r.summary.deviations, 'deviation')} opened${r.dryRun ? ' (dry run: NOT A GxP RECORD)' : ''}`;
      if (formats.has('json')) {
        ctx.stdout.write(serializeRecord(r));
        ctx.stderr.write(`${summary}\nreport: ${shown}\n`);
      } else {
        ctx.stderr.write(`${summary}\n`);
        ctx.stdout.write(`report: ${shown}\n`);
      }
      return r.conclusion === 'pass' ? EXIT.ok : EXIT.failed;
    } finally {
      probes.close();
    }
  },
};

function parseFormats(values: string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const v of values ?? []) {
    for (const name of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (!FORMATS.has(name)) throw new UsageError('FORMAT_UNKNOWN', `unknown --format "${name}"; known: ${[...FORMATS].join(', ')}`);
      out.add(name);
    }
  }
  return out;
}

async function readYamlMapping(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError('FILE_NOT_FOUND', `cannot read the ${what} file ${file}`);
  }
  let data: unknown;
  try {
    data = parseYamlValue(text);
  } catch (err) {
    const e = err as { linePos?: Array<{ line: number; col: number }>; message: string };
    const at = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
    throw new UsageError('YAML_INVALID', `${file}${at} is not valid YAML: ${e.message.split('\n')[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new UsageError('YAML_INVALID', `${file}: expected a mapping of ${what}, found ${Array.isArray(data) ? 'a list' : typeof data}`);
  return data as Record<string, unknown>;
}

/**
 * Run parameters, by precedence: --param > --params file > the environment's params > the protocol's
 * defaults. Unknown names (from --param/--params), missing required ones and values not matching their
 * pattern are all reported at once (exit 2).
 */
export async function resolveParameters(protocol: Protocol, envParams: Record<string, string>, flags: Record<string, unknown>, ctx: Pick<CliContext, 'cwd'>): Promise<Record<string, string>> {
  const declared = protocol.parameters;
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) if (spec.default !== undefined) values[name] = String(spec.default);
  for (const [name, v] of Object.entries(envParams)) if (name in declared) values[name] = v;
  const given: Array<[string, string, string]> = [];
  if (typeof flags.params === 'string') {
    const data = await readYamlMapping(resolve(ctx.cwd, flags.params), 'parameters');
    for (const [k, v] of Object.entries(data)) {
      if (v !== null && typeof v === 'object') problems.push(`parameter "${k}" in ${flags.params} must be a single value, found ${Array.isArray(v) ? 'a list' : 'a mapping'}`);
      else given.push([k, v === null ? '' : String(v), flags.params]);
    }
  }
  for (const p of (flags.param as string[] | undefined) ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) {
      problems.push(`--param "${p}" must be NAME=VALUE`);
      continue;
    }
    given.push([p.slice(0, eq), p.slice(eq + 1), '--param']);
  }
  const known = Object.keys(declared).sort();
  for (const [k, v, from] of given) {
    if (!(k in declared)) problems.push(`unknown parameter "${k}" (${from}); ${protocol.meta.documentId} declares: ${known.join(', ') || 'none'}`);
    else values[k] = v;
  }
  for (const [name, spec] of Object.entries(declared)) {
    const v = values[name];
    if (v === undefined || (v === '' && spec.required !== false)) {
      if (spec.required === false) continue;
      problems.push(`missing parameter "${name}"${spec.description ? ` (${spec.description})` : ''}: pass --param ${name}=VALUE`);
      continue;
    }
    if (spec.pattern !== undefined) {
      let re: RegExp;
      try {
        re = new RegExp(spec.pattern, 'u');
      } catch {
        problems.push(`parameter "${name}" has an invalid pattern in the protocol: ${spec.pattern}`);
        continue;
      }
      if (!re.test(v)) problems.push(`parameter "${name}" = ${spec.secret || isSecretKey(name) ? '(secret, not shown)' : `"${v}"`} does not match the pattern ${spec.pattern} declared by the protocol`);
    }
  }
  if (problems.length) throw new UsageError('PARAM_INVALID', `invalid run parameters for ${protocol.path}:\n  ${problems.join('\n  ')}`);
  return Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1)));
}

type Answers = Map<string, { answer: string; by: string | null }>;

/**
 * The answers file, checked whole before any step runs: every key a step or case of the protocol, every
 * answer a verdict parseManualAnswer reads. Problems name file:line:col (exit 2).
 */
async function readAnswers(file: string, shown: string, protocol: Protocol): Promise<Answers> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError('FILE_NOT_FOUND', `cannot read the answers file ${shown}`);
  }
  const yaml = parseYamlWithPositions(text, shown, 0, 0, 'ANSWERS_INVALID');
  const errors = yaml.issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new UsageError('ANSWERS_INVALID', errors.map((i) => `${i.file}:${i.line}:${i.column} ${i.message}`).join('\n'));
  const data = yaml.value ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new UsageError('ANSWERS_INVALID', `${shown}:1:1 expected a mapping of step or case ids to answers, found ${describeValue(data)}`);
  const ids = new Set(protocol.cases.flatMap((c) => [c.id, ...c.checks.map((s) => s.id)]));
  const out: Answers = new Map();
  const problems: string[] = [];
  for (const [id, v] of Object.entries(data as Record<string, unknown>)) {
    const keyAt = yaml.keyPositions[id] ?? { line: 1, column: 1 };
    const valueAt = yaml.valuePositions[id] ?? keyAt;
    const at = (p: { line: number; column: number }) => `${shown}:${p.line}:${p.column}`;
    if (!ids.has(id)) {
      problems.push(`${at(keyAt)} "${id}" is not a step or case of ${protocol.meta.documentId}; its steps: ${[...ids].sort().join(', ')}`);
      continue;
    }
    let answer: string | null = null;
    let by: string | null = null;
    if (typeof v === 'string' || typeof v === 'number') answer = String(v);
    else if (typeof v === 'boolean') answer = v ? 'pass' : 'fail';
    else if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>).answer === 'string') {
      const o = v as Record<string, unknown>;
      answer = o.answer as string;
      by = typeof o.by === 'string' && o.by ? o.by : null;
    }
    if (answer === null) {
      problems.push(`${at(valueAt)} "${id}" must be an answer text or { answer: TEXT, by: ID }; found ${describeValue(v)}`);
      continue;
    }
    if (!parseManualAnswer(answer)) {
      problems.push(`${at(valueAt)} the answer of "${id}" gives no verdict: "${answer}"; expected ${ANSWER_FORMS}`);
      continue;
    }
    out.set(id, { answer, by });
  }
  if (problems.length) throw new UsageError('ANSWERS_INVALID', `${problems.length} problem${problems.length === 1 ? '' : 's'} in the answers file:\n  ${problems.join('\n  ')}`);
  return out;
}

/**
 * Manual steps without an answer when nobody can be asked (no terminal): exit 2 before any step runs,
 * rather than error steps and deviations in a record.
 */
function checkAnswersComplete(protocol: Protocol, answers: Answers | null, canPrompt: boolean): void {
  if (canPrompt) return;
  const missing = protocol.cases.flatMap((c) => c.checks.filter((s) => s.type === 'manual' && !answers?.has(s.id) && !answers?.has(c.id)).map((s) => s.id));
  if (missing.length === 0) return;
  const example = missing.map((id) => `  ${id}: "pass: <what you observed>"`).join('\n');
  throw new UsageError(
    'MANUAL_ANSWERS_MISSING',
    `${protocol.meta.documentId} has ${missing.length} manual step${missing.length === 1 ? '' : 's'} without an answer (${missing.join(', ')}) and no terminal to ask on; ${answers ? 'add them to the --answers file' : 'give them with --answers answers.yaml'}, e.g.\n${example}`,
  );
}

/** Manual observations: the answers file (by step id, then case id), else a terminal prompt, else none. */
function createAsk(answers: Answers | null, protocol: Protocol, executor: string, ctx: CliContext, quiet: <T>(fn: () => Promise<T>) => Promise<T>): ManualAsk {
  const caseOf = new Map(protocol.cases.flatMap((c) => c.checks.map((s) => [s.id, c.id] as const)));
  return async (q) => {
    const a = answers?.get(q.stepId) ?? answers?.get(caseOf.get(q.stepId) ?? '');
    // The file's `by:` is free text nobody authenticated: kept as a note, never as who observed.
    if (a) return { answer: a.answer, by: executor, at: ctx.now().toISOString(), note: a.by };
    if (!ctx.prompt) return null;
    const expectText = q.expect && typeof q.expect === 'object' ? Object.values(q.expect as Record<string, unknown>).map(String).join('; ') : q.expect ? String(q.expect) : '';
    const prompt = ctx.prompt;
    const answer = await quiet(async () => {
      let text = await prompt(`\n${q.stepId}: ${q.instruction}\n${expectText ? `Expected: ${expectText}\n` : ''}Answer "pass" or "fail", optionally followed by a comment: `);
      // An answer without a verdict is asked again, not recorded as an error step.
      for (let n = 0; n < 3 && !parseManualAnswer(text); n++) text = await prompt(`No verdict in "${text}". Start with pass or fail ("pass: CHG-2026-0412 approved"), or end with confirmed / not confirmed: `);
      return text;
    });
    return { answer, by: executor, at: ctx.now().toISOString() };
  };
}

/** The protocol as the record names it: id, revision, hash, status, and the git commit it was read at. */
function describeProtocol(protocol: Protocol, status: DocumentStatusInfo, git: Pick<GitState, 'head' | 'dirtyFiles'> | null): { info: Report['protocol']; warnings: string[] } {
  const warnings: string[] = [];
  // Not a git repository (git null): the sha256 alone identifies the protocol.
  const gitCommit = git?.head ?? null;
  const rel = protocol.path;
  if (git && git.dirtyFiles.some((f) => f === rel || f.endsWith(`/${rel}`) || rel.endsWith(`/${f}`))) {
    warnings.push(`The protocol file ${rel} has changes not committed to git: its sha256 identifies the content executed, the git commit ${gitCommit ?? '(none)'} does not.`);
  }
  return {
    info: {
      documentId: protocol.meta.documentId ?? status.documentId,
      title: protocol.meta.title ?? '',
      revision: protocol.meta.revision ?? '',
      path: protocol.path.split('\\').join('/'),
      sha256: protocol.sha256,
      gitCommit,
      status: status.computedStatus,
      approval: status.approval,
    },
    warnings,
  };
}
