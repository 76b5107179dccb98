// Issue 9, item 18: audit-trail locks are stale-safe. A lock names its owner (pid, host, time); a dead
// owner's lock on this host and an empty (0-byte) lock are taken over at once, with a note in the trail;
// a live owner is waited for; another host's lock only when it is old. Ages are set with utimes, not waited.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/tmp.js';
import { appendAuditEntry, readAuditTrail, type AuditEntryInput } from './audit.js';
import { readLockOwner } from './lock.js';

const input: AuditEntryInput = { at: '2026-10-08T10:00:00Z', who: { id: 'eve', name: 'Eve' }, action: 'note', object: { type: 'repo', id: 'r' }, why: 'after a fault', host: 'test-host' };
const tmp = makeTempDir('qualify-lock-');
afterAll(() => tmp.cleanup());

function repoWithLock(name: string, content: string | null): { root: string; lock: string } {
  const root = join(tmp.dir, name);
  mkdirSync(join(root, 'audit'), { recursive: true });
  const lock = join(root, 'audit/trail.jsonl.lock');
  if (content !== null) writeFileSync(lock, content);
  return { root, lock };
}

const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('stale-safe audit-trail lock', () => {
  it('a lock written whole names its owner, and is gone after the append', async () => {
    const { root, lock } = repoWithLock('whole', null);
    await appendAuditEntry(root, input);
    expect(existsSync(lock)).toBe(false);
    expect(readAuditTrail(root).entries).toHaveLength(1);
  });

  it('a 0-byte lock (its writer ran out of disk space) is taken over at once, with a note', async () => {
    const { root, lock } = repoWithLock('empty', '');
    const t0 = Date.now();
    await appendAuditEntry(root, input, { lockTimeoutMs: 60_000 });
    expect(Date.now() - t0).toBeLessThan(5_000);
    const entries = readAuditTrail(root).entries;
    expect(entries.map((e) => e.action)).toEqual(['audit.lock-taken-over', 'note']);
    expect(entries[0]!.why).toContain('was empty or unreadable');
    expect(existsSync(lock)).toBe(false);
  });

  it("a dead owner's lock on this host is taken over at once, with a note naming it", async () => {
    const pid = deadPid();
    const { root } = repoWithLock('dead', `${JSON.stringify({ pid, host: hostname(), at: '2026-10-08T09:59:00Z' })}\n`);
    await appendAuditEntry(root, input, { lockTimeoutMs: 60_000 });
    const entries = readAuditTrail(root).entries;
    expect(entries[0]!.action).toBe('audit.lock-taken-over');
    expect(entries[0]!.why).toContain(`belonged to process ${pid} on ${hostname()}`);
    expect(entries[0]!.why).toContain('which no longer runs');
  });

  it('the lock format of earlier versions ("<pid> <host>") of a dead process is taken over too', async () => {
    const { root } = repoWithLock('old-format', `${deadPid()} ${hostname()}\n`);
    await appendAuditEntry(root, input, { lockTimeoutMs: 60_000 });
    expect(readAuditTrail(root).entries[0]!.action).toBe('audit.lock-taken-over');
  });

  it('a live owner is waited for: AUDIT_LOCKED names it when it keeps the lock', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      const { root, lock } = repoWithLock('live', `${JSON.stringify({ pid: child.pid, host: hostname(), at: new Date().toISOString() })}\n`);
      await expect(appendAuditEntry(root, input, { lockTimeoutMs: 300 })).rejects.toMatchObject({ code: 'AUDIT_LOCKED', message: expect.stringContaining(`process ${child.pid} on ${hostname()}`) });
      expect(readLockOwner(lock)?.pid).toBe(child.pid);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("another host's lock is waited for while young and taken over when old", async () => {
    const owner = `${JSON.stringify({ pid: 1, host: 'other-host.invalid', at: '2026-10-08T09:00:00Z' })}\n`;
    const young = repoWithLock('other-young', owner);
    await expect(appendAuditEntry(young.root, input, { lockTimeoutMs: 200 })).rejects.toMatchObject({ code: 'AUDIT_LOCKED' });
    const old = repoWithLock('other-old', owner);
    const past = new Date(Date.now() - 10 * 60_000);
    utimesSync(old.lock, past, past);
    await appendAuditEntry(old.root, input, { lockTimeoutMs: 200 });
    expect(readAuditTrail(old.root).entries[0]!.why).toContain('other-host.invalid');
    expect(readFileSync(join(old.root, 'audit/trail.jsonl'), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });
});
