// A requirements document (URS, FRS) → its identified requirements, with located issues. Read from
// the one tree: a root-level heading whose text starts with an id (`### URS-04 Title`) opens a
// requirement; the prose under it is its statement; a root-level ```requirement block holds what a
// machine needs: `risk` and `type`, and optionally a written `justification`.
import type { Code, RootContent } from 'mdast';
import { headingText } from '../markdown/check-blocks.js';
import { describeValue, parseYamlWithPositions } from '../markdown/yaml.js';
import type { ControlledDocument, Issue, Position, Risk } from '../model/index.js';
import { REQUIREMENT_TYPES, type Requirement, type RequirementType } from '../model/requirements.js';
import { proseMarkdown, sourceOf } from './prose.js';

const REQUIREMENT_ID = /^([A-Z][A-Z0-9]*-\d+[A-Za-z0-9.]*)\b[\s:.\u2013\u2014-]*(.*)$/;
const RISKS: Risk[] = ['high', 'medium', 'low'];
const KEYS = ['risk', 'type', 'justification'];

export interface RequirementsDocument extends ControlledDocument {
  requirements: Requirement[];
}

const isRequirementBlock = (node: RootContent): node is Code => node.type === 'code' && node.lang === 'requirement';

/** Parses a requirements document's body; every problem is returned, nothing thrown. */
export function parseRequirements(doc: ControlledDocument): { document: RequirementsDocument; issues: Issue[] } {
  const issues: Issue[] = [];
  const file = doc.path;
  const problem = (pos: Position, code: string, msg: string, severity: Issue['severity'] = 'error') =>
    issues.push({ file, line: pos.line, column: pos.column, code, severity, message: msg });
  const source = sourceOf(doc);
  const requirements: Requirement[] = [];
  const prose = new Map<Requirement, RootContent[]>();
  const blocks = new Map<Requirement, number>();
  const seen = new Map<string, Position>();
  let current: { req: Requirement; depth: number } | null = null;

  for (const node of doc.tree.children) {
    if (node.type === 'heading') {
      const m = REQUIREMENT_ID.exec(headingText(node).trim());
      if (current && (m || node.depth <= current.depth)) current = null;
      if (m) {
        const pos = { line: node.position!.start.line, column: node.position!.start.column };
        const id = m[1]!;
        const dup = seen.get(id);
        if (dup) problem(pos, 'REQUIREMENT_ID_DUPLICATE', `requirement id "${id}" is already used on line ${dup.line}; ids must be unique`);
        seen.set(id, pos);
        const req: Requirement = { id, title: m[2]!.trim() || id, text: '', risk: undefined, type: undefined, justification: undefined, documentId: doc.meta.documentId, path: doc.path, position: pos };
        requirements.push(req);
        prose.set(req, []);
        current = { req, depth: node.depth };
        continue;
      }
    }
    if (!isRequirementBlock(node)) {
      if (current) prose.get(current.req)!.push(node);
      continue;
    }
    const at = { line: node.position!.start.line, column: node.position!.start.column };
    if (!current) {
      problem(at, 'REQUIREMENT_BLOCK_OUTSIDE', 'a `requirement` block must follow a requirement heading such as "### URS-04 Title"; found one before any requirement');
      continue;
    }
    const req = current.req;
    blocks.set(req, (blocks.get(req) ?? 0) + 1);
    if (blocks.get(req)! > 1) {
      problem(at, 'REQUIREMENT_BLOCK_DUPLICATE', `requirement ${req.id} has a second \`requirement\` block; give its risk and type once`);
      continue;
    }
    applyBlock(req, node, at, file, issues, problem);
  }

  for (const req of requirements) {
    req.text = proseMarkdown(prose.get(req)!, source);
    if (!blocks.has(req)) problem(req.position, 'REQUIREMENT_BLOCK_MISSING', `requirement ${req.id} has no \`requirement\` block; add one after its text with its risk (${RISKS.join(', ')}) and type (${REQUIREMENT_TYPES.join(', ')})`);
    if (!req.text) problem(req.position, 'REQUIREMENT_TEXT_MISSING', `requirement ${req.id} states nothing: write the requirement under its heading`, 'warning');
  }
  if (requirements.length === 0) {
    problem({ line: doc.bodyStartLine, column: 1 }, 'REQUIREMENTS_NONE', 'a requirements document needs at least one requirement: a heading whose text starts with an id such as "### URS-01 Title", its text, and a `requirement` block');
  }
  return { document: { ...doc, requirements }, issues };
}

function applyBlock(req: Requirement, node: Code, at: Position, file: string, issues: Issue[], problem: (pos: Position, code: string, msg: string, severity?: Issue['severity']) => void): void {
  const indent = at.column - 1;
  const yaml = parseYamlWithPositions(node.value, file, at.line, indent, 'REQUIREMENT_YAML_INVALID', { literal: true });
  issues.push(...yaml.issues);
  if (!yaml.ok) return;
  const keyPos = (k: string): Position => yaml.keyPositions[k] ?? { line: at.line + 1, column: indent + 1 };
  const value = yaml.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problem({ line: at.line + 1, column: indent + 1 }, 'REQUIREMENT_NOT_MAPPING', `a \`requirement\` block must be a YAML mapping (risk: high, type: functional); found ${describeValue(value)}`);
    return;
  }
  const block = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(block)) {
    if (k === 'risk') {
      if (typeof v === 'string' && (RISKS as string[]).includes(v)) req.risk = v as Risk;
      else problem(keyPos(k), 'REQUIREMENT_FIELD_INVALID', `"risk" of ${req.id} must be one of ${RISKS.join(', ')}; found ${describeValue(v)}`);
    } else if (k === 'type') {
      if (typeof v === 'string' && (REQUIREMENT_TYPES as readonly string[]).includes(v)) req.type = v as RequirementType;
      else problem(keyPos(k), 'REQUIREMENT_FIELD_INVALID', `"type" of ${req.id} must be one of ${REQUIREMENT_TYPES.join(', ')}; found ${describeValue(v)}`);
    } else if (k === 'justification') {
      if (typeof v === 'string' && v.trim() !== '') req.justification = v.trim();
      else problem(keyPos(k), 'REQUIREMENT_FIELD_INVALID', `"justification" of ${req.id} must be written text saying why it departs from the traceability rules; found ${describeValue(v)}`);
    } else {
      problem(keyPos(k), 'REQUIREMENT_FIELD_UNKNOWN', `unknown field "${k}" in the requirement block of ${req.id}; known: ${KEYS.join(', ')}`, 'warning');
    }
  }
  for (const k of ['risk', 'type']) {
    if (block[k] === undefined) problem({ line: at.line, column: at.column }, 'REQUIREMENT_FIELD_REQUIRED', `the requirement block of ${req.id} needs "${k}" (${k === 'risk' ? RISKS.join(', ') : REQUIREMENT_TYPES.join(', ')})`);
  }
}
