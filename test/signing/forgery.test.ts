// Issue 9, items 1, 2, 3, 5, 6 (item 1 updated for issue 12: every signature is a PDF signature now, so the
// approval is the third; a forged fourth still fails, in the repository and verified alone): records that verified when they must not (forged PDF revisions, a record
// edited before its first signature, the approval gate bypassed, weak spots of verify), and a record whose
// verdict changed with later changes of the repository. Each case is built for real and judged by
// `qualify verify` (and pdfsig where a PDF is concerned).
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ADMIN } from '../helpers/enrol.js';
import { closeDeviation, signReport } from '../../src/signing/sign.js';
import { decryptPrivateKey } from '../../src/signing/keys.js';
import { loadSignerRegistry } from '../../src/signing/repo.js';
import { privateKeyPath } from '../../src/signing/store.js';
import { appendRevision } from './pdf-forge.js';
import { buildReport, copyRepo, ctxFor, enrolledRepo, forgeSignature, PASSPHRASES, T, writeReport, type Enrolled, signThrough } from './fixture.js';

let base: Enrolled;
let approvedRel: string;
let reviewedRel: string;

beforeAll(async () => {
  base = await enrolledRepo();
  const dir = await writeReport(base.root);
  await signThrough(base, dir, 'approved');
  approvedRel = relative(base.root, dir);
  const reviewed = await writeReport(base.root, buildReport({ reportId: 'QP-0001-20261009T090000Z-b2c3' }));
  await signThrough(base, reviewed, 'reviewed');
  reviewedRel = relative(base.root, reviewed);
});
afterAll(() => base?.cleanup());

async function verify(repo: Enrolled, target: string) {
  const r = await runCli(['verify', target], { cwd: repo.root, env: repo.env, now: T.verify });
  return { ...r, all: r.stdout + r.stderr };
}

async function tampered(target: string, mutate: (dir: string, repo: Enrolled) => void | Promise<void>) {
  const repo = copyRepo(base);
  try {
    await mutate(join(repo.root, target), repo);
    return await verify(repo, target);
  } finally {
    repo.cleanup();
  }
}

function keyOf(repo: Enrolled, id: string) {
  const registry = loadSignerRegistry(repo.root)!;
  const key = registry.signer(id)!.keys.at(-1)!;
  const privateKey = decryptPrivateKey(readFileSync(privateKeyPath(repo.home, id, key.fingerprint), 'utf8'), PASSPHRASES[id]!);
  return { privateKey, certificates: [key.certificate, registry.ca!.certificate], name: registry.signer(id)!.name };
}

