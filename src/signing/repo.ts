// Where things are in a QMS repository, as the signing layer sees it: the root, the signer registry,
// the approvals folder and the audit trail. File access of the signing layer goes through here and store.ts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DocumentError, UsageError } from '../model/errors.js';
import { formatIssue } from '../model/issue.js';
import { parseSignerRegistry, type SignerRegistry } from './signers.js';
import { sha256Hex } from './hash.js';
import { readAuditTrail, type AuditTrail } from './audit.js';
import { loadRoleHistory } from './roles.js';
import { loadAcknowledgements } from './acknowledgement.js';
import { qualifyYamlData, signaturePolicy } from './policy.js';

export const APPROVALS_DIR = 'approvals';
export const AUDIT_TRAIL = 'audit/trail.jsonl';

/**
 * The repository root above `start`: the nearest folder with qualify.yaml, else the git root (as
 * src/documents findRepoRoot, without loading the document parser: `verify` starts in well under 300 ms).
 */
export function findQmsRoot(start: string): string {
  let dir = resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  let gitRoot: string | null = null;
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'qualify.yaml'))) return d;
    if (!gitRoot && existsSync(join(d, '.git'))) gitRoot = d;
    if (dirname(d) === d) break;
  }
  if (gitRoot) return gitRoot;
  throw new UsageError('REPO_NOT_FOUND', `no QMS repository above ${start}: expected a qualify.yaml or a git repository; run "qualify init" first`);
}

/** Path of the signer registry relative to the root (qualify.yaml `signers`, default signers.yaml). */
export function signersFile(root: string): string {
  // qualify.yaml problems are reported by lint; the default location applies here.
  const data = qualifyYamlData(root) as { signers?: unknown } | null;
  if (data && typeof data === 'object' && typeof data.signers === 'string' && data.signers.trim()) return data.signers.trim();
  return 'signers.yaml';
}

/** The RFC 3161 time-stamp authority of qualify.yaml (`tsa: URL` or `tsa: {url: URL}`), or null. */
export function tsaUrl(root: string): string | null {
  // qualify.yaml problems are reported by lint (parsed once per content, see policy.ts).
  const data = qualifyYamlData(root) as { tsa?: unknown } | null;
  if (!data || typeof data !== 'object') return null;
  const v = data?.tsa;
  const url = typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { url?: unknown }).url === 'string' ? (v as { url: string }).url : null;
  if (url === null) return null;
  if (!/^https?:\/\/\S+$/.test(url)) throw new UsageError('TSA_URL_INVALID', `qualify.yaml: tsa must be the http(s) URL of an RFC 3161 time-stamp authority; found "${url}"`);
  return url;
}

const registryCache = new Map<string, SignerRegistry>();

/**
 * Loads the signer registry of the repository at `root`; null when there is none (a repository without
 * e-signatures yet). Throws DocumentError (exit 2) listing every problem when the file is invalid.
 * `trail`: the repository's audit trail as the caller already read it (default: read here when needed).
 */
export function loadSignerRegistry(root: string, options: { trail?: AuditTrail } = {}): SignerRegistry | null {
  const base = loadRegistryFile(root, options.trail);
  if (!base) return null;
  // The repository's acknowledgements (ES-13) and service identities go with the registry it loads.
  return { ...base, acknowledgements: loadAcknowledgements(root, base), serviceIdentities: signaturePolicy(root).serviceIdentities };
}

function loadRegistryFile(root: string, trail?: AuditTrail): SignerRegistry | null {
  const rel = signersFile(root);
  const path = join(root, rel);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  // Parsing certificates costs more than reading: reuse a parse of identical content.
  const cacheKey = `${rel}\0${sha256Hex(text)}`;
  let registry = registryCache.get(cacheKey);
  if (!registry) {
    const parsed = parseSignerRegistry(text, rel);
    if (!parsed.registry) {
      const errors = parsed.issues.filter((i) => i.severity === 'error');
      throw new DocumentError('SIGNERS_INVALID', `the signer registry ${rel} is invalid:\n${errors.map(formatIssue).join('\n')}`);
    }
    registry = parsed.registry;
    if (registryCache.size > 32) registryCache.clear();
    registryCache.set(cacheKey, registry);
  }
  // Roles over time come from the signed role history (roles.ts), not from the roles signers.yaml lists.
  const history = loadRoleHistory(root, registry, cacheKey, AUDIT_TRAIL, () => trail ?? readAuditTrail(root));
  return { ...registry, timeline: history };
}

/** The text of the signer registry of `root`, or null when there is none. */
export function readSignerRegistryText(root: string): string | null {
  try {
    return readFileSync(join(root, signersFile(root)), 'utf8');
  } catch {
    return null;
  }
}

/** `path` relative to `root` with forward slashes. */
export function repoRelative(root: string, path: string): string {
  return relative(root, resolve(path)).split(sep).join('/');
}

/** True when `path` lies inside `root`. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel));
}
