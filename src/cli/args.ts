// A small argv parser: flags are declared per command; unknown flags are usage errors (exit 2).
import { UsageError } from '../model/errors.js';

export type FlagKind = 'boolean' | 'string' | 'list';

export interface FlagSpec {
  kind: FlagKind;
  description: string;
  /** Value name shown in help, e.g. NAME. */
  value?: string;
  short?: string;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
}

/** Parses `argv` against `spec`; `--flag=value` and `--flag value` both work; `--` ends flags. */
export function parseArgs(argv: string[], spec: Record<string, FlagSpec>, command: string): ParsedArgs {
  const positionals: string[] = [];
  const flags: ParsedArgs['flags'] = {};
  const byShort = new Map(Object.entries(spec).filter(([, s]) => s.short).map(([n, s]) => [s.short!, n]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (arg.startsWith('-') && arg.length === 2 && arg !== '-') {
      name = byShort.get(arg.slice(1));
      if (!name) throw new UsageError('FLAG_UNKNOWN', `qualify ${command}: unknown option "${arg}"; see "qualify ${command} --help"`);
    } else {
      positionals.push(arg);
      continue;
    }
    const flag = spec[name];
    if (!flag) {
      const known = Object.keys(spec).map((k) => `--${k}`).join(', ');
      throw new UsageError('FLAG_UNKNOWN', `qualify ${command}: unknown option "--${name}"; known: ${known || 'none'}`);
    }
    if (flag.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError('FLAG_VALUE', `qualify ${command}: option --${name} takes no value, found "${inline}"`);
      flags[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError('FLAG_VALUE', `qualify ${command}: option --${name} expects a value${flag.value ? ` (${flag.value})` : ''}, found nothing`);
    }
    if (flag.kind === 'list') {
      const prev = (flags[name] as string[] | undefined) ?? [];
      flags[name] = [...prev, value];
    } else {
      flags[name] = value;
    }
  }
  return { positionals, flags };
}