describe('item 1: only the approval signature, covering the whole file, is accepted', () => {
  for (const signer of ['eve', 'rita'] as const) {
    it(`an incremental update saying "CONCLUSION: FAIL", signed with the enrolled key of ${signer}, exits 4`, async () => {
      let pdfsig = '';
      let alone = { code: -1, all: '' };
      const r = await tampered(approvedRel, async (dir, repo) => {
        const pdf = join(dir, 'report.pdf');
        writeFileSync(pdf, await appendRevision(readFileSync(pdf), 'CONCLUSION: FAIL', keyOf(repo, signer)));
        pdfsig = execFileSync('pdfsig', [pdf], { encoding: 'utf8' });
        expect(execFileSync('pdftotext', ['-f', '1', '-l', '1', pdf, '-'], { encoding: 'utf8' })).toContain('CONCLUSION: FAIL');
        // The same PDF verified on its own, outside the repository, against the signer CA.
        const empty = mkdtempSync(join(tmpdir(), 'qualify-forged-'));
        try {
          copyFileSync(pdf, join(empty, 'report.pdf'));
          writeFileSync(join(empty, 'ca.pem'), loadSignerRegistry(repo.root)!.ca!.certificate);
          const out = await runCli(['verify', 'report.pdf', '--trust', 'ca.pem'], { cwd: empty, env: {}, now: T.verify });
          alone = { code: out.code, all: out.stdout + out.stderr };
        } finally {
          rmSync(empty, { recursive: true, force: true });
        }
      });
      // pdfsig: the approval (the record's third PDF signature) no longer covers the file; the forged
      // signature is valid on its own.
      expect(pdfsig).toMatch(/Signature #3:[\s\S]*Not total document signed/);
      expect(pdfsig).toMatch(/Signature #4:[\s\S]*Total document signed\n\s*- Signature Validation: Signature is Valid\./);
      expect(r.code).toBe(4);
      expect(r.all).toContain('PDF_SIGNATURE_EXTRA');
      expect(r.all).toMatch(/PDF_CONTENT_APPENDED report\.pdf signature 3 \(Quinn Approver\): \d+ bytes were appended after the signed range/);
      expect(alone.code).toBe(4);
      expect(alone.all).toMatch(new RegExp(`PDF_SIGNATURE_EXTRA report\\.pdf signature 4 \\(\\w+ \\w+\\): signed with the key of "${signer}" added after the approval's PDF signature`));
      expect(alone.all).toContain('PDF_NOT_SIGNED');
    });
  }

  it('an unsigned incremental update exits 4', async () => {
    const r = await tampered(approvedRel, async (dir) => {
      const pdf = join(dir, 'report.pdf');
      writeFileSync(pdf, await appendRevision(readFileSync(pdf), 'CONCLUSION: FAIL'));
    });
    expect(r.code).toBe(4);
    expect(r.all).toContain('PDF_INCREMENTAL_UPDATE');
  });
});

/** A protocol of host commands: OQ-01 passes, OQ-02 fails (opens DEV-001). */
const HOST_PROTOCOL = `---
document_id: QP-0009
type: protocol
title: Host commands
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

### OQ-02 A command that fails

\`\`\`check
type: command
argv: ["false"]
expect:
  exit_code: 0
\`\`\`
`;

const cli = (repo: Enrolled, args: string[], now: Date, stdin?: string) => runCli(args, { cwd: repo.root, env: repo.env, now, stdin });

async function approvedHostProtocol(repo: Enrolled): Promise<void> {
  writeFileSync(join(repo.root, 'protocols/QP-0009.md'), HOST_PROTOCOL);
  const r = await cli(repo, ['sign', 'protocols/QP-0009.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], T.keys, `${PASSPHRASES.quinn}\n`);
  expect(r.code, r.stderr).toBe(0);
}

describe('item 2: the record the run wrote is bound by its trail entry', () => {
  it('report.json edited to pass before the first signature: signing is refused and verify exits 4', async () => {
    const repo = copyRepo(base);
    try {
      await approvedHostProtocol(repo);
      const run = await cli(repo, ['run', 'protocols/QP-0009.md', '--as', 'eve', '--passphrase-stdin'], T.executed, `${PASSPHRASES.eve}\n`);
      expect(run.code, run.stderr).toBe(1);
      const rel = run.stdout.trim().replace(/^report: /, '');
      const path = join(repo.root, rel, 'report.json');
      const rec = JSON.parse(readFileSync(path, 'utf8'));
      rec.conclusion = 'pass';
      for (const c of rec.cases) { c.status = 'pass'; for (const s of c.steps) s.status = 'pass'; }
      rec.deviations = [];
      rec.summary = { ...rec.summary, passed: 2, failed: 0, deviations: 0 };
      writeFileSync(path, `${JSON.stringify(rec, null, 2)}\n`);
      expect((await cli(repo, ['render', rel], T.executed)).code).toBe(0);
      const later = (min: number) => new Date(T.executed.getTime() + min * 60_000);
      const signed = await cli(repo, ['sign', rel, '--as', 'eve', '--meaning', 'executed', '--passphrase-stdin'], later(1), `${PASSPHRASES.eve}\n`);
      expect(signed.code).toBe(4);
      expect(signed.stderr).toContain('RECORD_NOT_AS_RUN');
      // Signatures made around the signing process do not help either.
      const dir = join(repo.root, rel);
      await forgeSignature(repo, dir, 'eve', 'executed', later(1));
      await forgeSignature(repo, dir, 'rita', 'reviewed', later(2));
      await forgeSignature(repo, dir, 'quinn', 'approved', later(3));
      const v = await runCli(['verify', rel], { cwd: repo.root, env: repo.env, now: later(10) });
      expect(v.code).toBe(4);
      expect(v.stdout).toMatch(/RECORD_NOT_AS_RUN report\.json has sha256 [0-9a-f]{16}, the run wrote [0-9a-f]{16} \(audit trail seq \d+\): the record was changed after the run/);
    } finally {
      repo.cleanup();
    }
  });

  it('a record whose run entry was cut out of a consistently rebuilt trail exits 4', async () => {
    const r = await tampered(reviewedRel, (_dir, repo) => rewriteTrail(repo.root, (e) => !(e.action === 'run' && e.object.id === 'QP-0001-20261009T090000Z-b2c3')));
    expect(r.code).toBe(4);
    expect(r.all).toContain('RUN_NOT_AUDITED');
  });

  it('a second run entry appended for an edited record exits 4', async () => {
    const r = await tampered(reviewedRel, async (dir, repo) => {
      const path = join(dir, 'report.json');
      writeFileSync(path, readFileSync(path, 'utf8').replace('"conclusion": "pass"', '"conclusion": "fail"'));
      const { appendAuditEntry } = await import('../../src/signing/audit.js');
      const { sha256 } = await import('./fixture.js');
      await appendAuditEntry(repo.root, { at: T.runEnd, who: { id: 'eve', name: 'Eve Executor' }, action: 'run', object: { type: 'report', id: 'QP-0001-20261009T090000Z-b2c3', path: reviewedRel }, field: 'conclusion', new: 'fail', why: 'again', ref: { path: 'report.json', sha256: sha256(readFileSync(path)) } });
    });
    expect(r.code).toBe(4);
    expect(r.all).toContain('RUN_AUDITED_TWICE');
  });
});

/** Rewrites the audit trail keeping the entries `keep` accepts, as a consistent chain. */
async function rewriteTrail(root: string, keep: (e: { action: string; object: { id: string } }) => boolean): Promise<void> {
  const { canonicalJson, sha256Hex } = await import('../../src/signing/hash.js');
  const p = join(root, 'audit/trail.jsonl');
  const entries = readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter(keep);
  let prev = '0'.repeat(64);
  const lines = entries.map((e, i) => {
    const { hash: _h, ...rest } = e;
    const body = { ...rest, seq: i + 1, prev };
    prev = sha256Hex(canonicalJson(body));
    return canonicalJson({ ...body, hash: prev });
  });
  writeFileSync(p, `${lines.join('\n')}\n`);
}

describe('item 6: weak spots verify catches', () => {
  it('report.md deleted', async () => {
    const r = await tampered(reviewedRel, (dir) => rmSync(join(dir, 'report.md')));
    expect(r.code).toBe(4);
    expect(r.all).toContain('RENDERING_MISSING report.md');
  });

  it('report.md edited', async () => {
    const r = await tampered(approvedRel, (dir) => appendFileSync(join(dir, 'report.md'), '\nCONCLUSION: PASS\n'));
    expect(r.code).toBe(4);
    expect(r.all).toMatch(/RENDERING_ALTERED report\.md has sha256 [0-9a-f]{16}, the audit trail recorded [0-9a-f]{16}/);
  });

  it('junit.xml edited', async () => {
    const repo = copyRepo(base);
    try {
      const dir = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261010T090000Z-f0f0', deviation: true }), undefined, { junit: true });
      const rel = relative(repo.root, dir);
      expect((await verify(repo, rel)).code).toBe(0);
      const p = join(dir, 'junit.xml');
      writeFileSync(p, readFileSync(p, 'utf8').replace(/failures="1"/g, 'failures="0"'));
      const r = await verify(repo, rel);
      expect(r.code).toBe(4);
      expect(r.all).toContain('RENDERING_ALTERED junit.xml');
    } finally {
      repo.cleanup();
    }
  });

  it('evidence/manifest.json deleted', async () => {
    const r = await tampered(approvedRel, (dir) => rmSync(join(dir, 'evidence/manifest.json')));
    expect(r.code).toBe(4);
    expect(r.all).toContain('EVIDENCE_MANIFEST_MISSING');
  });

  it("report A's folder copied over report B's", async () => {
    const r = await tampered(reviewedRel, (dir, repo) => cpSync(join(repo.root, approvedRel), dir, { recursive: true, force: true }));
    expect(r.code).toBe(4);
    expect(r.all).toContain('RECORD_MISPLACED');
  });

  it('a UTF-8 byte order mark added to report.json', async () => {
    const r = await tampered(approvedRel, (dir) => writeFileSync(join(dir, 'report.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(join(dir, 'report.json'))])));
    expect(r.code).toBe(4);
    expect(r.all).toContain('starts with a UTF-8 byte order mark');
  });

  it('an unsigned extra PDF revision on a reviewed report', async () => {
    const r = await tampered(reviewedRel, async (dir) => {
      const pdf = join(dir, 'report.pdf');
      writeFileSync(pdf, await appendRevision(readFileSync(pdf), 'CONCLUSION: PASS'));
    });
    expect(r.code).toBe(4);
    expect(r.all).toContain('PDF_INCREMENTAL_UPDATE');
  });

  it("signers.yaml notAfter extended: a signature after the certificate's real expiry fails", async () => {
    const repo = copyRepo(base);
    try {
      const dir = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261011T090000Z-e0e0' }));
      const afterExpiry = new Date('2030-01-05T10:00:00Z');
      const yamlPath = join(repo.root, 'signers.yaml');
      const yaml = readFileSync(yamlPath, 'utf8');
      const at = yaml.indexOf('id: eve');
      const extended = yaml.slice(0, at) + yaml.slice(at).replace(/notAfter: \S+/, 'notAfter: 2099-01-01T00:00:00Z');
      await forgeSignature(repo, dir, 'eve', 'executed', afterExpiry);
      writeFileSync(yamlPath, extended);
      const r = await runCli(['verify', relative(repo.root, dir)], { cwd: repo.root, env: repo.env, now: new Date('2030-01-06T00:00:00Z') });
      expect(r.code).toBe(4);
      expect(r.stdout + r.stderr).toMatch(/notAfter 2099-01-01T00:00:00Z of key [0-9a-f]{16} of signer "eve" is later than its certificate's \(20\d\d-/);
    } finally {
      repo.cleanup();
    }
  });

  it('a tampered fingerprint in signers.yaml gives 4, not 2', async () => {
    const r = await tampered(approvedRel, (_dir, repo) => {
      const p = join(repo.root, 'signers.yaml');
      writeFileSync(p, readFileSync(p, 'utf8').replace(/fingerprint: ([0-9a-f])/, (_m, c: string) => `fingerprint: ${c === '0' ? '1' : '0'}`));
    });
    expect(r.code).toBe(4);
    expect(r.all).toContain('SIGNERS_INVALID');
  });

  it('a tampered certificate in signers.yaml gives 4, not 2', async () => {
    const r = await tampered(approvedRel, (_dir, repo) => {
      const p = join(repo.root, 'signers.yaml');
      const text = readFileSync(p, 'utf8');
      const i = text.indexOf('BEGIN CERTIFICATE', text.indexOf('id: rita')) + 120;
      writeFileSync(p, text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1));
    });
    expect(r.code).toBe(4);
  });
});

describe('item 3: a repository that has had signers never falls back to front-matter approval', () => {
  it('signers.yaml moved aside, acceptance criteria edited: the run is refused (exit 3)', async () => {
    const repo = copyRepo(base);
    try {
      await approvedHostProtocol(repo);
      renameSync(join(repo.root, 'signers.yaml'), join(repo.root, 'signers.yaml.aside'));
      const p = join(repo.root, 'protocols/QP-0009.md');
      writeFileSync(p, readFileSync(p, 'utf8').replace('argv: ["false"]', 'argv: ["true"]'));
      const run = await cli(repo, ['run', 'protocols/QP-0009.md', '--as', 'eve'], T.executed);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('SIGNERS_MISSING');
      expect(run.stderr).toContain('the audit trail (audit/trail.jsonl) records enrolled signers');
      expect(existsSync(join(repo.root, 'reports/QP-0009'))).toBe(false);
      // lint and docs show it: nothing is approved by its front matter here.
      const docs = await cli(repo, ['docs', '--json'], T.executed);
      expect(docs.stdout).not.toMatch(/"QP-0009"[^}]*"computedStatus": "effective"/);
    } finally {
      repo.cleanup();
    }
  });

  it('git history remembers signers.yaml when the trail and approvals are gone too', async () => {
    const repo = copyRepo(base);
    try {
      await approvedHostProtocol(repo);
      const { git } = await import('../helpers/tmp.js');
      git(repo.root, 'add', 'signers.yaml');
      git(repo.root, 'commit', '-q', '-m', 'signers');
      for (const f of ['signers.yaml', 'audit', 'approvals']) rmSync(join(repo.root, f), { recursive: true, force: true });
      const run = await cli(repo, ['run', 'protocols/QP-0009.md', '--as', 'eve'], T.executed);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/signers\.yaml is in the git history \(commit [0-9a-f]+\)/);
    } finally {
      repo.cleanup();
    }
  });

  it('verify: a record that relied on the front matter after signers were enrolled exits 4', async () => {
    const repo = copyRepo(base);
    try {
      const built = buildReport({ reportId: 'QP-0001-20261012T090000Z-f1f1' });
      built.report.protocol.approval = 'front-matter';
      const dir = await writeReport(repo.root, built);
      const r = await verify(repo, relative(repo.root, dir));
      expect(r.code).toBe(4);
      expect(r.all).toContain('PROTOCOL_APPROVAL_UNSIGNED');
    } finally {
      repo.cleanup();
    }
  });

  it('verify: signers.yaml moved aside exits 4; protocol bytes the record names without a valid approval exit 4', async () => {
    const aside = await tampered(reviewedRel, (_dir, repo) => renameSync(join(repo.root, 'signers.yaml'), join(repo.root, 'signers.yaml.aside')));
    expect(aside.code).toBe(4);
    expect(aside.all).toContain('SIGNERS_MISSING');
    const repo = copyRepo(base);
    try {
      const dir = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261012T090000Z-f2f2', protocolSha: 'e'.repeat(64) }));
      const r = await verify(repo, relative(repo.root, dir));
      expect(r.code).toBe(4);
      expect(r.all).toContain('PROTOCOL_NOT_APPROVED');
    } finally {
      repo.cleanup();
    }
  });
});

/** A protocol of four host commands that all fail: four deviations. */
const FOUR_DEVIATIONS = HOST_PROTOCOL.replace('A command that succeeds\n\n```check\ntype: command\nargv: ["true"]', 'A command that fails too\n\n```check\ntype: command\nargv: ["false"]')
  .concat('\n### OQ-03 Third\n\n```check\ntype: command\nargv: ["false"]\nexpect:\n  exit_code: 0\n```\n\n### OQ-04 Fourth\n\n```check\ntype: command\nargv: ["false"]\nexpect:\n  exit_code: 0\n```\n');

describe('item 5: the verdict on a signed record does not change with later changes of the repository', () => {
  it('approved with 4 closed deviations; then protocol revision 02 approved, another executor enrolled, more runs: still verifies 0', async () => {
    const repo = copyRepo(base);
    try {
      // Approved on the day of the runs, so effective from that day (not before its approval, DC-03).
      writeFileSync(join(repo.root, 'protocols/QP-0009.md'), FOUR_DEVIATIONS.replace('effective_date: 2026-10-02', 'effective_date: 2026-10-08'));
      const at = (min: number) => new Date(T.executed.getTime() + min * 60_000);
      const pp = (id: string) => `${PASSPHRASES[id] ?? 'ops passphrase long'}\n`;
      expect((await cli(repo, ['sign', 'protocols/QP-0009.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], at(0), pp('quinn'))).code).toBe(0);
      // Run by eve, authenticated; she signs it as executed (nobody else may).
      const run = await cli(repo, ['run', 'protocols/QP-0009.md', '--as', 'eve', '--passphrase-stdin'], at(1), pp('eve'));
      expect(run.code, run.stderr).toBe(1);
      const rel = run.stdout.trim().replace(/^report: /, '');
      const ok = async (args: string[], min: number, who: string) => {
        const r = await cli(repo, args, at(min), pp(who));
        expect(r.code, r.stderr).toBe(0);
      };
      await ok(['sign', rel, '--as', 'eve', '--meaning', 'executed', '--passphrase-stdin'], 2, 'eve');
      await ok(['sign', rel, '--as', 'rita', '--meaning', 'reviewed', '--passphrase-stdin'], 3, 'rita');
      for (const d of ['DEV-001', 'DEV-002', 'DEV-003', 'DEV-004']) await ok(['deviation', 'close', rel, d, '--disposition', `${d}: no impact`, '--as', 'quinn', '--passphrase-stdin'], 4, 'quinn');
      await ok(['sign', rel, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], 5, 'quinn');
      const first = await cli(repo, ['verify', rel], at(6));
      expect(first.code, first.stdout).toBe(0);
      // Later: revision 02 approved, an operator enrolled (request + issue by the admin), more runs.
      const p = join(repo.root, 'protocols/QP-0009.md');
      writeFileSync(p, readFileSync(p, 'utf8').replace('revision: "01"', 'revision: "02"\nchange_control: CC-2026-050'));
      await ok(['sign', 'protocols/QP-0009.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], 60, 'quinn');
      const request = join(repo.root, '..', `ops-${Date.now()}.key-request.json`);
      await ok(['keys', 'request', '--as', 'ops', '--name', 'Olli Operator', '--email', 'ops@example.invalid', '--role', 'executor', '--out', request, '--passphrase-stdin'], 61, 'ops');
      const issued = await cli(repo, ['keys', 'issue', request, '--as', ADMIN.id, '--passphrase-stdin'], at(61), `${ADMIN.passphrase}\n`);
      expect(issued.code, issued.stderr).toBe(0);
      rmSync(request);
      await ok(['keys', 'acknowledge', '--as', 'ops', '--passphrase-stdin'], 61, 'ops');
      for (const min of [62, 63]) expect((await cli(repo, ['run', 'protocols/QP-0009.md', '--as', 'ops', '--passphrase-stdin'], at(min), pp('ops'))).code).toBe(1);
      const later = await cli(repo, ['verify', rel], at(70));
      expect(later.stdout).toContain('verified: every check holds');
      expect(later.code).toBe(0);
    } finally {
      repo.cleanup();
    }
  });
});
