// Container log lines as the engine sends them with `timestamps=true`, and the engine's form of a
// `since` bound. The multiplexed stream itself is split by docker-modem (demuxStream).

import { UsageError } from '../model/errors.js';
import type { LogLine } from './types.js';

/** A piece of output of one stream, in arrival order. */
export interface StreamChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
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

/** Converts a `since` bound to the engine's unix-seconds form, keeping nanoseconds of RFC 3339 times. */
export function toDockerSince(since: Date | string): string {
  if (since instanceof Date) return (since.getTime() / 1000).toFixed(3);
  const s = since.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return s;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) throw new UsageError('SINCE_INVALID', `log bound "${since}" is not an RFC 3339 time or unix seconds`);
  const seconds = Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000);
  const nanos = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  return `${seconds}.${nanos}`;
}
