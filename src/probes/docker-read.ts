// Reading an engine stream (logs, exec output, archives) to its end under a byte cap and a signal.

import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { StreamChunk } from './docker-logs.js';

export interface ReadResult {
  chunks: StreamChunk[];
  truncated: boolean;
}

/**
 * Reads `stream` until it ends, keeping at most `maxBytes`. `demux`: split Docker's multiplexed
 * frames into stdout/stderr with docker-modem (off for a TTY stream, which is raw). Rejects with
 * `onAbort()` when `signal` aborts first.
 */
export function readEngineStream(
  stream: Readable,
  options: { maxBytes: number; demux: boolean; modem: Docker['modem']; signal: AbortSignal; onAbort: () => unknown; onError: (err: Error) => unknown },
): Promise<ReadResult> {
  return new Promise((resolve, reject) => {
    const chunks: StreamChunk[] = [];
    let size = 0;
    let truncated = false;
    let settled = false;
    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      if (err !== undefined) reject(err);
      else resolve({ chunks, truncated });
    };
    const take = (name: 'stdout' | 'stderr') => (data: Buffer): boolean => {
      if (settled || truncated) return true;
      const room = options.maxBytes - size;
      if (data.length > room) {
        if (room > 0) chunks.push({ stream: name, data: data.subarray(0, room) });
        size = options.maxBytes;
        truncated = true;
        stream.destroy();
        finish();
        return true;
      }
      chunks.push({ stream: name, data });
      size += data.length;
      return true;
    };
    const onAbort = (): void => {
      stream.destroy();
      finish(options.onAbort());
    };
    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.demux) options.modem.demuxStream(stream, { write: take('stdout') } as unknown as NodeJS.WritableStream, { write: take('stderr') } as unknown as NodeJS.WritableStream);
    else stream.on('data', take('stdout'));
    stream.on('end', () => finish());
    stream.on('close', () => finish());
    stream.on('error', (err) => finish(truncated ? undefined : options.onError(err)));
  });
}
