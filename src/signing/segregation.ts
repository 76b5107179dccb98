// Segregation of duties on one record (PC-10, ES-07): which meanings one person may not both sign.
// qualify.yaml `segregation:` lists pairs of meanings; the strict default is executor ≠ reviewer ≠
// approver. The design's floor (whoever executed a record neither reviews nor approves it) always holds:
// a configuration can only add to it or lift reviewer ≠ approver, never the floor.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlValue } from '../markdown/yaml.js';
import { DocumentError } from '../model/errors.js';

/** Meanings a segregation pair can name. */
export const SEGREGATION_MEANINGS = ['executed', 'reviewed', 'approved'] as const;
export type SegregatedMeaning = (typeof SEGREGATION_MEANINGS)[number];

export interface SegregationPolicy {
  /** Pairs of meanings one person may not both sign on one record (sorted, without duplicates). */
  pairs: Array<[SegregatedMeaning, SegregatedMeaning]>;
  /** Where the policy comes from, for messages: `qualify.yaml segregation` or `the strict default`. */
  source: string;
}

/** Always enforced, whatever qualify.yaml says (design.md: the approver is not the executor). */
export const SEGREGATION_FLOOR: ReadonlyArray<[SegregatedMeaning, SegregatedMeaning]> = [['executed', 'reviewed'], ['executed', 'approved']];
/** The default when qualify.yaml says nothing: executor ≠ reviewer ≠ approver. */
export const STRICT_SEGREGATION: SegregationPolicy = { pairs: [['executed', 'reviewed'], ['executed', 'approved'], ['reviewed', 'approved']], source: 'the strict default (executor ≠ reviewer ≠ approver)' };

function pairKey(a: string, b: string): string {
  return a < b ? `${a}/${b}` : `${b}/${a}`;
}

/** Builds a policy from the floor plus `pairs` (validated), sorted and without duplicates. */
function policyOf(pairs: Array<[SegregatedMeaning, SegregatedMeaning]>, source: string): SegregationPolicy {
  // Each pair in signing order (executed, reviewed, approved), pairs sorted likewise: messages read naturally.
  const rank = (m: SegregatedMeaning) => SEGREGATION_MEANINGS.indexOf(m);
  const seen = new Map<string, [SegregatedMeaning, SegregatedMeaning]>();
  for (const [a, b] of [...SEGREGATION_FLOOR, ...pairs]) seen.set(pairKey(a, b), rank(a) < rank(b) ? [a, b] : [b, a]);
  return { pairs: [...seen.values()].sort((x, y) => rank(x[0]) - rank(y[0]) || rank(x[1]) - rank(y[1])), source };
}

/** Parses the `segregation` value of qualify.yaml; throws DocumentError (exit 2) saying what is expected. */
export function parseSegregation(value: unknown): SegregationPolicy {
  if (value === undefined || value === null || value === 'strict') return policyOf(STRICT_SEGREGATION.pairs, STRICT_SEGREGATION.source);
  const expected = `expected "strict" or a list of meaning pairs such as [executed, reviewed] (meanings: ${SEGREGATION_MEANINGS.join(', ')})`;
  if (!Array.isArray(value)) throw new DocumentError('CONFIG_INVALID', `qualify.yaml "segregation": ${expected}; found ${JSON.stringify(value)}`);
  const pairs: Array<[SegregatedMeaning, SegregatedMeaning]> = [];
  value.forEach((item, i) => {
    const ok = Array.isArray(item) && item.length === 2 && item.every((m) => (SEGREGATION_MEANINGS as readonly unknown[]).includes(m)) && item[0] !== item[1];
    if (!ok) throw new DocumentError('CONFIG_INVALID', `qualify.yaml "segregation" item ${i + 1}: ${expected}, two different meanings; found ${JSON.stringify(item)}`);
    pairs.push([item[0] as SegregatedMeaning, item[1] as SegregatedMeaning]);
  });
  return policyOf(pairs, 'qualify.yaml segregation');
}

/** The segregation policy of the repository at `root` (qualify.yaml `segregation`, else strict). */
export function segregationPolicy(root: string): SegregationPolicy {
  const cfg = join(root, 'qualify.yaml');
  if (!existsSync(cfg)) return policyOf(STRICT_SEGREGATION.pairs, STRICT_SEGREGATION.source);
  let data: unknown;
  try {
    data = parseYamlValue(readFileSync(cfg, 'utf8'));
  } catch {
    // qualify.yaml problems are reported by lint; the strict default applies here.
    return policyOf(STRICT_SEGREGATION.pairs, STRICT_SEGREGATION.source);
  }
  return parseSegregation(data && typeof data === 'object' ? (data as Record<string, unknown>).segregation : undefined);
}

/**
 * Why `signerId` may not sign `meaning` on a record where `signed` says who already signed what (meaning →
 * signer ids), or null when the policy allows it.
 */
export function segregationProblem(policy: SegregationPolicy, signed: ReadonlyMap<string, ReadonlySet<string>>, signerId: string, meaning: string): string | null {
  for (const [a, b] of policy.pairs) {
    const other = meaning === a ? b : meaning === b ? a : null;
    if (other && signed.get(other)?.has(signerId)) {
      return `"${signerId}" ${other === 'executed' ? 'executed' : `signed it as ${other}`} and cannot sign it as ${meaning} (segregation of duties, ${policy.source}: ${a} ≠ ${b})`;
    }
  }
  return null;
}
