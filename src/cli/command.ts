// The shape of one CLI command: declared flags plus a plain async function returning an exit code.
import type { FlagSpec, ParsedArgs } from './args.js';
import type { CliContext } from './context.js';

export interface Command {
  usage: string;
  /** Longer help text shown under the usage line. */
  description: string;
  flags: Record<string, FlagSpec>;
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}
