// A protocol body → test cases (headings with ids), `case` blocks and `check` blocks, with located issues.
import type {
  ReplicaSelector,
  TargetSelection,
  CheckSpec,
  CheckTypeInfo,
  ControlledDocument,
  Issue,
  ParameterSpec,
  Position,
  Protocol,
  Risk,
  Stage,
  TestCase,
} from '../model/index.js';
import type { RootContent } from 'mdast';
import { headingText, type ProtocolBlock, type ProtocolCode } from '../markdown/check-blocks.js';
import { CASE_KINDS, type CaseKind } from '../model/requirements.js';
import { sourceOf, proseMarkdown, vagueCriteria } from './prose.js';
import { describeValue, parseYamlWithPositions } from '../markdown/yaml.js';
import { parseDuration } from './duration.js';
import { RESERVED_PARAMS, templateNames } from './template.js';

/** What protocol lint needs to know of the check catalog (injected: documents/ does not import checks/). */
export interface CheckCatalog {
  types: ReadonlyMap<string, CheckTypeInfo>;
  /** Problems of an `expect` mapping for a check type (unknown key, bad matcher, bad regex); empty when fine. */
  validateExpect?: (expect: unknown, info: CheckTypeInfo | undefined) => string[];
}

/** Keys of a check block that are not parameters of the check type. */
const RESERVED_CHECK_KEYS = new Set(['type', 'id', 'expect', 'timeout', 'retry', 'depends_on', 'description', 'targets', 'each']);
/** With `each: replica`, the key that selects the replicas (taken from the block, not a parameter). */
const REPLICA_SELECTORS = ['label', 'name', 'service'] as const;
/** Target names as qualify.yaml allows them (documents/repository.ts). */
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CASE_ID = /^([A-Z][A-Z0-9]*-\d+[A-Za-z0-9.]*)\b[\s:.\u2013\u2014-]*(.*)$/;
const STAGES: Stage[] = ['IQ', 'OQ', 'PQ'];
const RISKS: Risk[] = ['high', 'medium', 'low'];

