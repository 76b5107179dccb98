// The commands as users run them: keys, sign, deviation close, verify, attest, audit; pdfsig and NSS trust.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { git, makeGitRepo, makeTempDir } from '../helpers/tmp.js';
import { ADMIN, enrolTeam } from '../helpers/enrol.js';
import { buildReport, PROTOCOL, SOP, T, writeReport } from './fixture.js';

const repo = makeTempDir('qualify-cli-');
const home = makeTempDir('qualify-cli-home-');
// git (sign --commit, audit --verify) runs with this environment only: its PATH and a committer identity.
const env = { QUALIFY_HOME: home.dir, PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };
const at = (iso: string) => new Date(iso);
const cli = (args: string[], stdin?: string, now = T.executed) => runCli(args, { cwd: repo.root ?? repo.dir, env, stdin, now });
Object.assign(repo, { root: repo.dir });

const people = [
  ['eve', 'Eve Executor', 'executor'],
  ['rita', 'Rita Reviewer', 'reviewer'],
  ['quinn', 'Quinn Approver', 'approver', 'qa'],
] as const;

beforeAll(() => {
  makeGitRepo(repo.dir, { 'qualify.yaml': 'signers: signers.yaml\n', 'protocols/QP-0001.md': PROTOCOL, 'sops/SOP-0013.md': SOP });
});
afterAll(() => {
  repo.cleanup();
  home.cleanup();
});

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

