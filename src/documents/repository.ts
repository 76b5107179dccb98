// The QMS repository on disk: root discovery, qualify.yaml, and every controlled document with
// cross-file rules (unique ids, one effective revision) and computed status.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  DEFAULT_CONFIG,
  DocumentError,
  compareIssues,
  type ControlledDocument,
  type DocumentStatusInfo,
  type DocumentType,
  type EnvironmentConfig,
  type Issue,
  type Protocol,
  type QualifyConfig,
} from '../model/index.js';
import { parseDocument } from './document.js';
import { findDocumentFiles, NotRegularFileError, readRegularFile } from './files.js';
import { parseProtocol, type CheckCatalog } from './protocol.js';
import { parseRequirements, type RequirementsDocument } from './requirements.js';
import { traceabilityIssues, traceRequirements, type Traceability } from './traceability.js';
import { computeDocumentStatus, NO_SIGNATURES, type ApprovalProvider } from './status.js';
import { describeValue, parseYamlWithPositions } from '../markdown/yaml.js';
import { parseDockerConfig } from './docker-config.js';
import { isoDay } from './dates.js';

/** Folders holding controlled documents by default. */
export const DOCUMENT_FOLDERS = ['sops', 'protocols', 'requirements'];

/** Folders whose documents take part in traceability (read for it even when lint is given other paths). */
const TRACE_FOLDERS = ['protocols', 'requirements'];

/** The nearest folder upwards holding qualify.yaml, else the git root, else `cwd`. */
export function findRepoRoot(cwd: string): string {
  const start = resolve(cwd);
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'qualify.yaml'))) return dir;
    if (dirname(dir) === dir) break;
  }
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) break;
  }
  return start;
}

