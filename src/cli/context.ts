// What a command may touch of the process: passed in so commands stay testable in-process.

export interface CliOutput {
  write(text: string): void;
  isTTY: boolean;
}

export interface CliContext {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: CliOutput;
  stderr: CliOutput;
  /** Reads all of standard input (for --passphrase-stdin and answers). */
  readStdin(): Promise<string>;
  /** Asks a question on the terminal; null when not interactive. */
  prompt: ((question: string, options?: { secret?: boolean }) => Promise<string>) | null;
  /** ANSI colour allowed (TTY and no NO_COLOR). */
  color: boolean;
  now(): Date;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}
