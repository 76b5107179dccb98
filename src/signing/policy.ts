// The signature policy of a QMS repository, from the `signatures:` section of qualify.yaml:
//
//   signatures:
//     max_failed_passphrases: 5      # a signer's key is locked after this many failed passphrases in a row
//     service_identities: [ci-bot]   # identities that may run protocols in CI but never sign
//
// Read here (not by the document loader) so that signing and verification need no document parser.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlValue } from '../markdown/yaml.js';
import { DocumentError } from '../model/errors.js';

export const DEFAULT_MAX_FAILED_PASSPHRASES = 5;

export interface SignaturePolicy {
  /** Failed passphrases in a row after which the signer's key is locked (ES-09). */
  maxFailedPassphrases: number;
  /** Service identities (CI): they may execute a run for a named person, never sign (EX-13). */
  serviceIdentities: string[];
}

/** The policy of the repository at `root`; defaults when qualify.yaml has no `signatures:`. */
export function signaturePolicy(root: string): SignaturePolicy {
  const policy: SignaturePolicy = { maxFailedPassphrases: DEFAULT_MAX_FAILED_PASSPHRASES, serviceIdentities: [] };
  const file = join(root, 'qualify.yaml');
  if (!existsSync(file)) return policy;
  let data: unknown;
  try {
    data = parseYamlValue(readFileSync(file, 'utf8'));
  } catch {
    return policy; // reported by lint and by every command that loads the configuration
  }
  const section = (data as { signatures?: unknown } | null)?.signatures;
  if (section === undefined || section === null) return policy;
  if (typeof section !== 'object' || Array.isArray(section)) throw new DocumentError('CONFIG_INVALID', `qualify.yaml: "signatures" must be a mapping (max_failed_passphrases, service_identities); found ${JSON.stringify(section)}`);
  const s = section as Record<string, unknown>;
  if (s.max_failed_passphrases !== undefined) {
    const n = s.max_failed_passphrases;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 20) throw new DocumentError('CONFIG_INVALID', `qualify.yaml: signatures.max_failed_passphrases must be a whole number from 1 to 20; found ${JSON.stringify(n)}`);
    policy.maxFailedPassphrases = n;
  }
  if (s.service_identities !== undefined) {
    const ids = s.service_identities;
    if (!Array.isArray(ids) || !ids.every((v) => typeof v === 'string' && /^[a-z][a-z0-9._-]{0,62}$/.test(v))) {
      throw new DocumentError('CONFIG_INVALID', `qualify.yaml: signatures.service_identities must list ids such as ci-bot (lowercase letters, digits, ".", "_", "-"); found ${JSON.stringify(ids)}`);
    }
    policy.serviceIdentities = [...ids].sort();
  }
  return policy;
}
