// Issue 12 item 7: the report PDF verifies alone. Every signature of the record (executed, dispositions,
// reviewed, approved) is a PDF signature of its own, appended as an incremental update so that the earlier
// ones stay valid; the PDF embeds the envelopes, the signers' certificates and the CA; `qualify verify
// report.pdf --trust ca.pem` works in an empty folder, outside any repository. Judged by pdfsig and the CLI.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { closeDeviation, signReport } from '../../src/signing/sign.js';
import { loadReportRenderer } from '../../src/signing/pdf-render.js';
import { loadSignerRegistry } from '../../src/signing/repo.js';
import { createCaCertificate } from '../../src/signing/x509.js';
import { decryptPrivateKey } from '../../src/signing/keys.js';
import { privateKeyPath } from '../../src/signing/store.js';
import { inspectPdfSignatures } from '../../src/signing/pdf-inspect.js';
import { appendRevision } from './pdf-forge.js';
import { buildReport, copyRepo, ctxFor, enrolledRepo, PASSPHRASES, T, writeReport, type Enrolled, signThrough } from './fixture.js';

let base: Enrolled;
let repo: Enrolled;
let empty: string;
let caPem: string;

beforeAll(async () => {
  base = await enrolledRepo();
  repo = copyRepo(base);
  empty = mkdtempSync(join(tmpdir(), 'qualify-pdf-alone-'));
  const renderer = await loadReportRenderer();
  // A: executed, reviewed, approved, rendered by the report engine.
  const a = await writeReport(repo.root);
  await signReport(a, 'eve', 'executed', null, ctxFor(repo, 'eve', T.executed, renderer));
  await signReport(a, 'rita', 'reviewed', null, ctxFor(repo, 'rita', T.reviewed, renderer));
  await signReport(a, 'quinn', 'approved', null, ctxFor(repo, 'quinn', T.approved, renderer));
  // B: a deviation dispositioned between execution and review: four PDF signatures.
  const b = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261009T090000Z-b2c3', deviation: true }));
  await signThrough(repo, b, 'executed');
  await closeDeviation(b, 'DEV-001', 'impact none: the probe was pointed at the wrong port; retest passed', 'quinn', ctxFor(repo, 'quinn', new Date(T.executed.getTime() + 60_000)));
  await signReport(b, 'rita', 'reviewed', null, ctxFor(repo, 'rita', T.reviewed));
  await signReport(b, 'quinn', 'approved', null, ctxFor(repo, 'quinn', T.approved));
  mkdirSync(join(empty, 'b'));
  copyFileSync(join(a, 'report.pdf'), join(empty, 'report.pdf'));
  copyFileSync(join(b, 'report.pdf'), join(empty, 'b', 'report.pdf'));
  caPem = loadSignerRegistry(repo.root)!.ca!.certificate;
  writeFileSync(join(empty, 'ca.pem'), caPem);
}, 240_000);
afterAll(() => {
  repo?.cleanup();
  base?.cleanup();
  if (empty) rmSync(empty, { recursive: true, force: true });
});

const verify = async (args: string[]) => {
  const r = await runCli(['verify', ...args], { cwd: empty, env: {}, now: T.verify });
  return { ...r, all: r.stdout + r.stderr };
};