/** Parses a protocol document's body and parameters; every problem is returned, nothing thrown. */
export function parseProtocol(doc: ControlledDocument, catalog?: CheckCatalog): { protocol: Protocol; issues: Issue[] } {
  const issues: Issue[] = [];
  const file = doc.path;
  const problem = (pos: Position, code: string, message: string, severity: Issue['severity'] = 'error') =>
    issues.push({ file, line: pos.line, column: pos.column, code, severity, message });

  const parameters = parseParameters(doc, problem);
  // The tree's positions are file positions; the body's lines are numbered from bodyStartLine.
  const source = sourceOf(doc);
  const filePos = (node: ProtocolBlock): Position => ({ line: node.position!.start.line, column: node.position!.start.column });

  const cases: TestCase[] = [];
  /** The case being read: its heading depth and the prose nodes under it (objective, acceptance criteria). */
  let current: { tc: TestCase; depth: number; prose: RootContent[] } | null = null;
  const brokenBlocks = new Set<TestCase>();
  const prose = new Map<TestCase, RootContent[]>();
  const seenCase = new Map<string, Position>();

  for (const node of doc.tree.children) {
    if (node.type === 'heading') {
      const text = headingText(node).trim();
      const m = CASE_ID.exec(text);
      if (current && (m || node.depth <= current.depth)) current = null;
      if (m) {
        const id = m[1]!;
        const pos = filePos(node);
        const dup = seenCase.get(id);
        if (dup) problem(pos, 'CASE_ID_DUPLICATE', `test case id "${id}" is already used on line ${dup.line}; ids must be unique in a protocol`);
        seenCase.set(id, pos);
        const prefix = id.split('-')[0]!.toUpperCase();
        const tc: TestCase = {
          id,
          title: m[2]!.trim() || id,
          stage: (STAGES as string[]).includes(prefix) ? (prefix as Stage) : 'OQ',
          risk: undefined,
          requirements: [],
          objective: '',
          checks: [],
          position: pos,
        };
        current = { tc, depth: node.depth, prose: [] };
        prose.set(tc, current.prose);
        cases.push(tc);
        continue;
      }
      if (current) current.prose.push(node);
      continue;
    }
    if (!isProtocolCode(node)) {
      if (current) current.prose.push(node);
      continue;
    }
    const fencePos = filePos(node);
    if (!current) {
      problem(fencePos, node.lang === 'check' ? 'CHECK_OUTSIDE_CASE' : 'CASE_OUTSIDE_CASE', `a \`${node.lang}\` block must follow a test case heading such as "### IQ-01 Title"; found one before any test case`);
      continue;
    }
    const cur = current as { tc: TestCase };
    const indent = fencePos.column - 1;
    // The block's YAML starts on the line after the fence; read literally (no anchors, aliases, merges).
    const code = node.lang === 'check' ? 'CHECK_YAML_INVALID' : 'CASE_YAML_INVALID';
    const yaml = parseYamlWithPositions(node.value, file, fencePos.line, indent, code, { literal: true });
    issues.push(...yaml.issues);
    if (!yaml.ok) { brokenBlocks.add(cur.tc); continue; }
    const value = yaml.value;
    const keyPos = (k: string): Position => yaml.keyPositions[k] ?? { line: fencePos.line + 1, column: indent + 1 };
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      problem({ line: fencePos.line + 1, column: indent + 1 }, node.lang === 'check' ? 'CHECK_NOT_MAPPING' : 'CASE_NOT_MAPPING', `a \`${node.lang}\` block must be a YAML mapping (key: value); found ${describeValue(value)}`);
      continue;
    }
    const block = value as Record<string, unknown>;
    if (node.lang === 'case') {
      cur.tc.requirementsPosition = yaml.keyPositions.requirements ?? fencePos;
      applyCaseBlock(cur.tc, block, keyPos, problem);
    } else {
      const spec = parseCheckBlock(cur.tc, block, fencePos, yaml.keyPositions, keyPos, problem, catalog);
      if (spec) cur.tc.checks.push(spec);
    }
  }

  for (const tc of cases) tc.objective = proseMarkdown(prose.get(tc) ?? [], source);
  crossCheck(cases, parameters, problem, doc, brokenBlocks);
  for (const tc of cases) issues.push(...vagueCriteria(tc, prose.get(tc) ?? [], source, file));

  return { protocol: { ...doc, parameters, cases }, issues };
}

function parseParameters(doc: ControlledDocument, problem: (pos: Position, code: string, message: string, severity?: Issue['severity']) => void): Record<string, ParameterSpec> {
  const raw = doc.frontMatter.parameters;
  const at = doc.fieldPositions.parameters ?? { line: 1, column: 1 };
  const out: Record<string, ParameterSpec> = {};
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problem(at, 'PARAMETERS_INVALID', `field "parameters" must map each parameter name to { description, pattern, default }; found ${describeValue(raw)}`);
    return out;
  }
  for (const [name, spec] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      problem(at, 'PARAMETER_NAME', `parameter name "${name}" must be letters, digits and _ (it is used as {{${name}}})`);
      continue;
    }
    if (spec === null || spec === undefined) { out[name] = {}; continue; }
    if (typeof spec !== 'object' || Array.isArray(spec)) {
      problem(at, 'PARAMETERS_INVALID', `parameter "${name}" must be a mapping { description, pattern, default }; found ${describeValue(spec)}`);
      continue;
    }
    const s = spec as Record<string, unknown>;
    const p: ParameterSpec = {};
    if (typeof s.description === 'string') p.description = s.description;
    if (s.default !== undefined && s.default !== null) p.default = String(s.default);
    if (typeof s.required === 'boolean') p.required = s.required;
    if (s.secret !== undefined) {
      if (typeof s.secret !== 'boolean') problem(at, 'PARAMETERS_INVALID', `"secret" of parameter "${name}" must be true or false; found ${describeValue(s.secret)}`);
      else if (s.secret) p.secret = true;
    }
    if (s.pattern !== undefined) {
      if (typeof s.pattern !== 'string') problem(at, 'PARAMETER_PATTERN', `pattern of parameter "${name}" must be a regular expression as text; found ${describeValue(s.pattern)}`);
      else {
        try { new RegExp(s.pattern, 'u'); p.pattern = s.pattern; }
        catch (err) { problem(at, 'PARAMETER_PATTERN', `pattern of parameter "${name}" is not a valid regular expression: ${(err as Error).message}`); }
      }
    }
    for (const k of Object.keys(s)) {
      if (!['description', 'pattern', 'default', 'required', 'secret'].includes(k)) problem(at, 'PARAMETER_FIELD_UNKNOWN', `parameter "${name}" has unknown field "${k}"; known: description, pattern, default, required, secret`, 'warning');
    }
    out[name] = p;
  }
  return out;
}

