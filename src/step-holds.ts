// Work a probe must finish after its step was aborted (a command to stop inside a container), keyed by
// the step's abort signal: the runner waits for it, within a grace period, before it records the step.
// A check that ignores its signal holds nothing, so its step still ends at its timeout.

const holds = new WeakMap<AbortSignal, Set<Promise<void>>>();

/** Holds the step of `signal` until the returned release is called (call it in a finally). */
export function holdStep(signal: AbortSignal | undefined): () => void {
  if (!signal) return () => undefined;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let set = holds.get(signal);
  if (!set) holds.set(signal, (set = new Set()));
  set.add(held);
  return () => {
    set!.delete(held);
    release();
  };
}

/**
 * Waits for the holds on `signal`: 'free' when nothing held it, 'released' when every hold was released
 * within `ms`, 'expired' when one was still held after `ms`.
 */
export async function waitForHolds(signal: AbortSignal, ms: number): Promise<'free' | 'released' | 'expired'> {
  const set = holds.get(signal);
  if (!set || set.size === 0) return 'free';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), ms)));
  const all = Promise.all([...set]).then(() => 'released' as const);
  try {
    return await Promise.race([all, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
