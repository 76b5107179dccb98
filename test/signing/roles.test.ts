// Roles over time (issue 12, item 3; ES-06, ES-07, PC-10, AT-07): role changes are signed by an admin and
// recorded in the audit trail; each signature is judged by the roles in force when it was made; signers.yaml
// edited by hand is found; the same person reviewing and approving one record is refused (exit 5) and fails
// verification (exit 4).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditTrail } from '../../src/signing/audit.js';
import { loadSignerRegistry } from '../../src/signing/repo.js';
import { changeRole } from '../../src/signing/roles-change.js';
import { buildRoleHistory, readRoleChangeFiles, registryFindings } from '../../src/signing/roles.js';
import { signReport } from '../../src/signing/sign.js';
import { rolesAt } from '../../src/signing/signers.js';
import { verifyReport } from '../../src/signing/verify-report.js';
import { runCli } from '../helpers/cli.js';
import { ADMIN } from '../helpers/enrol.js';
import { buildReport, ctxFor, enrolledRepo, forgeSignature, T, withCopy, writeReport, type Enrolled, signThrough } from './fixture.js';

// The fixture's admin (ada, role admin only): they issue certificates and change roles, they sign no record.
const ADMIN_PASS = ADMIN.passphrase;
const at = (iso: string) => new Date(iso);
const D = {
  granted: at('2026-10-08T13:00:00Z'),
  removed: at('2026-10-10T09:00:00Z'),
  later: at('2026-10-11T09:00:00Z'),
  verify: at('2026-10-12T08:00:00Z'),
};

let base: Enrolled;
beforeAll(async () => {
  base = await enrolledRepo();
});
afterAll(() => base?.cleanup());

function admin(repo: Enrolled, action: 'grant' | 'revoke', signer: string, role: string, now: Date, by = 'ada', pass = ADMIN_PASS) {
  return changeRole(repo.root, { action, signer, role, by, reason: `${action} ${role} for ${signer} (test)`, now, env: repo.env, passphrase: async () => pass, host: 'test-host' });
}

async function signed(repo: Enrolled, reportId: string, chain: Array<[string, 'executed' | 'reviewed' | 'approved', Date]>): Promise<string> {
  const dir = await writeReport(repo.root, buildReport({ reportId }));
  for (const [id, meaning, when] of chain) await signReport(dir, id, meaning, null, ctxFor(repo, id, when));
  return dir;
}

const cli = (repo: Enrolled, args: string[], now: Date, stdin?: string) => runCli(args, { cwd: repo.root, env: { ...repo.env, PATH: process.env.PATH ?? '/usr/bin:/bin' }, now, stdin });