function applyCaseBlock(tc: TestCase, block: Record<string, unknown>, keyPos: (k: string) => Position, problem: (pos: Position, code: string, message: string, severity?: Issue['severity']) => void): void {
  if (block.each !== undefined) {
    const each = readEach(block, keyPos, problem, 'CASE_FIELD_INVALID');
    if (each) tc.each = each;
  }
  for (const [k, v] of Object.entries(block)) {
    if (k === 'targets') {
      const t = readTargets(v, keyPos(k), problem, 'CASE_FIELD_INVALID');
      if (t) { tc.targets = t; tc.targetsAt = keyPos(k); }
    } else if (k === 'each' || ((REPLICA_SELECTORS as readonly string[]).includes(k) && block.each !== undefined)) {
      // read above
    } else if (k === 'requirements') {
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) tc.requirements = v as string[];
      else if (typeof v === 'string') tc.requirements = [v];
      else problem(keyPos(k), 'CASE_FIELD_INVALID', `"requirements" must be a list of requirement ids such as [URS-04]; found ${describeValue(v)}`);
    } else if (k === 'risk') {
      if (typeof v === 'string' && (RISKS as string[]).includes(v)) tc.risk = v as Risk;
      else problem(keyPos(k), 'CASE_FIELD_INVALID', `"risk" must be one of ${RISKS.join(', ')}; found ${describeValue(v)}`);
    } else if (k === 'stage') {
      if (typeof v === 'string' && (STAGES as string[]).includes(v)) tc.stage = v as Stage;
      else problem(keyPos(k), 'CASE_FIELD_INVALID', `"stage" must be one of ${STAGES.join(', ')}; found ${describeValue(v)}`);
    } else if (k === 'kind') {
      if (typeof v === 'string' && (CASE_KINDS as readonly string[]).includes(v)) tc.kind = v as CaseKind;
      else problem(keyPos(k), 'CASE_FIELD_INVALID', `"kind" must be one of ${CASE_KINDS.join(', ')} (a negative case shows that a wrong state is detected or refused, a limit case tests a boundary); found ${describeValue(v)}`);
    } else if (k === 'justification') {
      if (typeof v === 'string' && v.trim() !== '') tc.justification = v.trim();
      else problem(keyPos(k), 'CASE_FIELD_INVALID', `"justification" must be written text saying why this case departs from the traceability rules; found ${describeValue(v)}`);
    } else {
      problem(keyPos(k), 'CASE_FIELD_UNKNOWN', `unknown field "${k}" in a case block; known: requirements, risk, stage, kind, justification, targets, each`, 'warning');
    }
  }
}

