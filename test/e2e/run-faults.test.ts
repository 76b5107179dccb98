// Issue 9, item 18: the record and its audit-trail entry never diverge, and a fault at the end of a run
// never blocks the next one. The run entry is appended when the folder is complete and its id reserved,
// before the rename: a failure there leaves neither; a kill after it leaves a complete temporary folder
// that the trail names, which the next run puts in place. A lock left behind (0 bytes, dead owner) is
// taken over. Played with real processes and a real full disk (tmpfs, when root may mount one).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { makeTempDir, writeTree } from '../helpers/tmp.js';
import { reportFolders } from '../helpers/report-folder.js';
import { loadRepository } from '../../src/documents/index.js';
import { builtinChecks, createCheckRegistry } from '../../src/checks/index.js';
import { createProbes } from '../../src/probes/index.js';
import { runQualification, type QualificationOptions } from '../../src/runner/qualify.js';
import { appendAuditEntries, readAuditTrail } from '../../src/signing/audit.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

const PROTOCOL = ['---', 'document_id: QP-0300', 'type: protocol', 'title: Files', 'revision: "01"', 'status: effective', 'approvers: [quinn]', 'approval_date: 2020-01-01', 'effective_date: 2020-01-02', '---', '',
  '### IQ-01 Files are in place', '', '```check\ntype: file\npath: data/a.txt\nexpect:\n  exists: true\n```', ''].join('\n');

function qmsAt(dir: string): string {
  writeTree(dir, { 'qualify.yaml': 'environments:\n  local: {}\ndefaults:\n  environment: local\n', 'protocols/QP-0300-files.md': PROTOCOL, 'data/a.txt': 'a\n' });
  return dir;
}

function qms(): string {
  const t = makeTempDir('qualify-faults-');
  cleanups.push(t.cleanup);
  return qmsAt(t.dir);
}

async function libraryRun(root: string, audit: QualificationOptions['audit']): Promise<unknown> {
  const repo = await loadRepository({ root, catalog: { types: createCheckRegistry(builtinChecks) } });
  const protocol = repo.protocols[0]!;
  const probes = createProbes({ env: {} });
  try {
    return await runQualification({
      protocol,
      protocolInfo: { documentId: 'QP-0300', title: 'Files', revision: '01', path: protocol.path, sha256: protocol.sha256, gitCommit: null, status: 'effective', approval: 'front-matter' },
      parameters: {}, dryRun: false, executor: { id: 'erin', host: 'test' }, environment: 'local', checks: createCheckRegistry(builtinChecks),
      repoRoot: root, documents: async () => null, now: () => new Date(), probes, reportsDir: join(root, 'reports'), audit,
    }).catch((err: unknown) => err);
  } finally {
    probes.close();
  }
}

const runEntries = (root: string) => readAuditTrail(root).entries.filter((e) => e.action === 'run');
const parent = (root: string) => join(root, 'reports/QP-0300');