/** Reads qualify.yaml (defaults when absent); problems throw DocumentError naming file:line:col. */
export async function loadConfig(root: string): Promise<QualifyConfig> {
  const file = join(root, 'qualify.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return structuredClone(DEFAULT_CONFIG);
  }
  const yaml = parseYamlWithPositions(text, 'qualify.yaml', 0, 0, 'CONFIG_INVALID');
  const errors = yaml.issues.filter((i) => i.severity === 'error');
  if (errors.length) throw new DocumentError('CONFIG_INVALID', errors.map((i) => `${i.file}:${i.line}:${i.column} ${i.message}`).join('\n'));
  const data = (yaml.value ?? {}) as Record<string, unknown>;
  const where = (key: string) => {
    const p = yaml.keyPositions[key];
    return p ? `qualify.yaml:${p.line}:${p.column}` : 'qualify.yaml';
  };
  if (typeof data !== 'object' || Array.isArray(data)) throw new DocumentError('CONFIG_INVALID', `qualify.yaml:1:1 expected a mapping with environments, signers, defaults; found ${describeValue(data)}`);
  /** `qualify.yaml:L:C` of a nested node (a target's key), else of its top-level key. */
  const nodeAt = (path: string[]): string => {
    const node = yaml.document.getIn(path, true) as { range?: [number, number, number] } | undefined;
    // The pair's key is where a reader looks: for a mapping value, the text before its range names it.
    const offset = node?.range?.[0];
    if (offset === undefined) return where(path[0]!);
    const before = text.slice(0, offset).split(/\r\n|\r|\n/);
    return `qualify.yaml:${before.length}:${before[before.length - 1]!.length + 1}`;
  };
  const config: QualifyConfig = structuredClone(DEFAULT_CONFIG);
  const envs = data.environments;
  if (envs !== undefined && envs !== null) {
    if (typeof envs !== 'object' || Array.isArray(envs)) throw new DocumentError('CONFIG_INVALID', `${where('environments')} "environments" must map names to { docker, params }; found ${describeValue(envs)}`);
    for (const [name, env] of Object.entries(envs as Record<string, unknown>)) {
      if (env === null || typeof env !== 'object' || Array.isArray(env)) throw new DocumentError('CONFIG_INVALID', `${where('environments')} environment "${name}" must be a mapping; found ${describeValue(env)}`);
      const e = env as Record<string, unknown>;
      const out: EnvironmentConfig = {};
      if (e.docker !== undefined && e.targets !== undefined && e.targets !== null) {
        throw new DocumentError('CONFIG_INVALID', `${nodeAt(['environments', name, 'targets'])} environment "${name}" names both "docker" (one engine) and "targets" (a fleet); keep one: a single engine is a fleet of one target`);
      }
      if (e.docker !== undefined) out.docker = parseDockerConfig(e.docker, `${where('environments')} environment "${name}"`);
      if (e.targets !== undefined && e.targets !== null) out.targets = parseTargets(e.targets, name, nodeAt);
      if (e.params !== undefined) {
        if (!e.params || typeof e.params !== 'object' || Array.isArray(e.params)) throw new DocumentError('CONFIG_INVALID', `${where('environments')} environment "${name}": "params" must map names to values; found ${describeValue(e.params)}`);
        out.params = Object.fromEntries(Object.entries(e.params as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      }
      if (typeof e.description === 'string') out.description = e.description;
      config.environments[name] = out;
    }
  }
  if (data.signers !== undefined) {
    if (typeof data.signers !== 'string') throw new DocumentError('CONFIG_INVALID', `${where('signers')} "signers" must be a path such as signers.yaml; found ${describeValue(data.signers)}`);
    config.signers = data.signers;
  }
  const defaults = data.defaults as Record<string, unknown> | undefined;
  if (defaults !== undefined && defaults !== null) {
    if (typeof defaults !== 'object' || Array.isArray(defaults)) throw new DocumentError('CONFIG_INVALID', `${where('defaults')} "defaults" must be a mapping; found ${describeValue(defaults)}`);
    if (typeof defaults.environment === 'string') config.defaults.environment = defaults.environment;
    if (typeof defaults.reportsDir === 'string') config.defaults.reportsDir = defaults.reportsDir;
    if (defaults.pageSize === 'A4' || defaults.pageSize === 'Letter') config.defaults.pageSize = defaults.pageSize;
    else if (defaults.pageSize !== undefined) throw new DocumentError('CONFIG_INVALID', `${where('defaults')} "defaults.pageSize" must be A4 or Letter; found ${describeValue(defaults.pageSize)}`);
  }
  readSecretsAndReports(data, config, where);
  readSystemAndToolValidation(data, config, where);
  if (config.defaults.environment && !config.environments[config.defaults.environment]) {
    throw new DocumentError('CONFIG_INVALID', `${where('defaults')} default environment "${config.defaults.environment}" is not defined under environments (defined: ${Object.keys(config.environments).join(', ') || 'none'})`);
  }
  return config;
}

/** Target names: what protocols write in `targets: [...]` and step ids carry after `@`. */
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TARGET_KEYS = ['docker', 'description'];

/**
 * An environment's `targets:` (a fleet): a mapping of names to `{ docker, description }`, each `docker`
 * of the single-engine form. The order written is the order of the record.
 */
function parseTargets(value: unknown, env: string, nodeAt: (path: string[]) => string): EnvironmentConfig['targets'] {
  const at = nodeAt(['environments', env, 'targets']);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new DocumentError('CONFIG_INVALID', `${at} environment "${env}": "targets" must map target names to { docker: ENGINE }, e.g. targets: { eu-1: { docker: "ssh://deploy@eu-1.example" } }; found ${describeValue(value)}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw new DocumentError('CONFIG_INVALID', `${at} environment "${env}": "targets" is empty; name at least one engine`);
  return entries.map(([name, t]) => {
    const tat = nodeAt(['environments', env, 'targets', name]);
    const where = `${tat} environment "${env}" target "${name}"`;
    if (!TARGET_NAME.test(name) || name === 'all' || name === 'managers') {
      throw new DocumentError('CONFIG_INVALID', `${where}: a target name must be letters, digits, ".", "_" and "-" (not starting with a symbol) and not "all" or "managers" (protocols use those words); it names the target in step ids such as IQ-02.1@${TARGET_NAME.test(name) ? name : 'eu-1'}`);
    }
    if (!t || typeof t !== 'object' || Array.isArray(t)) {
      throw new DocumentError('CONFIG_INVALID', `${where}: must be a mapping { docker: ENGINE }; found ${describeValue(t)}`);
    }
    const m = t as Record<string, unknown>;
    const unknown = Object.keys(m).filter((k) => !TARGET_KEYS.includes(k));
    if (unknown.length) throw new DocumentError('CONFIG_INVALID', `${where}: unknown key${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ')}; known: ${TARGET_KEYS.join(', ')}`);
    if (m.docker === undefined || m.docker === null) throw new DocumentError('CONFIG_INVALID', `${where}: "docker" is missing; name the engine (unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host or { host, tls, ssh })`);
    const docker = parseDockerConfig(m.docker, where);
    if (!docker.host) throw new DocumentError('CONFIG_INVALID', `${where}: "docker.host" is missing; a target names its engine (DOCKER_HOST applies only to an environment of one engine)`);
    return { name, kind: 'docker' as const, docker, at: where, ...(typeof m.description === 'string' ? { description: m.description } : {}) };
  });
}

/** qualify.yaml `secrets: [NAME...]` and `reports: { allow_outside: [DIR...] }`. */
function readSecretsAndReports(data: Record<string, unknown>, config: QualifyConfig, where: (key: string) => string): void {
  const names = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim() !== '');
  if (data.secrets !== undefined && data.secrets !== null) {
    if (!names(data.secrets)) throw new DocumentError('CONFIG_INVALID', `${where('secrets')} "secrets" must be a list of names whose values are secret (run parameters, container environment variables), e.g. [ORDERS_LICENSE]; found ${describeValue(data.secrets)}`);
    config.secrets = [...data.secrets];
  }
  const reports = data.reports as Record<string, unknown> | undefined | null;
  if (reports !== undefined && reports !== null) {
    if (typeof reports !== 'object' || Array.isArray(reports)) throw new DocumentError('CONFIG_INVALID', `${where('reports')} "reports" must be a mapping { allow_outside: [folder...] }; found ${describeValue(reports)}`);
    for (const k of Object.keys(reports)) {
      if (k !== 'allow_outside') throw new DocumentError('CONFIG_INVALID', `${where('reports')} "reports" has unknown field "${k}"; known: allow_outside`);
    }
    const allow = reports.allow_outside;
    if (allow !== undefined && allow !== null) {
      if (!names(allow)) throw new DocumentError('CONFIG_INVALID', `${where('reports')} "reports.allow_outside" must be a list of folders outside the repository that --out may name; found ${describeValue(allow)}`);
      config.reports.allowOutside = [...allow];
    }
  }
}

/** qualify.yaml `system: { name, version }` and `tool_validation: REF` or `{ record, versions: [...] }`. */
function readSystemAndToolValidation(data: Record<string, unknown>, config: QualifyConfig, where: (key: string) => string): void {
  const system = data.system;
  if (system !== undefined && system !== null) {
    if (typeof system !== 'object' || Array.isArray(system)) throw new DocumentError('CONFIG_INVALID', `${where('system')} "system" must be a mapping { name, version } (values may name run parameters, e.g. version: "{{release}}"); found ${describeValue(system)}`);
    const out: NonNullable<QualifyConfig['system']> = {};
    for (const [k, v] of Object.entries(system as Record<string, unknown>)) {
      if (k !== 'name' && k !== 'version') throw new DocumentError('CONFIG_INVALID', `${where('system')} "system" has unknown field "${k}"; known: name, version`);
      if (typeof v !== 'string' && typeof v !== 'number') throw new DocumentError('CONFIG_INVALID', `${where('system')} "system.${k}" must be text; found ${describeValue(v)}`);
      out[k] = String(v);
    }
    config.system = out;
  }
  const tv = data.tool_validation;
  if (tv === undefined || tv === null) return;
  const shape = 'a reference such as "TVR-0001 revision 02", or { record: TVR-0001 revision 02, versions: [0.1.0] }';
  if (typeof tv === 'string' && tv.trim()) {
    config.toolValidation = { reference: tv.trim(), versions: null };
    return;
  }
  if (typeof tv !== 'object' || Array.isArray(tv)) throw new DocumentError('CONFIG_INVALID', `${where('tool_validation')} "tool_validation" must be ${shape}; found ${describeValue(tv)}`);
  const t = tv as Record<string, unknown>;
  for (const k of Object.keys(t)) {
    if (k !== 'record' && k !== 'versions') throw new DocumentError('CONFIG_INVALID', `${where('tool_validation')} "tool_validation" has unknown field "${k}"; known: record, versions`);
  }
  if (typeof t.record !== 'string' || !t.record.trim()) throw new DocumentError('CONFIG_INVALID', `${where('tool_validation')} "tool_validation.record" must name the validation record of the tool (id and revision); found ${describeValue(t.record)}`);
  let versions: string[] | null = null;
  if (t.versions !== undefined && t.versions !== null) {
    if (!Array.isArray(t.versions) || !t.versions.every((v) => typeof v === 'string' || typeof v === 'number')) throw new DocumentError('CONFIG_INVALID', `${where('tool_validation')} "tool_validation.versions" must list the tool versions the record covers, e.g. [0.1.0]; found ${describeValue(t.versions)}`);
    versions = t.versions.map(String);
  }
  config.toolValidation = { reference: t.record.trim(), versions };
}

export interface LoadOptions {
  /** Repository root (for document paths and the signer registry). */
  root: string;
  /** Folder the user's paths are relative to; issues name files relative to it. */
  cwd?: string;
  /** Files or folders; default: the repository's sops/, protocols/ and requirements/. */
  paths?: string[];
  catalog?: CheckCatalog;
  approvals?: ApprovalProvider;
  /** Clock for "effective today". */
  now?: Date;
}

export interface LoadedRepository {
  root: string;
  /** Markdown files read (documents plus files that could not be parsed as one). */
  files: number;
  documents: ControlledDocument[];
  protocols: Protocol[];
  /** Requirements documents (URS, FRS) among `documents`. */
  requirements: RequirementsDocument[];
  /**
   * Requirements ↔ cases of the repository: the documents read plus, when paths were given, the
   * repository's protocols/ and requirements/ (read for tracing only, their own issues not reported).
   */
  traceability: Traceability;
  status: Map<ControlledDocument, DocumentStatusInfo>;
  issues: Issue[];
}

/** Reads, parses and checks every controlled document under `paths`; never throws for content problems. */
export async function loadRepository(options: LoadOptions): Promise<LoadedRepository> {
  const root = resolve(options.root);
  const cwd = resolve(options.cwd ?? root);
  const issues: Issue[] = [];
  const display = (abs: string) => toSlash(relative(cwd, abs) || '.');
  const targets = options.paths?.length ? options.paths : DOCUMENT_FOLDERS.map((f) => join(root, f)).filter((p) => existsSync(p));
  const found = await findDocumentFiles(targets, { root, cwd });
  issues.push(...found.issues);
  const unique = found.files.map((f) => f.found);

  const documents: ControlledDocument[] = [];
  const protocols: Protocol[] = [];
  const requirements: RequirementsDocument[] = [];
  const parsed = found.files.map((f) => {
    const shown = display(f.found);
    let bytes: Buffer;
    try {
      bytes = readRegularFile(f.path);
    } catch (err) {
      const why = err instanceof NotRegularFileError ? `it is ${err.kind}, not a regular file` : (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      return { issues: [{ file: shown, line: 1, column: 1, code: err instanceof NotRegularFileError ? 'FILE_NOT_REGULAR' : 'FILE_UNREADABLE', severity: 'error', message: `cannot read the file: ${why}` } as Issue], document: null };
    }
    const result = parseDocument(bytes, shown, { folderType: folderType(relative(root, f.found)) });
    if (result.document) result.document.path = toSlash(relative(root, f.found));
    return result;
  });
  const shownOf = new Map<ControlledDocument, string>();
  for (let i = 0; i < parsed.length; i++) {
    const r = parsed[i]!;
    issues.push(...r.issues);
    if (!r.document) continue;
    shownOf.set(r.document, display(unique[i]!));
    if (r.document.meta.type === 'protocol') {
      const shownDoc = { ...r.document, path: display(unique[i]!) };
      const p = parseProtocol(shownDoc, options.catalog);
      issues.push(...p.issues);
      const protocol: Protocol = { ...p.protocol, path: r.document.path };
      protocols.push(protocol);
      documents.push(protocol);
      shownOf.set(protocol, display(unique[i]!));
    } else if (r.document.meta.type === 'requirements') {
      const q = parseRequirements({ ...r.document, path: display(unique[i]!) });
      issues.push(...q.issues);
      const doc: RequirementsDocument = { ...q.document, path: r.document.path, requirements: q.document.requirements.map((req) => ({ ...req, path: r.document!.path })) };
      requirements.push(doc);
      documents.push(doc);
      shownOf.set(doc, display(unique[i]!));
    } else {
      documents.push(r.document);
    }
  }

  crossFileRules(documents, shownOf, issues);
  const context = options.paths?.length ? await traceContext(root, new Set(unique)) : { protocols: [], requirements: [], shown: new Map<ControlledDocument, string>() };
  const traceability = traceRequirements([...requirements, ...context.requirements], [...protocols, ...context.protocols]);
  // Problems located in documents the user did not name are theirs to lint; the rules still see them.
  const named = new Set(shownOf.values());
  issues.push(...traceabilityIssues(traceability, (d) => shownOf.get(d) ?? context.shown.get(d) ?? d.path).filter((i) => named.has(i.file)));

  const today = isoDay(options.now ?? new Date());
  const approvals = options.approvals ?? NO_SIGNATURES;
  const status = new Map<ControlledDocument, DocumentStatusInfo>();
  const states = await Promise.all(documents.map((d) => approvals(d)));
  documents.forEach((d, i) => status.set(d, computeDocumentStatus(d, today, states[i]!)));
  supersede(documents, status);
  // The approval date of a signed document is the time of its approval signatures, not a front-matter field.
  const signed = new Set([...status].filter(([, s]) => s.approval === 'signed').map(([d]) => shownOf.get(d)));
  for (let i = issues.length - 1; i >= 0; i--) if (issues[i]!.code === 'APPROVAL_DATE_MISSING' && signed.has(issues[i]!.file)) issues.splice(i, 1);
  for (const d of documents) {
    const s = status.get(d)!;
    for (const f of s.findings) {
      const pos = d.fieldPositions[f.field] ?? d.fieldPositions.status ?? { line: 1, column: 1 };
      issues.push({ file: shownOf.get(d)!, ...pos, code: f.code, severity: f.severity, message: f.message });
    }
    if (s.notes.some((n) => n.startsWith('approval recorded but not signed'))) {
      const pos = d.fieldPositions.status ?? d.fieldPositions.approval_date ?? { line: 1, column: 1 };
      issues.push({ file: shownOf.get(d)!, ...pos, code: 'APPROVAL_NOT_SIGNED', severity: 'warning', message: states[documents.indexOf(d)]!.registry
        ? 'approval recorded but not signed: no valid approval signature covers this file; run "qualify sign <file> --meaning approved"'
        : 'approval recorded but not signed: this repository has no signers.yaml yet, so the front matter approval is used and every record relying on it says so' });
    }
  }
  issues.sort(compareIssues);
  // Files counted: those read, and the paths found that could not be read as one (a FIFO, a bad link).
  const unreadable = new Set(found.issues.map((i) => i.file)).size;
  return { root, files: unique.length + unreadable, documents, protocols, requirements, traceability, status, issues };
}

/**
 * The repository's protocols and requirements documents not among `selected`: what tracing needs when
 * lint is given one file (a protocol's requirements live elsewhere). Nothing of them is reported.
 */
async function traceContext(root: string, selected: Set<string>): Promise<{ protocols: Protocol[]; requirements: RequirementsDocument[]; shown: Map<ControlledDocument, string> }> {
  const out = { protocols: [] as Protocol[], requirements: [] as RequirementsDocument[], shown: new Map<ControlledDocument, string>() };
  const folders = TRACE_FOLDERS.map((f) => join(root, f)).filter((p) => existsSync(p));
  if (!folders.length) return out;
  const found = await findDocumentFiles(folders, { root, cwd: root });
  for (const f of found.files) {
    if (selected.has(f.found)) continue;
    let bytes: Buffer;
    try {
      bytes = readRegularFile(f.path);
    } catch {
      continue;
    }
    const rel = toSlash(relative(root, f.found));
    const { document } = parseDocument(bytes, rel, { folderType: folderType(rel) });
    if (!document) continue;
    if (document.meta.type === 'protocol') {
      const p = parseProtocol(document).protocol;
      out.protocols.push(p);
      out.shown.set(p, rel);
    } else if (document.meta.type === 'requirements') {
      const q = parseRequirements(document).document;
      out.requirements.push(q);
      out.shown.set(q, rel);
    }
  }
  return out;
}

/** Rules across files: an id+revision exists once; at most one revision of an id claims effective. */
function crossFileRules(documents: ControlledDocument[], shownOf: Map<ControlledDocument, string>, issues: Issue[]): void {
  const byId = new Map<string, ControlledDocument[]>();
  for (const d of documents) {
    if (!d.meta.documentId) continue;
    const list = byId.get(d.meta.documentId) ?? [];
    list.push(d);
    byId.set(d.meta.documentId, list);
  }
  for (const [id, docs] of byId) {
    if (docs.length < 2) continue;
    for (const d of docs) {
      const pos = d.fieldPositions.document_id ?? { line: 1, column: 1 };
      const sameRevision = docs.filter((o) => o !== d && o.meta.revision === d.meta.revision);
      if (sameRevision.length) {
        issues.push({ file: shownOf.get(d)!, ...pos, code: 'DOCUMENT_ID_DUPLICATE', severity: 'error', message: `document_id "${id}" revision ${d.meta.revision ?? '(none)'} is also declared in ${sameRevision.map((o) => shownOf.get(o)).join(', ')}; ids must be unique across the repository` });
      }
      const otherEffective = docs.filter((o) => o !== d && o.meta.status === 'effective' && o.meta.revision !== d.meta.revision);
      if (d.meta.status === 'effective' && otherEffective.length) {
        issues.push({ file: shownOf.get(d)!, ...(d.fieldPositions.status ?? pos), code: 'EFFECTIVE_REVISION_DUPLICATE', severity: 'error', message: `two revisions of "${id}" claim to be effective: ${d.meta.revision} here and ${otherEffective.map((o) => `${o.meta.revision} in ${shownOf.get(o)}`).join(', ')}; mark the older one superseded` });
      }
    }
  }
}

/**
 * A revision is superseded when a later revision of the same id is effective (by signature, when a
 * registry exists): the older ones, effective or not, are superseded from then on (DC-04), unless
 * withdrawn (obsolete). Among several effective revisions the highest one is effective.
 */
function supersede(documents: ControlledDocument[], status: Map<ControlledDocument, DocumentStatusInfo>): void {
  const byId = new Map<string, ControlledDocument[]>();
  for (const d of documents) {
    if (!d.meta.documentId) continue;
    byId.set(d.meta.documentId, [...(byId.get(d.meta.documentId) ?? []), d]);
  }
  for (const docs of byId.values()) {
    const effective = docs.filter((d) => status.get(d)!.effective).sort((a, b) => compareRevisions(b.meta.revision, a.meta.revision));
    const current = effective[0];
    if (!current) continue;
    for (const older of docs) {
      const s = status.get(older)!;
      if (older === current || s.computedStatus === 'obsolete' || compareRevisions(older.meta.revision, current.meta.revision) >= 0) continue;
      s.computedStatus = 'superseded';
      s.effective = false;
      s.reviewDue = false;
      s.findings = s.findings.filter((f) => f.code !== 'REVIEW_DUE');
      s.notes = s.notes.filter((n) => !n.startsWith('claimed "superseded" is not established') && !n.startsWith('periodic review due'));
      s.notes.push(`superseded by revision ${current.meta.revision}`);
    }
  }
}

/** Compares revisions numerically when both are numbers ("05" < "10"), else as text. */
export function compareRevisions(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
  return x.localeCompare(y, 'en', { numeric: true });
}

function folderType(rel: string): DocumentType | undefined {
  const parts = toSlash(rel).split('/');
  if (parts.includes('protocols')) return 'protocol';
  if (parts.includes('sops')) return 'sop';
  if (parts.includes('requirements')) return 'requirements';
  return undefined;
}

function toSlash(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