/** `targets: all | managers | [name, ...]`; null (and a located error) when it is none of them. */
function readTargets(v: unknown, at: Position, problem: (pos: Position, code: string, message: string) => void, code: string): TargetSelection | null {
  if (v === 'all' || v === 'managers') return v;
  const list = typeof v === 'string' ? [v] : v;
  if (Array.isArray(list) && list.length > 0 && list.every((x) => typeof x === 'string' && TARGET_NAME.test(x))) {
    const seen = new Set<string>();
    for (const x of list as string[]) {
      if (seen.has(x)) { problem(at, code, `"targets" names "${x}" twice`); return null; }
      seen.add(x);
    }
    return [...(list as string[])];
  }
  problem(at, code, `"targets" must be all, managers, or a list of target names of qualify.yaml such as [eu-1, eu-2]; found ${describeValue(v)}`);
  return null;
}

/** `each: replica` and its one selector key (label, name or service) of a check or case block. */
function readEach(block: Record<string, unknown>, keyPos: (k: string) => Position, problem: (pos: Position, code: string, message: string) => void, code: string): ReplicaSelector | null {
  if (block.each !== 'replica') {
    problem(keyPos('each'), code, `"each" must be replica (one step per replica of the containers a selector names); found ${describeValue(block.each)}`);
    return null;
  }
  const given = REPLICA_SELECTORS.filter((k) => block[k] !== undefined && block[k] !== null);
  if (given.length !== 1) {
    problem(keyPos('each'), code, `"each: replica" needs exactly one selector: label (key=value), name (a container name, * and ? as wildcards) or service (a Swarm or Compose service); found ${given.length ? given.join(', ') : 'none'}`);
    return null;
  }
  const by = given[0]!;
  const value = block[by];
  if (typeof value !== 'string' || value.trim() === '') {
    problem(keyPos(by), code, `"${by}" of each: replica must be text; found ${describeValue(value)}`);
    return null;
  }
  return { by, value: value.trim() };
}