/** pdfsig's report, one block per signature. */
function pdfsig(path: string, nssdir?: string): string[] {
  const out = execFileSync('pdfsig', [...(nssdir ? ['-nssdir', `sql:${nssdir}`] : []), path], { encoding: 'utf8' });
  return out.split(/\nSignature #\d+:\n/).slice(1);
}

describe('report.pdf verifies alone', () => {
  it('pdfsig: three valid signatures (executed, reviewed, approved), the last covers the whole file, each trusted with the CA', () => {
    const blocks = pdfsig(join(empty, 'report.pdf'));
    expect(blocks).toHaveLength(3);
    expect(blocks.map((b) => /Signer Certificate Common Name: (.*)/.exec(b)?.[1])).toEqual(['Eve Executor', 'Rita Reviewer', 'Quinn Approver']);
    for (const b of blocks) expect(b).toContain('Signature Validation: Signature is Valid.');
    expect(blocks.map((b) => b.includes('Total document signed'))).toEqual([false, false, true]);
    expect(blocks.map((b) => /Signature Field Name: (\w+)/.exec(b)?.[1])).toEqual(['executed', 'reviewed', 'approved']);
    // Trusted once the signer CA is in an NSS database.
    const nss = mkdtempSync(join(tmpdir(), 'qualify-nss-'));
    try {
      execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
      execFileSync('certutil', ['-A', '-d', `sql:${nss}`, '-n', 'qualify-ca', '-t', 'CT,C,C', '-i', join(empty, 'ca.pem')]);
      const trusted = pdfsig(join(empty, 'report.pdf'), nss);
      for (const b of trusted) expect(b).toContain('Certificate Validation: Certificate is Trusted.');
    } finally {
      rmSync(nss, { recursive: true, force: true });
    }
  });

  it('embeds the envelopes, the signers\' certificates and the CA as associated files', () => {
    const list = execFileSync('pdfdetach', ['-list', join(empty, 'report.pdf')], { encoding: 'utf8' });
    expect(list.match(/signatures-0\d-\w+-\w+\.dsse\.json/g)).toEqual(['signatures-01-executed-eve.dsse.json', 'signatures-02-reviewed-rita.dsse.json', 'signatures-03-approved-quinn.dsse.json']);
    expect(list.match(/certificates-(eve|rita|quinn)-[0-9a-f]{16}\.pem/g)).toHaveLength(3);
    expect(list).toContain('certificates-ca.pem');
    expect(list.match(/report\.json/g)).toHaveLength(1);
  });

  it('qualify verify report.pdf --trust ca.pem in an empty folder: exit 0, who signed what, when, with what meaning', async () => {
    const r = await verify(['report.pdf', '--trust', 'ca.pem']);
    expect(r.all).toContain(': approved, record sha256');
    expect(r.all).toMatch(/ok {4}signature 01-executed-eve\.dsse\.json: Eve Executor \(eve\), executed, 2026-10-08T10:00:00Z, key [0-9a-f]{16}: valid/);
    expect(r.all).toMatch(/ok {4}signature 02-reviewed-rita\.dsse\.json: Rita Reviewer \(rita\), reviewed, 2026-10-08T11:00:00Z/);
    expect(r.all).toMatch(/ok {4}signature 03-approved-quinn\.dsse\.json: Quinn Approver \(quinn\), approved, 2026-10-08T12:00:00Z/);
    expect(r.all).toMatch(/report\.pdf signature 1 \(Eve Executor\): valid, executed by eve \(signatures\/01-executed-eve\.dsse\.json\), covers revision 1 of 3/);
    expect(r.all).toMatch(/report\.pdf signature 3 \(Quinn Approver\): valid, approved by quinn .*covers revision 3 of 3 \(the whole file\)/);
    expect(r.all).toContain('certificate of Quinn Approver (quinn)');
    expect(r.all).toContain('verified: every check holds');
    expect(r.code).toBe(0);
  });

  it('a deviation dispositioned between execution and review: four PDF signatures, verifies alone', async () => {
    const blocks = pdfsig(join(empty, 'b', 'report.pdf'));
    expect(blocks.map((b) => /Signature Field Name: (\w+)/.exec(b)?.[1])).toEqual(['executed', 'dispositioned', 'reviewed', 'approved']);
    for (const b of blocks) expect(b).toContain('Signature is Valid.');
    const r = await verify(['b/report.pdf', '--trust', 'ca.pem']);
    expect(r.all).toMatch(/ok {4}signature DEV-001\.dsse\.json: Quinn Approver \(quinn\), dispositioned/);
    expect(r.code).toBe(0);
  });

  for (const where of ['in the first revision', 'in the middle', 'in the last revision'] as const) {
    it(`one changed byte ${where}: exit 4`, async () => {
      const bytes = readFileSync(join(empty, 'report.pdf'));
      const at = where === 'in the first revision' ? 2000 : where === 'in the middle' ? Math.floor(bytes.length / 2) : bytes.length - 300;
      const copy = Buffer.from(bytes);
      copy[at] = copy[at] === 0x41 ? 0x42 : 0x41;
      writeFileSync(join(empty, 'changed.pdf'), copy);
      const r = await verify(['changed.pdf', '--trust', 'ca.pem']);
      expect(r.code, r.all).toBe(4);
      expect(r.all).toContain('NOT VERIFIED');
    });
  }

  it('without --trust: says what holds and that the trust anchor is missing, exit 4', async () => {
    const r = await verify(['report.pdf']);
    expect(r.code).toBe(4);
    expect(r.all).toContain('TRUST_ANCHOR_MISSING');
    expect(r.all).toContain('--trust ca.pem');
    expect(r.all).toMatch(/ok {4}report\.pdf signature 3 \(Quinn Approver\): valid/);
    expect(r.all).not.toContain('REPO_NOT_FOUND');
  });

  it('--trust with another CA: the certificates are not trusted, exit 4; a file without a certificate is exit 2', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(empty, 'other-ca.pem'), createCaCertificate(privateKey, publicKey, { name: 'Other CA' }, T.keys));
    const r = await verify(['report.pdf', '--trust', 'other-ca.pem']);
    expect(r.code).toBe(4);
    expect(r.all).toContain('CERTIFICATE_UNTRUSTED');
    writeFileSync(join(empty, 'not-a-cert.pem'), 'hello\n');
    const bad = await verify(['report.pdf', '--trust', 'not-a-cert.pem']);
    expect(bad.code).toBe(2);
    expect(bad.all).toContain('TRUST_INVALID');
  });
});

