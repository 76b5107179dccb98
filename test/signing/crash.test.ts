// Issue 9, item 4: approval signing is crash-safe. The signed PDF is written atomically (temp + fsync +
// rename) and recorded before the approval envelope exists, so an interruption at any point leaves a
// report that either verifies, or is still reviewed (approve again), or is completed by its approver with
// `qualify sign <dir> --resume`. Played for real: a failing write (unit), a full disk (tmpfs), kill -9.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, readFileSync, rmSync, statfsSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { mulberry32 } from '../helpers/random.js';
import { signReport } from '../../src/signing/sign.js';
import { fileOps } from '../../src/signing/store.js';
import { verifyReport } from '../../src/signing/verify-report.js';
import { copyRepo, ctxFor, enrolledRepo, PASSPHRASES, T, writeReport, type Enrolled, signThrough } from './fixture.js';

let base: Enrolled;
let rel: string;

beforeAll(async () => {
  base = await enrolledRepo();
  const dir = await writeReport(base.root);
  await signThrough(base, dir, 'reviewed');
  rel = relative(base.root, dir);
});
afterAll(() => base?.cleanup());

const quinn = `${PASSPHRASES.quinn}\n`;

/** Brings an interrupted approval to a verified approved report with the documented commands; returns what it took. */
async function recover(repo: Enrolled, clock: { approve: Date; verify: Date } = { approve: T.approved, verify: T.verify }): Promise<string[]> {
  const steps: string[] = [];
  const opts = { cwd: repo.root, env: repo.env, now: clock.verify };
  for (let i = 0; i < 3; i++) {
    const v = await runCli(['verify', rel, '--json'], opts);
    const r = JSON.parse(v.stdout) as { ok: boolean; state: string };
    if (r.ok && r.state === 'approved') return steps;
    if (r.state !== 'approved') {
      steps.push('sign --meaning approved');
      const a = await runCli(['sign', rel, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { ...opts, now: clock.approve, stdin: quinn });
      expect(a.code, a.stderr).toBe(0);
    } else {
      steps.push('sign --resume');
      const a = await runCli(['sign', rel, '--as', 'quinn', '--resume', '--passphrase-stdin'], { ...opts, stdin: quinn });
      expect(a.code, a.stderr).toBe(0);
    }
  }
  const v = await runCli(['verify', rel], opts);
  expect(v.stdout).toContain('verified: every check holds');
  return steps;
}

describe('item 4: an interrupted approval never leaves a report that verifies 4 for ever', () => {
  it('a write that fails half way (disk full) fails the command, changes nothing, and the approval can be made again', async () => {
    const repo = copyRepo(base);
    const original = fileOps.writeSync;
    try {
      const dir = join(repo.root, rel);
      const pdfBefore = readFileSync(join(dir, 'report.pdf'));
      let calls = 0;
      // The first big write (the signed PDF) is short, the next attempt fails: what a full disk does.
      fileOps.writeSync = ((fd: number, buf: Uint8Array, off: number, len: number) => {
        if (len > 20_000 && calls++ === 0) return original(fd, buf, off, Math.floor(len / 2));
        if (len > 10_000) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return original(fd, buf, off, len);
      }) as typeof fileOps.writeSync;
      await expect(signReport(dir, 'quinn', 'approved', null, ctxFor(repo, 'quinn', T.approved))).rejects.toThrow(/ENOSPC/);
      fileOps.writeSync = original;
      expect(readFileSync(join(dir, 'report.pdf')).equals(pdfBefore)).toBe(true);
      const after = await verifyReport(dir, { now: T.verify });
      expect(after.state).toBe('reviewed');
      expect(after.ok).toBe(true);
      expect(await recover(repo)).toEqual(['sign --meaning approved']);
    } finally {
      fileOps.writeSync = original;
      repo.cleanup();
    }
  });

  it('a full disk at any free-space level (tmpfs): never success with a broken PDF, always recoverable', async () => {
    const mnt = makeTempDir('qualify-tmpfs-');
    try {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt.dir], { stdio: 'pipe' });
      } catch {
        console.warn('cannot mount a tmpfs here (not root): the full-disk levels are not played');
        return;
      }
      const outcomes: string[] = [];
      try {
        const repoDir = join(mnt.dir, 'repo');
        const probe = copyRepo(base);
        const sizeOfRepo = Number(execFileSync('du', ['-sb', probe.root], { encoding: 'utf8' }).split('\t')[0]);
        probe.cleanup();
        for (const free of [4_096, 40_960, 81_920, 122_880, 163_840, 245_760, 327_680, 491_520, 737_280, 1_048_576]) {
          rmSync(repoDir, { recursive: true, force: true });
          rmSync(join(mnt.dir, 'filler'), { force: true });
          cpSync(base.root, repoDir, { recursive: true });
          const repo: Enrolled = { root: repoDir, home: base.home, env: base.env, cleanup: () => {} };
          const st = statfsSync(mnt.dir);
          const avail = st.bavail * st.bsize;
          if (avail > free) writeFileSync(join(mnt.dir, 'filler'), Buffer.alloc(avail - free));
          const r = await runCli(['sign', rel, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { cwd: repoDir, env: repo.env, now: T.approved, stdin: quinn });
          const v = JSON.parse((await runCli(['verify', rel, '--json'], { cwd: repoDir, env: repo.env, now: T.verify })).stdout) as { ok: boolean; state: string };
          // The one outcome that must never happen: "rendered and PDF-signed" (exit 0) and a record that does not verify.
          if (r.code === 0) expect(v.ok, `free ${free}: exit 0 but verify fails`).toBe(true);
          else expect(r.stderr).toMatch(/ENOSPC|no space/i);
          rmSync(join(mnt.dir, 'filler'), { force: true });
          const steps = await recover(repo);
          outcomes.push(`${free}: exit ${r.code}, ${v.state}${v.ok ? ' verified' : ' not verified'}${steps.length ? `, recovered by ${steps.join(' + ')}` : ''}`);
        }
        void sizeOfRepo;
      } finally {
        execFileSync('umount', [mnt.dir]);
      }
      console.log(`full disk during approval:\n  ${outcomes.join('\n  ')}`);
      expect(outcomes.some((o) => / exit [1-9]/.test(o))).toBe(true);
    } finally {
      mnt.cleanup();
    }
  }, 300_000);

  it('kill -9 of `qualify sign --meaning approved` at random points: every report is recovered', async () => {
    const random = mulberry32(Number(process.env.QUALIFY_KILL_SEED ?? 4));
    // How long an uninterrupted approval takes as a process here.
    const timeOne = async (repo: Enrolled) => {
      const t0 = Date.now();
      const r = await spawnSign(repo, null);
      expect(r.code, r.stderr).toBe(0);
      return Date.now() - t0;
    };
    const first = copyRepo(base);
    const whole = await timeOne(first).finally(() => first.cleanup());
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const repo = copyRepo(base);
      try {
        const delay = Math.round(random() * whole);
        const r = await spawnSign(repo, delay);
        // The process signed with the real clock: recover and verify with it too.
        const now = new Date(Date.now() + 1000);
        const steps = await recover(repo, { approve: now, verify: now });
        outcomes.push(`${delay} ms: ${r.signal ?? `exit ${r.code}`}${steps.length ? ` → ${steps.join(' + ')}` : ''}`);
      } finally {
        repo.cleanup();
      }
    }
    console.log(`kill -9 during approval (whole run ${whole} ms):\n  ${outcomes.join('\n  ')}`);
    expect(outcomes.filter((o) => o.includes('SIGKILL')).length).toBeGreaterThan(0);
  }, 300_000);
});

