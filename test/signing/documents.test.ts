// Approval of controlled documents: signatures over the file's sha256, status computed from them.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeGitRepo, makeTempDir } from '../helpers/tmp.js';
import { signDocument, signReport } from '../../src/signing/sign.js';
import { approvalsFor, documentApprovalState } from '../../src/signing/documents.js';
import { readDocumentRef } from '../../src/signing/document-source.js';
import { verifyReport } from '../../src/signing/verify-report.js';
import { buildReport, ctxFor, withCopy, enrolledRepo, PROTOCOL, sha256, SOP, T, writeReport, type Enrolled, signThrough } from './fixture.js';

let base: Enrolled;
beforeAll(async () => { base = await enrolledRepo({ approveProtocol: false }); });
afterAll(() => base?.cleanup());

const withRepo = (fn: (repo: Enrolled) => Promise<void>) => withCopy(base, fn);

describe('document approval', () => {
  it('an approval signature makes the current bytes approved; an edit afterwards does not stay approved', () => withRepo(async (repo) => {
    const file = join(repo.root, 'sops/SOP-0013.md');
    const r = await signDocument(file, 'quinn', 'approved', 'approved for release 1.4', ctxFor(repo, 'quinn', T.keys));
    expect(r.file).toBe('approvals/SOP-0013/05/01-approved-quinn.dsse.json');
    expect([r.from, r.to]).toEqual(['not approved', 'approved']);
    const approvals = await approvalsFor(await readDocumentRef(repo.root, file), repo.root, { now: T.verify });
    expect(approvals).toEqual([{
      file: 'approvals/SOP-0013/05/01-approved-quinn.dsse.json', signerId: 'quinn', name: 'Quinn Approver', meaning: 'approved', time: '2026-10-01T08:00:00Z',
      subjectHash: sha256(SOP), keyFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), comment: 'approved for release 1.4', roles: ['approver', 'qa'],
    }]);
    const ok = await runCli(['verify', 'sops/SOP-0013.md'], { cwd: repo.root, env: repo.env, now: T.verify });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok {4}approved over sha256 [0-9a-f]{16} by quinn \(last at 2026-10-01T08:00:00Z\)/);

    writeFileSync(file, SOP.replace('promoting images', 'promoting signed images'));
    const edited = await readDocumentRef(repo.root, file);
    expect(await approvalsFor(edited, repo.root, { now: T.verify })).toEqual([]);
    const state = documentApprovalState(repo.root, edited, { now: T.verify });
    expect(state.approved).toBe(false);
    expect(state.editedAfterApproval).toBe(true);
    const bad = await runCli(['verify', 'sops/SOP-0013.md'], { cwd: repo.root, env: repo.env, now: T.verify });
    expect(bad.code).toBe(4);
    expect(bad.stdout).toMatch(/DOCUMENT_EDITED_AFTER_APPROVAL edited after approval: revision 05 was approved as sha256 [0-9a-f]{16} \(approvals\/SOP-0013\/05\/01-approved-quinn\.dsse\.json\), the file is now [0-9a-f]{16}/);
  }));

  it('needs every approver named in the front matter: a name no signer answers to blocks the approval until it is an alias', () => withRepo(async (repo) => {
    const file = join(repo.root, 'sops/SOP-0013.md');
    writeFileSync(file, SOP.replace('approvers: [quinn]', 'approvers: [quinn, adam, "Jane Roe (QA)"]'));
    await signDocument(file, 'adam', 'approved', null, ctxFor(repo, 'adam', T.keys));
    let state = documentApprovalState(repo.root, await readDocumentRef(repo.root, file), { now: T.verify });
    expect(state.approved).toBe(false);
    expect(state.missingApprovers).toEqual(['quinn', 'Jane Roe (QA)']);
    expect(state.notes).toContain('approver "Jane Roe (QA)" named in the front matter matches no signer id or alias in signers.yaml: nobody can approve for this name');
    await signDocument(file, 'quinn', 'approved', null, ctxFor(repo, 'quinn', new Date('2026-10-02T08:00:00Z')));
    state = documentApprovalState(repo.root, await readDocumentRef(repo.root, file), { now: T.verify });
    // Two of three listed approvers signed: not approved (it used to be, since "Jane Roe (QA)" was skipped).
    expect([state.approved, state.missingApprovers]).toEqual([false, ['Jane Roe (QA)']]);
    const registry = readFileSync(join(repo.root, 'signers.yaml'), 'utf8');
    writeFileSync(join(repo.root, 'signers.yaml'), registry.replace(/(\n {2}- id: rita\n)/, '$1    aliases: ["Jane Roe (QA)"]\n'));
    state = documentApprovalState(repo.root, await readDocumentRef(repo.root, file), { now: T.verify });
    expect([state.approved, state.missingApprovers]).toEqual([false, ['Jane Roe (QA)']]);
    expect(state.notes).toContain('awaiting approval by Jane Roe (QA)');
  }));

  it('front matter claiming approval without a signature fails verification', () => withRepo(async (repo) => {
    const r = await runCli(['verify', 'sops/SOP-0013.md'], { cwd: repo.root, env: repo.env, now: T.verify });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('DOCUMENT_APPROVAL_UNSIGNED the front matter claims "approved" but no valid approval signature covers sha256');
    expect(r.stdout).toContain('approval recorded but not signed');
  }));

  it('refuses a role that may not approve, and a removed approval signature is found', () => withRepo(async (repo) => {
    const file = join(repo.root, 'protocols/QP-0001.md');
    const err = await signDocument(file, 'rita', 'approved', null, ctxFor(repo, 'rita', T.keys)).catch((e: Error & { code: string }) => e);
    expect((err as { code: string }).code).toBe('SIGN_ROLE_FORBIDDEN');
    await signDocument(file, 'adam', 'authored', null, ctxFor(repo, 'adam', T.keys));
    await signDocument(file, 'quinn', 'approved', null, ctxFor(repo, 'quinn', new Date('2026-10-01T09:00:00Z')));
    expect((await runCli(['verify', 'protocols/QP-0001.md'], { cwd: repo.root, env: repo.env, now: T.verify })).code).toBe(0);
    rmSync(join(repo.root, 'approvals/QP-0001/01/02-approved-quinn.dsse.json'));
    const r = await runCli(['verify', 'protocols/QP-0001.md'], { cwd: repo.root, env: repo.env, now: T.verify });
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('SIGNATURE_REMOVED approvals/QP-0001/01/02-approved-quinn.dsse.json was recorded in audit/trail.jsonl');
  }));

  it('a record that relies on a signed protocol approval is checked against it', () => withRepo(async (repo) => {
    const file = join(repo.root, 'protocols/QP-0001.md');
    await signDocument(file, 'quinn', 'approved', null, ctxFor(repo, 'quinn', T.keys));
    const built = buildReport();
    built.report.protocol.approval = 'signed';
    const dir = await writeReport(repo.root, built);
    let r = await verifyReport(dir, { now: T.verify });
    expect(r.ok).toBe(true);
    expect(r.passed).toContain('protocol QP-0001 revision 01: approved by quinn at 2026-10-01T08:00:00Z, before the run');
    const other = buildReport({ reportId: 'QP-0001-20261010T090000Z-c3d4', protocolSha: sha256(`${PROTOCOL}\nedited`) });
    other.report.protocol.approval = 'signed';
    const dir2 = await writeReport(repo.root, other);
    r = await verifyReport(dir2, { now: T.verify });
    expect(r.findings.map((f) => f.code)).toEqual(['PROTOCOL_NOT_APPROVED']);
    await signThrough(repo, dir, 'executed');
  }));

  it('plugs into loadRepository: computed status follows the signatures', () => withRepo(async (repo) => {
    const { loadRepository } = await import('../../src/documents/index.js');
    const { createApprovalProvider } = await import('../../src/signing/documents.js');
    const statusOf = async () => {
      const loaded = await loadRepository({ root: repo.root, approvals: createApprovalProvider(repo.root, { now: T.verify }), now: T.verify });
      const doc = loaded.documents.find((d) => d.meta.documentId === 'QP-0001')!;
      return loaded.status.get(doc)!;
    };
    let s = await statusOf();
    expect([s.computedStatus, s.approval]).toEqual(['in-review', 'none']);
    expect(s.notes).toContain('approval recorded but not signed');
    await signDocument(join(repo.root, 'protocols/QP-0001.md'), 'quinn', 'approved', null, ctxFor(repo, 'quinn', T.keys));
    s = await statusOf();
    expect([s.computedStatus, s.approval, s.approvalDate]).toEqual(['effective', 'signed', '2026-10-01']);
    writeFileSync(join(repo.root, 'protocols/QP-0001.md'), `${PROTOCOL}\nAn edit after approval.\n`);
    s = await statusOf();
    expect(s.computedStatus).not.toBe('effective');
    expect(s.notes).toContain('the file changed after it was approved: the approval signature covers an earlier content');
  }));

  it('without signers.yaml the front matter is used, with "approval not signed"', async () => {
    const tmp = makeTempDir();
    try {
      makeGitRepo(tmp.dir, { 'qualify.yaml': 'environments: {}\n', 'sops/SOP-0013.md': SOP });
      const ref = await readDocumentRef(tmp.dir, join(tmp.dir, 'sops/SOP-0013.md'));
      const state = documentApprovalState(tmp.dir, ref);
      expect([state.registry, state.approved]).toEqual([false, false]);
      expect(state.notes).toEqual(['approval not signed: the repository has no signer registry, the front matter approval is used']);
      expect(await approvalsFor(ref, tmp.dir)).toEqual([]);
      const r = await runCli(['verify', 'sops/SOP-0013.md'], { cwd: tmp.dir, now: T.verify });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('approval not signed: the front matter claims "approved"');
      expect(readFileSync(join(tmp.dir, 'sops/SOP-0013.md'), 'utf8')).toBe(SOP);
    } finally {
      tmp.cleanup();
    }
  });
});
