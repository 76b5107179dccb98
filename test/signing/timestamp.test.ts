// Issue 12 item 7, PAdES B-T: with a time-stamp authority in qualify.yaml (`tsa: URL`), every PDF signature
// carries the RFC 3161 token of that TSA over its signature value. The TSA here is real: `openssl ts -reply`
// behind a small HTTP server on 127.0.0.1, with its own certificate (extended key usage timeStamping).
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { signReport } from '../../src/signing/sign.js';
import { loadSignerRegistry } from '../../src/signing/repo.js';
import { inspectPdfSignatures } from '../../src/signing/pdf-inspect.js';
import { readTimestampToken, requestTimestamp } from '../../src/signing/timestamp.js';
import { copyRepo, ctxFor, enrolledRepo, PASSPHRASES, writeReport, type Enrolled } from './fixture.js';

let dir: string;
let server: Server;
let url: string;
let requests = 0;
let base: Enrolled;

/** Starts `openssl ts -reply` behind an HTTP server on 127.0.0.1 (one process per request). */
function startTsa(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'qualify-tsa-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'tsa.key'), '-out', join(dir, 'tsa.crt'), '-subj', '/CN=Test TSA', '-days', '30', '-addext', 'extendedKeyUsage=critical,timeStamping'], { stdio: 'ignore' });
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(join(dir, 'ts.cnf'), ['[ tsa ]', 'default_tsa = tsa1', '[ tsa1 ]', `serial = ${join(dir, 'serial')}`, 'crypto_device = builtin', 'signer_digest = sha256', 'default_policy = 1.2.3.4.1', 'digests = sha256', 'accuracy = secs:1', 'ordering = no', 'tsa_name = no', 'ess_cert_id_chain = no', 'ess_cert_id_alg = sha256', ''].join('\n'));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const n = requests;
      writeFileSync(join(dir, `q${n}.tsq`), Buffer.concat(chunks));
      const r = spawnSync('openssl', ['ts', '-reply', '-config', join(dir, 'ts.cnf'), '-queryfile', join(dir, `q${n}.tsq`), '-signer', join(dir, 'tsa.crt'), '-inkey', join(dir, 'tsa.key'), '-out', join(dir, `r${n}.tsr`)]);
      if (r.status !== 0) {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/timestamp-reply', connection: 'close' }).end(readFileSync(join(dir, `r${n}.tsr`)));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    resolve();
  }));
}

beforeAll(async () => {
  await startTsa();
  base = await enrolledRepo();
}, 120_000);
afterAll(() => {
  server?.close();
  base?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('PAdES B-T: RFC 3161 signature time-stamps from the TSA of qualify.yaml', () => {
  it('the client: a token over the signature value, with the nonce, genTime and the TSA certificate', async () => {
    const value = Buffer.from('a signature value');
    const token = await requestTimestamp(forge, url, value);
    const info = readTimestampToken(forge, token, value);
    expect(info.problems).toEqual([]);
    expect(info.tsa).toBe('CN=Test TSA');
    expect(Math.abs(Date.parse(info.genTime!) - Date.now())).toBeLessThan(120_000);
    // The same token over another value: its imprint is not that value's hash.
    expect(readTimestampToken(forge, token, Buffer.from('another value')).problems.join()).toContain('imprint is not the hash of this signature');
  });

  it('executed, reviewed, approved: three time-stamped PDF signatures; pdfsig valid; verify alone shows the TSA time', async () => {
    const repo = copyRepo(base);
    const empty = mkdtempSync(join(tmpdir(), 'qualify-tsa-alone-'));
    try {
      appendFileSync(join(repo.root, 'qualify.yaml'), `tsa: ${url}\n`);
      const report = await writeReport(repo.root);
      const now = Date.now();
      const before = requests;
      await signReport(report, 'eve', 'executed', null, ctxFor(repo, 'eve', new Date(now)));
      await signReport(report, 'rita', 'reviewed', null, ctxFor(repo, 'rita', new Date(now + 1000)));
      await signReport(report, 'quinn', 'approved', null, ctxFor(repo, 'quinn', new Date(now + 2000)));
      expect(requests - before).toBe(3);
      const pdf = readFileSync(join(report, 'report.pdf'));
      const sigs = await inspectPdfSignatures(pdf);
      expect(sigs.map((s) => [s.problems, s.timestamp?.tsa, s.timestamp?.problems])).toEqual([[[], 'CN=Test TSA', []], [[], 'CN=Test TSA', []], [[], 'CN=Test TSA', []]]);
      const out = execFileSync('pdfsig', [join(report, 'report.pdf')], { encoding: 'utf8' });
      expect(out.match(/Signature is Valid\./g)).toHaveLength(3);
      copyFileSync(join(report, 'report.pdf'), join(empty, 'report.pdf'));
      writeFileSync(join(empty, 'ca.pem'), loadSignerRegistry(repo.root)!.ca!.certificate);
      const r = await runCli(['verify', 'report.pdf', '--trust', 'ca.pem'], { cwd: empty, env: {}, now: new Date(now + 60_000) });
      expect(r.stdout).toMatch(/report\.pdf signature 3 \(Quinn Approver\): valid, approved by quinn .*; TSA time 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ by CN=Test TSA/);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      // Verified in the repository too.
      expect((await runCli(['verify', join(report, 'report.pdf')], { cwd: repo.root, env: repo.env, now: new Date(now + 60_000) })).code).toBe(0);
    } finally {
      repo.cleanup();
      rmSync(empty, { recursive: true, force: true });
    }
  }, 120_000);

  it('a configured TSA that does not answer: nothing is signed, exit 1 (TSA_UNAVAILABLE, an environment problem)', async () => {
    const repo = copyRepo(base);
    try {
      appendFileSync(join(repo.root, 'qualify.yaml'), 'tsa: http://127.0.0.1:9/\n');
      const report = await writeReport(repo.root);
      const r = await runCli(['sign', report, '--as', 'eve', '--meaning', 'executed', '--passphrase-stdin'], { cwd: repo.root, env: repo.env, now: new Date(), stdin: `${PASSPHRASES.eve}\n` });
      expect(r.stderr).toContain('TSA_UNAVAILABLE');
      expect(r.code).toBe(1);
      expect(() => readFileSync(join(report, 'signatures/01-executed-eve.dsse.json'))).toThrow();
    } finally {
      repo.cleanup();
    }
  }, 120_000);
});
