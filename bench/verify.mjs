#!/usr/bin/env node
// Verification benchmark: builds a signed, approved report (12 cases, 24 steps, 24 evidence files,
// one deviation with its QA disposition, signatures executed → reviewed → approved, PDF-signed), then
// times `qualify verify` on it as a whole CLI process (target < 300 ms) and in-process, and verifies
// 1,000 such report folders with one session (target < 10 s). Prints the figures.
// Usage: npm run build && node bench/verify.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument, StandardFonts } from 'pdf-lib';

const root = fileURLToPath(new URL('..', import.meta.url));
let q;
try {
  q = await import(join(root, 'dist/index.js'));
} catch {
  console.error('bench/verify: build first (npm run build)');
  process.exit(2);
}
const REPORTS = Number(process.env.BENCH_REPORTS ?? 1000);
const work = mkdtempSync(join(tmpdir(), 'qualify-bench-verify-'));
const repo = join(work, 'repo');
const home = join(work, 'home');
const env = { QUALIFY_HOME: home };
const sha = (b) => createHash('sha256').update(b).digest('hex');
const iso = (s) => new Date(s);

/** Enrols `signers` as the documented flow does: an admin bootstraps, each signer requests, the admin issues, each acknowledges. */
async function enrol(q, repo, signers, passphraseOf, now, env) {
  const admin = { id: 'ada', name: 'Ada Admin', pass: 'ada bench passphrase' };
  await q.createSignerKey(repo, { id: admin.id, name: admin.name, email: 'ada@example.invalid', roles: ['admin'], passphrase: admin.pass, now, env, host: 'bench' });
  for (const [id, name, roles] of signers) {
    const { request } = q.requestSignerKey(repo, { id, name, email: `${id}@example.invalid`, roles, passphrase: passphraseOf(id), now, env });
    await q.issueSignerKey(repo, { requestText: JSON.stringify(request), requestFile: `${id}.key-request.json`, adminId: admin.id, passphrase: async () => admin.pass, now, env, host: 'bench' });
    await q.acknowledgeSignaturePolicy(repo, q.loadSignerRegistry(repo), id, { now, env, passphrase: async () => passphraseOf(id), host: 'bench' });
  }
}

