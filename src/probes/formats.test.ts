// The byte formats the probes parse by hand: Docker's multiplexed streams, tar archives, log bounds,
// git porcelain status and image references.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { collectStreams, demuxDockerStream, parseLogLines } from './docker-stream.js';
import { readTar } from './tar.js';
import { parseDockerEndpoint, toDockerSince } from './docker.js';
import { parsePorcelainV2 } from './git.js';
import { parseImageRef, runningDigest } from '../checks/support.js';
import { makeTempDir, writeTree } from '../../test/helpers/tmp.js';
import type { ContainerInfo, ImageInfo } from './types.js';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('docker stream', () => {
  it('splits frames by stream in arrival order and joins lines cut across frames', () => {
    const buf = Buffer.concat([
      frame(1, '2026-11-22T03:25:05.780993352Z starting\n'),
      frame(2, '2026-11-22T03:25:05.790000000Z ERROR bo'),
      frame(2, 'ot\n'),
      frame(1, '2026-11-22T03:25:05.800000000Z last line without newline'),
    ]);
    const chunks = demuxDockerStream(buf);
    expect(chunks.map((c) => c.stream)).toEqual(['stdout', 'stderr', 'stderr', 'stdout']);
    expect(parseLogLines(chunks, { timestamps: true })).toEqual([
      { stream: 'stdout', time: '2026-11-22T03:25:05.780993352Z', text: 'starting' },
      { stream: 'stderr', time: '2026-11-22T03:25:05.790000000Z', text: 'ERROR boot' },
      { stream: 'stdout', time: '2026-11-22T03:25:05.800000000Z', text: 'last line without newline' },
    ]);
    expect(collectStreams(chunks).stderr.toString()).toBe('2026-11-22T03:25:05.790000000Z ERROR boot\n');
  });

  it('treats a TTY (raw) stream as stdout, and keeps a misaligned tail', () => {
    expect(demuxDockerStream(Buffer.from('hello\r\nworld\r\n'))).toEqual([{ stream: 'stdout', data: Buffer.from('hello\r\nworld\r\n') }]);
    expect(parseLogLines(demuxDockerStream(Buffer.from('hello\r\n'), { tty: true }), { timestamps: false })).toEqual([{ stream: 'stdout', time: null, text: 'hello' }]);
    const odd = Buffer.concat([frame(1, 'a\n'), Buffer.from('garbage')]);
    expect(collectStreams(demuxDockerStream(odd)).stdout.toString()).toBe('a\ngarbage');
    expect(demuxDockerStream(Buffer.alloc(0))).toEqual([]);
  });
});

describe('tar reader', () => {
  it('reads files, directories, symlinks and long names written by tar', () => {
    const tmp = makeTempDir();
    try {
      const long = `${'d'.repeat(60)}/${'f'.repeat(80)}.txt`;
      writeTree(tmp.dir, { 'a.txt': 'alpha\n', [long]: 'long name\n' });
      execFileSync('ln', ['-s', 'a.txt', `${tmp.dir}/link`]);
      for (const format of ['gnu', 'pax', 'ustar']) {
        const args = ['-C', tmp.dir, `--format=${format}`, '-cf', '-', 'a.txt', 'link'];
        if (format !== 'ustar') args.push(long);
        const entries = readTar(execFileSync('tar', args));
        expect(entries.map((e) => [e.name, e.type])).toEqual([
          ['a.txt', 'file'], ['link', 'symlink'], ...(format !== 'ustar' ? [[long, 'file']] : []),
        ]);
        expect(entries[0]!.data.toString()).toBe('alpha\n');
        expect(entries[1]!.linkName).toBe('a.txt');
        if (format !== 'ustar') expect(entries[2]!.data.toString()).toBe('long name\n');
      }
      const dir = readTar(execFileSync('tar', ['-C', tmp.dir, '-cf', '-', '--no-recursion', 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd']));
      expect(dir[0]!.type).toBe('directory');
    } finally {
      tmp.cleanup();
    }
  });

  it('rejects a corrupt archive', () => {
    const bad = Buffer.alloc(1024, 0);
    bad.write('name', 0);
    expect(() => readTar(bad)).toThrow(/checksum/);
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

  it('parses endpoints and masks credentials', () => {
    expect(parseDockerEndpoint('unix:///var/run/docker.sock')).toEqual({ display: 'unix:///var/run/docker.sock', socketPath: '/var/run/docker.sock' });
    expect(parseDockerEndpoint('tcp://u:p@127.0.0.1:2375')).toEqual({ display: 'tcp://***@127.0.0.1:2375', host: '127.0.0.1', port: '2375' });
    expect(() => parseDockerEndpoint('unix://relative.sock')).toThrow(/absolute socket path/);
  });

  it('reads git porcelain v2 -z: branch headers, changes, renames, conflicts, untracked, spaces', () => {
    const oid = 'a'.repeat(40);
    const h = 'b'.repeat(40);
    const out = [
      `# branch.oid ${oid}`, '# branch.head main', '# branch.upstream origin/main',
      `1 .M N... 100644 100644 100644 ${h} ${h} a file.txt`,
      `2 R. N... 100644 100644 100644 ${h} ${h} R100 new name.txt`, 'old name.txt',
      `u UU N... 100644 100644 100644 100644 ${h} ${h} ${h} both.txt`,
      '? z.txt', '',
    ].join('\0');
    expect(parsePorcelainV2(out)).toEqual({ head: oid, branch: 'main', dirtyFiles: ['a file.txt', 'both.txt', 'new name.txt', 'z.txt'] });
    expect(parsePorcelainV2('# branch.oid (initial)\0# branch.head (detached)\0')).toEqual({ head: null, branch: null, dirtyFiles: [] });
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