function parseCheckBlock(
  tc: TestCase,
  block: Record<string, unknown>,
  fencePos: Position,
  keyPositions: Record<string, Position>,
  keyPos: (k: string) => Position,
  problem: (pos: Position, code: string, message: string, severity?: Issue['severity']) => void,
  catalog: CheckCatalog | undefined,
): CheckSpec | null {
  const n = tc.checks.length + 1;
  const type = block.type;
  if (typeof type !== 'string' || type === '') {
    problem(keyPositions.type ?? { line: fencePos.line + 1, column: fencePos.column }, 'CHECK_TYPE_MISSING', `a check block needs "type:" naming the check type${catalog ? `; known: ${[...catalog.types.keys()].join(', ')}` : ''}; found ${describeValue(type)}`);
    return null;
  }
  const id = block.id === undefined ? `${tc.id}.${n}` : String(block.id);
  if (/[@/\s]/.test(id)) problem(keyPos('id'), 'CHECK_ID_INVALID', `step id "${id}" must not contain "@", "/" or spaces: a fan-out adds @target and /replica to it`);
  const each = block.each === undefined ? undefined : readEach(block, keyPos, problem, 'CHECK_EACH_INVALID') ?? undefined;
  const targets = block.targets === undefined ? undefined : readTargets(block.targets, keyPos('targets'), problem, 'CHECK_TARGETS_INVALID') ?? undefined;
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(block)) {
    if (RESERVED_CHECK_KEYS.has(k)) continue;
    // With each: replica the selector key chooses the replicas; the check gets each replica's container
    // (a type without a container keeps its own parameter of that name: lint says each does not apply).
    if (block.each !== undefined && (REPLICA_SELECTORS as readonly string[]).includes(k) && (!catalog || catalog.types.get(type)?.params.container)) continue;
    params[k] = v;
  }

  let expect: Record<string, unknown> | undefined;
  if (block.expect !== undefined && block.expect !== null) {
    if (typeof block.expect === 'object' && !Array.isArray(block.expect)) expect = block.expect as Record<string, unknown>;
    else problem(keyPos('expect'), 'CHECK_EXPECT_INVALID', `"expect" must be a mapping of observed values to expected values or matchers; found ${describeValue(block.expect)}`);
  }
  let timeoutMs: number | undefined;
  if (block.timeout !== undefined) {
    const ms = parseDuration(block.timeout);
    if (ms === null || ms === 0) problem(keyPos('timeout'), 'CHECK_TIMEOUT_INVALID', `"timeout" must be a duration such as 30s, 500ms or 2m; found ${describeValue(block.timeout)}`);
    else timeoutMs = ms;
  }
  let retry: CheckSpec['retry'];
  if (block.retry !== undefined) {
    const r = block.retry as Record<string, unknown> | null;
    const until = r && typeof r === 'object' ? parseDuration(r.until) : null;
    const every = r && typeof r === 'object' ? parseDuration(r.every ?? '1s') : null;
    if (until === null || every === null || every === 0) problem(keyPos('retry'), 'CHECK_RETRY_INVALID', `"retry" must be { until: <duration>, every: <duration> } such as { until: 60s, every: 2s }; found ${describeValue(block.retry)}`);
    else retry = { untilMs: until, everyMs: every };
  }
  let dependsOn: string[] = [];
  if (block.depends_on !== undefined) {
    const d = block.depends_on;
    if (typeof d === 'string') dependsOn = [d];
    else if (Array.isArray(d) && d.every((x) => typeof x === 'string')) dependsOn = d as string[];
    else problem(keyPos('depends_on'), 'CHECK_DEPENDS_INVALID', `"depends_on" must be a step or case id, or a list of them; found ${describeValue(d)}`);
  }

  if (catalog) {
    const info = catalog.types.get(type);
    if (!info) {
      problem(keyPos('type'), 'CHECK_TYPE_UNKNOWN', `unknown check type "${type}"; known: ${[...catalog.types.keys()].join(', ')}`);
    } else {
      fanOutProblems(info, block, params, keyPos, problem);
      // A replica fan-out gives the check each replica's container.
      const fanned = block.each !== undefined || (tc.each !== undefined && params.container === undefined && params.label === undefined);
      const checked = fanned && info.params.container ? { ...params, container: params.container ?? '{{replica}}' } : params;
      for (const [k, v] of Object.entries(params)) {
        const def = info.params[k];
        if (!def) {
          problem(keyPos(k), 'CHECK_PARAM_UNKNOWN', `check type "${type}" has no parameter "${k}"; it takes: ${Object.keys(info.params).join(', ') || 'none'}`);
          continue;
        }
        const kindProblem = checkKind(def.kind, v, def.enum);
        if (kindProblem) problem(keyPos(k), 'CHECK_PARAM_TYPE', `parameter "${k}" of ${type} ${kindProblem}; found ${describeValue(v)}`);
      }
      for (const [k, def] of Object.entries(info.params)) {
        if (def.required && checked[k] === undefined) problem(keyPos('type'), 'CHECK_PARAM_REQUIRED', `check type "${type}" needs parameter "${k}" (${def.description})`);
      }
      for (const group of info.exactlyOne ?? []) {
        const given = group.filter((k) => checked[k] !== undefined);
        if (given.length !== 1) problem(keyPos('type'), 'CHECK_PARAM_REQUIRED', `check type "${type}" needs exactly one of ${group.join(', ')}; found ${given.length ? given.join(', ') : 'none'}`);
      }
      if (expect && info.expectKeys && !catalog.validateExpect) {
        for (const k of Object.keys(expect)) {
          if (!info.expectKeys.includes(k)) problem(keyPositions.expect ?? keyPos('expect'), 'CHECK_EXPECT_UNKNOWN', `check type "${type}" observes no "${k}"; expect may use: ${info.expectKeys.join(', ')}`);
        }
      }
      if (!expect && !info.implicitVerdict && !info.defaultExpect) problem(keyPos('type'), 'CHECK_EXPECT_MISSING', `check ${id} (${type}) has no "expect": it would pass without judging anything; add the acceptance values`);
    }
    if (expect && catalog.validateExpect) {
      for (const msg of catalog.validateExpect(expect, catalog.types.get(type))) problem(keyPos('expect'), 'CHECK_EXPECT_INVALID', msg);
    }
  }

  return { id, type, params, expect, timeoutMs, retry, dependsOn, position: fencePos, keyPositions, ...(targets ? { targets } : {}), ...(each ? { each } : {}) };
}

