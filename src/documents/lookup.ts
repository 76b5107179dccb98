// Document status lookups for checks (sop.effective) and the run gate.
import type { DocumentLookup, DocumentStatusInfo } from '../model/index.js';
import type { LoadedRepository } from './repository.js';
import { compareRevisions } from './repository.js';

/** Looks documents up by id: the effective revision when there is one, else the highest revision. */
export function createDocumentLookup(repo: LoadedRepository): DocumentLookup {
  const byId = new Map<string, DocumentStatusInfo[]>();
  for (const info of repo.status.values()) byId.set(info.documentId, [...(byId.get(info.documentId) ?? []), info]);
  return async (documentId) => {
    const infos = byId.get(documentId);
    if (!infos?.length) return null;
    return infos.find((i) => i.effective) ?? [...infos].sort((a, b) => compareRevisions(b.revision, a.revision))[0]!;
  };
}
