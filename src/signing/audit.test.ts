import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/tmp.js';
import { appendAuditEntry, checkAuditChain, readAuditTrail, GENESIS, type AuditEntryInput } from './audit.js';

const entry = (n: number, who = 'eve'): AuditEntryInput => ({
  at: `2026-10-08T10:00:${String(n % 60).padStart(2, '0')}Z`,
  who: { id: who, name: 'Eve Executor' },
  action: 'sign',
  object: { type: 'report', id: 'R-1', path: 'reports/QP-0001/R-1' },
  field: 'status',
  old: 'recorded',
  new: 'executed',
  why: `entry ${n}`,
  host: 'test-host',
});

describe('audit trail', () => {
  const tmp = makeTempDir('qualify-audit-');
  afterAll(() => tmp.cleanup());

  it('chains entries and records who, what, when, old → new, why, tool and host', async () => {
    const dir = join(tmp.dir, 'a');
    const e1 = await appendAuditEntry(dir, entry(1));
    const e2 = await appendAuditEntry(dir, entry(2));
    expect([e1.seq, e1.prev, e2.seq, e2.prev]).toEqual([1, GENESIS, 2, e1.hash]);
    expect(e1).toMatchObject({ who: { id: 'eve', name: 'Eve Executor' }, action: 'sign', old: 'recorded', new: 'executed', why: 'entry 1', host: 'test-host', tool: { name: 'qualify' } });
    const trail = readAuditTrail(dir);
    expect(trail.problems).toEqual([]);
    expect(trail.entries.map((e) => e.hash)).toEqual([e1.hash, e2.hash]);
    await expect(appendAuditEntry(dir, { ...entry(3), why: ' ' })).rejects.toThrow('needs a reason');
    await expect(appendAuditEntry(dir, { ...entry(3), at: '2026-10-08 10:00' })).rejects.toThrow('UTC ISO 8601 with Z');
  });

  it('finds an edited, a removed, a re-ordered and an inserted line', async () => {
    const dir = join(tmp.dir, 'b');
    for (let i = 1; i <= 4; i++) await appendAuditEntry(dir, entry(i));
    const lines = readFileSync(join(dir, 'audit/trail.jsonl'), 'utf8').trim().split('\n');
    const check = (ls: string[]) => checkAuditChain(`${ls.join('\n')}\n`).problems.map((p) => `${p.line} ${p.code}`);
    expect(check(lines)).toEqual([]);
    expect(check([lines[0]!, lines[1]!.replace('entry 2', 'entry X'), lines[2]!, lines[3]!])).toEqual(['2 AUDIT_ENTRY_ALTERED']);
    expect(check([lines[0]!, lines[2]!, lines[3]!])).toEqual(['2 AUDIT_SEQUENCE']);
    expect(check([lines[0]!, lines[2]!, lines[1]!, lines[3]!])).toEqual(['2 AUDIT_SEQUENCE', '3 AUDIT_SEQUENCE', '4 AUDIT_SEQUENCE']);
    expect(check([lines[0]!, lines[1]!, lines[1]!, lines[2]!, lines[3]!])).toEqual(['3 AUDIT_SEQUENCE']);
    expect(check([lines[0]!, lines[1]!, lines[2]!])).toEqual([]); // a removed tail is found by verify's cross-checks and git (audit --verify)
    expect(check([lines[0]!, ` ${lines[1]!}`, lines[2]!, lines[3]!])).toEqual(['2 AUDIT_LINE_EDITED']);
  });

  it('refuses to extend a trail whose last line is damaged', async () => {
    const dir = join(tmp.dir, 'c');
    await appendAuditEntry(dir, entry(1));
    appendFileSync(join(dir, 'audit/trail.jsonl'), '{"seq":2,"half');
    await expect(appendAuditEntry(dir, entry(2))).rejects.toMatchObject({ code: 'AUDIT_DAMAGED' });
    expect(checkAuditChain(readFileSync(join(dir, 'audit/trail.jsonl'), 'utf8')).problems[0]!.code).toBe('AUDIT_LINE_DAMAGED');
  });

  it('keeps one chain under concurrent appends in one process', async () => {
    const dir = join(tmp.dir, 'd');
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendAuditEntry(dir, entry(i))));
    const trail = readAuditTrail(dir);
    expect(trail.problems).toEqual([]);
    expect(trail.entries.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  describe('across processes', () => {
    const root = join(process.cwd(), `.qualify-tmp-audit-${process.pid}`);
    beforeAll(() => {
      // Compile the current sources (about a second) so that child processes run exactly this code.
      execFileSync(process.execPath, [join(process.cwd(), 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', root], { stdio: 'pipe' });
    }, 60_000);
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('keeps one chain when 4 processes append 25 entries each', async () => {
      const dir = join(tmp.dir, 'e');
      const script = `
        const { appendAuditEntry } = await import(${JSON.stringify(join(root, 'signing/audit.js'))});
        for (let i = 0; i < 25; i++) await appendAuditEntry(process.argv[1], { at: '2026-10-08T10:00:00Z', who: { id: 'p' + process.argv[2], name: null }, action: 'render', object: { type: 'report', id: 'R-1' }, why: 'n' + i, host: 'h' });
      `;
      const run = (n: number) => new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir, String(n)], { stdio: 'inherit' });
        child.on('exit', (code) => resolve(code ?? -1));
      });
      expect(await Promise.all([1, 2, 3, 4].map(run))).toEqual([0, 0, 0, 0]);
      const trail = readAuditTrail(dir);
      expect(trail.problems).toEqual([]);
      expect(trail.entries).toHaveLength(100);
      expect(new Set(trail.entries.map((e) => e.who.id))).toEqual(new Set(['p1', 'p2', 'p3', 'p4']));
    });
  });
});
