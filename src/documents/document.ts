// One file → ControlledDocument plus every problem of that file (per-file document-control rules).
import { createHash } from 'node:crypto';
import {
  DOCUMENT_STATUSES,
  FRONT_MATTER_FIELDS,
  type ControlledDocument,
  type DocumentMeta,
  type DocumentStatus,
  type DocumentType,
  type Issue,
  type Position,
} from '../model/index.js';
import { parseFrontMatter } from '../markdown/front-matter.js';
import { parseMarkdown } from '../markdown/parse.js';
import { describeValue } from '../markdown/yaml.js';
import { toIsoDate } from './dates.js';
import { revisionNeedsChangeControl } from './status.js';

const DOCUMENT_TYPES: DocumentType[] = ['sop', 'protocol', 'requirements', 'work-instruction', 'document'];

/** Front-matter fields we understand (the others are warned about, and kept). */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set(FRONT_MATTER_FIELDS);

export interface ParsedFile {
  document: ControlledDocument | null;
  issues: Issue[];
}

export interface ParseOptions {
  /** Type implied by the folder (sops/ → sop, protocols/ → protocol). */
  folderType?: DocumentType;
}

/** Parses one file's bytes. Never throws for bad content: problems come back as issues. */
export function parseDocument(content: Uint8Array | string, file: string, options: ParseOptions = {}): ParsedFile {
  const issues: Issue[] = [];
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const at = (pos: Position | undefined) => pos ?? { line: 1, column: 1 };
  const problem = (pos: Position | undefined, code: string, message: string, severity: Issue['severity'] = 'error') =>
    issues.push({ file, ...at(pos), code, severity, message });

  if (bytes.length === 0 || bytes.toString('utf8').trim() === '') {
    problem(undefined, 'FILE_EMPTY', 'file is empty; expected YAML front matter between "---" lines followed by Markdown');
    return { document: null, issues };
  }
  const binaryAt = findBinary(bytes);
  if (binaryAt >= 0) {
    const pos = positionOfByte(bytes, binaryAt);
    problem(pos, 'FILE_BINARY', `file is not UTF-8 text (byte 0x${bytes[binaryAt]!.toString(16).padStart(2, '0')} at offset ${binaryAt}); expected a Markdown document`);
    return { document: null, issues };
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  // Literal: an approved document's front matter must say what it means where it says it (no anchors).
  const fm = parseFrontMatter(text, file, { literal: true });
  issues.push(...fm.issues);
  if (!fm.hasFrontMatter) {
    problem(undefined, 'FRONT_MATTER_MISSING', 'no front matter; expected a "---" line, document-control fields (document_id, title, revision, status...) and a closing "---"');
  }
  const data = fm.data;
  const pos = (key: string) => fm.valuePositions[key] ?? fm.fieldPositions[key];
  const frontMatterBroken = fm.issues.some((i) => i.severity === 'error');

  const str = (key: string): string | null => {
    const v = data[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    problem(pos(key), 'FIELD_TYPE', `field "${key}" must be text; found ${describeValue(v)}`);
    return null;
  };
  const list = (key: string): string[] => {
    const v = data[key];
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
    problem(pos(key), 'FIELD_TYPE', `field "${key}" must be a list of names or signer ids; found ${describeValue(v)}`);
    return [];
  };
  const date = (key: string): string | null => {
    const v = data[key];
    if (v === undefined || v === null || v === '') return null;
    const iso = toIsoDate(v);
    if (!iso) problem(pos(key), 'DATE_INVALID', `field "${key}" must be a real calendar date YYYY-MM-DD; found ${describeValue(v)}`);
    return iso;
  };

  let type: DocumentType = options.folderType ?? 'document';
  const typeValue = data.type;
  if (typeValue !== undefined) {
    if (typeof typeValue === 'string' && (DOCUMENT_TYPES as string[]).includes(typeValue)) type = typeValue as DocumentType;
    else problem(pos('type'), 'TYPE_INVALID', `field "type" must be one of ${DOCUMENT_TYPES.join(', ')}; found ${describeValue(typeValue)}`);
  }

  let status: DocumentStatus | null = null;
  const statusValue = data.status;
  if (statusValue !== undefined && statusValue !== null) {
    if (typeof statusValue === 'string' && (DOCUMENT_STATUSES as readonly string[]).includes(statusValue)) status = statusValue as DocumentStatus;
    else problem(pos('status'), 'STATUS_INVALID', `field "status" must be one of ${DOCUMENT_STATUSES.join(', ')}; found ${describeValue(statusValue)}`);
  }

  const revisionValue = data.revision;
  if (typeof revisionValue === 'number') {
    problem(pos('revision'), 'REVISION_NOT_TEXT', `field "revision" should be quoted text (e.g. "05") so leading zeros survive; found the number ${revisionValue}`, 'warning');
  }

  let reviewPeriodMonths: number | null = null;
  if (data.review_period_months !== undefined && data.review_period_months !== null) {
    const v = data.review_period_months;
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) reviewPeriodMonths = v;
    else problem(pos('review_period_months'), 'FIELD_TYPE', `field "review_period_months" must be a whole number of months above 0; found ${describeValue(v)}`);
  }
  let trainingRequired: boolean | null = null;
  if (data.training_required !== undefined && data.training_required !== null) {
    if (typeof data.training_required === 'boolean') trainingRequired = data.training_required;
    else problem(pos('training_required'), 'FIELD_TYPE', `field "training_required" must be true or false; found ${describeValue(data.training_required)}`);
  }

  const meta: DocumentMeta = {
    documentId: str('document_id'),
    title: str('title'),
    description: str('description'),
    type,
    revision: str('revision'),
    status,
    authors: list('authors'),
    reviewers: list('reviewers'),
    approvers: list('approvers'),
    approvalDate: date('approval_date'),
    effectiveDate: date('effective_date'),
    reviewPeriodMonths,
    supersedes: str('supersedes'),
    changeControl: str('change_control'),
    trainingRequired,
  };

  if (fm.hasFrontMatter && !frontMatterBroken) {
    for (const key of ['document_id', 'title', 'revision'] as const) {
      if (data[key] === undefined || data[key] === null || data[key] === '') {
        problem({ line: 1, column: 1 }, 'FIELD_REQUIRED', `required field "${key}" is missing from the front matter`);
      }
    }
    if (statusValue === undefined) {
      problem({ line: 1, column: 1 }, 'STATUS_MISSING', `field "status" is missing; expected one of ${DOCUMENT_STATUSES.join(', ')} (status is computed from approvals and dates meanwhile)`, 'warning');
    }
    if (meta.documentId !== null && !/^[A-Za-z][A-Za-z0-9]*([-_][A-Za-z0-9.]+)+$/.test(meta.documentId)) {
      problem(pos('document_id'), 'DOCUMENT_ID_FORMAT', `field "document_id" should look like SOP-0013 or QP-0001; found "${meta.documentId}"`, 'warning');
    }
    if (meta.documentId) {
      // A file named after a different document id is a classic copy-paste slip (mdn_qms PD_0005 holds PD_0001).
      const base = file.split('/').pop() ?? file;
      const normalise = (s: string) => s.toUpperCase().replace(/_/g, '-');
      const tokens = (base.match(/[A-Za-z]{2,}[-_]\d{2,}/g) ?? []).map(normalise);
      if (tokens.length > 0 && !tokens.includes(normalise(meta.documentId))) {
        problem(pos('document_id'), 'DOCUMENT_ID_FILENAME', `document_id "${meta.documentId}" disagrees with the file name "${base}"`, 'warning');
      }
    }
    for (const key of Object.keys(data)) {
      if (!KNOWN_FIELDS.has(key)) problem(fm.fieldPositions[key], 'FIELD_UNKNOWN', `unknown front-matter field "${key}" (kept, not used); known fields: document_id, title, revision, status, approvers, approval_date, effective_date...`, 'warning');
    }
    if (meta.approvalDate && meta.effectiveDate && meta.effectiveDate < meta.approvalDate) {
      problem(pos('effective_date'), 'DATE_ORDER', `effective_date ${meta.effectiveDate} is before approval_date ${meta.approvalDate}; a document cannot take effect before it is approved`);
    }
    checkStatusDates(meta, pos, problem);
    if (revisionNeedsChangeControl(meta.revision) && !meta.changeControl) {
      // DC-09: a new revision comes from a change record; past draft it cannot be approved without one.
      const pending = meta.status === null || meta.status === 'draft';
      problem(pos('revision'), 'CHANGE_CONTROL_MISSING', `revision ${meta.revision} names no change_control; a revision after 01 references the change record (reason, impact, approvals) that justifies it, e.g. change_control: CC-2026-031${pending ? ' (needed before it can be approved)' : ''}`, pending ? 'warning' : 'error');
    }
  }

  const document: ControlledDocument = {
    path: file,
    sha256,
    frontMatter: data,
    fieldPositions: fm.fieldPositions,
    meta,
    body: fm.body,
    bodyStartLine: fm.bodyStartLine,
    tree: undefined as unknown as ControlledDocument['tree'], // defined below: parsed on first read
    hasFrontMatter: fm.hasFrontMatter,
  };
  // The body is parsed once, when something first reads the tree (a protocol's cases, the PDF): lint
  // and status of an SOP never read its body, and a run reads the protocol's. Enumerable, so a spread
  // copy of the document carries the same tree object.
  // The getter holds only what it needs (not the front matter's YAML document).
  let tree: ControlledDocument['tree'] | undefined;
  const origin = { line: fm.bodyStartLine, offset: fm.bodyOffset };
  const body = fm.body;
  Object.defineProperty(document, 'tree', {
    enumerable: true,
    configurable: true,
    get: () => (tree ??= parseMarkdown(body, origin)),
    set: (value: ControlledDocument['tree']) => { tree = value; },
  });
  return { document, issues };
}

/** A claimed status must be legal for the dates recorded. */
function checkStatusDates(
  meta: DocumentMeta,
  pos: (key: string) => Position | undefined,
  problem: (pos: Position | undefined, code: string, message: string, severity?: Issue['severity']) => void,
): void {
  const s = meta.status;
  if (!s) return;
  if ((s === 'approved' || s === 'effective' || s === 'superseded') && !meta.approvalDate && pos('approval_date') === undefined) {
    // Dropped by loadRepository when approval signatures record the date (DC-01: a tool-managed field).
    problem(pos('status'), 'APPROVAL_DATE_MISSING', `status "${s}" needs an approval_date; none is recorded (with a signer registry, the approval signatures record it)`);
  }
  if (s === 'effective' && !meta.effectiveDate && pos('effective_date') === undefined) {
    problem(pos('status'), 'STATUS_DATES', `status "effective" needs an effective_date; none is recorded`);
  }
  if ((s === 'draft' || s === 'in-review') && (meta.approvalDate || meta.effectiveDate)) {
    problem(pos('status'), 'STATUS_DATES', `status "${s}" with an approval or effective date recorded; a ${s} document is not approved yet`, 'warning');
  }
  if ((s === 'approved' || s === 'effective') && meta.approvers.length === 0) {
    problem(pos('status'), 'APPROVERS_MISSING', `status "${s}" but no approvers are listed`, 'warning');
  }
}

/** Offset of the first byte that makes this not UTF-8 text (NUL or invalid sequence), else -1. */
function findBinary(bytes: Buffer): number {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return nul;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return -1;
  } catch {
    // Locate the first invalid sequence for the message.
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b < 0x80) continue;
      const len = b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
      if (len === 0) return i;
      for (let k = 1; k < len; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
      i += len - 1;
    }
    return 0;
  }
}

function positionOfByte(bytes: Buffer, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) if (bytes[i] === 10) { line++; lineStart = i + 1; }
  return { line, column: offset - lineStart + 1 };
}
