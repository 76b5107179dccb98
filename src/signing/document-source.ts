// The few facts the signing layer needs of a controlled document: its bytes' sha256 and the front
// matter's id, revision, claimed status and approvers (parsed by src/documents, never executed).
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { DocumentError } from '../model/errors.js';
import type { ControlledDocument } from '../model/document.js';
import { formatIssue } from '../model/issue.js';
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

/** Reads a document file (front-mattered Markdown) of the repository at `root` with the document parser. */
export async function readDocumentRef(root: string, file: string): Promise<DocumentRef> {
  // Loaded on use: verifying a report never needs the Markdown parser.
  const [{ parseDocument }, { readRegularFile, NotRegularFileError }] = await Promise.all([import('../documents/document.js'), import('../documents/files.js')]);
  let bytes: Buffer;
  try {
    // A link is followed only inside the repository; the type is checked on the open file, so a
    // FIFO named *.md is refused instead of blocking for ever.
    const target = await realpath(file);
    const rootReal = await realpath(root);
    const rel = relative(rootReal, target);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new DocumentError('DOCUMENT_OUTSIDE_REPOSITORY', `${file} is a symbolic link to ${target}, outside the repository; a controlled document lives in the repository`);
    bytes = readRegularFile(target);
  } catch (err) {
    if (err instanceof DocumentError) throw err;
    const why = err instanceof NotRegularFileError ? `: it is ${err.kind}, not a regular file` : '';
    throw new DocumentError('DOCUMENT_UNREADABLE', `cannot read ${file}${why}`);
  }
  const rel = repoRelative(root, file);
  const { document, issues } = parseDocument(bytes, rel);
  if (!document) {
    throw new DocumentError('DOCUMENT_INVALID', `${rel} cannot be read as a controlled document:\n${issues.filter((i) => i.severity === 'error').map(formatIssue).join('\n')}`);
  }
  return documentRef(document);
}
