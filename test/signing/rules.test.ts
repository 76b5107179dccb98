// Rules enforced when signing (refused before anything is written, and audited), and the deviation flow.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDeviation, signReport } from '../../src/signing/sign.js';
import { revokeSignerKeys } from '../../src/signing/enrol.js';
import { verifyReport } from '../../src/signing/verify-report.js';
import { readAuditTrail } from '../../src/signing/audit.js';
import { ApprovalError } from '../../src/model/errors.js';
import { buildReport, ctxFor, withCopy, enrolledRepo, T, writeReport, type Enrolled, signThrough } from './fixture.js';

let base: Enrolled;
beforeAll(async () => { base = await enrolledRepo(); });
afterAll(() => base?.cleanup());

async function refused(p: Promise<unknown>, code: string, message: RegExp | string): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  expect((err as ApprovalError).code).toBe(code);
  if (typeof message === 'string') expect((err as Error).message).toContain(message);
  else expect((err as Error).message).toMatch(message);
}

const withRepo = (fn: (repo: Enrolled) => Promise<void>) => withCopy(base, fn);

describe('signing rules', () => {
  it('refuses a meaning the role does not permit, before asking the passphrase', () => withRepo(async (repo) => {
    const dir = await writeReport(repo.root);
    let asked = false;
    await refused(signReport(dir, 'rita', 'executed', null, { ...ctxFor(repo, 'rita', T.executed), passphrase: async () => { asked = true; return 'x'; } }), 'SIGN_ROLE_FORBIDDEN', '"rita" has the role(s) reviewer, which do not permit the meaning "executed"');
    expect(asked).toBe(false);
    expect(existsSync(join(dir, 'signatures'))).toBe(false);
    const last = readAuditTrail(repo.root).entries.at(-1)!;
    expect(last.action).toBe('sign.refused');
    expect(last.who.id).toBe('rita');
    expect(last.why).toContain('SIGN_ROLE_FORBIDDEN');
  }));

  it('refuses review before execution, and execution by someone other than the executor', () => withRepo(async (repo) => {
    const dir = await writeReport(repo.root);
    await refused(signReport(dir, 'rita', 'reviewed', null, ctxFor(repo, 'rita', T.reviewed)), 'SIGN_REFUSED', 'no valid "executed" signature precedes this review');
    await refused(signReport(dir, 'adam', 'executed', null, ctxFor(repo, 'adam', T.executed)), 'SIGN_REFUSED', 'it was executed by "eve", who alone signs it as executed');
    expect(existsSync(join(dir, 'signatures'))).toBe(false);
  }));

  it('refuses approval by the executor (segregation of duties)', () => withRepo(async (repo) => {
    const dir = await writeReport(repo.root, buildReport({ executor: 'adam' }));
    await signReport(dir, 'adam', 'executed', null, ctxFor(repo, 'adam', T.executed));
    await signReport(dir, 'rita', 'reviewed', null, ctxFor(repo, 'rita', T.reviewed));
    // Refused before the passphrase is asked, with exit 5 (a permission refusal).
    await refused(signReport(dir, 'adam', 'approved', null, ctxFor(repo, 'adam', T.approved)), 'SEGREGATION_VIOLATED', '"adam" executed and cannot sign it as approved (segregation of duties');
    expect(readdirSync(join(dir, 'signatures'))).toHaveLength(2);
  }));

  it('refuses a wrong passphrase and audits it', () => withRepo(async (repo) => {
    const dir = await writeReport(repo.root);
    await refused(signReport(dir, 'eve', 'executed', null, { ...ctxFor(repo, 'eve', T.executed), passphrase: async () => 'not her passphrase' }), 'AUTH_FAILED', /the passphrase does not open the key [0-9a-f]{16} of "eve"; nothing was signed/);
    expect(readAuditTrail(repo.root).entries.at(-1)!.why).toContain('AUTH_FAILED');
    expect(JSON.stringify(readAuditTrail(repo.root).entries)).not.toContain('not her passphrase');
  }));

  it('refuses a revoked key; signatures made before the revocation stay valid', () => withRepo(async (repo) => {
    const dir = await writeReport(repo.root);
    await signThrough(repo, dir, 'executed');
    await revokeSignerKeys(repo.root, { id: 'eve', reason: 'left the company', now: new Date('2026-10-08T10:30:00Z') });
    await signReport(dir, 'rita', 'reviewed', null, ctxFor(repo, 'rita', T.reviewed));
    const r = await verifyReport(dir, { now: T.verify });
    expect(r.ok).toBe(true);
    expect(r.signatures[0]!.notes[0]).toMatch(/key [0-9a-f]{16} was revoked later, at 2026-10-08T10:30:00Z \(left the company\)/);
    const other = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261010T090000Z-c3d4' }));
    await refused(signReport(other, 'eve', 'executed', null, ctxFor(repo, 'eve', T.approved)), 'KEY_REVOKED', /every key of "eve" is revoked/);
  }));

  it('refuses approval with an open deviation until QA dispositions it; the approval lists the disposition', () => withRepo(async (repo) => {
    const dir = await writeReport(repo.root, buildReport({ deviation: true }));
    await signThrough(repo, dir, 'reviewed');
    await refused(signReport(dir, 'quinn', 'approved', null, ctxFor(repo, 'quinn', T.approved)), 'SIGN_REFUSED', 'deviation(s) DEV-001 have no QA disposition');
    await refused(closeDeviation(dir, 'DEV-001', 'impact none', 'eve', ctxFor(repo, 'eve', T.dispositioned)), 'SIGN_ROLE_FORBIDDEN', 'do not permit the meaning "dispositioned"');
    await refused(closeDeviation(dir, 'DEV-009', 'x', 'quinn', ctxFor(repo, 'quinn', T.dispositioned)), 'DEVIATION_UNKNOWN', 'has no deviation DEV-009; it has DEV-001');
    const recordBefore = readFileSync(join(dir, 'report.json'));
    const d = await closeDeviation(dir, 'DEV-001', 'Protocol error: expected 1.4.3 was a typo; 1.4.2 is the approved release. No impact. CAPA-12.', 'quinn', ctxFor(repo, 'quinn', T.dispositioned));
    expect(d.file).toBe('dispositions/DEV-001.dsse.json');
    expect(readFileSync(join(dir, 'report.json')).equals(recordBefore)).toBe(true);
    const a = await signReport(dir, 'quinn', 'approved', 'conditional release per DEV-001', ctxFor(repo, 'quinn', T.approved));
    expect((a.payload as { dispositions: Array<{ deviation: string }> }).dispositions.map((x) => x.deviation)).toEqual(['DEV-001']);
    const r = await verifyReport(dir, { now: T.verify });
    expect(r.findings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.dispositions.map((x) => [x.signerId, x.valid])).toEqual([['quinn', true]]);
    expect(r.passed).toContain('report.pdf: embedded report.json matches the record (with its dispositions)');
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('| closed: Protocol error: expected 1.4.3 was a typo; 1.4.2 is the approved release. No impact. CAPA-12. (quinn, 2026-10-08T11:30:00Z) |');
    expect(md).toMatch(/\| approved \| Quinn Approver \| quinn \| 2026-10-08T12:00:00Z \| `[0-9a-f]{64}` \| conditional release per DEV-001 \|/);
    const entry = readAuditTrail(repo.root).entries.find((e) => e.action === 'deviation.close')!;
    expect([entry.field, entry.old, entry.new, entry.who.id]).toEqual(['deviations.DEV-001.status', 'open', 'closed', 'quinn']);
    await refused(signReport(dir, 'rita', 'reviewed', null, ctxFor(repo, 'rita', new Date('2026-10-08T13:00:00Z'))), 'RECORD_CLOSED', 'an approved record is closed');
  }));

  it('refuses to sign a record that does not verify', () => withRepo(async (repo) => {
    const dir = await writeReport(repo.root);
    const p = join(dir, 'evidence/IQ-01.1-inspect.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(p, readFileSync(p, 'utf8').replace('running', 'exited!'));
    await refused(signReport(dir, 'eve', 'executed', null, ctxFor(repo, 'eve', T.executed)), 'RECORD_NOT_VERIFIED', /does not verify, so it cannot be signed:\n {2}EVIDENCE_ALTERED evidence\/IQ-01\.1-inspect\.json \(step IQ-01\.1\) has sha256/);
  }));

  it('refuses a dry run', () => withRepo(async (repo) => {
    const built = buildReport();
    built.report.dryRun = true;
    const dir = await writeReport(repo.root, built);
    await refused(signReport(dir, 'eve', 'executed', null, ctxFor(repo, 'eve', T.executed)), 'SIGN_REFUSED', 'a dry run is not a GxP record and cannot be signed');
  }));
});
