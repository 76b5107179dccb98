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
import { builtinChecks, createCheckRegistry } from '../../checks/index.js';
import { createProbes, type GitState } from '../../probes/index.js';
import { loadApprovals, loadCatalog } from '../repo.js';
import { runQualification } from '../../runner/qualify.js';
import { createProgressReporter, type ProgressReporter } from '../../runner/progress.js';
import { serializeRecord } from '../../report/record.js';

/** Output formats beside report.json/report.md, by name (a duplicate name is a programming error). */
const FORMATS = new Set(['junit', 'json']);

export const command: Command = {
  usage: 'run <protocol.md> [--env NAME] [--param k=v]... [--params file.yaml] [--answers file.yaml] [--format junit,json] [--out DIR] [--dry-run] [--no-pdf] [--as ID]',
  description: [
    'Executes the checks of an approved, effective protocol against the deployment of an environment and',
    'writes the record to reports/<protocol id>/<report id>/ (report.json, evidence/, report.md; junit.xml',
    'with --format junit, report.pdf unless --no-pdf). --format json also prints the record on standard output.',
    'With --no-pdf (fast CI runs) report.pdf is rendered later, by qualify render <report-dir> or at the',
    'first qualify sign.',
    'A protocol that is not effective is refused (exit 3) unless --dry-run, whose record is marked',
    '"NOT A GxP RECORD". Exit 0 when every step passed, 1 when any failed or errored or the run was',
    'interrupted, 2 for invalid documents or arguments.',
  ].join('\n'),
  flags: {
    env: { kind: 'string', value: 'NAME', description: 'environment of qualify.yaml (default: defaults.environment)' },
    param: { kind: 'list', value: 'K=V', description: 'run parameter (repeatable); overrides --params and the environment' },
    params: { kind: 'string', value: 'FILE', description: 'YAML mapping of run parameters' },
    answers: { kind: 'string', value: 'FILE', description: 'YAML answers of manual steps: { <step or case id>: { answer, by } }' },
    format: { kind: 'list', value: 'LIST', description: 'extra outputs: junit (junit.xml in the report), json (record on stdout)' },
    out: { kind: 'string', value: 'DIR', description: 'reports folder (default: defaults.reportsDir of qualify.yaml, "reports")' },
    'dry-run': { kind: 'boolean', description: 'run a protocol that is not effective; the record says NOT A GxP RECORD' },
    'no-pdf': { kind: 'boolean', description: 'do not render report.pdf now (qualify render or the first sign renders it)' },
    as: { kind: 'string', value: 'ID', description: 'executor id recorded (default: $USER)' },
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
    const envName = (args.flags.env as string | undefined) ?? config.defaults.environment ?? null;
    if (envName !== null && !config.environments[envName]) {
      throw new UsageError('ENV_UNKNOWN', `environment "${envName}" is not defined in qualify.yaml (defined: ${Object.keys(config.environments).sort().join(', ') || 'none'})`);
    }
    const env = envName ? config.environments[envName]! : {};
    const probes = createProbes({ docker: { endpoint: env.docker?.host }, env: ctx.env, now: () => ctx.now() });
    // Observing the engine and the repository's git state overlaps with reading the documents.
    const engine = probes.docker.engineInfo({ signal: ctx.signal });
    // The container snapshot (memoized for the run) too: its requests overlap with parsing the protocol.
    probes.docker.snapshot({ signal: ctx.signal }).catch(() => undefined);
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

      // The gate: only an approved, effective protocol produces a GxP record.
      const status = repo.status.get(protocol)!;
      if (!status.effective && !dryRun) {
        throw new ApprovalError('PROTOCOL_NOT_EFFECTIVE', `${protocol.path} (${status.documentId} revision ${status.revision ?? '?'}) is ${status.computedStatus}, not effective${status.notes.length ? ` (${status.notes.join('; ')})` : ''}; only an approved, effective protocol can be executed for a record. Use --dry-run to try it (NOT A GxP RECORD).`);
      }

      const parameters = await resolveParameters(protocol, env.params ?? {}, args.flags, ctx);
      const executorId = (args.flags.as as string | undefined) ?? ctx.env.USER ?? ctx.env.USERNAME ?? 'unknown';
      const answers = args.flags.answers ? await readAnswers(resolve(ctx.cwd, args.flags.answers as string), protocol) : null;

      const protocolInfo = describeProtocol(protocol, status, await protocolGit);
      const warnings: string[] = [...protocolInfo.warnings];
      if (status.approval === 'front-matter') warnings.push(`Approval not signed: ${protocol.meta.documentId} revision ${protocol.meta.revision} is approved by its front matter only (no signers.yaml); no electronic approval signature backs it.`);
      if (dryRun && !status.effective) warnings.push(`The protocol is ${status.computedStatus}, not effective${status.notes.length ? `: ${status.notes.join('; ')}` : ''}.`);
      const live = ctx.stderr.isTTY && !ctx.env.CI;
      let progress: ProgressReporter | null = null;
      const result = await runQualification({
        protocol,
        protocolInfo: protocolInfo.info,
        parameters,
        dryRun,
        executor: { id: executorId, name: printedName((await signing)[1].loadSignerRegistry, root, executorId), host: hostname() },
        environment: envName,
        probes,
        engine,
        checks,
        repoRoot: root,
        documents: createDocumentLookup(repo),
        ask: createAsk(answers, protocol, executorId, ctx, (fn) => (progress ? progress.suspend(fn) : fn())),
        now: () => ctx.now(),
        signal: ctx.signal,
        reporter: (mask) => (progress = createProgressReporter({ out: ctx.stderr, live, color: ctx.color && live, mask })),
        reportsDir: resolve(args.flags.out ? resolve(ctx.cwd, args.flags.out as string) : resolve(root, config.defaults.reportsDir)),
        junit: formats.has('junit'),
        audit: async (entry) => (await signing)[0].appendAuditEntry(root, entry),
        renderPdf: args.flags['no-pdf'] ? undefined : async (report, markdown) => (await import('../../report/pdf.js')).renderReportPdf(report, markdown, { pageSize: config.defaults.pageSize }),
        warnings,
      });
      const shown = relative(ctx.cwd, result.path) || '.';
      const r = result.report;
      const summary = `${r.conclusion.toUpperCase()}${r.incomplete ? ' (interrupted, incomplete)' : ''}: ${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.errored} errors, ${r.summary.skipped} skipped; ${r.summary.deviations} deviation${r.summary.deviations === 1 ? '' : 's'} opened${r.dryRun ? ' (dry run: NOT A GxP RECORD)' : ''}`;
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

/** The executor's printed name from signers.yaml; null without a registry or an entry for the id. */
function printedName(load: (root: string) => { signer(id: string): { name: string } | undefined } | null, root: string, id: string): string | null {
  try {
    return load(root)?.signer(id)?.name ?? null;
  } catch {
    // An invalid signers.yaml is reported by lint and by signing; the record keeps the id.
    return null;
  }
}

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
      if (!re.test(v)) problems.push(`parameter "${name}" = "${v}" does not match the pattern ${spec.pattern} declared by the protocol`);
    }
  }
  if (problems.length) throw new UsageError('PARAM_INVALID', `invalid run parameters for ${protocol.path}:\n  ${problems.join('\n  ')}`);
  return Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1)));
}

