// Counts in words for summaries people read: "1 error", "2 errors", "no file" never "1 errors" or "file(s)".

/** `n` and the noun, singular for exactly one: count(1, 'error') → "1 error", count(3, 'match', 'matches'). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
