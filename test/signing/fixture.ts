// Realistic report folders and enrolled signers for the signing tests: a QMS repository (real git), a
// protocol, a record with evidence files and manifest, report.md and a PDF embedding report.json, and
// signers enrolled with real keys in a temporary $QUALIFY_HOME.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, type KeyObject } from 'node:crypto';
import type { SignatureMeaning } from '../../src/model/signature.js';
import { appendAuditEntries, appendAuditEntry, trailHead } from '../../src/signing/audit.js';
import { runAuditEntries } from '../../src/runner/qualify.js';
import { renderJunit } from '../../src/report/junit.js';
import { keySigner, signEnvelope } from '../../src/signing/dsse.js';
import { canonicalJson } from '../../src/signing/hash.js';
import { serializeJson } from '../../src/signing/json-file.js';
import { decryptPrivateKey } from '../../src/signing/keys.js';
import { SIGNATURE_PAYLOAD_TYPE, SIGNATURE_SCHEMA, signatureFileName, utcSeconds, type SignaturePayload } from '../../src/signing/payload.js';
import { loadRecord, readReportEnvelopes } from '../../src/signing/report-record.js';
import { loadSignerRegistry } from '../../src/signing/repo.js';
import { privateKeyPath } from '../../src/signing/store.js';
import { evaluateReport } from '../../src/signing/verify-report.js';
import { join, relative, sep } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { REPORT_SCHEMA, type Report, type Deviation } from '../../src/model/report.js';
import type { PdfRenderer } from '../../src/signing/pdf-render.js';
import { createSignerKey, issueSignerKey, requestSignerKey } from '../../src/signing/enrol.js';
import { acknowledgeSignaturePolicy } from '../../src/signing/acknowledge.js';
import { signReport } from '../../src/signing/sign.js';
import { ADMIN } from '../helpers/enrol.js';
import { makeGitRepo, makeTempDir, writeTree } from '../helpers/tmp.js';

export const sha256 = (b: string | Uint8Array) => createHash('sha256').update(b).digest('hex');

export const PROTOCOL = `---
document_id: QP-0001
type: protocol
title: Deployment Qualification Protocol
revision: "01"
status: effective
approvers: [quinn]
approval_date: 2026-10-01
effective_date: 2026-10-05
---
### IQ-01 The running image is the approved release image

\`\`\`check
type: container.image
container: web
expect:
  digest: "{{image}}"
\`\`\`
`;

export const SOP = `---
document_id: SOP-0013
title: Release and operations
type: sop
revision: "05"
status: approved
approvers: [quinn]
---
# Purpose

Release by promoting images built by CI.
`;

export const T = {
  keys: new Date('2026-10-01T08:00:00Z'),
  protocolApproved: new Date('2026-10-02T08:00:00Z'),
  runStart: '2026-10-08T09:00:00Z',
  runEnd: '2026-10-08T09:00:05Z',
  executed: new Date('2026-10-08T10:00:00Z'),
  reviewed: new Date('2026-10-08T11:00:00Z'),
  dispositioned: new Date('2026-10-08T11:30:00Z'),
  approved: new Date('2026-10-08T12:00:00Z'),
  verify: new Date('2026-10-09T08:00:00Z'),
};

export const PASSPHRASES: Record<string, string> = {
  eve: 'eve executes carefully',
  rita: 'rita reviews everything',
  quinn: 'quinn approves with care',
  adam: 'adam authors documents',
};

export const SIGNERS = [
  { id: 'eve', name: 'Eve Executor', email: 'eve@example.invalid', roles: ['executor'] },
  { id: 'rita', name: 'Rita Reviewer', email: 'rita@example.invalid', roles: ['reviewer'] },
  { id: 'quinn', name: 'Quinn Approver', email: 'quinn@example.invalid', roles: ['approver', 'qa'] },
  { id: 'adam', name: 'Adam Author', email: 'adam@example.invalid', roles: ['author', 'executor', 'approver'] },
];

const IMAGE_HEX = 'a'.repeat(60) + '1234';
const ID_HEX = 'b'.repeat(60) + '5678';

