// `qualify verify` of many report folders of one repository, for the site: the same verifyReport the
// command runs, sharing one session (signer registry, audit trail, protocol approvals).
import { createVerifySession, verifyReport } from '../signing/verify-report.js';
import { repoRelative } from '../signing/repo.js';
import type { VerifyResult } from '../signing/verdict.js';

/** Verifies each folder (absolute paths) as `qualify verify` does; results in the same order. */
export async function verifyReportFolders(root: string, dirs: string[], now: Date): Promise<VerifyResult[]> {
  if (dirs.length === 0) return [];
  const session = createVerifySession(root, now);
  const out: VerifyResult[] = [];
  for (const dir of dirs) out.push(await verifyReport(dir, { now, session, target: repoRelative(root, dir) }));
  return out;
}