/**
 * `targets` and `each` against what the check type observes: a check of this machine (http.get,
 * git.state, manual...) runs once, not per target; `each: replica` needs a check of one container,
 * which the fan-out names (so the block gives no `container` of its own).
 */
function fanOutProblems(info: CheckTypeInfo, block: Record<string, unknown>, params: Record<string, unknown>, keyPos: (k: string) => Position, problem: (pos: Position, code: string, message: string) => void): void {
  const onEngine = info.scope === 'engine' || info.scope === 'swarm' || (info.scope === 'container-param' && (params.container !== undefined || block.each !== undefined));
  if (block.targets !== undefined && !onEngine) {
    problem(keyPos('targets'), 'CHECK_TARGETS_INVALID', `${info.type} ${info.scope === 'container-param' ? 'without "container" ' : ''}observes from this machine, not on a target: "targets" applies to checks of containers, images, services and projects`);
  }
  if (block.each === undefined) return;
  if (!info.params.container) {
    problem(keyPos('each'), 'CHECK_EACH_INVALID', `"each: replica" applies to checks of one container (${info.type} takes no "container"); ${info.scope === 'swarm' ? 'a service check observes every task of the service already' : 'remove it'}`);
  } else if (params.container !== undefined) {
    problem(keyPos('container'), 'CHECK_EACH_INVALID', `"container" and "each: replica" exclude each other: the fan-out gives the check each replica's container`);
  }
}

function checkKind(kind: string, v: unknown, allowed?: string[]): string | null {
  switch (kind) {
    case 'string':
      if (typeof v !== 'string' && typeof v !== 'number') return 'must be text';
      if (allowed && !allowed.includes(String(v))) return `must be one of ${allowed.join(', ')}`;
      return null;
    case 'number': return typeof v === 'number' || (typeof v === 'string' && v.includes('{{')) ? null : 'must be a number';
    case 'boolean': return typeof v === 'boolean' ? null : 'must be true or false';
    case 'string[]': return Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number') ? null : 'must be a list of text values';
    case 'map': return v && typeof v === 'object' && !Array.isArray(v) ? null : 'must be a mapping';
    default: return null;
  }
}

