// The one place where the CLI wires the documents module to the check catalog and to signatures.
import { findRepoRoot, loadRepository, type CheckCatalog, type LoadedRepository, type ApprovalProvider } from '../documents/index.js';
import type { CliContext } from './context.js';

/** The check catalog lint validates check blocks against. */
export async function loadCatalog(): Promise<CheckCatalog> {
  const { builtinChecks, validateExpect } = await import('../checks/index.js');
  return { types: new Map(builtinChecks.map((c) => [c.type, c])), validateExpect: (e, info) => validateExpect(e, info) };
}

/** Approval signatures of documents: signers.yaml + approvals/ (a repository without signers.yaml has none). */
export async function loadApprovals(root: string, now?: Date): Promise<ApprovalProvider> {
  const { createApprovalProvider } = await import('../signing/documents.js');
  return createApprovalProvider(root, { now });
}

/** Loads the repository around ctx.cwd with `paths` (default sops/ and protocols/). */
export async function openRepository(ctx: CliContext, paths?: string[]): Promise<LoadedRepository> {
  const root = findRepoRoot(ctx.cwd);
  const [catalog, approvals] = await Promise.all([loadCatalog(), loadApprovals(root, ctx.now())]);
  return loadRepository({ root, cwd: ctx.cwd, paths, catalog, approvals, now: ctx.now() });
}
