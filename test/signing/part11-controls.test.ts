// Issue 12, the Part 11 controls an inspector checks first (items 1, 2, 4, 8): each finding reproduced
// through the CLI as people meet it, and refused now (exit 5 for authentication, permission, lock-out).
//   - enrolment by the person who signs, on separate key stores, no secret shared (ES-05, ES-08);
//   - the tool CA key encrypted with its holder's passphrase;
//   - lock-out after N failed passphrases, unlock by an admin (ES-09);
//   - the signature policy acknowledgement before the first signature (ES-13);
//   - attributable runs: --as authenticated, CI's service identity for a named person, manual answers (EX-01, EX-05, EX-13).
import { createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ADMIN } from '../helpers/enrol.js';
import { makeGitRepo, makeTempDir } from '../helpers/tmp.js';
import { readAuditTrail } from '../../src/signing/audit.js';
import { buildReport, enrolSigners, forgeSignature, PASSPHRASES, PROTOCOL, SIGNERS, SOP, T, writeReport, type Enrolled } from './fixture.js';

const temps: Array<{ cleanup(): void }> = [];
afterAll(() => { for (const t of temps) t.cleanup(); });
const tmp = (prefix: string) => { const t = makeTempDir(prefix); temps.push(t); return t.dir; };
const later = (min: number) => new Date(T.keys.getTime() + min * 60_000);
const afterRun = (min: number) => new Date(T.executed.getTime() + min * 60_000);

