// Arguments and output shared by the signing commands (sign, deviation, attest, keys, verify).
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CliContext } from './context.js';
import type { ParsedArgs } from './args.js';
import { UsageError } from '../model/errors.js';
import type { SignResult } from '../signing/sign.js';
import { AUDIT_TRAIL } from '../signing/repo.js';

/** Reads the passphrase: from standard input with --passphrase-stdin, else asked on the terminal (never echoed, never logged). */
export function passphraseReader(ctx: CliContext, args: ParsedArgs, label: string, confirm = false): () => Promise<string> {
  return async () => {
    if (args.flags['passphrase-stdin']) {
      const text = (await ctx.readStdin()).replace(/\r?\n$/, '');
      if (!text) throw new UsageError('PASSPHRASE_MISSING', '--passphrase-stdin was given but standard input was empty');
      return text;
    }
    if (!ctx.prompt) throw new UsageError('PASSPHRASE_REQUIRED', 'there is no terminal to ask the passphrase on: pass --passphrase-stdin and write the passphrase to standard input');
    const first = await ctx.prompt(`Passphrase for ${label}: `, { secret: true });
    if (confirm) {
      const second = await ctx.prompt('Repeat the passphrase: ', { secret: true });
      if (first !== second) throw new UsageError('PASSPHRASE_MISMATCH', 'the two passphrases differ; nothing was created');
    }
    return first;
  };
}

/** The value of a required string flag. */
export function requireFlag(args: ParsedArgs, name: string, command: string, hint: string): string {
  const v = args.flags[name];
  if (typeof v !== 'string' || !v.trim()) throw new UsageError('FLAG_MISSING', `qualify ${command}: --${name} ${hint} is required`);
  return v;
}

/** The single positional argument, resolved against the working directory. */
export function targetArg(args: ParsedArgs, ctx: CliContext, command: string, what: string): string {
  if (args.positionals.length !== 1) throw new UsageError('ARGUMENT_COUNT', `qualify ${command}: expected one ${what}, found ${args.positionals.length}`);
  const path = resolve(ctx.cwd, args.positionals[0]!);
  if (!existsSync(path)) throw new UsageError('TARGET_MISSING', `qualify ${command}: ${args.positionals[0]} does not exist`);
  return path;
}

/** A report folder from a folder or a file inside it (report.json, report.pdf); null when not a report. */
export function reportDirOf(path: string): string | null {
  if (statSync(path).isDirectory()) return existsSync(join(path, 'report.json')) ? path : null;
  if (['report.json', 'report.pdf'].includes(basename(path)) && existsSync(join(dirname(path), 'report.json'))) return dirname(path);
  return null;
}

/** Commits the files a signing step wrote (--commit). */
export async function commitIfAsked(args: ParsedArgs, ctx: CliContext, root: string, paths: string[], message: string): Promise<void> {
  if (!args.flags.commit) return;
  const { commitPaths } = await import('../signing/git.js');
  const id = await commitPaths(root, [...paths, AUDIT_TRAIL, 'audit/.gitignore'].filter((p) => existsSync(join(root, p))), message, { env: ctx.env });
  ctx.stdout.write(id ? `committed ${id.slice(0, 12)}: ${message}\n` : 'not a git repository: nothing committed\n');
}

/** Prints a signing result as lines, or as JSON with --json. */
export function printSignResult(ctx: CliContext, args: ParsedArgs, r: SignResult, lines: string[]): void {
  if (args.flags.json) {
    ctx.stdout.write(`${JSON.stringify({ file: r.file, from: r.from, to: r.to, payload: r.payload, pdf: r.pdf, audit: r.audit.map((a) => ({ seq: a.seq, hash: a.hash })) }, null, 2)}\n`);
    return;
  }
  ctx.stdout.write(`${lines.join('\n')}\n`);
}

