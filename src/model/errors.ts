// The tool's own trouble, in families by who must act. A failed check is never one of these.

export type ErrorFamily = 'document' | 'usage' | 'environment' | 'approval' | 'integrity' | 'refused' | 'internal';

/** Exit codes from design.md. */
export const EXIT = {
  ok: 0,
  failed: 1,
  invalid: 2,
  notApproved: 3,
  verification: 4,
  refused: 5,
  internal: 70,
} as const;

const EXIT_BY_FAMILY: Record<ErrorFamily, number> = {
  document: EXIT.invalid,
  usage: EXIT.invalid,
  environment: EXIT.failed,
  approval: EXIT.notApproved,
  integrity: EXIT.verification,
  refused: EXIT.refused,
  internal: EXIT.internal,
};

/** Base of every error the tool throws on purpose; `code` is stable, the message says what to do. */
export interface QualifyErrorOptions {
  cause?: unknown;
  /**
   * True when trying again cannot help within a run (an engine that refuses connections, a container
   * that is gone): a step with `retry` then ends at once instead of waiting out its window.
   */
  final?: boolean;
}

export class QualifyError extends Error {
  readonly code: string;
  readonly family: ErrorFamily;
  readonly final: boolean;
  constructor(family: ErrorFamily, code: string, message: string, options?: QualifyErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QualifyError';
    this.code = code;
    this.family = family;
    this.final = options?.final === true;
  }
  get exitCode(): number {
    return EXIT_BY_FAMILY[this.family];
  }
}

export class DocumentError extends QualifyError {
  constructor(code: string, message: string, options?: QualifyErrorOptions) {
    super('document', code, message, options);
    this.name = 'DocumentError';
  }
}

export class UsageError extends QualifyError {
  constructor(code: string, message: string, options?: QualifyErrorOptions) {
    super('usage', code, message, options);
    this.name = 'UsageError';
  }
}

export class EnvironmentError extends QualifyError {
  constructor(code: string, message: string, options?: QualifyErrorOptions) {
    super('environment', code, message, options);
    this.name = 'EnvironmentError';
  }
}

export class ApprovalError extends QualifyError {
  constructor(code: string, message: string, options?: QualifyErrorOptions) {
    super('approval', code, message, options);
    this.name = 'ApprovalError';
  }
}

/** Refused: authentication failed or a credential is not safe to use (exit 5). */
export class RefusedError extends QualifyError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('refused', code, message, options);
    this.name = 'RefusedError';
  }
}

export class IntegrityError extends QualifyError {
  constructor(code: string, message: string, options?: QualifyErrorOptions) {
    super('integrity', code, message, options);
    this.name = 'IntegrityError';
  }
}