describe('item 1: enrolment by the person who signs', () => {
  it('two signers enrol on two separate $QUALIFY_HOMEs without sharing a secret, and both can sign', async () => {
    const root = tmp('qualify-enrol-');
    makeGitRepo(root, { 'qualify.yaml': 'signers: signers.yaml\n', 'protocols/QP-0001.md': PROTOCOL, 'sops/SOP-0013.md': SOP });
    const homes = { ada: tmp('home-ada-'), eve: tmp('home-eve-'), quinn: tmp('home-quinn-') };
    const as = (who: keyof typeof homes, args: string[], stdin?: string, now = later(1)) => runCli(args, { cwd: root, env: { QUALIFY_HOME: homes[who] }, stdin, now });
    const pass = { ada: ADMIN.passphrase, eve: PASSPHRASES.eve!, quinn: PASSPHRASES.quinn! };

    // The admin bootstraps: their key and the tool CA, whose key is encrypted with their passphrase.
    const boot = await as('ada', ['keys', 'create', '--as', 'ada', '--name', 'Ada Admin', '--email', 'ada@example.invalid', '--role', 'admin', '--passphrase-stdin'], `${pass.ada}\n`, T.keys);
    expect(boot.code, boot.stderr).toBe(0);
    const caFiles = readdirSync(join(homes.ada, 'ca'));
    expect(caFiles).toHaveLength(1);
    const caPem = readFileSync(join(homes.ada, 'ca', caFiles[0]!), 'utf8');
    expect(caPem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----')).toBe(true);
    expect(() => createPrivateKey(caPem)).toThrow();
    expect(createPrivateKey({ key: caPem, format: 'pem', passphrase: pass.ada }).asymmetricKeyType).toBe('rsa');

    // Finding: a second person could not enrol on their own machine (CA_KEY_MISSING), and `keys create`
    // made the CA holder type everyone's passphrase. Now `keys create` is for the first signer only.
    const second = await as('eve', ['keys', 'create', '--as', 'eve', '--name', 'Eve Executor', '--email', 'eve@example.invalid', '--role', 'executor', '--passphrase-stdin'], `${pass.eve}\n`);
    expect(second.code).toBe(5);
    expect(second.stderr).toContain('KEYS_CREATE_BOOTSTRAP_ONLY');
    expect(second.stderr).toContain('qualify keys request');

    // Each person makes their key in their own key store and hands over a request without secrets.
    const requests: Record<string, string> = {};
    for (const [id, name, roles] of [['eve', 'Eve Executor', ['executor']], ['quinn', 'Quinn Approver', ['approver', 'qa']]] as const) {
      requests[id] = join(tmp('requests-'), `${id}.key-request.json`);
      const r = await as(id, ['keys', 'request', '--as', id, '--name', name, '--email', `${id}@example.invalid`, ...roles.flatMap((x) => ['--role', x]), '--out', requests[id]!, '--passphrase-stdin'], `${pass[id]}\n`);
      expect(r.code, r.stderr).toBe(0);
      const text = readFileSync(requests[id]!, 'utf8');
      expect(text).not.toMatch(/PRIVATE KEY|passphrase/i);
      expect(text).not.toContain(pass[id]);
      expect(readdirSync(join(homes[id], 'keys', id))).toHaveLength(1);
    }
    // A request altered on its way (another printed name) is refused: the CSR signed by the key says otherwise.
    const forgedRequest = join(tmp('requests-'), 'forged.json');
    writeFileSync(forgedRequest, readFileSync(requests.eve!, 'utf8').replace('"Eve Executor"', '"Eve Impostor"'));
    const forged = await as('ada', ['keys', 'issue', forgedRequest, '--as', 'ada', '--passphrase-stdin'], `${pass.ada}\n`);
    expect(forged.code).toBe(2);
    expect(forged.stderr).toContain('KEY_REQUEST_INVALID');
    // Only an admin issues; the admin types only their own passphrase.
    const issued = await as('ada', ['keys', 'issue', requests.quinn!, '--as', 'ada', '--passphrase-stdin'], `${pass.ada}\n`);
    expect(issued.code, issued.stderr).toBe(0);
    const notAdmin = await as('quinn', ['keys', 'issue', requests.eve!, '--as', 'quinn', '--passphrase-stdin'], `${pass.quinn}\n`);
    expect(notAdmin.code).toBe(5);
    expect(notAdmin.stderr).toContain('ADMIN_ROLE_REQUIRED');
    const wrongAdmin = await as('ada', ['keys', 'issue', requests.eve!, '--as', 'ada', '--passphrase-stdin'], `${pass.eve}\n`);
    expect(wrongAdmin.code).toBe(5);
    const eveIssued = await as('ada', ['keys', 'issue', requests.eve!, '--as', 'ada', '--passphrase-stdin'], `${pass.ada}\n`);
    expect(eveIssued.code, eveIssued.stderr).toBe(0);

    // No key store holds another person's private key.
    expect(existsSync(join(homes.ada, 'keys', 'eve'))).toBe(false);
    expect(existsSync(join(homes.ada, 'keys', 'quinn'))).toBe(false);
    expect(existsSync(join(homes.eve, 'ca'))).toBe(false);
    expect(existsSync(join(homes.quinn, 'keys', 'eve'))).toBe(false);
    const actions = readAuditTrail(root).entries.map((e) => `${e.action}:${e.who.id}:${e.object.id}`);
    expect(actions.filter((a) => a.startsWith('keys.issue'))).toEqual(['keys.issue:ada:quinn', 'keys.issue:ada:eve']);

    // Both sign, each with their own key store: quinn approves the SOP, eve signs a record as executed.
    for (const id of ['eve', 'quinn'] as const) expect((await as(id, ['keys', 'acknowledge', '--as', id, '--passphrase-stdin'], `${pass[id]}\n`, later(2))).code).toBe(0);
    for (const doc of ['sops/SOP-0013.md', 'protocols/QP-0001.md']) {
      const approve = await as('quinn', ['sign', doc, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], `${pass.quinn}\n`, later(3));
      expect(approve.code, approve.stderr).toBe(0);
    }
    const dir = await writeReport(root, buildReport());
    const executed = await as('eve', ['sign', dir, '--as', 'eve', '--meaning', 'executed', '--passphrase-stdin'], `${pass.eve}\n`, T.executed);
    expect(executed.code, executed.stderr).toBe(0);
    // Quinn's key is not in eve's store: eve's clone cannot sign as quinn.
    const elsewhere = await as('eve', ['sign', dir, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], `${pass.quinn}\n`, T.approved);
    expect(elsewhere.code).toBe(5);
    expect(elsewhere.stderr).toContain('KEY_NOT_FOUND');
    for (const target of ['sops/SOP-0013.md', dir]) {
      const v = await as('eve', ['verify', target], undefined, T.verify);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    }
  }, 180_000);
});

/** A repository with the fixture's signers enrolled (request + issue), acknowledgements as asked. */
async function repoWith(options: { acknowledge?: boolean; config?: string; protocol?: string } = {}): Promise<Enrolled> {
  const root = tmp('qualify-controls-');
  const home = tmp('qualify-controls-home-');
  makeGitRepo(root, { 'qualify.yaml': `signers: signers.yaml\n${options.config ?? ''}`, 'protocols/QP-0001.md': PROTOCOL, 'sops/SOP-0013.md': SOP, ...(options.protocol ? { 'protocols/QP-0009.md': options.protocol } : {}) });
  const env = { QUALIFY_HOME: home };
  await enrolSigners(root, env, SIGNERS, T.keys, { acknowledge: options.acknowledge });
  return { root, home, env, cleanup: () => {} };
}

describe('item 2: lock-out after failed passphrases (ES-09)', () => {
  it('six wrong passphrases then the right one: the 6th attempt is refused until an admin unlocks (exit 5)', async () => {
    const repo = await repoWith();
    const sign = (pass: string, min: number) => runCli(['sign', 'sops/SOP-0013.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { cwd: repo.root, env: repo.env, stdin: `${pass}\n`, now: later(min) });
    for (let n = 1; n <= 5; n++) {
      const r = await sign(`wrong guess ${n}`, n);
      expect(r.code, r.stderr).toBe(5);
      expect(r.stderr).toContain(n < 5 ? 'AUTH_FAILED' : 'KEY_LOCKED');
    }
    // Finding: after six wrong passphrases the seventh signed. Now the right passphrase is refused too.
    const right = await sign(PASSPHRASES.quinn!, 6);
    expect(right.code).toBe(5);
    expect(right.stderr).toContain('KEY_LOCKED');
    expect(existsSync(join(repo.root, 'approvals'))).toBe(false);
    const trail = readAuditTrail(repo.root).entries.filter((e) => e.object.id === 'quinn' && e.object.type === 'signer');
    expect(trail.map((e) => e.action)).toEqual(['keys.issue', 'roles.enrol', 'keys.acknowledge', 'auth.failed', 'auth.failed', 'auth.failed', 'auth.failed', 'auth.failed', 'keys.lock']);
    // Only an admin unlocks, authenticated by their own passphrase; the unlock is audited.
    const byQuinn = await runCli(['keys', 'unlock', '--as', 'rita', '--signer', 'quinn', '--passphrase-stdin'], { cwd: repo.root, env: repo.env, stdin: `${PASSPHRASES.rita}\n`, now: later(7) });
    expect(byQuinn.code).toBe(5);
    expect(byQuinn.stderr).toContain('ADMIN_ROLE_REQUIRED');
    const unlock = await runCli(['keys', 'unlock', '--as', ADMIN.id, '--signer', 'quinn', '--reason', 'identity checked in person', '--passphrase-stdin'], { cwd: repo.root, env: repo.env, stdin: `${ADMIN.passphrase}\n`, now: later(8) });
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(readAuditTrail(repo.root).entries.at(-1)).toMatchObject({ action: 'keys.unlock', who: { id: 'ada' }, object: { id: 'quinn' }, why: 'identity checked in person' });
    const after = await sign(PASSPHRASES.quinn!, 9);
    expect(after.code, after.stderr).toBe(0);
  }, 180_000);

  it('the limit comes from qualify.yaml; a success resets the count', async () => {
    const repo = await repoWith({ config: 'signatures:\n  max_failed_passphrases: 2\n' });
    const sign = (file: string, pass: string, min: number) => runCli(['sign', file, '--as', 'adam', '--meaning', 'authored', '--passphrase-stdin'], { cwd: repo.root, env: repo.env, stdin: `${pass}\n`, now: later(min) });
    expect((await sign('sops/SOP-0013.md', 'wrong one', 1)).stderr).toContain('AUTH_FAILED');
    expect((await sign('sops/SOP-0013.md', PASSPHRASES.adam!, 2)).code).toBe(0);
    expect((await sign('protocols/QP-0001.md', 'wrong two', 3)).stderr).toContain('AUTH_FAILED');
    const locked = await sign('protocols/QP-0001.md', 'wrong three', 4);
    expect(locked.code).toBe(5);
    expect(locked.stderr).toContain('KEY_LOCKED');
    expect((await sign('protocols/QP-0001.md', PASSPHRASES.adam!, 5)).stderr).toContain('KEY_LOCKED');
  }, 180_000);
});

describe('EX-13: a service identity never signs', () => {
  it('a signer declared a service identity afterwards: signing is refused (exit 5) and their signatures fail verify', async () => {
    const repo = await repoWith();
    const cli = (args: string[], stdin: string | undefined, now: Date) => runCli(args, { cwd: repo.root, env: repo.env, stdin, now });
    expect((await cli(['sign', 'sops/SOP-0013.md', '--as', 'adam', '--meaning', 'authored', '--passphrase-stdin'], `${PASSPHRASES.adam}\n`, later(1))).code).toBe(0);
    expect((await cli(['verify', 'sops/SOP-0013.md'], undefined, later(2))).stdout).toMatch(/authored.*valid/);
    writeFileSync(join(repo.root, 'qualify.yaml'), 'signers: signers.yaml\nsignatures:\n  service_identities: [adam]\n');
    const refused = await cli(['sign', 'protocols/QP-0001.md', '--as', 'adam', '--meaning', 'authored', '--passphrase-stdin'], `${PASSPHRASES.adam}\n`, later(3));
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('SERVICE_IDENTITY_CANNOT_SIGN');
    const v = await cli(['verify', 'sops/SOP-0013.md'], undefined, later(4));
    expect(v.code).toBe(4);
    expect(v.stdout).toContain('"adam" is a service identity');
  }, 120_000);
});

describe('item 2: the signature policy acknowledgement before the first signature (ES-13)', () => {
  it('a signer without an acknowledgement cannot sign; a signature made without one, or before it, fails verify', async () => {
    const repo = await repoWith({ acknowledge: false });
    const cli = (args: string[], stdin: string | undefined, now: Date) => runCli(args, { cwd: repo.root, env: repo.env, stdin, now });
    const refused = await cli(['sign', 'sops/SOP-0013.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], `${PASSPHRASES.quinn}\n`, later(1));
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('ACKNOWLEDGEMENT_MISSING');
    expect(refused.stderr).toContain('qualify keys acknowledge --as quinn');
    expect(existsSync(join(repo.root, 'approvals'))).toBe(false);

    // A record signed as executed by eve outside the tool's checks, before eve acknowledged: verify fails.
    const dir = await writeReport(repo.root, buildReport());
    await forgeSignature(repo, dir, 'eve', 'executed', T.executed);
    const ack = await cli(['keys', 'acknowledge', '--as', 'eve', '--passphrase-stdin'], `${PASSPHRASES.eve}\n`, T.reviewed);
    expect(ack.code, ack.stderr).toBe(0);
    expect(ack.stderr).toContain('legally binding equivalent of my traditional handwritten signature');
    expect(existsSync(join(repo.root, 'acknowledgements/eve.dsse.json'))).toBe(true);
    const v = await cli(['verify', dir], undefined, T.verify);
    expect(v.code).toBe(4);
    expect(v.stdout).toContain('before "eve" acknowledged the signature policy');
    const again = await cli(['keys', 'acknowledge', '--as', 'eve', '--passphrase-stdin'], `${PASSPHRASES.eve}\n`, T.approved);
    expect(again.code).toBe(5);

    // After acknowledging, the first signature goes through and verifies.
    expect((await cli(['keys', 'acknowledge', '--as', 'quinn', '--passphrase-stdin'], `${PASSPHRASES.quinn}\n`, later(2))).code).toBe(0);
    const signed = await cli(['sign', 'sops/SOP-0013.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], `${PASSPHRASES.quinn}\n`, later(3));
    expect(signed.code, signed.stderr).toBe(0);
    expect((await cli(['verify', 'sops/SOP-0013.md'], undefined, later(4))).code).toBe(0);
    // The acknowledgement removed: the approval no longer verifies.
    const { rmSync } = await import('node:fs');
    rmSync(join(repo.root, 'acknowledgements/quinn.dsse.json'));
    const gone = await cli(['verify', 'sops/SOP-0013.md'], undefined, later(5));
    expect(gone.code).toBe(4);
    expect(gone.stdout).toContain('no signature policy acknowledgement');
  }, 180_000);
});

/** Host commands and a manual step: no Docker needed. */
const RUN_PROTOCOL = `---
document_id: QP-0009
type: protocol
title: Host commands and a manual check
revision: "01"
status: effective
approvers: [quinn]
approval_date: 2026-10-01
effective_date: 2026-10-02
---
### OQ-01 A command that succeeds

\`\`\`check
type: command
argv: ["true"]
expect:
  exit_code: 0
\`\`\`

### OQ-02 The change record is approved

\`\`\`check
type: manual
instruction: Open the change record and check that it is approved.
expect:
  observation: The change record is approved.
\`\`\`
`;

describe('item 4: attributable runs', () => {
  let repo: Enrolled;
  const cli = (args: string[], now: Date, stdin?: string, env: Record<string, string> = {}) => runCli(args, { cwd: repo.root, env: { ...repo.env, ...env }, stdin, now });
  const reportOf = (r: { stdout: string }) => join(repo.root, r.stdout.trim().replace(/^report: /, ''));
  const record = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  const reports = () => (existsSync(join(repo.root, 'reports/QP-0009')) ? readdirSync(join(repo.root, 'reports/QP-0009')).filter((d) => !d.startsWith('.')) : []);
  beforeAll(async () => {
    repo = await repoWith({ protocol: RUN_PROTOCOL, config: 'signatures:\n  service_identities: [ci-bot]\n' });
    writeFileSync(join(repo.root, 'answers.yaml'), 'OQ-02:\n  answer: "pass: CR-2026-0142 approved"\n  by: mallory\n');
    const approve = await cli(['sign', 'protocols/QP-0009.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], later(1), `${PASSPHRASES.quinn}\n`);
    expect(approve.code, approve.stderr).toBe(0);
  }, 180_000);

  it('run --as an unknown id, a signer without the executor role, or with a wrong passphrase: refused (exit 5), no record', async () => {
    const base = ['run', 'protocols/QP-0009.md', '--answers', 'answers.yaml', '--no-pdf', '--passphrase-stdin'];
    const mallory = await cli([...base, '--as', 'mallory'], T.executed, 'anything at all\n');
    expect(mallory.code).toBe(5);
    expect(mallory.stderr).toContain('SIGNER_UNKNOWN');
    const rita = await cli([...base, '--as', 'rita'], T.executed, `${PASSPHRASES.rita}\n`);
    expect(rita.code).toBe(5);
    expect(rita.stderr).toContain('RUN_ROLE_FORBIDDEN');
    const wrong = await cli([...base, '--as', 'eve'], T.executed, 'not eve passphrase\n');
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain('AUTH_FAILED');
    expect(reports()).toEqual([]);
  }, 120_000);

  it('run --as eve: the record is bound to the authenticated executor; the answers file\'s by: is only a note', async () => {
    const r = await cli(['run', 'protocols/QP-0009.md', '--as', 'eve', '--answers', 'answers.yaml', '--no-pdf', '--passphrase-stdin'], T.executed, `${PASSPHRASES.eve}\n`);
    expect(r.code, r.stderr).toBe(0);
    const dir = reportOf(r);
    const rec = record(dir);
    expect(rec.executor).toMatchObject({ id: 'eve', name: 'Eve Executor', attribution: 'authenticated', initiatedBy: null });
    const manual = rec.cases[1].steps[0];
    expect(manual.observedBy).toEqual({ id: 'eve', at: T.executed.toISOString() });
    expect(manual.actual).toMatchObject({ observed_by: 'eve', answers_file_by: 'mallory' });
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('eve (Eve Executor) on');
    // Only eve signs it as executed.
    const adam = await cli(['sign', dir, '--as', 'adam', '--meaning', 'executed', '--passphrase-stdin'], afterRun(60), `${PASSPHRASES.adam}\n`);
    expect(adam.code).toBe(5);
    expect(adam.stderr).toContain('SIGN_REFUSED');
  }, 120_000);

  it('CI: a service identity runs for a named person, who alone signs executed; the service identity never signs', async () => {
    const noHuman = await cli(['run', 'protocols/QP-0009.md', '--as', 'ci-bot', '--answers', 'answers.yaml', '--no-pdf'], T.executed);
    expect(noHuman.code).toBe(2);
    expect(noHuman.stderr).toContain('--initiated-by');
    const notService = await cli(['run', 'protocols/QP-0009.md', '--as', 'adam', '--initiated-by', 'eve', '--answers', 'answers.yaml', '--no-pdf'], T.executed);
    expect(notService.code).toBe(5);
    const unknownHuman = await cli(['run', 'protocols/QP-0009.md', '--as', 'ci-bot', '--initiated-by', 'mallory', '--answers', 'answers.yaml', '--no-pdf'], T.executed);
    expect(unknownHuman.code).toBe(5);
    const r = await cli(['run', 'protocols/QP-0009.md', '--as', 'ci-bot', '--initiated-by', 'eve', '--answers', 'answers.yaml', '--no-pdf'], new Date(T.executed.getTime() + 60_000));
    expect(r.code, r.stderr).toBe(0);
    const dir = reportOf(r);
    const rec = record(dir);
    expect(rec.executor).toMatchObject({ id: 'ci-bot', name: null, attribution: 'service', initiatedBy: { id: 'eve', name: 'Eve Executor' } });
    expect(rec.warnings.join('\n')).toContain('service identity ci-bot for Eve Executor (eve)');
    // Finding: a ci-bot run was signed as executed by another person. Now refused, and verify rejects a forged one.
    const adam = await cli(['sign', dir, '--as', 'adam', '--meaning', 'executed', '--passphrase-stdin'], afterRun(60), `${PASSPHRASES.adam}\n`);
    expect(adam.code).toBe(5);
    expect(adam.stderr).toContain('ran it for "eve", who alone signs it as executed');
    const request = await cli(['keys', 'request', '--as', 'ci-bot', '--name', 'CI', '--email', 'ci@example.invalid', '--role', 'executor', '--passphrase-stdin'], later(1), 'ci-bot passphrase\n');
    expect(request.code).toBe(5);
    expect(request.stderr).toContain('SERVICE_IDENTITY_CANNOT_SIGN');
    const { copyRepo } = await import('./fixture.js');
    const copy = copyRepo(repo);
    try {
      const copied = join(copy.root, dir.slice(repo.root.length));
      await forgeSignature(copy, copied, 'adam', 'executed', afterRun(60));
      const v = await runCli(['verify', copied], { cwd: copy.root, env: copy.env, now: afterRun(62) });
      expect(v.code).toBe(4);
      expect(v.stdout).toContain('only "eve" can sign it as executed');
    } finally {
      copy.cleanup();
    }
    const eve = await cli(['sign', dir, '--as', 'eve', '--meaning', 'executed', '--passphrase-stdin'], afterRun(60), `${PASSPHRASES.eve}\n`);
    expect(eve.code, eve.stderr).toBe(0);
    // eve is responsible for the run: she cannot review it either (segregation).
    const review = await cli(['sign', dir, '--as', 'adam', '--meaning', 'reviewed', '--passphrase-stdin'], afterRun(61), `${PASSPHRASES.adam}\n`);
    expect(review.code).toBe(5);
  }, 180_000);

  it('a run without --as says it is unattributed; only the account it names can sign it as executed', async () => {
    const r = await cli(['run', 'protocols/QP-0009.md', '--answers', 'answers.yaml', '--no-pdf'], new Date(T.executed.getTime() + 120_000), undefined, { USER: 'eve' });
    expect(r.code, r.stderr).toBe(0);
    const dir = reportOf(r);
    const rec = record(dir);
    expect(rec.executor).toMatchObject({ id: 'eve', name: null, attribution: 'unattributed' });
    expect(rec.warnings.join('\n')).toContain('Unattributed run');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('unattributed (not authenticated)');
    const adam = await cli(['sign', dir, '--as', 'adam', '--meaning', 'executed', '--passphrase-stdin'], afterRun(60), `${PASSPHRASES.adam}\n`);
    expect(adam.code).toBe(5);
  }, 120_000);
});