describe('roles over time', () => {
  it('removing a role today leaves yesterday\'s approval valid; a new approval is refused', () => withCopy(base, async (repo) => {
    const dir = await signed(repo, 'QP-0001-20261008T090000Z-r001', [['eve', 'executed', T.executed], ['rita', 'reviewed', T.reviewed], ['quinn', 'approved', T.approved]]);
    expect((await verifyReport(dir, { now: D.verify })).ok).toBe(true);
    // Quinn leaves QA: both roles that permitted the approval are revoked, by the admin, signed.
    await admin(repo, 'revoke', 'quinn', 'approver', D.removed);
    await admin(repo, 'revoke', 'quinn', 'qa', D.removed);
    const registry = loadSignerRegistry(repo.root)!;
    expect(registry.signer('quinn')!.roles).toEqual([]);
    expect(rolesAt(registry, 'quinn', T.approved.toISOString())).toEqual(['approver', 'qa']);
    expect(rolesAt(registry, 'quinn', D.verify.toISOString())).toEqual([]);
    const r = await verifyReport(dir, { now: D.verify });
    expect(r.findings).toEqual([]);
    expect(r.signatures.map((s) => [s.signerId, s.meaning, s.valid])).toEqual([['eve', 'executed', true], ['rita', 'reviewed', true], ['quinn', 'approved', true]]);
    const out = await cli(repo, ['verify', dir], D.verify);
    expect(out.code).toBe(0);
    // After the revocation quinn approves nothing.
    const next = await signed(repo, 'QP-0001-20261008T090000Z-r002', [['eve', 'executed', D.later], ['rita', 'reviewed', D.later]]);
    const err = await signReport(next, 'quinn', 'approved', null, ctxFor(repo, 'quinn', D.later)).then(() => null, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('SIGN_ROLE_FORBIDDEN');
    expect(err?.message).toContain('"quinn" has the role(s) none');
  }));

  it('an approval made before the role was granted fails, one made after holds', () => withCopy(base, async (repo) => {
    // rita (reviewer) is granted approver at D.granted; an approval dated before it is forged (sign refuses it).
    await admin(repo, 'grant', 'rita', 'approver', D.granted);
    const early = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261008T090000Z-r003' }));
    await signThrough(repo, early, 'executed');
    await signReport(early, 'quinn', 'reviewed', null, ctxFor(repo, 'quinn', T.reviewed));
    const refused = await signReport(early, 'rita', 'approved', null, ctxFor(repo, 'rita', T.approved)).then(() => null, (e: Error & { code?: string }) => e);
    expect(refused?.code).toBe('SIGN_ROLE_FORBIDDEN');
    await forgeSignature(repo, early, 'rita', 'approved', T.approved);
    const bad = await verifyReport(early, { now: D.verify });
    expect(bad.ok).toBe(false);
    const approval = bad.signatures.find((s) => s.meaning === 'approved')!;
    expect(approval.valid).toBe(false);
    expect(approval.reasons.join('; ')).toContain('the role(s) reviewer of "rita" at 2026-10-08T12:00:00Z do not permit the meaning "approved"');
    expect((await cli(repo, ['verify', early], D.verify)).code).toBe(4);

    const late = await signed(repo, 'QP-0001-20261008T090000Z-r004', [['eve', 'executed', D.later], ['quinn', 'reviewed', D.later], ['rita', 'approved', D.later]]);
    const good = await verifyReport(late, { now: D.verify });
    expect(good.signatures.map((s) => s.valid)).toEqual([true, true, true]);
    // The forged early approval is the only failure of the repository (its own report).
    expect(good.findings).toEqual([]);
  }));

  it('a role written into signers.yaml by hand counts for nothing and is found (AT-07)', () => withCopy(base, async (repo) => {
    const file = join(repo.root, 'signers.yaml');
    const text = readFileSync(file, 'utf8');
    // rita's roles: [reviewer] → [reviewer, approver], not through qualify.
    const edited = text.replace(/(id: rita\n(?:.*\n)*?\s+roles:\n(\s+)- reviewer\n)/, '$1$2- approver\n');
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    expect(loadSignerRegistry(repo.root)!.signer('rita')!.roles).toEqual(['reviewer', 'approver']);
    const dir = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261008T090000Z-r005' }));
    // Signing judges the signed history, not the file: and the edited registry makes the record unsignable.
    const err = await signReport(dir, 'eve', 'executed', null, ctxFor(repo, 'eve', T.executed)).then(() => null, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('RECORD_NOT_VERIFIED');
    expect(err?.message).toContain('SIGNERS_EDITED');
    const r = await verifyReport(dir, { now: D.verify });
    expect(r.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['SIGNERS_EDITED', 'SIGNERS_ROLES_UNSIGNED']));
    expect(r.findings.find((f) => f.code === 'SIGNERS_ROLES_UNSIGNED')!.message).toContain('gives "rita" the role(s) approver, reviewer, but the signed role history says reviewer');
    const audit = await cli(repo, ['audit', '--verify'], D.verify);
    expect(audit.code).toBe(4);
    expect(audit.stdout).toContain('SIGNERS_EDITED');
    expect((await cli(repo, ['verify', dir], D.verify)).code).toBe(4);
  }));

  it('a reviewed hand edit of signers.yaml (not of roles) is recorded by an admin; then verify accepts it', () => withCopy(base, async (repo) => {
    const file = join(repo.root, 'signers.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}# reviewed under CC-2026-051\n`);
    const dir = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261008T090000Z-r010' }));
    expect((await verifyReport(dir, { now: D.verify })).findings.map((f) => f.code)).toContain('SIGNERS_EDITED');
    const refused = await cli(repo, ['roles', 'record-edit', '--as', 'quinn', '--reason', 'comment', '--passphrase-stdin'], D.verify, 'quinn approves with care\n');
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('ROLE_ADMIN_REQUIRED');
    const ok = await cli(repo, ['roles', 'record-edit', '--as', 'ada', '--reason', 'comment added (CC-2026-051)', '--passphrase-stdin'], D.verify, `${ADMIN_PASS}\n`);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readAuditTrail(repo.root).entries.at(-1)).toMatchObject({ action: 'signers.update', who: { id: 'ada' }, why: 'comment added (CC-2026-051)' });
    expect((await verifyReport(dir, { now: D.verify })).findings).toEqual([]);
    // Roles are never changed this way.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/(id: rita\n(?:.*\n)*?\s+roles:\n(\s+)- reviewer\n)/, '$1$2- approver\n'));
    const roles = await cli(repo, ['roles', 'record-edit', '--as', 'ada', '--reason', 'rita approves', '--passphrase-stdin'], D.verify, `${ADMIN_PASS}\n`);
    expect(roles.code).toBe(3);
    expect(roles.stderr).toContain('SIGNERS_ROLES_UNSIGNED');
  }));

  it('the same QA person reviewing and approving one record: refused at sign (exit 5), fails verify (exit 4)', () => withCopy(base, async (repo) => {
    const dir = await signed(repo, 'QP-0001-20261008T090000Z-r006', [['eve', 'executed', T.executed], ['quinn', 'reviewed', T.reviewed]]);
    const out = await cli(repo, ['sign', dir, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], T.approved, 'quinn approves with care\n');
    expect(out.code).toBe(5);
    expect(out.stderr).toContain('SEGREGATION_VIOLATED');
    expect(out.stderr).toContain('"quinn" signed it as reviewed and cannot sign it as approved (segregation of duties, the strict default (executor ≠ reviewer ≠ approver): reviewed ≠ approved)');
    expect(readAuditTrail(repo.root).entries.at(-1)!.action).toBe('sign.refused');
    // Made outside the signing process, the approval fails verification.
    await forgeSignature(repo, dir, 'quinn', 'approved', T.approved);
    const r = await verifyReport(dir, { now: D.verify });
    expect(r.signatures.at(-1)!.valid).toBe(false);
    expect(r.signatures.at(-1)!.reasons.join('; ')).toContain('reviewed ≠ approved');
    expect((await cli(repo, ['verify', dir], D.verify)).code).toBe(4);
  }));

  it('qualify.yaml may lift reviewer ≠ approver, never executor ≠ approver; a bad policy is a clear error', () => withCopy(base, async (repo) => {
    writeFileSync(join(repo.root, 'qualify.yaml'), 'signers: signers.yaml\nsegregation:\n  - [executed, reviewed]\n');
    const dir = await signed(repo, 'QP-0001-20261008T090000Z-r007', [['eve', 'executed', T.executed], ['quinn', 'reviewed', T.reviewed], ['quinn', 'approved', T.approved]]);
    expect((await verifyReport(dir, { now: D.verify })).signatures.map((s) => s.valid)).toEqual([true, true, true]);
    const own = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261008T090000Z-r008', executor: 'adam' }));
    await signReport(own, 'adam', 'executed', null, ctxFor(repo, 'adam', T.executed));
    await signReport(own, 'rita', 'reviewed', null, ctxFor(repo, 'rita', T.reviewed));
    const err = await signReport(own, 'adam', 'approved', null, ctxFor(repo, 'adam', T.approved)).then(() => null, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('SEGREGATION_VIOLATED');
    writeFileSync(join(repo.root, 'qualify.yaml'), 'signers: signers.yaml\nsegregation:\n  - [reviewed, reviewd]\n');
    const bad = await cli(repo, ['sign', own, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], T.approved, 'quinn approves with care\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('qualify.yaml "segregation" item 1: expected "strict" or a list of meaning pairs such as [executed, reviewed] (meanings: executed, reviewed, approved), two different meanings; found ["reviewed","reviewd"]');
  }));

  it('only an admin changes roles, never for themselves; refusals are audited and exit 5', () => withCopy(base, async (repo) => {
    const notAdmin = await cli(repo, ['roles', 'grant', '--signer', 'rita', '--role', 'approver', '--as', 'quinn', '--reason', 'needs it', '--passphrase-stdin'], D.granted, 'quinn approves with care\n');
    expect(notAdmin.code).toBe(5);
    expect(notAdmin.stderr).toContain('ROLE_ADMIN_REQUIRED');
    expect(readAuditTrail(repo.root).entries.at(-1)).toMatchObject({ action: 'roles.refused', who: { id: 'quinn' } });
    const self = await cli(repo, ['roles', 'grant', '--signer', 'ada', '--role', 'approver', '--as', 'ada', '--reason', 'more power', '--passphrase-stdin'], D.granted, `${ADMIN_PASS}\n`);
    expect(self.code).toBe(5);
    expect(self.stderr).toContain('ROLE_SELF_GRANT');
    const wrong = await cli(repo, ['roles', 'grant', '--signer', 'rita', '--role', 'approver', '--as', 'ada', '--reason', 'x', '--passphrase-stdin'], D.granted, 'not the passphrase\n');
    expect(wrong.code).not.toBe(0);
    expect(readAuditTrail(repo.root).entries.at(-1)!.why).toContain('AUTH_FAILED');
    const ok = await cli(repo, ['roles', 'grant', '--signer', 'rita', '--role', 'approver', '--as', 'ada', '--reason', 'QA deputy from October', '--passphrase-stdin'], D.granted, `${ADMIN_PASS}\n`);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('granted approver to rita (signed by ada): roles/0001-grant-rita-approver.dsse.json');
    const trail = readAuditTrail(repo.root).entries;
    expect(trail.slice(-2).map((e) => e.action)).toEqual(['roles.grant', 'signers.update']);
    expect(trail.at(-2)).toMatchObject({ who: { id: 'ada' }, object: { type: 'signer', id: 'rita' }, old: ['reviewer'], new: ['approver', 'reviewer'], why: 'QA deputy from October' });
    const list = await cli(repo, ['roles', '--signer', 'rita'], D.verify);
    expect(list.stdout).toContain('rita: approver, reviewer');
    expect(list.stdout).toContain('2026-10-01T08:00:00Z  enrolled with reviewer');
    expect(list.stdout).toContain('2026-10-08T13:00:00Z  grant approver by ada: QA deputy from October (roles/0001-grant-rita-approver.dsse.json)');
    expect((await cli(repo, ['audit', '--verify'], D.verify)).code).toBe(0);
  }));

  it('a role change altered, removed or made outside qualify fails verification', () => withCopy(base, async (repo) => {
    const change = await admin(repo, 'grant', 'rita', 'approver', D.granted);
    const dir = await signed(repo, 'QP-0001-20261008T090000Z-r009', [['eve', 'executed', D.later], ['quinn', 'reviewed', D.later], ['rita', 'approved', D.later]]);
    expect((await verifyReport(dir, { now: D.verify })).ok).toBe(true);
    const path = join(repo.root, change.file);
    const bytes = readFileSync(path);
    // Removed: rita's approval loses its role, and the removal is named.
    rmSync(path);
    const removed = await verifyReport(dir, { now: D.verify });
    expect(removed.findings.map((f) => f.code)).toContain('ROLE_CHANGE_REMOVED');
    expect(removed.signatures.at(-1)!.valid).toBe(false);
    // Altered (one byte of the signature).
    const env = JSON.parse(bytes.toString('utf8'));
    env.signatures[0].sig = `${env.signatures[0].sig.slice(0, -4)}AAA=`;
    writeFileSync(path, `${JSON.stringify(env, null, 2)}\n`);
    const altered = await verifyReport(dir, { now: D.verify });
    expect(altered.findings.find((f) => f.code === 'ROLE_CHANGE_INVALID')?.message).toMatch(/cryptographic signature does not verify|differs from the file the audit trail recorded/);
    expect(altered.ok).toBe(false);
  }));

  it('migration: a trail written before roles.enrol takes the roles from the enrolment entry', () => {
    // The trail as an older qualify wrote it: keys.create and keys.issue entries only, no roles.enrol.
    const trail = readAuditTrail(base.root);
    const legacy = { ...trail, entries: trail.entries.filter((e) => e.action !== 'roles.enrol') };
    expect(legacy.entries.length).toBeLessThan(trail.entries.length);
    const registry = loadSignerRegistry(base.root)!;
    const history = buildRoleHistory(legacy, registry, readRoleChangeFiles(base.root));
    // "enrolled Adam Author (adam) with roles author, executor, approver on their request of ...", "with roles admin, the first signer".
    expect(history.rolesAt('adam', T.approved.toISOString())).toEqual(['approver', 'author', 'executor']);
    expect(history.rolesAt('quinn', T.approved.toISOString())).toEqual(['approver', 'qa']);
    expect(history.rolesAt('ada', T.approved.toISOString())).toEqual(['admin']);
    expect(registryFindings(registry, readFileSync(join(base.root, 'signers.yaml'), 'utf8'), legacy, history)).toEqual([]);
  });
});
