// The few facts the signing layer needs of a controlled document file: its bytes' sha256 and the
// front matter's id, revision, claimed status and approvers. Read without executing anything.
// (The full parser lives in src/documents; this stays small so that signing does not depend on lint.)
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DocumentError } from '../model/errors.js';
import type { ControlledDocument } from '../model/document.js';
import { sha256Hex } from './hash.js';
import { repoRelative } from './repo.js';

/** What approval needs to know of a document. */
export interface DocumentRef {
  /** Path relative to the repository root, forward slashes. */
  path: string;
  /** sha256 of the file's bytes. */
  sha256: string;
  documentId: string;
  revision: string | null;
  claimedStatus: string | null;
  /** Front matter `approvers` (signer ids or free-form names). */
  approvers: string[];
  effectiveDate: string | null;
}

function str(v: unknown): string | null {
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return null;
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(str).filter((x): x is string => x !== null);
  const s = str(v);
  return s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [];
}

/** Builds a DocumentRef from a document parsed by src/documents. */
export function documentRef(doc: Pick<ControlledDocument, 'path' | 'sha256' | 'meta'>): DocumentRef {
  if (!doc.meta.documentId) throw new DocumentError('DOCUMENT_ID_MISSING', `${doc.path}: a document needs a document_id in its front matter to be signed`);
  return {
    path: doc.path,
    sha256: doc.sha256,
    documentId: doc.meta.documentId,
    revision: doc.meta.revision,
    claimedStatus: doc.meta.status,
    approvers: doc.meta.approvers,
    effectiveDate: doc.meta.effectiveDate,
  };
}

/** Reads a document file (front-mattered Markdown) of the repository at `root`. */
export function readDocumentRef(root: string, file: string): DocumentRef {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new DocumentError('DOCUMENT_UNREADABLE', `cannot read ${file}`);
  }
  const rel = repoRelative(root, file);
  const text = bytes.toString('utf8');
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) throw new DocumentError('FRONT_MATTER_MISSING', `${rel}:1:1 expected YAML front matter between "---" lines with document_id and revision`);
  let data: Record<string, unknown>;
  try {
    data = (parseYaml(m[1]!, { strict: true, uniqueKeys: true }) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new DocumentError('FRONT_MATTER_INVALID', `${rel}:2:1 front matter is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const documentId = str(data.document_id);
  if (!documentId) throw new DocumentError('DOCUMENT_ID_MISSING', `${rel}:1:1 the front matter has no document_id; only controlled documents can be signed`);
  return {
    path: rel,
    sha256: sha256Hex(bytes),
    documentId,
    revision: str(data.revision),
    claimedStatus: str(data.status),
    approvers: list(data.approvers),
    effectiveDate: str(data.effective_date),
  };
}
