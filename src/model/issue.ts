// A content problem found in a file: data, never an exception (unified/vfile style).

export type Severity = 'error' | 'warning';

export interface Issue {
  /** Path as the user gave it or relative to the repository root. */
  file: string;
  /** 1-based line; 1 when the problem concerns the whole file. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Stable code, e.g. FRONT_MATTER_INVALID. */
  code: string;
  severity: Severity;
  /** Says what was expected and what was found. */
  message: string;
}

/** Formats an issue the way compilers do: `file:line:col CODE message`. */
export function formatIssue(issue: Issue): string {
  const level = issue.severity === 'warning' ? ' (warning)' : '';
  return `${issue.file}:${issue.line}:${issue.column} ${issue.code}${level} ${issue.message}`;
}

/** Orders issues by file, line, column, code so output is deterministic. */
export function compareIssues(a: Issue, b: Issue): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