describe('qualify keys / sign / verify / attest / audit', () => {
  it('keys create bootstraps the admin; the others request and an admin issues; the private key stays encrypted outside the repository', async () => {
    const boot = await cli(['keys', 'create', '--as', ADMIN.id, '--name', ADMIN.name, '--email', 'ada@example.invalid', '--role', 'admin', '--passphrase-stdin'], `${ADMIN.passphrase}\n`, T.keys);
    expect(boot.stderr).toBe('');
    expect(boot.stdout).toMatch(/enrolled ada: RSA-3072 key [0-9a-f]{64}/);
    expect(boot.stdout).toContain('signer CA    created for this repository; its key, encrypted with your passphrase');
    const request = await cli(['keys', 'request', '--as', 'zoe', '--name', 'Zoe Zed', '--email', 'zoe@example.invalid', '--role', 'executor', '--out', join(home.dir, 'zoe.json'), '--passphrase-stdin'], 'zoe passphrase long\n', T.keys);
    expect(request.stderr).toBe('');
    expect(request.stdout).toMatch(/key request for Zoe Zed \(zoe\): RSA-3072 key [0-9a-f]{64}/);
    expect(request.stdout).toMatch(/qualify keys issue \S*zoe\.json --as <admin>/);
    await enrolTeam((args, stdin) => cli(args, stdin, T.keys), people.map(([id, name, ...roles]) => ({ id, name, roles, passphrase: `${id} passphrase long` })), { bootstrap: false });
    const yaml = readFileSync(join(repo.dir, 'signers.yaml'), 'utf8');
    expect(yaml).toContain('name: Quinn Approver');
    expect(yaml).toContain('-----BEGIN CERTIFICATE-----');
    expect(yaml).not.toContain('PRIVATE KEY');
    const fp = /fingerprint: ([0-9a-f]{64})/g;
    const fps = [...yaml.matchAll(fp)].map((m) => m[1]);
    const keyFile = join(home.dir, 'keys', 'quinn', `${fps.at(-1)}.key.pem`);
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // Standard tooling opens it with the passphrase, and only with it.
    expect(execFileSync('openssl', ['pkey', '-in', keyFile, '-passin', 'pass:quinn passphrase long', '-noout'], { encoding: 'utf8' })).toBe('');
    expect(() => execFileSync('openssl', ['pkey', '-in', keyFile, '-passin', 'pass:wrong', '-noout'], { stdio: 'pipe' })).toThrow();
    // An id is never reused by someone else.
    const dup = await cli(['keys', 'request', '--as', 'eve', '--name', 'Eve Other', '--passphrase-stdin'], 'another passphrase\n', T.keys);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('SIGNER_NAME_MISMATCH: "eve" is enrolled as "Eve Executor", not "Eve Other"');
    const weak = await cli(['keys', 'request', '--as', 'zed', '--name', 'Zed', '--email', 'z@example.invalid', '--role', 'executor', '--passphrase-stdin'], 'short\n', T.keys);
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('PASSPHRASE_WEAK');
    const noTerminal = await cli(['keys', 'request', '--as', 'zed', '--name', 'Zed', '--email', 'z@example.invalid', '--role', 'executor'], undefined, T.keys);
    expect(noTerminal.stderr).toContain('PASSPHRASE_REQUIRED: there is no terminal to ask the passphrase on: pass --passphrase-stdin');
    // QA approves the protocol the records below were run against (a repository with signers needs it).
    const approved = await cli(['sign', 'protocols/QP-0001.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], 'quinn passphrase long\n', T.protocolApproved);
    expect(approved.code, approved.stderr).toBe(0);
  });

  it('signs a report executed → reviewed → approved; pdfsig validates the PDF; verify is green', async () => {
    const dir = await writeReport(repo.dir, buildReport({ deviation: true }));
    const rel = 'reports/QP-0001/QP-0001-20261008T090000Z-a1b2';
    let r = await cli(['sign', rel, '--as', 'eve', '--meaning', 'executed', '--passphrase-stdin'], 'eve passphrase long\n', T.executed);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`signed ${rel} as executed by Eve Executor (eve) at 2026-10-08T10:00:00Z`);
    expect(r.stdout).toContain('status       recorded → executed');
    r = await cli(['sign', `${rel}/report.json`, '--as', 'rita', '--meaning', 'reviewed', '--comment', 'all steps read', '--passphrase-stdin', '--json'], 'rita passphrase long\n', T.reviewed);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: 'signatures/02-reviewed-rita.dsse.json', from: 'executed', to: 'reviewed', payload: { comment: 'all steps read', signer: { id: 'rita', name: 'Rita Reviewer' } } });
    r = await cli(['sign', rel, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], 'quinn passphrase long\n', T.approved);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('SIGN_REFUSED: "quinn" cannot sign');
    expect(r.stderr).toContain('deviation(s) DEV-001 have no QA disposition');
    r = await cli(['deviation', 'close', rel, 'DEV-001', '--disposition', 'Protocol typo; no impact on the release. CAPA-12.', '--as', 'quinn', '--passphrase-stdin'], 'quinn passphrase long\n', T.dispositioned);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`closed DEV-001 of ${rel} with a disposition signed by quinn`);
    r = await cli(['sign', rel, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin', '--commit'], 'quinn passphrase long\n', T.approved);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('pdf          reports/QP-0001/QP-0001-20261008T090000Z-a1b2/report.pdf rendered and PDF-signed');
    expect(r.stdout).toMatch(/committed [0-9a-f]{12}: qualify sign: .* approved by quinn/);
    expect(git(repo.dir, 'show', '--name-only', '--format=%s', 'HEAD').split('\n')).toEqual([`qualify sign: ${rel} approved by quinn`, '', 'audit/.gitignore', 'audit/trail.jsonl', `${rel}/report.md`, `${rel}/report.pdf`, `${rel}/signatures/03-approved-quinn.dsse.json`]);

    const out = execFileSync('pdfsig', [join(dir, 'report.pdf')], { encoding: 'utf8' });
    expect(out).toContain('Signature Validation: Signature is Valid.');
    expect(out).toContain('Total document signed');
    expect(out).toContain('Signer Certificate Common Name: Quinn Approver');

    const v = await cli(['verify', rel], undefined, T.verify);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/ok {4}signature 03-approved-quinn\.dsse\.json: Quinn Approver \(quinn\), approved, 2026-10-08T12:00:00Z, key [0-9a-f]{16}: valid/);
    expect(v.stdout).toContain('ok    signature DEV-001.dsse.json: Quinn Approver (quinn), dispositioned');
    const j = JSON.parse((await cli(['verify', rel, '--json'], undefined, T.verify)).stdout) as { ok: boolean; state: string; signatures: unknown[] };
    expect([j.ok, j.state, j.signatures.length]).toEqual([true, 'approved', 3]);
    const viaPdf = await cli(['verify', `${rel}/report.pdf`], undefined, T.verify);
    expect(viaPdf.code).toBe(0);

    // The approved PDF verifies on its own, from what it embeds.
    mkdirSync(join(repo.dir, 'copies'), { recursive: true });
    writeFileSync(join(repo.dir, 'copies/auditor-copy.pdf'), readFileSync(join(dir, 'report.pdf')));
    const alone = await cli(['verify', 'copies/auditor-copy.pdf'], undefined, T.verify);
    expect(alone.stderr).toBe('');
    expect(alone.code).toBe(0);
    expect(alone.stdout).toContain('verified from the PDF alone');
    expect(alone.stdout).toContain('ok    signature 03-approved-quinn.dsse.json');
  });

  it('the built CLI (bundle and code cache) renders the PDF when signing, and verify reads it', async () => {
    const built = buildReport({ reportId: 'QP-0001-20261008T090000Z-b1c2' });
    const dir = await writeReport(repo.dir, built, undefined, { pdf: false });
    const rel = dir.slice(repo.dir.length + 1);
    expect(existsSync(join(dir, 'report.pdf'))).toBe(false);
    // Twice: the first process writes the code caches, the second runs from them.
    for (const meaning of ['executed', 'reviewed'] as const) {
      const who = meaning === 'executed' ? 'eve' : 'rita';
      const r = spawnCli(['sign', rel, '--as', who, '--meaning', meaning, '--passphrase-stdin'], { cwd: repo.dir, env, input: `${who} passphrase long\n` });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`${rel}/report.pdf rendered`);
    }
    expect(readFileSync(join(dir, 'report.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const v = spawnCli(['verify', rel], { cwd: repo.dir, env });
    expect(v.stdout).toContain('report.pdf: embedded report.json matches the record');
  });

  it('the approved PDF is trusted when the signer CA is trusted in an NSS database', async () => {
    if (!hasCommand('certutil')) {
      console.warn('certutil (libnss3-tools) not installed: NSS trust not checked');
      return;
    }
    const nss = makeTempDir('qualify-nss-');
    try {
      const yaml = readFileSync(join(repo.dir, 'signers.yaml'), 'utf8');
      const ca = /ca:\n[\s\S]*?certificate: \|-?\n((?: {4}.*\n)+)/.exec(yaml)![1]!.replace(/^ {4}/gm, '');
      writeFileSync(join(nss.dir, 'ca.pem'), ca);
      execFileSync('certutil', ['-N', '-d', `sql:${nss.dir}`, '--empty-password']);
      const pdf = join(repo.dir, 'reports/QP-0001/QP-0001-20261008T090000Z-a1b2/report.pdf');
      const untrusted = execFileSync('pdfsig', ['-nssdir', `sql:${nss.dir}`, pdf], { encoding: 'utf8' });
      expect(untrusted).toMatch(/Certificate Validation: Certificate issuer isn't Trusted/);
      execFileSync('certutil', ['-A', '-d', `sql:${nss.dir}`, '-n', 'qualify-ca', '-t', 'CT,C,C', '-i', join(nss.dir, 'ca.pem')]);
      const trusted = execFileSync('pdfsig', ['-nssdir', `sql:${nss.dir}`, pdf], { encoding: 'utf8' });
      expect(trusted).toContain('Signature Validation: Signature is Valid.');
      expect(trusted).toContain('Certificate Validation: Certificate is Trusted.');
    } finally {
      nss.cleanup();
    }
  });

  it('attest writes a signed in-toto test-result statement for the approved report', async () => {
    const rel = 'reports/QP-0001/QP-0001-20261008T090000Z-a1b2';
    const r = await cli(['attest', rel, '--as', 'quinn', '--passphrase-stdin'], 'quinn passphrase long\n', at('2026-10-08T12:05:00Z'));
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`attested ${rel}: FAILED`);
    const env = JSON.parse(readFileSync(join(repo.dir, rel, 'attestation.intoto.dsse.json'), 'utf8')) as { payloadType: string; payload: string };
    expect(env.payloadType).toBe('application/vnd.in-toto+json');
    const st = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
    expect(st).toMatchObject({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: '127.0.0.1:5000/app', digest: { sha256: expect.stringMatching(/^a{60}1234$/) } }],
      predicateType: 'https://in-toto.io/attestation/test-result/v0.1',
      predicate: { result: 'FAILED', passedTests: ['IQ-01'], failedTests: ['OQ-01'], configuration: [{ name: 'protocols/QP-0001.md', digest: { sha256: expect.any(String) } }, { name: `${rel}/report.json` }] },
    });
    const v = await cli(['verify', rel], undefined, T.verify);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('ok    signature attestation.intoto.dsse.json: Quinn Approver (quinn), attested');
    const unapproved = await writeReport(repo.dir, buildReport({ reportId: 'QP-0001-20261011T090000Z-d4e5' }));
    const refused = await cli(['attest', unapproved, '--as', 'quinn', '--passphrase-stdin'], 'quinn passphrase long\n', T.verify);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('RECORD_NOT_APPROVED');
  });

  it('audit prints the trail and verifies its chain; a rewritten committed entry is found', async () => {
    const r = await cli(['audit', '--verify'], undefined, T.verify);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ +\d+ {2}2026-10-08T12:00:00Z {2}quinn {6}sign {13}report:QP-0001-20261008T090000Z-a1b2 status: reviewed → approved/);
    expect(r.stdout).toMatch(/sign\.refused +report:QP-0001-20261008T090000Z-a1b2 .*SIGN_REFUSED/);
    expect(r.stdout).toMatch(/verified: \d+ entries, hash chain intact/);
    const json = JSON.parse((await cli(['audit', '--json', '--object', 'QP-0001-20261008T090000Z-a1b2'], undefined, T.verify)).stdout) as { entries: Array<{ action: string }> };
    // Renders follow signatures when the report engine is in the build; the approval always renders (PDF signature).
    const actions = json.entries.map((e) => e.action);
    expect(actions.filter((a) => a !== 'render')).toEqual(['run', 'sign', 'sign', 'sign.refused', 'deviation.close', 'sign', 'attest']);
    // The approved PDF (and report.md) are in place and recorded before the approval itself.
    expect(actions.slice(-4)).toEqual(['render', 'render', 'sign', 'attest']);
    // Rewrite the whole chain consistently after the commit: only git history can tell.
    const trailPath = join(repo.dir, 'audit/trail.jsonl');
    const { checkAuditChain } = await import('../../src/signing/audit.js');
    const lines = readFileSync(trailPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    lines[0]!.why = 'rewritten';
    const { canonicalJson, sha256Hex } = await import('../../src/signing/hash.js');
    let prev = '0'.repeat(64);
    const rewritten = lines.map((e) => {
      const { hash: _h, ...rest } = e;
      const body = { ...rest, prev };
      prev = sha256Hex(canonicalJson(body));
      return canonicalJson({ ...body, hash: prev });
    });
    writeFileSync(trailPath, `${rewritten.join('\n')}\n`);
    expect(checkAuditChain(readFileSync(trailPath, 'utf8')).problems).toEqual([]);
    const v = await cli(['audit', '--verify'], undefined, T.verify);
    expect(v.code).toBe(4);
    expect(v.stdout).toContain('AUDIT_HISTORY_REWRITTEN the audit trail differs from its committed version');
    expect(existsSync(join(repo.dir, 'audit/.gitignore'))).toBe(true);
  });
});
