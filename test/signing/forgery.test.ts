// Issue 9, items 1, 2, 3, 5, 6: records that verified when they must not (forged PDF revisions, a record
// edited before its first signature, the approval gate bypassed, weak spots of verify), and a record whose
// verdict changed with later changes of the repository. Each case is built for real and judged by
// `qualify verify` (and pdfsig where a PDF is concerned).
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { closeDeviation, signReport } from '../../src/signing/sign.js';
import { decryptPrivateKey } from '../../src/signing/keys.js';
import { loadSignerRegistry } from '../../src/signing/repo.js';
import { privateKeyPath } from '../../src/signing/store.js';
import { appendRevision } from './pdf-forge.js';
import { buildReport, copyRepo, ctxFor, enrolledRepo, forgeSignature, PASSPHRASES, T, writeReport, type Enrolled } from './fixture.js';

let base: Enrolled;
let approvedRel: string;
let reviewedRel: string;

beforeAll(async () => {
  base = await enrolledRepo();
  const dir = await writeReport(base.root);
  await signReport(dir, 'eve', 'executed', null, ctxFor(base, 'eve', T.executed));
  await signReport(dir, 'rita', 'reviewed', null, ctxFor(base, 'rita', T.reviewed));
  await signReport(dir, 'quinn', 'approved', null, ctxFor(base, 'quinn', T.approved));
  approvedRel = relative(base.root, dir);
  const reviewed = await writeReport(base.root, buildReport({ reportId: 'QP-0001-20261009T090000Z-b2c3' }));
  await signReport(reviewed, 'eve', 'executed', null, ctxFor(base, 'eve', T.executed));
  await signReport(reviewed, 'rita', 'reviewed', null, ctxFor(base, 'rita', T.reviewed));
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
      const r = await tampered(approvedRel, async (dir, repo) => {
        const pdf = join(dir, 'report.pdf');
        writeFileSync(pdf, await appendRevision(readFileSync(pdf), 'CONCLUSION: FAIL', keyOf(repo, signer)));
        pdfsig = execFileSync('pdfsig', [pdf], { encoding: 'utf8' });
        expect(execFileSync('pdftotext', ['-f', '1', '-l', '1', pdf, '-'], { encoding: 'utf8' })).toContain('CONCLUSION: FAIL');
      });
      // pdfsig: the approval no longer covers the file; the forged signature is valid on its own.
      expect(pdfsig).toMatch(/Signature #1:[\s\S]*Not total document signed/);
      expect(pdfsig).toMatch(/Signature #2:[\s\S]*Total document signed\n\s*- Signature Validation: Signature is Valid\./);
      expect(r.code).toBe(4);
      expect(r.all).toContain('PDF_SIGNATURE_EXTRA');
      expect(r.all).toMatch(/PDF_CONTENT_APPENDED report\.pdf signature 1 \(Quinn Approver\): \d+ bytes were appended after the signed range/);
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
