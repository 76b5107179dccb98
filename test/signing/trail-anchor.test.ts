// An audit trail that cannot be trimmed (issue 12, item 5; AT-02, AT-03, EX-06). The finding: removing two
// entries and recomputing the chain passed `audit --verify` and `verify`; deleting a failed run's report
// folder passed both. Every signed envelope now carries the trail head (seq, hash) it was made at, every run
// entry names its folder, and both commands check the trail against what the repository holds (exit 4).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEntry, readAuditTrail, type AuditEntry } from '../../src/signing/audit.js';
import { canonicalJson, sha256Hex } from '../../src/signing/hash.js';
import { signReport } from '../../src/signing/sign.js';
import { verifyReport } from '../../src/signing/verify-report.js';
import { runCli } from '../helpers/cli.js';
import { git } from '../helpers/tmp.js';
import { buildReport, ctxFor, enrolledRepo, T, withCopy, writeReport, type Enrolled, signThrough } from './fixture.js';

const TRAIL = 'audit/trail.jsonl';
const env = (repo: Enrolled) => ({ ...repo.env, PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.invalid' });
const cli = (repo: Enrolled, args: string[]) => runCli(args, { cwd: repo.root, env: env(repo), now: T.verify });

/** Rewrites the trail without the entries `drop` selects, recomputing seq, prev and hash: a clean-looking chain. */
function trimAndRechain(root: string, drop: (e: AuditEntry, i: number, all: AuditEntry[]) => boolean): AuditEntry[] {
  const path = join(root, TRAIL);
  const all = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  const removed = all.filter((e, i) => drop(e, i, all));
  let prev = '0'.repeat(64);
  const lines = all.filter((e, i) => !drop(e, i, all)).map((e, i) => {
    const { hash: _h, ...rest } = e;
    const body = { ...rest, seq: i + 1, prev };
    const hash = sha256Hex(canonicalJson(body));
    prev = hash;
    return canonicalJson({ ...body, hash });
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
  expect(readAuditTrail(root).problems).toEqual([]);
  return removed;
}

let base: Enrolled;
let reviewedDir: string;
let failedDir: string;
beforeAll(async () => {
  base = await enrolledRepo();
  // A failed run (a deviation), never signed; then a run executed and reviewed.
  failedDir = await writeReport(base.root, buildReport({ reportId: 'QP-0001-20261008T085000Z-fail', deviation: true }));
  reviewedDir = await writeReport(base.root, buildReport({ reportId: 'QP-0001-20261008T090000Z-good' }));
  await signThrough(base, reviewedDir, 'reviewed');
});
afterAll(() => base?.cleanup());

const rel = (dir: string, root: string) => dir.slice(root.length + 1);

describe('the trail head in signed files', () => {
  it('each signature carries the head of the trail it was made at, and both commands pass on the untouched repository', () => withCopy(base, async (repo) => {
    const trail = readAuditTrail(repo.root).entries;
    const dir = join(repo.root, rel(reviewedDir, base.root));
    for (const name of ['01-executed-eve', '02-reviewed-rita']) {
      const envelope = JSON.parse(readFileSync(join(dir, `signatures/${name}.dsse.json`), 'utf8'));
      const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
      const signEntry = trail.find((e) => e.action === 'sign' && e.ref?.path === `signatures/${name}.dsse.json`)!;
      // The head when the payload was made: before the signature's renderings and its own entry.
      expect(payload.trail.seq).toBeLessThan(signEntry.seq);
      expect(payload.trail).toEqual({ seq: payload.trail.seq, hash: trail.find((e) => e.seq === payload.trail.seq)!.hash });
    }
    const audit = await cli(repo, ['audit', '--verify']);
    expect(audit.code, audit.stdout).toBe(0);
    expect(audit.stdout).toMatch(/verified: \d+ entries, hash chain intact; audit trail witnessed by the repository: 7 signed file\(s\) anchor its head, 2 report folder\(s\) of its runs present, signers.yaml as qualify last wrote it/);
    expect((await cli(repo, ['verify', dir])).code).toBe(0);
  }));
});

describe('trimming the trail (the issue\'s finding) fails closed', () => {
  it('removing the last two entries and recomputing the chain: audit --verify and verify exit 4', () => withCopy(base, async (repo) => {
    // The review's PDF rendering and the review itself (each signature's renderings come before it).
    const removed = trimAndRechain(repo.root, (_e, i, all) => i >= all.length - 2);
    expect(removed.map((e) => `${e.action}:${e.field}`)).toEqual(['render:report.pdf', 'sign:status']);
    const audit = await cli(repo, ['audit', '--verify']);
    expect(audit.code).toBe(4);
    expect(audit.stdout).toContain('SIGNATURE_NOT_AUDITED');
    expect(audit.stdout).toContain('RENDERING_ALTERED');
    const dir = join(repo.root, rel(reviewedDir, base.root));
    const verify = await cli(repo, ['verify', dir]);
    expect(verify.code).toBe(4);
    expect(verify.stdout).toContain('SIGNATURE_NOT_AUDITED');
  }));

  it('removing two entries before the last signature (refusals nothing else shows) is found by the signed head', () => withCopy(base, async (repo) => {
    // Two refusals recorded between the review and the approval: they leave no file behind.
    const dir = join(repo.root, rel(reviewedDir, base.root));
    const who = { id: 'quinn', name: 'Quinn Approver' };
    const object = { type: 'report', id: 'QP-0001-20261008T090000Z-good', path: rel(reviewedDir, base.root) };
    await appendAuditEntry(repo.root, { at: '2026-10-08T11:40:00Z', who, action: 'sign.refused', object, why: 'AUTH_FAILED: wrong passphrase', host: 'test-host' });
    await appendAuditEntry(repo.root, { at: '2026-10-08T11:41:00Z', who, action: 'sign.refused', object, why: 'AUTH_FAILED: wrong passphrase', host: 'test-host' });
    await signReport(dir, 'quinn', 'approved', null, ctxFor(repo, 'quinn', T.approved));
    expect((await cli(repo, ['audit', '--verify'])).code).toBe(0);
    trimAndRechain(repo.root, (e) => e.action === 'sign.refused');
    const audit = await cli(repo, ['audit', '--verify']);
    expect(audit.code).toBe(4);
    expect(audit.stdout).toMatch(/AUDIT_TRAIL_REWRITTEN .*signatures\/03-approved-quinn\.dsse\.json was signed when the audit trail's entry \d+ had hash [0-9a-f]{16}; that entry now has [0-9a-f]{16}/);
    const verify = await cli(repo, ['verify', dir]);
    expect(verify.code).toBe(4);
    expect(verify.stdout).toContain('AUDIT_TRAIL_REWRITTEN');
  }));

  it('cutting the trail below a signed head is named as trimmed', () => withCopy(base, async (repo) => {
    // Everything from the review's sign entry on: the review's envelope names a head the trail no longer reaches.
    const dir = join(repo.root, rel(reviewedDir, base.root));
    const envelope = JSON.parse(readFileSync(join(dir, 'signatures/02-reviewed-rita.dsse.json'), 'utf8'));
    const cut = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')).trail.seq as number;
    trimAndRechain(repo.root, (e) => e.seq >= cut);
    const audit = await cli(repo, ['audit', '--verify']);
    expect(audit.code).toBe(4);
    expect(audit.stdout).toMatch(/AUDIT_TRAIL_TRIMMED .*02-reviewed-rita\.dsse\.json was signed when the audit trail's head was entry \d+ .*; the trail now ends at entry \d+: entries were removed/);
  }));
});

describe('deleting a report folder fails closed', () => {
  it('a failed run\'s report folder deleted: audit --verify and verify (of another report) exit 4', () => withCopy(base, async (repo) => {
    rmSync(join(repo.root, rel(failedDir, base.root)), { recursive: true });
    const audit = await cli(repo, ['audit', '--verify']);
    expect(audit.code).toBe(4);
    expect(audit.stdout).toContain(`REPORT_FOLDER_MISSING the run of QP-0001-20261008T085000Z-fail (audit trail seq`);
    expect(audit.stdout).toContain('conclusion fail) wrote reports/QP-0001/QP-0001-20261008T085000Z-fail, which is missing: a record is never deleted, only invalidated with a reason');
    const verify = await cli(repo, ['verify', join(repo.root, rel(reviewedDir, base.root))]);
    expect(verify.code).toBe(4);
    expect(verify.stdout).toContain('REPORT_FOLDER_MISSING');
  }));

  it('a dry run\'s folder (a git-ignored try, never a record) may be deleted', () => withCopy(base, async (repo) => {
    const built = buildReport({ reportId: 'QP-0001-DRYRUN-20261008T093000Z-d001' });
    built.report.dryRun = true;
    const dry = await writeReport(repo.root, built);
    rmSync(dry, { recursive: true });
    const audit = await cli(repo, ['audit', '--verify']);
    expect(audit.code, audit.stdout).toBe(0);
  }));

  it('the folder deleted and its entries removed from the trail (chain recomputed): the later signatures\' heads find it', () => withCopy(base, async (repo) => {
    rmSync(join(repo.root, rel(failedDir, base.root)), { recursive: true });
    const removed = trimAndRechain(repo.root, (e) => e.object?.id === 'QP-0001-20261008T085000Z-fail');
    expect(removed.map((e) => e.action)).toEqual(['run', 'render', 'render']);
    const audit = await cli(repo, ['audit', '--verify']);
    expect(audit.code).toBe(4);
    expect(audit.stdout).toContain('AUDIT_TRAIL_REWRITTEN');
    expect((await cli(repo, ['verify', join(repo.root, rel(reviewedDir, base.root))])).code).toBe(4);
  }));
});

describe('git as a second witness', () => {
  it('entries after the last signed head that left no file are found once the trail was committed', () => withCopy(base, async (repo) => {
    const object = { type: 'report', id: 'QP-0001-20261008T090000Z-good', path: rel(reviewedDir, base.root) };
    const who = { id: 'quinn', name: 'Quinn Approver' };
    await appendAuditEntry(repo.root, { at: '2026-10-08T11:40:00Z', who, action: 'sign.refused', object, why: 'AUTH_FAILED: wrong passphrase', host: 'test-host' });
    await appendAuditEntry(repo.root, { at: '2026-10-08T11:41:00Z', who, action: 'sign.refused', object, why: 'AUTH_FAILED: wrong passphrase', host: 'test-host' });
    git(repo.root, 'add', '-A');
    git(repo.root, 'commit', '-q', '-m', 'records and trail');
    trimAndRechain(repo.root, (_e, i, all) => i >= all.length - 2);
    const audit = await cli(repo, ['audit', '--verify']);
    expect(audit.code).toBe(4);
    expect(audit.stdout).toContain('AUDIT_HISTORY_REWRITTEN');
    const verify = await cli(repo, ['verify', join(repo.root, rel(reviewedDir, base.root))]);
    expect(verify.code).toBe(4);
    expect(verify.stdout).toContain('AUDIT_HISTORY_REWRITTEN');
    // The trimmed trail committed as if nothing happened: HEAD agrees with the work tree, the history does not.
    git(repo.root, 'add', '-A');
    git(repo.root, 'commit', '-q', '-m', 'trail "cleaned up"');
    const history = await cli(repo, ['audit', '--verify']);
    expect(history.code).toBe(4);
    expect(history.stdout).toMatch(/AUDIT_HISTORY_REWRITTEN commit [0-9a-f]{12} changed or removed entries of the audit trail committed in [0-9a-f]{12} \(\d+ entries\): the committed trail was rewritten/);
  }));
});
