// `qualify checks [type...] [--json]`: the check types a protocol can use, with parameters and an example.
import type { Command } from '../command.js';
import { UsageError } from '../../model/errors.js';
import type { CheckTypeInfo } from '../../model/check.js';

/** The data `qualify checks --json` prints for one type. */
export interface CheckTypeListing {
  type: string;
  summary: string;
  params: Array<{ name: string; kind: string; required: boolean; description: string; enum?: string[] }>;
  exactlyOne: string[][];
  expectKeys: string[] | null;
  primaryKey: string | null;
  defaultExpect: Record<string, unknown> | null;
  implicitVerdict: boolean;
  /** Where it observes in a fleet: `every target`, `Swarm managers`, `every target with container`, `this machine`. */
  runsOn: string;
  /** Whether `each: replica` applies (a check of one container). */
  eachReplica: boolean;
  example: string;
}

const RUNS_ON: Record<string, string> = {
  engine: 'every target of the environment (targets: all unless the protocol says otherwise)',
  swarm: 'the Swarm managers among the targets (targets: managers unless the protocol says otherwise)',
  'container-param': 'every target when it names a container (else this machine, once)',
};

export function listCheckType(info: CheckTypeInfo): CheckTypeListing {
  return {
    type: info.type,
    summary: info.summary,
    params: Object.entries(info.params).map(([name, p]) => ({
      name,
      kind: p.kind,
      required: Boolean(p.required),
      description: p.description,
      ...(p.enum ? { enum: p.enum } : {}),
    })),
    exactlyOne: info.exactlyOne ?? [],
    expectKeys: info.expectKeys ?? null,
    primaryKey: info.primaryKey ?? null,
    defaultExpect: info.defaultExpect ?? null,
    implicitVerdict: Boolean(info.implicitVerdict),
    runsOn: RUNS_ON[info.scope ?? ''] ?? 'this machine, once',
    eachReplica: info.params.container !== undefined,
    example: info.example,
  };
}

function inlineYaml(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${inlineYaml(v)}`).join(', ')} }`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One type as plain text: heading, summary, parameter table, verdict, example. */
export function formatCheckType(listing: CheckTypeListing): string {
  const lines = [listing.type, `  ${listing.summary}`, ''];
  const rows = listing.params.map((p) => [p.name, p.enum ? p.enum.join('|') : p.kind, p.required ? 'required' : 'optional', p.description]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), 0));
  lines.push('  Parameters:');
  for (const r of rows) lines.push(`    ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`.trimEnd());
  for (const group of listing.exactlyOne) lines.push(`    (exactly one of: ${group.join(', ')})`);
  if (listing.expectKeys) lines.push(`  Observes: ${listing.expectKeys.filter((k) => !['contains', 'not_contains', 'matches'].includes(k)).join(', ')}`);
  if (listing.primaryKey) lines.push(`  Top-level contains / not_contains / matches apply to: ${listing.primaryKey}`);
  lines.push(`  Runs on: ${listing.runsOn}${listing.eachReplica ? '; each: replica gives one step per replica' : ''}`);
  if (listing.implicitVerdict) lines.push('  Verdict: judged by the check itself; expect is optional');
  else if (listing.defaultExpect) lines.push(`  Without expect: ${inlineYaml(listing.defaultExpect)}`);
  lines.push('  Example:', '    ```check');
  for (const l of listing.example.replace(/\n+$/, '').split('\n')) lines.push(`    ${l}`.trimEnd());
  lines.push('    ```', '');
  return lines.join('\n');
}

export const command: Command = {
  usage: 'checks [type...] [--json]',
  description: [
    'Lists the check types a protocol\'s ```check blocks can use: what each observes, its parameters',
    '(kind, required, description) and a complete example. Give type names to show only those.',
    'Matchers usable under expect: a plain value (equals), { matches }, { contains }, { not_contains },',
    '{ lte }, { gte }, { one_of: [...] }, { absent: true }.',
    'In a fleet, a check block may say targets: all | managers | [name, ...] and, for a check of one container,',
    'each: replica with one selector (label: key=value, name: pattern, service: name): docs/fleets.md.',
  ].join('\n'),
  flags: {
    json: { kind: 'boolean', description: 'print the catalog as JSON' },
  },
  async run(args, ctx) {
    const { builtinChecks } = await import('../../checks/index.js');
    const known = builtinChecks.map((c) => c.type);
    for (const name of args.positionals) {
      if (!known.includes(name)) throw new UsageError('CHECK_TYPE_UNKNOWN', `unknown check type "${name}"; known: ${known.join(', ')}`);
    }
    const selected = args.positionals.length > 0 ? builtinChecks.filter((c) => args.positionals.includes(c.type)) : builtinChecks;
    const listings = selected.map(listCheckType);
    if (args.flags.json) {
      ctx.stdout.write(`${JSON.stringify(listings, null, 2)}\n`);
      return 0;
    }
    ctx.stdout.write(listings.map(formatCheckType).join('\n'));
    return 0;
  },
};
