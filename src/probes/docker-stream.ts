// Docker's multiplexed stream format (logs without follow, exec output), split by hand.
// Each frame: 1 byte stream (0 stdin, 1 stdout, 2 stderr), 3 zero bytes, 4 bytes big-endian length, payload.
// TTY containers send a raw stream instead; so does anything whose first header is not a valid frame.

import type { LogLine } from './types.js';

export interface StreamChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

function isFrameHeader(buf: Buffer, at: number): boolean {
  if (at + 8 > buf.length) return false;
  const type = buf[at]!;
  return (type === 0 || type === 1 || type === 2) && buf[at + 1] === 0 && buf[at + 2] === 0 && buf[at + 3] === 0;
}

/** Splits a complete multiplexed buffer into chunks in arrival order; raw (TTY) buffers become one stdout chunk. */
export function demuxDockerStream(input: Uint8Array, options: { tty?: boolean } = {}): StreamChunk[] {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length === 0) return [];
  if (options.tty || !isFrameHeader(buf, 0)) return [{ stream: 'stdout', data: buf }];
  const chunks: StreamChunk[] = [];
  let at = 0;
  while (at < buf.length) {
    if (!isFrameHeader(buf, at)) {
      // A misaligned tail: keep it rather than lose output.
      chunks.push({ stream: 'stdout', data: buf.subarray(at) });
      break;
    }
    const type = buf[at]!;
    const size = buf.readUInt32BE(at + 4);
    const start = at + 8;
    const end = Math.min(start + size, buf.length);
    chunks.push({ stream: type === 2 ? 'stderr' : 'stdout', data: buf.subarray(start, end) });
    at = end;
  }
  return chunks;
}

/** Joins chunks of each stream separately (exec output). */
export function collectStreams(chunks: StreamChunk[]): { stdout: Buffer; stderr: Buffer } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (const c of chunks) (c.stream === 'stderr' ? err : out).push(c.data);
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) ?/;

/**
 * Turns log chunks into lines. With `timestamps`, each line starts with the engine's RFC 3339 time,
 * which is split off. A line cut across frames (lines over 16 KiB) is joined back per stream.
 */
export function parseLogLines(chunks: StreamChunk[], options: { timestamps: boolean }): LogLine[] {
  const lines: LogLine[] = [];
  const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const emit = (stream: 'stdout' | 'stderr', raw: string): void => {
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let time: string | null = null;
    if (options.timestamps) {
      const m = TIMESTAMP.exec(text);
      if (m) {
        time = m[1]!;
        text = text.slice(m[0].length);
      }
    }
    lines.push({ stream, time, text });
  };
  for (const chunk of chunks) {
    const text = pending[chunk.stream] + chunk.data.toString('utf8');
    const parts = text.split('\n');
    pending[chunk.stream] = parts.pop()!;
    for (const part of parts) emit(chunk.stream, part);
  }
  for (const stream of ['stdout', 'stderr'] as const) if (pending[stream] !== '') emit(stream, pending[stream]);
  return lines;
}