describe('item 4: the documented recovery, qualify sign <report-dir> --resume', () => {
  it('an approved report whose report.pdf was truncated: render and sign point to --resume; the approver restores it, audited', async () => {
    const repo = copyRepo(base);
    try {
      const opts = { cwd: repo.root, env: repo.env, now: T.verify };
      expect((await runCli(['sign', rel, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { ...opts, now: T.approved, stdin: quinn })).code).toBe(0);
      const pdf = join(repo.root, rel, 'report.pdf');
      const signed = readFileSync(pdf);
      // Cut inside the approval's revision (the last incremental update): the earlier revisions survive.
      truncateSync(pdf, signed.length - 2000);
      expect((await runCli(['verify', rel], opts)).code).toBe(4);
      const render = await runCli(['render', rel], opts);
      expect(render.code).toBe(5);
      expect(render.stderr).toContain(`its approver restores it: qualify sign ${rel} --resume --as quinn`);
      const again = await runCli(['sign', rel, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { ...opts, stdin: quinn });
      expect(again.stderr).toContain(`--resume --as quinn`);
      const notApprover = await runCli(['sign', rel, '--as', 'rita', '--resume', '--passphrase-stdin'], { ...opts, stdin: `${PASSPHRASES.rita}\n` });
      expect(notApprover.code).toBe(5);
      expect(notApprover.stderr).toContain('RESUME_NOT_APPROVER');
      const resumed = await runCli(['sign', rel, '--as', 'quinn', '--resume', '--passphrase-stdin'], { ...opts, stdin: quinn });
      expect(resumed.stderr).toBe('');
      expect(resumed.stdout).toContain('report.pdf rendered again and PDF-signed');
      // RSA PKCS#1 v1.5 is deterministic: the very same signed PDF again, the approval appended to the
      // executed and reviewed revisions that survived.
      expect(readFileSync(pdf).equals(signed)).toBe(true);
      expect(execFileSync('pdfsig', [pdf], { encoding: 'utf8' }).match(/Signature is Valid\./g)).toHaveLength(3);
      expect((await runCli(['verify', rel], opts)).code).toBe(0);
      const trail = readFileSync(join(repo.root, 'audit/trail.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(trail.slice(-2).map((e) => [e.action, e.field, e.who.id])).toEqual([['render', 'report.md', 'quinn'], ['render', 'report.pdf', 'quinn']]);
      expect(trail.at(-1).why).toContain('rendered again on resume with the PDF signature of signatures/03-approved-quinn.dsse.json re-applied');
    } finally {
      repo.cleanup();
    }
  });

  it('an approved report whose report.pdf was cut in its first revision: resume renders it again with the approval\'s PDF signature only', async () => {
    const repo = copyRepo(base);
    try {
      const opts = { cwd: repo.root, env: repo.env, now: T.verify };
      expect((await runCli(['sign', rel, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { ...opts, now: T.approved, stdin: quinn })).code).toBe(0);
      const pdf = join(repo.root, rel, 'report.pdf');
      truncateSync(pdf, 1000);
      const resumed = await runCli(['sign', rel, '--as', 'quinn', '--resume', '--passphrase-stdin'], { ...opts, stdin: quinn });
      expect(resumed.stderr).toBe('');
      // Only the approver's key is at hand: the executed and reviewed PDF signatures are gone; their
      // envelopes (attached) still are the signatures, and verify says so.
      expect(execFileSync('pdfsig', [pdf], { encoding: 'utf8' }).match(/Signature is Valid\./g)).toHaveLength(1);
      const v = await runCli(['verify', rel], opts);
      expect(v.code).toBe(0);
      expect(v.stdout).toContain('signatures/01-executed-eve.dsse.json: no PDF signature in report.pdf');
    } finally {
      repo.cleanup();
    }
  });

  it('killed after the approval envelope was written, before its trail entry: --resume records it', async () => {
    const repo = copyRepo(base);
    try {
      const opts = { cwd: repo.root, env: repo.env, now: T.verify };
      expect((await runCli(['sign', rel, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { ...opts, now: T.approved, stdin: quinn })).code).toBe(0);
      // The state such a kill leaves: the trail without the approval's sign entry.
      const p = join(repo.root, 'audit/trail.jsonl');
      const lines = readFileSync(p, 'utf8').trim().split('\n');
      expect(JSON.parse(lines.at(-1)!).action).toBe('sign');
      writeFileSync(p, `${lines.slice(0, -1).join('\n')}\n`);
      const before = await runCli(['verify', rel], opts);
      expect(before.code).toBe(4);
      expect(before.stdout).toContain('SIGNATURE_NOT_AUDITED signatures/03-approved-quinn.dsse.json');
      const resumed = await runCli(['sign', rel, '--as', 'quinn', '--resume', '--passphrase-stdin'], { ...opts, stdin: quinn });
      expect(resumed.stderr).toBe('');
      expect(resumed.stdout).toContain('recorded     signatures/03-approved-quinn.dsse.json');
      expect((await runCli(['verify', rel], opts)).code).toBe(0);
      expect(readFileSync(p, 'utf8')).toContain('"action":"sign.resume"');
    } finally {
      repo.cleanup();
    }
  });
});

function spawnSign(repo: Enrolled, killAfterMs: number | null): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'sign', rel, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], {
      cwd: repo.root, env: { ...process.env, ...repo.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    child.stdin.end(quinn);
    const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}