describe('item 18: the trail entry and the report folder never diverge', () => {
  it('the trail append fails (disk full): no report and no entry; the next run works at once', async () => {
    const root = qms();
    const err = await libraryRun(root, async () => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); });
    expect((err as Error).message).toContain('ENOSPC');
    expect(reportFolders(parent(root))).toEqual([]);
    expect(readdirSync(parent(root))).toEqual([]);
    expect(runEntries(root)).toEqual([]);
    const t0 = Date.now();
    const next = spawnCli(['run', 'protocols/QP-0300-files.md'], { cwd: root });
    expect(next.code, next.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(reportFolders(parent(root))).toHaveLength(1);
    expect(spawnCli(['verify', next.stdout.trim().replace(/^report: /, '')], { cwd: root }).code).toBe(0);
  });

  it('a real full disk at the moment of the trail append (tmpfs): report and entry both or neither; a 0-byte lock never blocks the next run', async () => {
    const mnt = makeTempDir('qualify-faults-tmpfs-');
    cleanups.push(mnt.cleanup);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt.dir], { stdio: 'pipe' });
    } catch {
      console.warn('cannot mount a tmpfs here (not root): the full-disk case is not played');
      return;
    }
    try {
      const outcomes: string[] = [];
      for (const leave of [0, 512, 2048]) {
        const root = join(mnt.dir, `q${leave}`);
        mkdirSync(root);
        qmsAt(root);
        // Fill the disk (but `leave` bytes) at the last moment: just before the trail entry is written.
        const err = await libraryRun(root, async (entries) => {
          const st = statfsSync(mnt.dir);
          const avail = st.bavail * st.bsize;
          try { writeFileSync(join(mnt.dir, `filler-${leave}`), Buffer.alloc(Math.max(0, avail - leave))); } catch { /* filled */ }
          return appendAuditEntries(root, entries);
        });
        rmSync(join(mnt.dir, `filler-${leave}`), { force: true });
        const folders = reportFolders(parent(root));
        const entries = runEntries(root);
        expect(folders.length, `leave ${leave}: report folders vs run entries`).toBe(entries.length);
        expect(readAuditTrail(root).problems).toEqual([]);
        expect(existsSync(join(root, 'audit/trail.jsonl.lock'))).toBe(false);
        // The next run (a real process) works at once.
        writeFileSync(join(root, 'audit/trail.jsonl.lock'), ''); // and even a 0-byte lock left by a crash does not stop it
        const t0 = Date.now();
        const next = spawnCli(['run', 'protocols/QP-0300-files.md'], { cwd: root });
        expect(next.code, next.stderr).toBe(0);
        expect(Date.now() - t0).toBeLessThan(10_000);
        expect(readAuditTrail(root).entries.some((e) => e.action === 'audit.lock-taken-over')).toBe(true);
        for (const f of reportFolders(parent(root))) expect(spawnCli(['verify', f], { cwd: root }).code).toBe(0);
        outcomes.push(`${leave} bytes left: ${err instanceof Error ? `failed (${(err as NodeJS.ErrnoException).code ?? err.message})` : 'written'}, ${folders.length} report(s), ${entries.length} run entr${entries.length === 1 ? 'y' : 'ies'}`);
      }
      console.log(`disk full at the trail append:\n  ${outcomes.join('\n  ')}`);
    } finally {
      execFileSync('umount', [mnt.dir]);
    }
  }, 120_000);

  it('killed after the trail entry, before the rename: the next run puts the complete record in place', async () => {
    const root = qms();
    // The rename is made to fail after the entry is written (a folder takes the final name meanwhile).
    const err = await libraryRun(root, async (entries) => {
      await appendAuditEntries(root, entries);
      mkdirSync(join(parent(root), entries[0]!.object.id, 'blocker'), { recursive: true });
    });
    expect((err as { code?: string }).code).toBe('REPORT_NOT_PLACED');
    const [entry] = runEntries(root);
    expect(entry).toBeDefined();
    // What a kill -9 at that moment leaves: the complete temporary folder of a process that is gone.
    rmSync(join(parent(root), entry!.object.id), { recursive: true });
    const temp = readdirSync(parent(root)).find((n) => n.startsWith('.qualify-tmp-'))!;
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    renameSync(join(parent(root), temp), join(parent(root), temp.replace(/-p\d+-/, `-p${dead}-`)));
    for (const n of readdirSync(parent(root)).filter((x) => x.startsWith('.qualify-id-'))) writeFileSync(join(parent(root), n), `${dead} ${(await import('node:os')).hostname()}\n`);
    const next = spawnCli(['run', 'protocols/QP-0300-files.md'], { cwd: root });
    expect(next.code, next.stderr).toBe(0);
    const folders = reportFolders(parent(root));
    expect(folders.map((f) => f.split('/').pop())).toContain(entry!.object.id);
    expect(folders).toHaveLength(2);
    expect(readdirSync(parent(root)).filter((n) => n.startsWith('.'))).toEqual([]);
    for (const f of folders) {
      const v = spawnCli(['verify', f], { cwd: root });
      expect(v.code, v.stdout).toBe(0);
    }
  });
});

