// The tamper matrix: every alteration of a signed record makes `qualify verify` exit 4 with a precise reason.
import { appendFileSync, readFileSync, rmSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { signReport } from '../../src/signing/sign.js';
import { createVerifySession, verifyReport } from '../../src/signing/verify-report.js';
import { keyFingerprint } from '../../src/signing/keys.js';
import { buildReport, copyRepo, ctxFor, enrolledRepo, forgeSignature, T, writeReport, type Enrolled, signThrough } from './fixture.js';

let base: Enrolled;
let reportRel: string;
let otherRel: string;

beforeAll(async () => {
  base = await enrolledRepo();
  const dir = await writeReport(base.root);
  await signThrough(base, dir, 'approved');
  reportRel = relative(base.root, dir);
  const other = await writeReport(base.root, buildReport({ reportId: 'QP-0001-20261009T090000Z-b2c3' }));
  await signThrough(base, other, 'executed');
  otherRel = relative(base.root, other);
});
afterAll(() => base?.cleanup());

async function verify(repo: Enrolled, target = reportRel) {
  return runCli(['verify', target], { cwd: repo.root, env: repo.env, now: T.verify });
}

/** Runs `mutate` on a fresh copy of the signed repository and returns verify's output. */
async function tampered(mutate: (dir: string, repo: Enrolled) => void | Promise<void>, target?: string) {
  const repo = copyRepo(base);
  try {
    await mutate(join(repo.root, reportRel), repo);
    const r = await verify(repo, target);
    return { ...r, all: r.stdout + r.stderr };
  } finally {
    repo.cleanup();
  }
}

function flipByte(path: string, at: (bytes: Buffer) => number, xor = 0x01): void {
  const b = readFileSync(path);
  b[at(b)]! ^= xor;
  writeFileSync(path, b);
}

function replaceIn(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'latin1');
  if (!text.includes(from)) throw new Error(`${from} not in ${path}`);
  writeFileSync(path, text.replace(from, to), 'latin1');
}

