// Collects a response body up to a byte cap: what the Docker and HTTP probes keep of what they read.

export interface CappedBody {
  /** Adds a chunk; returns true when the cap was reached by it (the caller then stops reading). */
  push(chunk: Buffer): boolean;
  readonly truncated: boolean;
  bytes(): Buffer;
}

/** A body collector keeping at most `maxBytes`; chunks after the cap are ignored. */
export function createCappedBody(maxBytes: number): CappedBody {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk) {
      if (truncated) return false;
      if (size + chunk.length > maxBytes) {
        chunks.push(chunk.subarray(0, maxBytes - size));
        size = maxBytes;
        truncated = true;
        return true;
      }
      chunks.push(chunk);
      size += chunk.length;
      return false;
    },
    get truncated() {
      return truncated;
    },
    bytes: () => Buffer.concat(chunks),
  };
}
