// Controlled documents for tests that approve them by signature at the real clock.

/** Today in UTC, YYYY-MM-DD. */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The document with its `effective_date` set to `day` (default: today): a document approved by signature
 * today takes effect on or after today, never before its approval (DC-03).
 */
export function effectiveOn(text: string, day = todayUtc()): string {
  return text.replace(/^effective_date:.*$/m, `effective_date: ${day}`);
}
