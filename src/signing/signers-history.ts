// Whether a repository has ever had electronic signatures. Once it has, only signed approvals count, for
// ever: moving signers.yaml aside must not bring back the front-matter approval of a repository without
// signers. The audit trail, the approval signatures and git history each remember.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastCommitTouching } from '../probes/git.js';
import { APPROVALS_DIR, AUDIT_TRAIL, signersFile } from './repo.js';

function hasSignatureFiles(dir: string, depth = 0): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  return names.some((n) => n.endsWith('.dsse.json') || (depth < 3 && hasSignatureFiles(join(dir, n), depth + 1)));
}

/** A sentence saying how the repository at `root` shows it has had signers, or null when it never had. */
export async function signersEvidence(root: string): Promise<string | null> {
  const file = signersFile(root);
  if (existsSync(join(root, file))) return `${file} exists`;
  try {
    if (readFileSync(join(root, AUDIT_TRAIL), 'utf8').includes('"action":"keys.create"')) return `the audit trail (${AUDIT_TRAIL}) records enrolled signers`;
  } catch { /* no trail */ }
  if (hasSignatureFiles(join(root, APPROVALS_DIR))) return `approval signatures exist under ${APPROVALS_DIR}/`;
  // git is found through the process's PATH, as every other git call of the signing layer does.
  const commit = await lastCommitTouching(root, file, { timeoutMs: 30_000, env: process.env });
  if (commit) return `${file} is in the git history (commit ${commit})`;
  return null;
}