type Answers = Map<string, { answer: string; by: string | null }>;

async function readAnswers(file: string, protocol: Protocol): Promise<Answers> {
  const data = await readYamlMapping(file, 'answers');
  const ids = new Set(protocol.cases.flatMap((c) => [c.id, ...c.checks.map((s) => s.id)]));
  const out: Answers = new Map();
  const problems: string[] = [];
  for (const [id, v] of Object.entries(data)) {
    if (!ids.has(id)) {
      problems.push(`"${id}" is not a step or case of ${protocol.meta.documentId}`);
      continue;
    }
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.set(id, { answer: String(v), by: null });
    else if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>).answer === 'string') {
      const o = v as Record<string, unknown>;
      out.set(id, { answer: o.answer as string, by: typeof o.by === 'string' && o.by ? o.by : null });
    } else problems.push(`"${id}" must be an answer text or { answer: TEXT, by: ID }`);
  }
  if (problems.length) throw new UsageError('ANSWERS_INVALID', `${file}:\n  ${problems.join('\n  ')}`);
  return out;
}

/** Manual observations: the answers file (by step id, then case id), else a terminal prompt, else none. */
function createAsk(answers: Answers | null, protocol: Protocol, executor: string, ctx: CliContext, quiet: <T>(fn: () => Promise<T>) => Promise<T>): ManualAsk {
  const caseOf = new Map(protocol.cases.flatMap((c) => c.checks.map((s) => [s.id, c.id] as const)));
  return async (q) => {
    const a = answers?.get(q.stepId) ?? answers?.get(caseOf.get(q.stepId) ?? '');
    if (a) return { answer: a.answer, by: a.by ?? executor, at: ctx.now().toISOString() };
    if (!ctx.prompt) return null;
    const expectText = q.expect && typeof q.expect === 'object' ? Object.values(q.expect as Record<string, unknown>).map(String).join('; ') : q.expect ? String(q.expect) : '';
    const prompt = ctx.prompt;
    const answer = await quiet(() => prompt(`\n${q.stepId}: ${q.instruction}\n${expectText ? `Expected: ${expectText}\n` : ''}Answer "pass" or "fail", optionally followed by a comment: `));
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