/** Rules across cases: unique step ids, known dependencies, declared template parameters. */
function crossCheck(cases: TestCase[], parameters: Record<string, ParameterSpec>, problem: (pos: Position, code: string, message: string, severity?: Issue['severity']) => void, doc: ControlledDocument, brokenBlocks: Set<TestCase>): void {
  const stepIds = new Map<string, Position>();
  const caseIds = new Set(cases.map((c) => c.id));
  const used = new Set<string>();
  if (cases.length === 0) problem({ line: doc.bodyStartLine, column: 1 }, 'PROTOCOL_NO_CASES', 'a protocol needs at least one test case: a heading whose text starts with an id such as "### IQ-01 Title"');
  for (const tc of cases) {
    if (tc.checks.length === 0 && !brokenBlocks.has(tc)) problem(tc.position, 'CASE_NO_CHECKS', `test case ${tc.id} has no \`check\` block; it cannot be executed`, 'warning');
    for (const step of tc.checks) {
      const prev = stepIds.get(step.id);
      if (prev) problem(step.position, 'CHECK_ID_DUPLICATE', `step id "${step.id}" is already used on line ${prev.line}`);
      stepIds.set(step.id, step.position);
      visitStrings({ params: step.each ? { ...step.params, [step.each.by]: step.each.value } : step.params, expect: step.expect }, (s, key) => {
        let names: string[];
        try { names = templateNames(s); }
        catch (err) {
          problem(step.keyPositions[key] ?? step.position, 'TEMPLATE_INVALID', `invalid {{...}} template in "${key}": ${(err as Error).message.split('\n')[0]}`);
          return;
        }
        for (const name of names) {
          used.add(name);
          if (!(name in parameters) && !RESERVED_PARAMS.includes(name)) {
            problem(step.keyPositions[key] ?? step.position, 'TEMPLATE_PARAM_UNKNOWN', `"{{${name}}}" in "${key}" is not a declared parameter; declared: ${Object.keys(parameters).join(', ') || 'none'} (and run.id, run.started)`);
          }
        }
      });
    }
  }
  for (const tc of cases) {
    for (const step of tc.checks) {
      for (const dep of step.dependsOn) {
        if (!stepIds.has(dep) && !caseIds.has(dep)) problem(step.keyPositions.depends_on ?? step.position, 'CHECK_DEPENDS_UNKNOWN', `depends_on "${dep}" names no step or case of this protocol`);
      }
    }
  }
  dependencyCycles(cases, problem);
  for (const name of Object.keys(parameters)) {
    if (!used.has(name)) problem(doc.fieldPositions.parameters ?? { line: 1, column: 1 }, 'PARAMETER_UNUSED', `parameter "${name}" is declared but no check uses {{${name}}}`, 'warning');
  }
}

/**
 * `depends_on` that can never be satisfied: a step naming itself, or steps that wait for each other
 * (directly or through cases; a case id means every other step of that case, as the runner reads it).
 * The runner would skip every step of such a cycle; lint says so before anything runs.
 */
function dependencyCycles(cases: TestCase[], problem: (pos: Position, code: string, message: string, severity?: Issue['severity']) => void): void {
  const steps = cases.flatMap((c) => c.checks);
  const stepsOfCase = new Map(cases.map((c) => [c.id, c.checks.map((s) => s.id)]));
  const byId = new Map(steps.map((s) => [s.id, s]));
  const edges = new Map<string, string[]>();
  for (const step of steps) {
    const out = new Set<string>();
    for (const dep of step.dependsOn) {
      if (dep === step.id) {
        problem(step.keyPositions.depends_on ?? step.position, 'CHECK_DEPENDS_CYCLE', `step ${step.id} depends on itself; it could never run`);
        continue;
      }
      for (const id of stepsOfCase.get(dep) ?? (byId.has(dep) ? [dep] : [])) if (id !== step.id) out.add(id);
    }
    edges.set(step.id, [...out]);
  }
  // Tarjan's strongly connected components: every component of two or more steps is a cycle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let counter = 0;
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) { connect(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  };
  for (const step of steps) if (!index.has(step.id)) connect(step.id);
  const order = new Map(steps.map((s, i) => [s.id, i]));
  for (const component of components) {
    const members = component.sort((a, b) => order.get(a)! - order.get(b)!);
    for (const id of members) {
      const step = byId.get(id)!;
      problem(step.keyPositions.depends_on ?? step.position, 'CHECK_DEPENDS_CYCLE', `depends_on of ${id} is part of a cycle (${members.join(', ')} wait for each other); none of them could ever run`);
    }
  }
}

/** Calls `fn` for every string in a JSON-like value with the top-level key it sits under. */
function visitStrings(root: { params: Record<string, unknown>; expect: Record<string, unknown> | undefined }, fn: (s: string, key: string) => void): void {
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string') fn(v, key);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x, key);
  };
  for (const [k, v] of Object.entries(root.params)) walk(v, k);
  if (root.expect) walk(root.expect, 'expect');
}

const isProtocolCode = (node: RootContent): node is ProtocolCode => node.type === 'code' && (node.lang === 'check' || node.lang === 'case');