describe('an interrupted signature leaves a PDF signature no envelope backs', () => {
  it('verify says PDF_SIGNATURE_UNBACKED; signing again cuts that revision off and appends its own', async () => {
    const r2 = copyRepo(base);
    try {
      const dir = await writeReport(r2.root);
      await signThrough(r2, dir, 'executed');
      const pdf = join(dir, 'report.pdf');
      const executed = readFileSync(pdf);
      // What a review killed between its PDF and its envelope leaves: a revision signed with rita's key.
      const registry = loadSignerRegistry(r2.root)!;
      const key = registry.signer('rita')!.keys.at(-1)!;
      const privateKey = decryptPrivateKey(readFileSync(privateKeyPath(r2.home, 'rita', key.fingerprint), 'utf8'), PASSPHRASES.rita!);
      writeFileSync(pdf, await appendRevision(executed, 'an interrupted review', { privateKey, certificates: [key.certificate, registry.ca!.certificate], name: 'Rita Reviewer' }));
      const inspected = await inspectPdfSignatures(readFileSync(pdf));
      expect(inspected).toHaveLength(2);
      const v = await runCli(['verify', relative(r2.root, dir)], { cwd: r2.root, env: r2.env, now: T.verify });
      expect(v.code).toBe(4);
      expect(v.stdout).toContain('PDF_SIGNATURE_UNBACKED report.pdf signature 2 (Rita Reviewer)');
      await signReport(dir, 'rita', 'reviewed', null, ctxFor(r2, 'rita', T.reviewed));
      const after = readFileSync(pdf);
      // The executed revision is kept byte for byte; the unbacked one is gone; the review is appended.
      expect(after.subarray(0, executed.length).equals(executed)).toBe(true);
      expect(after.includes('an interrupted review')).toBe(false);
      const sigs = await inspectPdfSignatures(after);
      expect(sigs.map((s) => [s.name, s.revision, s.problems.length, s.coversWholeFile])).toEqual([['Eve Executor', 1, 0, false], ['Rita Reviewer', 2, 0, true]]);
      expect((await runCli(['verify', relative(r2.root, dir)], { cwd: r2.root, env: r2.env, now: T.verify })).code).toBe(0);
    } finally {
      r2.cleanup();
    }
  }, 120_000);
});