describe('tamper matrix', () => {
  it('the untouched signed report verifies (exit 0)', async () => {
    const r = await verify(base);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/signature 01-executed-eve\.dsse\.json: Eve Executor \(eve\), executed, 2026-10-08T10:00:00Z, key [0-9a-f]{16}: valid/);
    expect(r.stdout).toContain('verified: every check holds');
  });

  it('one changed value in report.json', async () => {
    const r = await tampered((dir) => replaceIn(join(dir, 'report.json'), '"release": "1.4.2"', '"release": "1.4.3"'));
    expect(r.code).toBe(4);
    expect(r.all).toContain('the signature belongs to another record, or the record was altered');
    expect(r.all).toContain('PDF_RECORD_MISMATCH');
  });

  it('one whitespace byte in report.json (content intact, file edited)', async () => {
    const r = await tampered((dir) => replaceIn(join(dir, 'report.json'), '{\n  "schema"', '{\n "schema"'));
    expect(r.code).toBe(4);
    expect(r.all).toMatch(/RECORD_EDITED report\.json: its content is intact but the file was edited: .* at line 2, column 2/);
  });

  // Was "still verify (canonical form)": the record is now bound to the bytes its run wrote (issue 9 item 2),
  // so a re-serialized record, same content or not, is not the one the run wrote.
  it('re-ordered keys in report.json: the canonical content holds, the bytes are not the run\'s', async () => {
    const r = await tampered((dir) => {
      const p = join(dir, 'report.json');
      const rec = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
      const reversed = Object.fromEntries(Object.entries(rec).reverse());
      (reversed.protocol as Record<string, unknown>) = Object.fromEntries(Object.entries(rec.protocol as object).reverse());
      writeFileSync(p, `${JSON.stringify(reversed, null, 2)}\n`);
      expect(readFileSync(p, 'utf8').startsWith('{\n  "redaction"')).toBe(true);
    });
    expect(r.code).toBe(4);
    expect(r.all).toContain('RECORD_NOT_AS_RUN');
    expect(r.all).not.toContain('the signature belongs to another record');
  });

  it('one byte in an evidence file', async () => {
    const r = await tampered((dir) => flipByte(join(dir, 'evidence/OQ-01.1-response.http'), (b) => b.length - 5));
    expect(r.code).toBe(4);
    expect(r.all).toMatch(/EVIDENCE_ALTERED evidence\/OQ-01\.1-response\.http \(step OQ-01\.1\) has sha256 [0-9a-f]{16}…, the record says/);
  });

  it('one byte in the evidence manifest', async () => {
    const r = await tampered((dir) => replaceIn(join(dir, 'evidence/manifest.json'), 'HTTP exchange', 'HTTP exchangE'));
    expect(r.code).toBe(4);
    expect(r.all).toContain('EVIDENCE_MANIFEST_ALTERED');
  });

  it('evidence added after the run', async () => {
    const r = await tampered((dir) => writeFileSync(join(dir, 'evidence/extra.txt'), 'added later'));
    expect(r.code).toBe(4);
    expect(r.all).toContain('EVIDENCE_UNREFERENCED evidence/extra.txt');
  });

  it('one byte of the signature value in an envelope', async () => {
    const r = await tampered((dir) => {
      const p = join(dir, 'signatures/02-reviewed-rita.dsse.json');
      const env = JSON.parse(readFileSync(p, 'utf8')) as { signatures: Array<{ sig: string }> };
      const s = env.signatures[0]!.sig;
      const i = 10;
      env.signatures[0]!.sig = s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      writeFileSync(p, `${JSON.stringify(env, null, 2)}\n`);
    });
    expect(r.code).toBe(4);
    expect(r.all).toMatch(/signature 02-reviewed-rita\.dsse\.json: Rita Reviewer \(rita\), reviewed, .*INVALID: cryptographic signature does not verify with key [0-9a-f]{16} of "rita": the envelope was altered/);
  });

  it('one byte of the payload in an envelope', async () => {
    const r = await tampered((dir) => {
      const p = join(dir, 'signatures/03-approved-quinn.dsse.json');
      const env = JSON.parse(readFileSync(p, 'utf8')) as { payload: string };
      const payload = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8')) as { meaning: string };
      payload.meaning = 'reviewed';
      env.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
      writeFileSync(p, `${JSON.stringify(env, null, 2)}\n`);
    });
    expect(r.code).toBe(4);
    expect(r.all).toContain('03-approved-quinn.dsse.json');
    expect(r.all).toContain('the envelope was altered');
  });

  it('one byte of an envelope file outside its fields', async () => {
    const r = await tampered((dir) => replaceIn(join(dir, 'signatures/01-executed-eve.dsse.json'), '{\n  "payloadType"', '{\n  "payloadType" '));
    expect(r.code).toBe(4);
    expect(r.all).toContain('envelope file: its content is intact but the file was edited');
  });

  it('one byte in the middle of the signed PDF', async () => {
    const r = await tampered((dir) => flipByte(join(dir, 'report.pdf'), (b) => Math.floor(b.length / 3)));
    expect(r.code).toBe(4);
    // The middle of the file is the signature container (/Contents), left out of the digest: still caught.
    expect(r.all).toMatch(/PDF_SIGNATURE_INVALID report\.pdf signature 1/);
  });

  it('one byte inside the first signed range of the PDF', async () => {
    const r = await tampered((dir) => {
      const p = join(dir, 'report.pdf');
      const text = readFileSync(p, 'latin1');
      flipByte(p, () => text.indexOf('Report QP-0001') + 3);
    });
    expect(r.code).toBe(4);
    expect(r.all).toContain('the document digest differs from the signed digest: the PDF was changed after signing');
  });

  it('300 single-byte flips spread over the signed PDF are all detected', async () => {
    const repo = copyRepo(base);
    try {
      const dir = join(repo.root, reportRel);
      const pdf = join(dir, 'report.pdf');
      const original = readFileSync(pdf);
      const session = createVerifySession(repo.root, T.verify);
      const missed: string[] = [];
      for (let i = 0; i < 300; i++) {
        const at = Math.floor(((i + 0.5) / 300) * original.length);
        const b = Buffer.from(original);
        b[at] = b[at]! ^ (1 + (i % 255));
        writeFileSync(pdf, b);
        if ((await verifyReport(dir, { now: T.verify, session })).ok) missed.push(`byte ${at} of ${original.length}`);
      }
      writeFileSync(pdf, original);
      expect((await verifyReport(dir, { now: T.verify, session })).ok).toBe(true);
      expect(missed).toEqual([]);
    } finally {
      repo.cleanup();
    }
  });

  it('the /Reason of the PDF signature edited', async () => {
    const r = await tampered((dir) => {
      const p = join(dir, 'report.pdf');
      const text = readFileSync(p, 'latin1');
      const m = /\/Reason <FEFF([0-9A-F]{8})/.exec(text)!;
      writeFileSync(p, text.replace(m[0], `/Reason <FEFF${m[1]!.slice(0, 6)}${m[1]!.slice(6) === '41' ? '42' : '41'}`), 'latin1');
    });
    expect(r.code).toBe(4);
    expect(r.all).toContain('the document digest differs from the signed digest');
  });

  it('content appended after the PDF signature', async () => {
    const r = await tampered((dir) => appendFileSync(join(dir, 'report.pdf'), '\n% appended after signing\n'));
    expect(r.code).toBe(4);
    expect(r.all).toContain('PDF_CONTENT_APPENDED');
  });

  it('the PDF of another record', async () => {
    const r = await tampered((dir, repo) => copyFileSync(join(repo.root, otherRel, 'report.pdf'), join(dir, 'report.pdf')));
    expect(r.code).toBe(4);
    expect(r.all).toContain('PDF_RECORD_MISMATCH');
    expect(r.all).toContain('PDF_NOT_SIGNED');
  });

  it('a signature swapped in from another record', async () => {
    const r = await tampered((dir, repo) => copyFileSync(join(repo.root, otherRel, 'signatures/01-executed-eve.dsse.json'), join(dir, 'signatures/01-executed-eve.dsse.json')));
    expect(r.code).toBe(4);
    expect(r.all).toMatch(/01-executed-eve\.dsse\.json: .*INVALID: signs record sha256 [0-9a-f]{16}, this record is [0-9a-f]{16}: the signature belongs to another record/);
    expect(r.all).toContain('SIGNATURE_REPLACED');
  });

  it('the last signature removed', async () => {
    const r = await tampered((dir) => rmSync(join(dir, 'signatures/03-approved-quinn.dsse.json')));
    expect(r.code).toBe(4);
    expect(r.all).toMatch(/SIGNATURE_REMOVED signatures\/03-approved-quinn\.dsse\.json was recorded in audit\/trail\.jsonl \(seq \d+, sign by quinn at 2026-10-08T12:00:00Z\) but is missing/);
    expect(r.all).toContain('PDF_SIGNATURE_UNBACKED');
  });

  it('a middle signature removed', async () => {
    const r = await tampered((dir) => rmSync(join(dir, 'signatures/02-reviewed-rita.dsse.json')));
    expect(r.code).toBe(4);
    expect(r.all).toContain('03-approved-quinn.dsse.json: Quinn Approver (quinn), approved');
    expect(r.all).toContain('numbered 03 but is signature 2 of the folder: a signature before it is missing');
    expect(r.all).toContain('it does not chain to 01-executed-eve.dsse.json');
  });

  it('an audit trail line deleted', async () => {
    const r = await tampered((_dir, repo) => {
      const p = join(repo.root, 'audit/trail.jsonl');
      const lines = readFileSync(p, 'utf8').split('\n');
      lines.splice(2, 1);
      writeFileSync(p, lines.join('\n'));
    });
    expect(r.code).toBe(4);
    expect(r.all).toContain('AUDIT_SEQUENCE audit/trail.jsonl: line 3 has seq 4, expected 3');
  });

  it('an audit trail line edited', async () => {
    const r = await tampered((_dir, repo) => replaceIn(join(repo.root, 'audit/trail.jsonl'), '"who":{"id":"rita"', '"who":{"id":"eve"'));
    expect(r.code).toBe(4);
    expect(r.all).toMatch(/AUDIT_ENTRY_ALTERED audit\/trail\.jsonl: line 8 \(seq 8, keys\.acknowledge\) does not match its hash: the entry was altered/);
  });

  it('the audit trail removed', async () => {
    const r = await tampered((_dir, repo) => rmSync(join(repo.root, 'audit/trail.jsonl')));
    expect(r.code).toBe(4);
    expect(r.all).toContain('AUDIT_TRAIL_MISSING');
  });

  it('a signature made with a key revoked before it', async () => {
    const r = await tampered(async (dir, repo) => {
      rmSync(join(dir, 'signatures/03-approved-quinn.dsse.json'));
      const res = await runCli(['keys', 'revoke', '--as', 'quinn', '--reason', 'laptop stolen'], { cwd: repo.root, env: repo.env, now: new Date('2026-10-08T11:45:00Z') });
      expect(res.code).toBe(0);
      // The trail recorded the removed file: rebuild a consistent folder to isolate the key rule.
      const p = join(repo.root, 'audit/trail.jsonl');
      writeFileSync(p, readFileSync(p, 'utf8').split('\n').filter((l) => !l.includes('03-approved-quinn')).join('\n'));
      await forgeSignature(repo, dir, 'quinn', 'approved', T.approved);
    });
    expect(r.code).toBe(4);
    expect(r.all).toMatch(/03-approved-quinn\.dsse\.json: .*INVALID: key [0-9a-f]{16} was revoked at 2026-10-08T11:45:00Z \(laptop stolen\), used at 2026-10-08T12:00:00Z/);
  });

  it('a signature by a key that is not enrolled', async () => {
    const r = await tampered(async (_dir, repo) => {
      const other = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261010T090000Z-c3d4' }));
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      await forgeSignature(repo, other, 'eve', 'executed', T.executed, () => {}, { privateKey, fingerprint: keyFingerprint(publicKey) });
    }, 'reports/QP-0001/QP-0001-20261010T090000Z-c3d4');
    expect(r.code).toBe(4);
    expect(r.all).toMatch(/signed with key [0-9a-f]{16}, which is not enrolled in signers\.yaml/);
  });

  it('a printed name that is not the registry\'s', async () => {
    const r = await tampered(async (_dir, repo) => {
      const other = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261010T090000Z-c3d4' }));
      await forgeSignature(repo, other, 'eve', 'executed', T.executed, (p) => { p.signer.name = 'Someone Else'; });
    }, 'reports/QP-0001/QP-0001-20261010T090000Z-c3d4');
    expect(r.code).toBe(4);
    expect(r.all).toContain('printed name "Someone Else" differs from the registry\'s "Eve Executor"');
  });

  it('approval by the executor', async () => {
    const r = await tampered(async (_dir, repo) => {
      const other = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261010T090000Z-c3d4', executor: 'adam' }));
      await signReport(other, 'adam', 'executed', null, ctxFor(repo, 'adam', T.executed));
      await signReport(other, 'rita', 'reviewed', null, ctxFor(repo, 'rita', T.reviewed));
      await forgeSignature(repo, other, 'adam', 'approved', T.approved);
    }, 'reports/QP-0001/QP-0001-20261010T090000Z-c3d4');
    expect(r.code).toBe(4);
    expect(r.all).toContain('"adam" executed the record and cannot sign it as approved (segregation of duties)');
  });

  it('approval with an open deviation', async () => {
    const r = await tampered(async (_dir, repo) => {
      const other = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261010T090000Z-c3d4', deviation: true }));
      await signThrough(repo, other, 'reviewed');
      await forgeSignature(repo, other, 'quinn', 'approved', T.approved);
    }, 'reports/QP-0001/QP-0001-20261010T090000Z-c3d4');
    expect(r.code).toBe(4);
    expect(r.all).toContain('deviation(s) DEV-001 have no QA disposition');
  });

  it('approval before review', async () => {
    const r = await tampered(async (_dir, repo) => {
      const other = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261010T090000Z-c3d4' }));
      await signThrough(repo, other, 'executed');
      await forgeSignature(repo, other, 'quinn', 'approved', T.approved);
    }, 'reports/QP-0001/QP-0001-20261010T090000Z-c3d4');
    expect(r.code).toBe(4);
    expect(r.all).toContain('no valid "reviewed" signature precedes this approval');
  });

  it('a signature file copied in without the signing process', async () => {
    const r = await tampered(async (dir, repo) => {
      const files = readdirSync(join(repo.root, otherRel, 'signatures'));
      expect(files).toEqual(['01-executed-eve.dsse.json']);
      rmSync(join(repo.root, 'audit/trail.jsonl'));
      // An intact folder whose trail lost its entries: every signed file is unrecorded.
      const { appendAuditEntry } = await import('../../src/signing/audit.js');
      await appendAuditEntry(repo.root, { at: '2026-10-08T08:00:00Z', who: { id: 'x', name: null }, action: 'note', object: { type: 'repo', id: 'r' }, why: 'fresh trail', host: 'h' });
      void dir;
    });
    expect(r.code).toBe(4);
    expect(r.all).toContain('SIGNATURE_NOT_AUDITED signatures/01-executed-eve.dsse.json is not recorded in audit/trail.jsonl');
  });
});