try {
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(join(repo, 'qualify.yaml'), 'signers: signers.yaml\n');
  const signers = [['eve', 'Eve Executor', ['executor']], ['rita', 'Rita Reviewer', ['reviewer']], ['quinn', 'Quinn Approver', ['approver', 'qa']]];
  await enrol(q, repo, signers, (id) => `${id} bench passphrase`, iso('2026-10-01T08:00:00Z'), env);
  // The protocol, approved by signature before the run (a repository with signers needs it).
  const protocolText = '---\ndocument_id: QP-0001\ntype: protocol\ntitle: Deployment Qualification Protocol\nrevision: "01"\nstatus: effective\napprovers: [quinn]\neffective_date: 2026-10-05\n---\n# Bench\n';
  mkdirSync(join(repo, 'protocols'), { recursive: true });
  writeFileSync(join(repo, 'protocols/QP-0001.md'), protocolText);
  await q.signDocument(join(repo, 'protocols/QP-0001.md'), 'quinn', 'approved', null, { now: iso('2026-10-02T08:00:00Z'), env, passphrase: async () => 'quinn bench passphrase', host: 'bench' });

  // A realistic record: 12 cases of 2 steps, each step with an evidence file of about 2 KB.
  const started = '2026-10-08T09:00:00Z';
  const ended = '2026-10-08T09:00:41Z';
  const dir = join(repo, 'reports/QP-0001/QP-0001-20261008T090000Z-be9c');
  const evidence = {};
  const cases = [];
  for (let c = 1; c <= 12; c++) {
    const id = `${c <= 4 ? 'IQ' : 'OQ'}-${String(c).padStart(2, '0')}`;
    const steps = [];
    for (let s = 1; s <= 2; s++) {
      const stepId = `${id}.${s}`;
      const path = `evidence/${stepId}-inspect.json`;
      const content = `${JSON.stringify({ Id: sha(stepId), Name: '/web', Config: { Labels: { 'org.opencontainers.image.version': '1.4.2' }, Env: Array.from({ length: 30 }, (_, i) => `VAR_${i}=***`) }, State: { Status: 'running', Health: { Status: 'healthy' } } }, null, 2)}\n`;
      evidence[path] = content;
      const fail = c === 12 && s === 2;
      steps.push({
        id: stepId, type: 'container.config', params: { container: 'web' }, expected: { user: 'app' }, actual: { user: fail ? 'root' : 'app' },
        assertions: [{ path: 'user', matcher: 'equals', expected: 'app', actual: fail ? 'root' : 'app', pass: !fail }],
        status: fail ? 'fail' : 'pass', reason: fail ? 'user is root' : null, attempts: [{ n: 1, started, ended, status: fail ? 'fail' : 'pass' }],
        started, ended, durationMs: 40, evidence: [{ path, sha256: sha(content), bytes: Buffer.byteLength(content), mediaType: 'application/json', description: `docker inspect for ${stepId}` }],
      });
    }
    cases.push({ id, title: `Case ${id}`, stage: id.slice(0, 2), risk: 'high', requirements: [`URS-${c}`], objective: 'The container runs as configured.', status: steps.some((x) => x.status === 'fail') ? 'fail' : 'pass', steps });
  }
  const digest = `127.0.0.1:5000/app@sha256:${'a'.repeat(64)}`;
  const report = {
    schema: 'qualify.report/v1', reportId: 'QP-0001-20261008T090000Z-be9c', dryRun: false, incomplete: false,
    protocol: { documentId: 'QP-0001', title: 'Deployment Qualification Protocol', revision: '01', path: 'protocols/QP-0001.md', sha256: sha(protocolText), gitCommit: null, status: 'effective', approval: 'signed' },
    parameters: { service: 'web', release: '1.4.2', image: digest }, executor: { id: 'eve', name: 'Eve Executor', host: 'bench' },
    tool: { name: 'qualify', version: q.TOOL_VERSION, node: process.version }, environment: 'production',
    targets: [{ endpoint: 'unix:///var/run/docker.sock', version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', hostname: 'prod-1', time: started, error: null }],
    started, ended, cases,
    deviations: [{ id: 'DEV-001', caseId: 'OQ-12', stepId: 'OQ-12.2', description: 'Expected user app, observed root.', opened: ended, status: 'open', disposition: null }],
    subject: { images: [{ container: 'web', repository: '127.0.0.1:5000/app', tag: '1.4.2', digest, imageId: `sha256:${'b'.repeat(64)}` }], application: { repo: '.', commit: 'd'.repeat(40), tag: 'v1.4.2' } },
    summary: { cases: 12, steps: 24, passed: 23, failed: 1, errored: 0, skipped: 0, deviations: 1 }, conclusion: 'fail', warnings: [],
    redaction: { count: 0, salt: '0123456789abcdef0123', algorithm: 'hmac-sha256(salt, value)[0:16]', entries: [] },
  };
  const files = { ...evidence, 'report.json': `${JSON.stringify(report, null, 2)}\n`, 'report.md': `# ${report.reportId}\n` };
  files['evidence/manifest.json'] = `${JSON.stringify({ files: cases.flatMap((c) => c.steps.flatMap((s) => s.evidence.map((e) => ({ path: e.path, step: s.id, sha256: e.sha256, bytes: e.bytes, mediaType: e.mediaType, description: e.description })))).sort((a, b) => (a.path < b.path ? -1 : 1)) }, null, 2)}\n`;
  // A 12-page PDF embedding report.json (the report engine's output stands in the same place).
  const render = async (rep, _md, { signatures }) => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const font = await doc.embedFont(StandardFonts.Helvetica);
    for (const c of rep.cases) {
      const page = doc.addPage([595, 842]);
      page.drawText(`${rep.reportId} ${c.id} ${c.title} ${c.status}`, { x: 50, y: 800, size: 10, font });
      c.steps.forEach((s, i) => page.drawText(`${s.id} ${JSON.stringify(s.actual)}`, { x: 50, y: 770 - i * 14, size: 9, font }));
    }
    const last = doc.addPage([595, 842]);
    signatures.forEach((s, i) => last.drawText(`${s.name} (${s.signerId}) ${s.meaning} ${s.time}`, { x: 50, y: 800 - i * 14, size: 9, font }));
    await doc.attach(Buffer.from(JSON.stringify(rep, null, 2)), 'report.json', { mimeType: 'application/json', creationDate: iso(rep.ended), modificationDate: iso(rep.ended) });
    return doc.save({ useObjectStreams: false });
  };
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  writeFileSync(join(dir, 'report.pdf'), await render(report, files['report.md'], { signatures: [] }));
  // Recorded in the audit trail as `qualify run` records it (the record's bytes and each rendering).
  const written = Object.entries({ ...files, 'report.pdf': await render(report, files['report.md'], { signatures: [] }) }).map(([path, v]) => ({ path, bytes: typeof v === 'string' ? Buffer.from(v) : v }));
  await q.appendAuditEntries(repo, q.runAuditEntries(report, written, 'reports/QP-0001/QP-0001-20261008T090000Z-be9c'));
  const ctx = (id, at) => ({ now: iso(at), env, passphrase: async () => `${id} bench passphrase`, host: 'bench', renderPdf: render });
  await q.signReport(dir, 'eve', 'executed', null, ctx('eve', '2026-10-08T10:00:00Z'));
  await q.signReport(dir, 'rita', 'reviewed', null, ctx('rita', '2026-10-08T11:00:00Z'));
  await q.closeDeviation(dir, 'DEV-001', 'Image runs as root by design of the base image; risk accepted, CAPA-7.', 'quinn', ctx('quinn', '2026-10-08T11:30:00Z'));
  await q.signReport(dir, 'quinn', 'approved', null, ctx('quinn', '2026-10-08T12:00:00Z'));

  const now = iso('2026-10-09T08:00:00Z');
  const check = await q.verifyReport(dir, { now });
  if (!check.ok) throw new Error(`the benchmark report does not verify: ${JSON.stringify(check.findings)}`);

  // One report, as users run it: a whole `qualify verify` process.
  const bin = join(root, 'bin/qualify.js');
  const cliTimes = [];
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [bin, 'verify', dir], { cwd: repo, env: { ...process.env, ...env, NO_COLOR: '1' }, encoding: 'utf8' });
    cliTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0) throw new Error(`qualify verify exited ${r.status}: ${r.stdout}${r.stderr}`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  // One report in-process (cold session each time: registry, audit trail, every hash and signature).
  const inTimes = [];
  for (let i = 0; i < 20; i++) {
    const t0 = process.hrtime.bigint();
    const r = await q.verifyReport(dir, { now });
    inTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!r.ok) throw new Error('verify failed');
  }

  // 1,000 report folders (copies of the signed folder), one session for the repository.
  // (A report folder is named after its record: each copy keeps the name.)
  for (let i = 1; i < REPORTS; i++) cpSync(dir, join(repo, 'reports/bulk', String(i).padStart(4, '0'), report.reportId), { recursive: true });
  const dirs = [dir, ...Array.from({ length: REPORTS - 1 }, (_, i) => join(repo, 'reports/bulk', String(i + 1).padStart(4, '0'), report.reportId))];
  const t0 = process.hrtime.bigint();
  const session = q.createVerifySession(repo, now);
  let failed = 0;
  for (const d of dirs) if (!(await q.verifyReport(d, { now, session })).ok) failed++;
  const bulkMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (failed) throw new Error(`${failed} of ${REPORTS} reports did not verify`);

  const cli = median(cliTimes);
  console.log(`report: 12 cases, 24 steps, 24 evidence files, 1 disposition, 3 signatures, signed PDF (${spawnSync('du', ['-sh', dir], { encoding: 'utf8' }).stdout.split('\t')[0]})`);
  console.log(`verify one report, CLI process:   median ${cli.toFixed(0)} ms of ${cliTimes.length} runs (target < 300 ms) ${cli < 300 ? 'OK' : 'SLOW'}`);
  console.log(`verify one report, in-process:    median ${median(inTimes).toFixed(1)} ms of ${inTimes.length} runs`);
  console.log(`verify ${REPORTS} reports, one session: ${(bulkMs / 1000).toFixed(2)} s, ${(bulkMs / REPORTS).toFixed(2)} ms each (target < 10 s) ${bulkMs < 10_000 ? 'OK' : 'SLOW'}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
