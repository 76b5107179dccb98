// Entry point: argv → command → exit code. The only place that maps errors to exit codes.
import { createRequire } from 'node:module';
import type * as Readline from 'node:readline';
import { parseArgs, type FlagSpec } from './args.js';
import type { Command } from './command.js';
import type { CliContext } from './context.js';
import { EXIT, QualifyError } from '../model/errors.js';
import { TOOL_VERSION } from '../version.js';

/** Every command, lazy-loaded so that `qualify lint` does not pay for pdf-lib or the run path. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  init: { summary: 'scaffold a QMS repository (folders, qualify.yaml, examples)', load: () => import('./commands/init.js') },
  lint: { summary: 'validate controlled documents; exit 2 on errors', load: () => import('./commands/lint.js') },
  docs: { summary: 'list controlled documents with claimed and computed status', load: () => import('./commands/docs.js') },
  trace: { summary: 'print the traceability matrix requirement ↔ case ↔ latest result', load: () => import('./commands/trace.js') },
  fmt: { summary: 'normalise documents (front matter order, tables, markers); --check for CI', load: () => import('./commands/fmt.js') },
  revise: { summary: 'start the next revision of a document (draft, change control, history row)', load: () => import('./commands/revise.js') },
  checks: { summary: 'list check types with parameters and an example', load: () => import('./commands/checks.js') },
  run: { summary: 'execute a protocol against a deployment and write the record', load: () => import('./commands/run.js') },
  targets: { summary: 'probe the targets (engines) of an environment: version, Swarm role, reachability', load: () => import('./commands/targets.js') },
  render: { summary: 'render a report, a document or a folder (--book) to PDF', load: () => import('./commands/render.js') },
  keys: { summary: 'create or revoke a signer key', load: () => import('./commands/keys.js') },
  roles: { summary: 'list roles over time; grant or revoke a role (signed by an admin)', load: () => import('./commands/roles.js') },
  sign: { summary: 'sign a report or document (Part 11 electronic signature)', load: () => import('./commands/sign.js') },
  deviation: { summary: 'close a deviation with a disposition', load: () => import('./commands/deviation.js') },
  verify: { summary: 'verify hashes, signatures, rules and the audit trail; exit 4 on failure', load: () => import('./commands/verify.js') },
  audit: { summary: 'print the audit trail and check its chain', load: () => import('./commands/audit.js') },
  attest: { summary: 'write an in-toto test-result attestation for a report', load: () => import('./commands/attest.js') },
  site: { summary: 'build the auditor\'s static HTML site of the repository (verified now)', load: () => import('./commands/site.js') },
  serve: { summary: 'serve that site on 127.0.0.1, verifying again on every page request', load: () => import('./commands/serve.js') },
  export: { summary: 'write an inspection package (--inspection OUT.zip|DIR): site, PDFs, verdicts, trust root', load: () => import('./commands/export.js') },
};

function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return [
    `qualify ${TOOL_VERSION}: executable deployment qualification with Part 11 records`,
    '',
    'Usage: qualify <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "qualify <command> --help" for the options of a command.',
    'Exit codes: 0 passed, 1 a check failed, 2 invalid input, 3 protocol not approved/effective,',
    '            4 verification failed, 5 refused (credential not safe to use), 70 internal error.',
    '',
  ].join('\n');
}

function commandHelp(name: string, cmd: Command): string {
  const flags = Object.entries({ ...cmd.flags, help: { kind: 'boolean', description: 'show this help' } as FlagSpec });
  const rows = flags.map(([n, f]) => [`--${n}${f.value ? ` ${f.value}` : ''}`, f.description] as const);
  const width = Math.max(...rows.map(([l]) => l.length));
  return [`Usage: qualify ${cmd.usage}`, '', cmd.description, '', 'Options:', ...rows.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`), ''].join('\n');
}

/** Builds the context of a real process. */
function processContext(): CliContext {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    controller.abort(new Error('interrupted'));
  });
  const env = process.env;
  const stdoutTTY = Boolean(process.stdout.isTTY);
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return {
    cwd: process.cwd(),
    env,
    stdout: { write: closable(process.stdout), isTTY: stdoutTTY },
    stderr: { write: closable(process.stderr), isTTY: Boolean(process.stderr.isTTY) },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    prompt: interactive ? (q, o) => promptTerminal(q, Boolean(o?.secret)) : null,
    color: stdoutTTY && !('NO_COLOR' in env) && env.CI === undefined,
    now: () => new Date(),
    signal: controller.signal,
  };
}

/**
 * Writes to a standard stream that the reader may close early (`qualify audit | head`): once the pipe
 * is gone (EPIPE), further output is dropped and the command ends as it would, without a stack trace.
 */
function closable(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw err;
  });
  return (text) => {
    if (closed) return;
    try {
      stream.write(text);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
      closed = true;
    }
  };
}

function promptTerminal(question: string, secret: boolean): Promise<string> {
  return new Promise((resolve) => {
    // node:readline loads here, for the one command in a hundred that prompts.
    const { createInterface } = createRequire(import.meta.url)('node:readline') as typeof Readline;
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (secret) {
      // Echo nothing while the passphrase is typed.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.startsWith(question)) process.stderr.write(question);
      };
    }
    rl.question(question, (answer) => {
      rl.close();
      if (secret) process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/** The command names (bin/qualify.js keeps a V8 code cache per command). */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[], ctx: CliContext = processContext()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout.write(helpText());
    return name ? EXIT.ok : EXIT.invalid;
  }
  if (name === '--version' || name === '-V') {
    ctx.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.ok;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    ctx.stderr.write(`qualify: unknown command "${name}"; known: ${Object.keys(COMMANDS).join(', ')}\n`);
    return EXIT.invalid;
  }
  try {
    performance.mark('qualify:main');
    const { command } = await entry.load();
    performance.mark('qualify:loaded');
    if (rest.includes('--help') || rest.includes('-h')) {
      ctx.stdout.write(commandHelp(name, command));
      return EXIT.ok;
    }
    const args = parseArgs(rest, command.flags, name);
    return await command.run(args, ctx);
  } catch (err) {
    if (err instanceof QualifyError) {
      ctx.stderr.write(`qualify ${name}: ${err.code}: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      // Writes are staged and flushed before anything is put in place: a full disk leaves no half file.
      ctx.stderr.write(`qualify ${name}: NO_SPACE: the disk is full (${e.message}); nothing half-written was put in place: free space and run the command again\n`);
      return EXIT.internal;
    }
    ctx.stderr.write(`qualify ${name}: internal error: ${e?.message ?? String(err)}\n`);
    if (ctx.env.QUALIFY_DEBUG) ctx.stderr.write(`${e?.stack ?? ''}\n`);
    return EXIT.internal;
  }
}