/** Evidence and record of one run; `deviation` makes OQ-01 fail and opens DEV-001. */
export function buildReport(options: { reportId?: string; deviation?: boolean; executor?: string; protocolSha?: string; small?: boolean } = {}): { report: Report; evidence: Record<string, string> } {
  const reportId = options.reportId ?? 'QP-0001-20261008T090000Z-a1b2';
  const inspect = `${JSON.stringify({ Id: `${'c'.repeat(64)}`, Name: '/web', Image: `sha256:${ID_HEX}`, State: { Status: 'running', Health: { Status: 'healthy' } } }, null, 2)}\n`;
  const http = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"status":"ok","version":"1.4.2"}\n';
  const evidence: Record<string, string> = options.small ? {} : { 'evidence/IQ-01.1-inspect.json': inspect, 'evidence/OQ-01.1-response.http': http };
  const ref = (path: string, mediaType: string, description: string) => ({ path, sha256: sha256(evidence[path]!), bytes: Buffer.byteLength(evidence[path]!), mediaType, description });
  const fail = Boolean(options.deviation);
  const deviations: Deviation[] = fail
    ? [{ id: 'DEV-001', caseId: 'OQ-01', stepId: 'OQ-01.1', description: 'Expected json.version "1.4.3", observed "1.4.2".', opened: '2026-10-08T09:00:04Z', status: 'open', disposition: null }]
    : [];
  const step = (id: string, type: string, status: 'pass' | 'fail', ev: ReturnType<typeof ref>[]) => ({
    id, type, params: { container: 'web' }, expected: { digest: `127.0.0.1:5000/app@sha256:${IMAGE_HEX}` }, actual: { digest: `127.0.0.1:5000/app@sha256:${IMAGE_HEX}` },
    assertions: [{ path: 'digest', matcher: 'equals', expected: 'x', actual: 'x', pass: status === 'pass' }],
    status, reason: status === 'pass' ? null : 'json.version differs', attempts: [{ n: 1, started: T.runStart, ended: T.runEnd, status }],
    started: T.runStart, ended: T.runEnd, durationMs: 120, evidence: ev,
  });
  const report: Report = {
    schema: REPORT_SCHEMA,
    reportId,
    dryRun: false,
    incomplete: false,
    protocol: { documentId: 'QP-0001', title: 'Deployment Qualification Protocol', revision: '01', path: 'protocols/QP-0001.md', sha256: options.protocolSha ?? sha256(PROTOCOL), gitCommit: null, status: 'effective', approval: 'signed' },
    parameters: { service: 'web', release: '1.4.2', image: `127.0.0.1:5000/app@sha256:${IMAGE_HEX}` },
    executor: { id: options.executor ?? 'eve', name: 'Eve Executor', host: 'build-host' },
    tool: { name: 'qualify', version: '0.1.0', node: 'v20.20.2' },
    environment: 'production',
    targets: [{ endpoint: 'unix:///var/run/docker.sock', version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', hostname: 'prod-1', time: T.runStart, error: null }],
    started: T.runStart,
    ended: T.runEnd,
    cases: options.small
      ? [{ id: 'IQ-01', title: 'Image', stage: 'IQ', risk: 'high', requirements: ['URS-04'], objective: 'Digest.', status: 'pass', steps: [step('IQ-01.1', 'container.image', 'pass', [])] }]
      : [
          { id: 'IQ-01', title: 'The running image is the approved release image', stage: 'IQ', risk: 'high', requirements: ['URS-04'], objective: 'The container must run exactly the approved image.', status: 'pass', steps: [step('IQ-01.1', 'container.image', 'pass', [ref('evidence/IQ-01.1-inspect.json', 'application/json', 'docker inspect of container web')])] },
          { id: 'OQ-01', title: 'The health endpoint answers', stage: 'OQ', risk: 'medium', requirements: ['URS-07'], objective: 'GET /health returns 200 and the release.', status: fail ? 'fail' : 'pass', steps: [step('OQ-01.1', 'http.get', fail ? 'fail' : 'pass', [ref('evidence/OQ-01.1-response.http', 'message/http', 'HTTP exchange GET /health')])] },
        ],
    deviations,
    subject: {
      images: [{ container: 'web', repository: '127.0.0.1:5000/app', tag: '1.4.2', digest: `127.0.0.1:5000/app@sha256:${IMAGE_HEX}`, imageId: `sha256:${ID_HEX}` }],
      application: { repo: '.', commit: 'd'.repeat(40), tag: 'v1.4.2' },
    },
    summary: { cases: options.small ? 1 : 2, steps: options.small ? 1 : 2, passed: fail ? 1 : options.small ? 1 : 2, failed: fail ? 1 : 0, errored: 0, skipped: 0, deviations: deviations.length },
    conclusion: fail ? 'fail' : 'pass',
    warnings: [],
    redaction: { count: 0, salt: '0123456789abcdef0123', algorithm: 'hmac-sha256(salt, value)[0:16]', entries: [] },
  };
  return { report, evidence };
}

/** A PDF like the report engine's: text pages, the signature list, report.json embedded. */
export const testRenderer: PdfRenderer = async (report, markdown, { signatures }) => {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  const lines = [`Report ${report.reportId}`, ...markdown.split('\n').slice(0, 20), '', 'Signatures:', ...signatures.map((s) => `${s.name} (${s.signerId}) ${s.meaning} ${s.time} ${s.subjectHash.slice(0, 16)} ${s.keyFingerprint.slice(0, 16)}`)];
  lines.forEach((l, i) => page.drawText(l.replace(/[^\x20-\x7e]/g, '?'), { x: 50, y: 800 - i * 14, size: 9, font }));
  await doc.attach(Buffer.from(JSON.stringify(report, null, 2)), 'report.json', { mimeType: 'application/json', description: 'the record', creationDate: new Date(report.ended), modificationDate: new Date(report.ended) });
  return doc.save({ useObjectStreams: false });
};

/**
 * Writes a report folder (record, evidence, manifest, report.md, report.pdf) under `root` and records it in
 * the audit trail as `qualify run` does (unless `audit: false`); returns its path.
 */
export async function writeReport(root: string, built = buildReport(), folder?: string, options: { pdf?: boolean; audit?: boolean; junit?: boolean } = {}): Promise<string> {
  const dir = join(root, folder ?? `reports/QP-0001/${built.report.reportId}`);
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string | Uint8Array> = { ...built.evidence, 'report.json': `${JSON.stringify(built.report, null, 2)}\n`, 'report.md': `# ${built.report.reportId}\n\nConclusion: ${built.report.conclusion}\n` };
  const refs = built.report.cases.flatMap((c) => c.steps.flatMap((s) => s.evidence.map((e) => ({ path: e.path, step: s.id, sha256: e.sha256, bytes: e.bytes, mediaType: e.mediaType, description: e.description }))));
  files['evidence/manifest.json'] = `${JSON.stringify({ files: refs.sort((a, b) => (a.path < b.path ? -1 : 1)) }, null, 2)}\n`;
  if (options.pdf !== false) files['report.pdf'] = await testRenderer(built.report, files['report.md'] as string, { signatures: [] });
  if (options.junit) files['junit.xml'] = renderJunit(built.report);
  writeTree(dir, files);
  if (options.audit !== false) {
    const list = Object.entries(files).map(([path, v]) => ({ path, bytes: typeof v === 'string' ? Buffer.from(v) : v }));
    await appendAuditEntries(root, runAuditEntries(built.report, list, relative(root, dir).split(sep).join('/')).map((e) => ({ ...e, host: 'build-host' })));
  }
  return dir;
}

/**
 * Enrols `people` as the documented flow does, through the library: the admin (ADMIN) bootstraps, each
 * person requests a key with their own passphrase, the admin issues it, each person acknowledges (ES-13).
 */
export async function enrolSigners(root: string, env: Record<string, string>, people: ReadonlyArray<{ id: string; name: string; email: string; roles: string[] }>, now = T.keys, options: { bootstrap?: boolean; acknowledge?: boolean } = {}): Promise<void> {
  if (options.bootstrap !== false) await createSignerKey(root, { id: ADMIN.id, name: ADMIN.name, email: `${ADMIN.id}@example.invalid`, roles: [...ADMIN.roles], passphrase: ADMIN.passphrase, now, env, host: 'test-host' });
  for (const s of people) {
    const { request } = requestSignerKey(root, { ...s, passphrase: PASSPHRASES[s.id]!, now, env });
    await issueSignerKey(root, { requestText: JSON.stringify(request), requestFile: `${s.id}.key-request.json`, adminId: ADMIN.id, passphrase: async () => ADMIN.passphrase, now, env, host: 'test-host' });
    if (options.acknowledge !== false) await acknowledgeSignaturePolicy(root, loadSignerRegistry(root)!, s.id, { now, env, passphrase: async () => PASSPHRASES[s.id]!, host: 'test-host' });
  }
}

export interface Enrolled {
  root: string;
  home: string;
  env: Record<string, string>;
  cleanup(): void;
}

/**
 * A QMS repository (git) with qualify.yaml, the protocol and SOP, and the four signers enrolled; the
 * protocol approved by quinn (signed) before the runs, unless `approveProtocol: false`.
 */
export async function enrolledRepo(options: { approveProtocol?: boolean } = {}): Promise<Enrolled> {
  const repo = makeTempDir('qualify-sign-');
  const homeDir = makeTempDir('qualify-home-');
  makeGitRepo(repo.dir, { 'qualify.yaml': 'signers: signers.yaml\n', 'protocols/QP-0001.md': PROTOCOL, 'sops/SOP-0013.md': SOP });
  const env = { QUALIFY_HOME: homeDir.dir };
  await enrolSigners(repo.dir, env, SIGNERS);
  if (options.approveProtocol !== false) {
    const { signDocument } = await import('../../src/signing/sign.js');
    await signDocument(join(repo.dir, 'protocols/QP-0001.md'), 'quinn', 'approved', null, { now: T.protocolApproved, env, passphrase: async () => PASSPHRASES.quinn!, host: 'test-host' });
  }
  return { root: repo.dir, home: homeDir.dir, env, cleanup: () => { repo.cleanup(); homeDir.cleanup(); } };
}

/** A copy of an enrolled repository (same keys), for a test that changes files. */
export function copyRepo(base: Enrolled): Enrolled {
  const copy = makeTempDir('qualify-sign-copy-');
  cpSync(base.root, copy.dir, { recursive: true });
  return { root: copy.dir, home: base.home, env: base.env, cleanup: copy.cleanup };
}

/** Signing context for a signer at a time, with the test renderer. */
export function ctxFor(base: Enrolled, id: string, now: Date, renderPdf: PdfRenderer | null = testRenderer) {
  return { now, env: base.env, passphrase: async () => PASSPHRASES[id]!, host: 'test-host', renderPdf };
}


/**
 * Writes a signature the way `sign` does but without its rule checks (and records it in the audit trail),
 * to prove that `verify` applies the rules itself.
 */
export async function forgeSignature(base: Enrolled, dir: string, signerId: string, meaning: SignatureMeaning, time: Date, patch: (p: SignaturePayload) => void = () => {}, key?: { privateKey: KeyObject; fingerprint: string }): Promise<string> {
  const registry = loadSignerRegistry(base.root)!;
  const signer = registry.signer(signerId)!;
  const loaded = loadRecord(dir);
  const files = readReportEnvelopes(dir);
  const enrolledKey = signer.keys.at(-1)!;
  const privateKey = key?.privateKey ?? decryptPrivateKey(readFileSync(privateKeyPath(base.home, signerId, enrolledKey.fingerprint), 'utf8'), PASSPHRASES[signerId]!);
  const fingerprint = key?.fingerprint ?? enrolledKey.fingerprint;
  const ev = evaluateReport(loaded.record!, loaded.recordHash!, registry, files, time);
  const payload: SignaturePayload = {
    schema: SIGNATURE_SCHEMA,
    subject: { kind: 'report', reportId: loaded.record!.reportId, protocol: { documentId: 'QP-0001', revision: '01', sha256: loaded.record!.protocol.sha256 }, sha256: loaded.recordHash! },
    signer: { id: signer.id, name: signer.name, email: signer.email, roles: signer.roles },
    meaning, time: utcSeconds(time), comment: null,
    key: { fingerprint, algorithm: 'RSA-3072' },
    previous: ev.signatures.at(-1)?.checked.envelopeHash ?? null,
    dispositions: ev.dispositions.filter((d) => d.verdict.valid).map((d) => ({ deviation: d.payload!.deviation.id, sha256: d.checked.envelopeHash! })),
    trail: trailHead(base.root),
    tool: { name: 'qualify', version: '0.1.0' },
  };
  patch(payload);
  const env = signEnvelope(SIGNATURE_PAYLOAD_TYPE, Buffer.from(canonicalJson(payload)), keySigner(fingerprint, privateKey));
  const rel = `signatures/${signatureFileName(files.signatures.length + 1, meaning, signerId)}`;
  const bytes = serializeJson(env);
  mkdirSync(join(dir, 'signatures'), { recursive: true });
  writeFileSync(join(dir, rel), bytes);
  await appendAuditEntry(base.root, { at: utcSeconds(time), who: { id: signer.id, name: signer.name }, action: 'sign', object: { type: 'report', id: loaded.record!.reportId, path: 'x' }, why: 'forged for a test', ref: { path: rel, sha256: sha256(bytes) }, host: 'test-host' });
  return rel;
}

/** Runs `fn` on a fresh copy of `base` and removes the copy. */
export async function withCopy(base: Enrolled, fn: (repo: Enrolled) => Promise<void>): Promise<void> {
  const repo = copyRepo(base);
  try {
    await fn(repo);
  } finally {
    repo.cleanup();
  }
}

/** Who signs what in these tests, at the fixture's times: eve executes, rita reviews, quinn approves. */
const ROUTINE = [['eve', 'executed'], ['rita', 'reviewed'], ['quinn', 'approved']] as const;

/** Signs a report folder as the routine goes (without comments), up to and with the signature `through`. */
export async function signThrough(base: Enrolled, dir: string, through: 'executed' | 'reviewed' | 'approved'): Promise<void> {
  for (const [id, meaning] of ROUTINE) {
    await signReport(dir, id, meaning, null, ctxFor(base, id, T[meaning]));
    if (meaning === through) return;
  }
}
