// The small formats the probes read: log lines with the engine's timestamps, log bounds and image
// references. (Docker's multiplexed stream is split by docker-modem, archives by tar-stream, git
// output by simple-git: their own tests cover them, ours run them against the real engine and git.)
import { describe, expect, it } from 'vitest';
import { parseLogLines, toDockerSince } from './docker-logs.js';
import { parseImageRef, runningDigest } from '../checks/support.js';
import type { ContainerInfo, ImageInfo } from './types.js';

describe('log lines', () => {
  it('splits the timestamps off, keeps arrival order and joins lines cut across frames', () => {
    const chunks = [
      { stream: 'stdout' as const, data: Buffer.from('2026-11-22T03:25:05.780993352Z starting\n') },
      { stream: 'stderr' as const, data: Buffer.from('2026-11-22T03:25:05.790000000Z ERROR bo') },
      { stream: 'stderr' as const, data: Buffer.from('ot\n') },
      { stream: 'stdout' as const, data: Buffer.from('2026-11-22T03:25:05.800000000Z last line without newline') },
    ];
    expect(parseLogLines(chunks, { timestamps: true })).toEqual([
      { stream: 'stdout', time: '2026-11-22T03:25:05.780993352Z', text: 'starting' },
      { stream: 'stderr', time: '2026-11-22T03:25:05.790000000Z', text: 'ERROR boot' },
      { stream: 'stdout', time: '2026-11-22T03:25:05.800000000Z', text: 'last line without newline' },
    ]);
    expect(parseLogLines([{ stream: 'stdout', data: Buffer.from('hello\r\n') }], { timestamps: false })).toEqual([{ stream: 'stdout', time: null, text: 'hello' }]);
    expect(parseLogLines([], { timestamps: true })).toEqual([]);
  });
});

describe('small formats', () => {
  it('converts log bounds to unix seconds keeping nanoseconds', () => {
    expect(toDockerSince('2026-11-22T03:25:05.780993352Z')).toBe(`${Date.UTC(2026, 10, 22, 3, 25, 5) / 1000}.780993352`);
    expect(toDockerSince('2026-11-22T03:25:05Z')).toBe(`${Date.UTC(2026, 10, 22, 3, 25, 5) / 1000}.000000000`);
    expect(toDockerSince('1700000000.5')).toBe('1700000000.5');
    expect(toDockerSince(new Date(1_700_000_000_250))).toBe('1700000000.250');
    expect(() => toDockerSince('yesterday')).toThrow(/not an RFC 3339 time/);
  });

  it('parses image references and picks the running digest', () => {
    expect(parseImageRef('127.0.0.1:5000/team/app:1.4.2')).toEqual({ repository: '127.0.0.1:5000/team/app', tag: '1.4.2', digest: null });
    expect(parseImageRef('127.0.0.1:5000/app@sha256:abc')).toEqual({ repository: '127.0.0.1:5000/app', tag: null, digest: 'sha256:abc' });
    expect(parseImageRef('app')).toEqual({ repository: 'app', tag: null, digest: null });
    const container = { image: '127.0.0.1:5000/app:1' } as ContainerInfo;
    const image = { repoDigests: ['127.0.0.1:5000/aaa@sha256:1', '127.0.0.1:5000/app@sha256:2'] } as ImageInfo;
    expect(runningDigest(container, image)).toBe('127.0.0.1:5000/app@sha256:2');
    expect(runningDigest({ image: 'other:1' } as ContainerInfo, image)).toBe('127.0.0.1:5000/aaa@sha256:1');
    expect(runningDigest({ image: 'x/app@sha256:9' } as ContainerInfo, image)).toBe('x/app@sha256:9');
    expect(runningDigest(container, null)).toBeNull();
  });
});
