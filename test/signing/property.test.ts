// Property: flipping any one byte of a signed record (record, evidence or signature envelope) is detected.
// 1,000 small signed records, one random flip each, verified in-process. Seeded: a failure names its seed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptPrivateKey } from '../../src/signing/keys.js';
import { loadSignerRegistry } from '../../src/signing/repo.js';
import { privateKeyPath } from '../../src/signing/store.js';
import { signReport } from '../../src/signing/sign.js';
import { createVerifySession, verifyReport } from '../../src/signing/verify-report.js';
import { buildReport, copyRepo, ctxFor, enrolledRepo, forgeSignature, PASSPHRASES, sha256, T, writeReport, type Enrolled } from './fixture.js';
import { mulberry32 } from '../helpers/random.js';

const COUNT = 1000;
const SEED = Number(process.env.QUALIFY_PROPERTY_SEED ?? 20261008);


let base: Enrolled;
let repo: Enrolled;
const dirs: string[] = [];

beforeAll(async () => {
  base = await enrolledRepo();
  repo = copyRepo(base);
  const registry = loadSignerRegistry(repo.root)!;
  const fp = registry.signer('eve')!.keys.at(-1)!.fingerprint;
  const key = { privateKey: decryptPrivateKey(readFileSync(privateKeyPath(repo.home, 'eve', fp), 'utf8'), PASSPHRASES.eve!), fingerprint: fp };
  // The fixture signs exactly as `qualify sign` does (RSA PKCS#1 v1.5 is deterministic): checked on one record.
  const probe = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261008T090000Z-0ff0', small: true }), 'reports/probe-a/QP-0001-20261008T090000Z-0ff0');
  await signReport(probe, 'eve', 'executed', null, ctxFor(repo, 'eve', T.executed, null));
  const twin = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261008T090000Z-0ff0', small: true }), 'reports/probe-b/QP-0001-20261008T090000Z-0ff0', { audit: false });
  const file = 'signatures/01-executed-eve.dsse.json';
  // The probe's signature carries the trail head it was made at; the twin, made later, claims the same one.
  const probeTrail = JSON.parse(Buffer.from(JSON.parse(readFileSync(join(probe, file), 'utf8')).payload, 'base64').toString('utf8')).trail;
  await forgeSignature(repo, twin, 'eve', 'executed', T.executed, (p) => { p.trail = probeTrail; }, key);
  expect(readFileSync(join(twin, file)).equals(readFileSync(join(probe, file)))).toBe(true);

  for (let i = 0; i < COUNT; i++) {
    const built = buildReport({ reportId: `QP-0001-20261008T090000Z-${i.toString(16).padStart(4, '0')}`, small: true });
    built.report.parameters.note = `record ${i}`;
    const evidence = `observation ${i}\n`;
    built.evidence['evidence/IQ-01.1-note.txt'] = evidence;
    built.report.cases[0]!.steps[0]!.evidence.push({ path: 'evidence/IQ-01.1-note.txt', sha256: sha256(evidence), bytes: evidence.length, mediaType: 'text/plain', description: 'note' });
    const dir = await writeReport(repo.root, built, `reports/P/${built.report.reportId}`, { pdf: false });
    await forgeSignature(repo, dir, 'eve', 'executed', T.executed, () => {}, key);
    dirs.push(dir);
  }
}, 300_000);
afterAll(() => {
  repo?.cleanup();
  base?.cleanup();
});

describe(`one flipped byte in each of ${COUNT} signed records (seed ${SEED})`, () => {
  it('every untouched record verifies', async () => {
    const session = createVerifySession(repo.root, T.verify);
    for (const dir of dirs) {
      const r = await verifyReport(dir, { now: T.verify, session });
      if (!r.ok) throw new Error(`${relative(repo.root, dir)} does not verify untouched: ${JSON.stringify(r.findings)}`);
    }
  });

  it('every flip is detected', async () => {
    const random = mulberry32(SEED);
    const session = createVerifySession(repo.root, T.verify);
    const undetected: string[] = [];
    const byFile: Record<string, number> = {};
    for (const dir of dirs) {
      const files = ['report.json', 'signatures/01-executed-eve.dsse.json', 'evidence/IQ-01.1-note.txt', 'evidence/manifest.json'].map((f) => ({ f, bytes: readFileSync(join(dir, f)) }));
      const total = files.reduce((n, x) => n + x.bytes.length, 0);
      let at = Math.floor(random() * total);
      const target = files.find((x) => (at < x.bytes.length ? true : ((at -= x.bytes.length), false)))!;
      const mask = 1 + Math.floor(random() * 255);
      const flipped = Buffer.from(target.bytes);
      flipped[at] = flipped[at]! ^ mask;
      writeFileSync(join(dir, target.f), flipped);
      byFile[target.f] = (byFile[target.f] ?? 0) + 1;
      const r = await verifyReport(dir, { now: T.verify, session, pdf: false });
      if (r.ok) undetected.push(`${relative(repo.root, dir)}/${target.f} byte ${at} ^ 0x${mask.toString(16)}`);
    }
    console.log(`flips per file: ${JSON.stringify(byFile)}`);
    expect(undetected).toEqual([]);
  }, 120_000);
});
