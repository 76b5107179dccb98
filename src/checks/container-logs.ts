// container.logs — A container's log since it started says what it should and nothing it should not.
//
// Example:
//   type: container.logs
//   container: "{{service}}"
//   expect:
//     contains: "starting example-app version {{release}}"
//     not_contains: { matches: "ERROR|FATAL|panic" }
//
// Parameters: `since` bounds the log: `start` (default: the current run of the container, so a crash
// loop shows its last boot, not every earlier one), `all`, a duration back from now (`10m`, `2h`), an RFC 3339 time or unix
// seconds; `stream`: stdout, stderr or both (default); `tail`: only the last N lines.
// Observes: logs (the text; top-level contains/not_contains/matches apply to it), lines (count),
// truncated, since (the bound used). Evidence: the log excerpt with times and streams.

import { DocumentError } from '../model/errors.js';
import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { requireContainer, textEvidence } from './support.js';
import type { LogStream } from '../probes/types.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Lines a process writes at boot can carry times a few milliseconds before the engine records StartedAt. */
const START_MARGIN_MS = 100;

/**
 * Where the current (or last) run of a container begins in its log. The engine records StartedAt only
 * after the process is up, so boot lines may precede it: after a restart the previous exit (FinishedAt)
 * is the exact boundary; a container that never exited has only one run; an exited one gets a margin.
 */
export function currentRunStart(container: { startedAt: string | null; finishedAt: string | null }): string | Date | undefined {
  const { startedAt, finishedAt } = container;
  if (!startedAt) return undefined;
  if (!finishedAt) return undefined;
  if (Date.parse(startedAt) >= Date.parse(finishedAt)) return finishedAt;
  return new Date(Date.parse(startedAt) - START_MARGIN_MS);
}

/** Resolves the `since` parameter to what the log probe takes; undefined means everything. */
export function resolveSince(since: string | undefined, container: { startedAt: string | null; finishedAt: string | null }, now: Date): string | Date | undefined {
  const s = (since ?? 'start').trim();
  if (s === 'start') return currentRunStart(container);
  if (s === 'all' || s === '0') return undefined;
  const d = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(s);
  if (d) return new Date(now.getTime() - Number(d[1]) * UNIT_MS[d[2]!]!);
  if (/^\d+(\.\d+)?$/.test(s) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return s;
  throw new DocumentError('CHECK_PARAM_INVALID', `container.logs: since "${since}" must be start, all, a duration like 10m, an RFC 3339 time or unix seconds`);
}

export const containerLogs = defineCheck({
  type: 'container.logs',
  summary: "A container's log (since its start by default) contains what it should and nothing it should not.",
  scope: 'engine',
  params: {
    container: { kind: 'string', description: 'Container name', required: true },
    since: { kind: 'string', description: 'start (default), all, a duration (10m), an RFC 3339 time or unix seconds' },
    stream: { kind: 'string', description: 'stdout, stderr or both (default)', enum: ['stdout', 'stderr', 'both'] },
    tail: { kind: 'number', description: 'Only the last N lines' },
  },
  primaryKey: 'logs',
  expectKeys: ['logs', 'lines', 'truncated', 'since', 'contains', 'not_contains', 'matches'],
  example: [
    'type: container.logs',
    'container: "{{service}}"',
    'expect:',
    '  contains: "starting example-app version {{release}}"',
    '  not_contains: { matches: "ERROR|FATAL|panic" }',
    '',
  ].join('\n'),

  async observe(params, ctx) {
    const p = readParams('container.logs', params);
    const name = p.string('container');
    const stream = (p.optionalString('stream') ?? 'both') as LogStream;
    if (!['stdout', 'stderr', 'both'].includes(stream)) {
      throw new DocumentError('CHECK_PARAM_INVALID', `container.logs: stream must be stdout, stderr or both, found "${stream}"`);
    }
    const tail = p.optionalNumber('tail');
    const { container } = await requireContainer(ctx, name);
    const since = resolveSince(p.optionalString('since'), container, ctx.now());
    const logs = await ctx.probes.docker.logs(container.id, { since, stream, tail, signal: ctx.signal });
    const sinceText = since === undefined ? null : since instanceof Date ? since.toISOString() : since;
    const excerpt = logs.lines.map((l) => `${l.time ?? '-'} ${l.stream} ${l.text}`).join('\n');
    const scope = `${stream === 'both' ? 'stdout and stderr' : stream}${sinceText ? ` since ${sinceText}` : ''}${tail !== undefined ? `, last ${tail} lines` : ''}`;
    return {
      actual: { logs: logs.text, lines: logs.lines.length, truncated: logs.truncated, since: sinceText },
      evidence: [textEvidence(`logs-${container.name}`, `log of container ${container.name} (${scope})`, excerpt)],
    };
  },
});
