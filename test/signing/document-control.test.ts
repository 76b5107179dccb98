// Document control by signature (issue 12, item 6; DC-01..DC-09, ES-10): each finding of the inspection
// reproduced on a real repository with enrolled signers, and now failing closed.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ADMIN } from '../helpers/enrol.js';
import { signDocument } from '../../src/signing/sign.js';
import { createApprovalProvider } from '../../src/signing/documents.js';
import { loadRepository, trainingWarning } from '../../src/documents/index.js';
import type { DocumentStatusInfo } from '../../src/model/index.js';
import { ctxFor, enrolledRepo, T, withCopy, type Enrolled } from './fixture.js';

const MDN_SOP = fileURLToPath(new URL('../fixtures/documents/mdn_qms/SOP_0013_Release_And_Operations_docker-based.md', import.meta.url));

let base: Enrolled;
beforeAll(async () => { base = await enrolledRepo({ approveProtocol: false }); });
afterAll(() => base?.cleanup());

const at = (day: string, time = '08:00:00') => new Date(`${day}T${time}Z`);
const sign = (repo: Enrolled, file: string, who: string, meaning: 'approved' | 'reviewed' | 'trained' | 'obsoleted', when: Date) =>
  signDocument(join(repo.root, file), who, meaning, null, ctxFor(repo, who, when));

/** Computed status of every revision of `id`, as lint, docs, run and the site see it. */
async function statusOf(repo: Enrolled, id: string, now: Date, revision?: string): Promise<DocumentStatusInfo> {
  const loaded = await loadRepository({ root: repo.root, approvals: createApprovalProvider(repo.root, { now }), now });
  const all = [...loaded.status.values()].filter((s) => s.documentId === id && (revision === undefined || s.revision === revision));
  expect(all).toHaveLength(1);
  return all[0]!;
}

const sop = (id: string, fields: string) => `---\ndocument_id: ${id}\ntitle: Release of container images\ntype: sop\n${fields}---\n# Purpose\n\nRelease by promoting images built by CI.\n`;
const lastTrailEntry = (repo: Enrolled) => JSON.parse(readFileSync(join(repo.root, 'audit/trail.jsonl'), 'utf8').trim().split('\n').at(-1)!) as Record<string, unknown>;
const cli = (repo: Enrolled, args: string[], now: Date) => runCli(args, { cwd: repo.root, env: repo.env, now });
const addAlias = (repo: Enrolled, id: string, alias: string) => {
  const file = join(repo.root, 'signers.yaml');
  const text = readFileSync(file, 'utf8');
  const next = text.replace(new RegExp(`(\\n {2}- id: ${id}\\n)`), `$1    aliases: [${JSON.stringify(alias)}]\n`);
  expect(next).not.toBe(text);
  writeFileSync(file, next);
};
/** A hand edit of signers.yaml counts only once an admin has recorded it as reviewed (AT-07). */
const recordEdit = async (repo: Enrolled, reason: string, now: Date) => {
  const r = await runCli(['roles', 'record-edit', '--as', 'ada', '--reason', reason, '--passphrase-stdin'], { cwd: repo.root, env: { ...repo.env, PATH: process.env.PATH ?? '/usr/bin:/bin' }, now, stdin: `${ADMIN.passphrase}\n` });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
};

describe('document control by signature', () => {
  it('a real mdn_qms SOP naming github.com/bewest becomes effective when its signer (alias github.com/bewest) signs it', () => withCopy(base, async (repo) => {
    rmSync(join(repo.root, 'sops/SOP-0013.md'));
    const rel = 'sops/SOP_0013_Release_And_Operations_docker-based.md';
    const file = join(repo.root, rel);
    cpSync(MDN_SOP, file);
    const original = readFileSync(file, 'utf8');
    expect(original).toContain('approvers:\n- github.com/bewest\n');

    // Finding: the approver name of real SOPs could never match a signer, whoever signed.
    await sign(repo, rel, 'quinn', 'approved', at('2026-10-02'));
    let s = await statusOf(repo, 'SOP-0013', T.verify);
    expect([s.computedStatus, s.approval, s.effective]).toEqual(['in-review', 'none', false]);
    expect(s.notes.join('\n')).toContain('approver "github.com/bewest" matches no signer id or alias of the signer registry');
    let lint = await cli(repo, ['lint', rel], T.verify);
    expect(lint.stdout).toMatch(new RegExp(`^${rel.replace(/\./g, '\\.')}:\\d+:1 APPROVER_UNKNOWN \\(warning\\)`, 'm'));

    // The person who is github.com/bewest in that team's files is enrolled as quinn: an alias says so.
    addAlias(repo, 'quinn', 'github.com/bewest');
    await recordEdit(repo, 'quinn is github.com/bewest in the imported SOPs (CC-2026-060)', at('2026-10-02', '09:00:00'));
    s = await statusOf(repo, 'SOP-0013', T.verify);
    expect([s.computedStatus, s.approval]).toEqual(['in-review', 'signed']);
    // Still not effective: revision 05 names no change record, and 2020-07-18 is before the signature.
    expect(s.notes).toContain('revision 05 names no change_control: a revision after 01 is approved only with the change record that justifies it (DC-09)');

    // With a change record, signed again: approved, but its effective date is before the approval (DC-03).
    writeFileSync(file, original.replace('revision: "05"\n', 'revision: "05"\nchange_control: "DCO-0042"\n'));
    await sign(repo, rel, 'quinn', 'approved', at('2026-10-03'));
    s = await statusOf(repo, 'SOP-0013', T.verify);
    expect([s.computedStatus, s.approvalDate, s.effectiveDate]).toEqual(['approved', '2026-10-03', '2020-07-18']);
    lint = await cli(repo, ['lint', rel], T.verify);
    expect(lint.code).toBe(2);
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith('effective_date:')) + 1;
    expect(lint.stdout).toContain(`${rel}:${line}:1 EFFECTIVE_BEFORE_APPROVAL effective_date 2020-07-18 is before the last approval signature (2026-10-03T08:00:00Z): a document cannot take effect before it is approved (DC-03)`);

    // An effective date on or after the approval, signed by the approver the SOP names: effective.
    writeFileSync(file, readFileSync(file, 'utf8').replace('effective_date: "2020-07-18"', 'effective_date: "2026-10-05"'));
    await sign(repo, rel, 'quinn', 'approved', at('2026-10-04'));
    expect((await statusOf(repo, 'SOP-0013', at('2026-10-04', '12:00:00'))).computedStatus).toBe('approved');
    s = await statusOf(repo, 'SOP-0013', T.verify);
    expect([s.computedStatus, s.effective, s.approval, s.approvalDate]).toEqual(['effective', true, 'signed', '2026-10-04']);
    const docs = JSON.parse((await cli(repo, ['docs', '--json'], T.verify)).stdout) as DocumentStatusInfo[];
    expect(docs.find((d) => d.documentId === 'SOP-0013')).toMatchObject({ computedStatus: 'effective', approvers: ['github.com/bewest'], changeControl: 'DCO-0042' });
    expect((await cli(repo, ['verify', rel], T.verify)).code).toBe(0);
    expect((await cli(repo, ['lint', rel], T.verify)).stdout).not.toMatch(/APPROVER_UNKNOWN|EFFECTIVE_BEFORE_APPROVAL|CHANGE_CONTROL_MISSING/);
  }));

  it('a draft SOP listing two approvers is not effective with one signature', () => withCopy(base, async (repo) => {
    writeFileSync(join(repo.root, 'sops/SOP-0200.md'), sop('SOP-0200', 'revision: "01"\nstatus: draft\napprovers: [quinn, adam]\neffective_date: 2026-10-05\n'));
    await sign(repo, 'sops/SOP-0200.md', 'quinn', 'approved', at('2026-10-02'));
    let s = await statusOf(repo, 'SOP-0200', T.verify);
    expect([s.computedStatus, s.effective]).toEqual(['draft', false]);
    expect(s.notes).toContain('approval signatures missing from: adam');
    expect((await cli(repo, ['verify', 'sops/SOP-0200.md'], T.verify)).stdout).toContain('awaiting approval by adam');
    await sign(repo, 'sops/SOP-0200.md', 'adam', 'approved', at('2026-10-03'));
    s = await statusOf(repo, 'SOP-0200', T.verify);
    expect([s.computedStatus, s.approval, s.approvalDate]).toEqual(['effective', 'signed', '2026-10-03']);
  }));

  it('superseded and obsolete come from signatures, not from the front matter; a revision after 01 needs change_control', () => withCopy(base, async (repo) => {
    writeFileSync(join(repo.root, 'sops/SOP-0300-r01.md'), sop('SOP-0300', 'revision: "01"\nstatus: superseded\napprovers: [quinn]\neffective_date: 2026-10-03\n'));
    await sign(repo, 'sops/SOP-0300-r01.md', 'quinn', 'approved', at('2026-10-02'));
    let s = await statusOf(repo, 'SOP-0300', T.verify, '01');
    expect(s.computedStatus).toBe('effective');
    expect(s.notes).toContain('claimed "superseded" is not established by signature: no "obsoleted" signature covers this file and no later revision is effective');

    // Revision 02 without a change record: signed, still not approved; lint refuses the claim.
    const r02 = join(repo.root, 'sops/SOP-0300-r02.md');
    writeFileSync(r02, sop('SOP-0300', 'revision: "02"\nstatus: effective\napprovers: [quinn]\neffective_date: 2026-10-05\n'));
    await sign(repo, 'sops/SOP-0300-r02.md', 'quinn', 'approved', at('2026-10-04'));
    expect((await statusOf(repo, 'SOP-0300', T.verify, '02')).computedStatus).toBe('in-review');
    expect((await statusOf(repo, 'SOP-0300', T.verify, '01')).computedStatus).toBe('effective');
    const lint = await cli(repo, ['lint', 'sops/SOP-0300-r02.md'], T.verify);
    expect(lint.code).toBe(2);
    expect(lint.stdout).toContain('sops/SOP-0300-r02.md:5:11 CHANGE_CONTROL_MISSING revision 02 names no change_control');

    // With its change record and approval, revision 02 is effective and supersedes revision 01.
    writeFileSync(r02, sop('SOP-0300', 'revision: "02"\nstatus: effective\napprovers: [quinn]\neffective_date: 2026-10-05\nchange_control: CC-2026-040\n'));
    await sign(repo, 'sops/SOP-0300-r02.md', 'quinn', 'approved', at('2026-10-04', '09:00:00'));
    expect((await statusOf(repo, 'SOP-0300', T.verify, '02')).computedStatus).toBe('effective');
    s = await statusOf(repo, 'SOP-0300', T.verify, '01');
    expect([s.computedStatus, s.effective]).toEqual(['superseded', false]);
    expect(s.notes).toContain('superseded by revision 02');

    // Obsolete: claimed in the front matter it is nothing; an approver's "obsoleted" signature withdraws it.
    writeFileSync(join(repo.root, 'sops/SOP-0400.md'), sop('SOP-0400', 'revision: "01"\nstatus: obsolete\napprovers: [quinn]\neffective_date: 2026-10-03\n'));
    await sign(repo, 'sops/SOP-0400.md', 'quinn', 'approved', at('2026-10-02'));
    expect((await statusOf(repo, 'SOP-0400', T.verify)).computedStatus).toBe('effective');
    const refused = await sign(repo, 'sops/SOP-0400.md', 'eve', 'obsoleted', at('2026-10-06')).catch((e: { code: string }) => e);
    expect((refused as { code: string }).code).toBe('SIGN_ROLE_FORBIDDEN');
    await sign(repo, 'sops/SOP-0400.md', 'quinn', 'obsoleted', at('2026-10-06'));
    expect(lastTrailEntry(repo)).toMatchObject({ action: 'sign', object: { type: 'document', id: 'SOP-0400' }, field: 'status', old: 'approved', new: 'obsolete' });
    s = await statusOf(repo, 'SOP-0400', T.verify);
    expect([s.computedStatus, s.effective]).toEqual(['obsolete', false]);
    expect(s.notes).toContain('withdrawn (obsoleted) by quinn at 2026-10-06T08:00:00Z');
  }));

  it('periodic review: due review_period_months after the effective date, listed by docs --due, warned by lint, reset by a review signature', () => withCopy(base, async (repo) => {
    writeFileSync(join(repo.root, 'sops/SOP-0500.md'), sop('SOP-0500', 'revision: "01"\nstatus: effective\napprovers: [quinn]\neffective_date: 2026-10-05\nreview_period_months: 12\n'));
    // A review before the approval is not a periodic review.
    await sign(repo, 'sops/SOP-0500.md', 'rita', 'reviewed', at('2026-10-01', '09:00:00'));
    await sign(repo, 'sops/SOP-0500.md', 'quinn', 'approved', at('2026-10-02'));
    let s = await statusOf(repo, 'SOP-0500', at('2027-10-04'));
    expect([s.computedStatus, s.nextReviewDate, s.reviewDue, s.lastReview]).toEqual(['effective', '2027-10-05', false, null]);
    let due = await cli(repo, ['docs', '--due'], at('2027-10-04'));
    expect([due.code, due.stdout, due.stderr]).toEqual([0, '', 'no periodic review is due (3 documents checked)\n']);

    s = await statusOf(repo, 'SOP-0500', at('2027-10-05'));
    expect([s.computedStatus, s.reviewDue]).toEqual(['effective', true]);
    due = await cli(repo, ['docs', '--due'], at('2027-10-05'));
    expect(due.code).toBe(0);
    const rows = due.stdout.split('\n').filter((l) => /^(SOP|QP)-\d+ .*\.md$/.test(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^SOP-0500 .* 2027-10-05 DUE +sops\/SOP-0500\.md$/);
    expect(due.stdout).toContain('SOP-0500 rev 01: periodic review due since 2027-10-05');
    const json = JSON.parse((await cli(repo, ['docs', '--due', '--json'], at('2027-10-05'))).stdout) as DocumentStatusInfo[];
    expect(json.map((d) => [d.documentId, d.nextReviewDate, d.reviewDue])).toEqual([['SOP-0500', '2027-10-05', true]]);
    const lint = await cli(repo, ['lint', 'sops/SOP-0500.md'], at('2027-10-05'));
    expect(lint.code).toBe(0);
    expect(lint.stdout).toContain('sops/SOP-0500.md:9:1 REVIEW_DUE (warning) periodic review due since 2027-10-05 (review_period_months: 12, counted from the effective date 2026-10-05)');

    // The periodic review is a signed event ("reviewed" after the approval); the next one is due a period later.
    await sign(repo, 'sops/SOP-0500.md', 'rita', 'reviewed', at('2027-10-06'));
    s = await statusOf(repo, 'SOP-0500', at('2027-10-07'));
    expect([s.lastReview, s.nextReviewDate, s.reviewDue]).toEqual(['2027-10-06', '2028-10-06', false]);
    expect((await cli(repo, ['lint', 'sops/SOP-0500.md'], at('2027-10-07'))).stdout).not.toContain('REVIEW_DUE');
    expect((await cli(repo, ['verify', 'sops/SOP-0500.md'], at('2027-10-07'))).code).toBe(0);
  }));

  it('training: trainees sign "trained" on the approved revision; the run warns about an executor without a record', () => withCopy(base, async (repo) => {
    writeFileSync(join(repo.root, 'sops/SOP-0600.md'), sop('SOP-0600', 'revision: "01"\nstatus: effective\napprovers: [quinn]\neffective_date: 2026-10-05\ntraining_required: true\n'));
    const early = await sign(repo, 'sops/SOP-0600.md', 'eve', 'trained', at('2026-10-01', '09:00:00')).catch((e: { code: string; message: string }) => e);
    expect((early as { code: string }).code).toBe('SIGN_REFUSED');
    expect((early as { message: string }).message).toContain('is not approved over these bytes (awaiting quinn)');
    await sign(repo, 'sops/SOP-0600.md', 'quinn', 'approved', at('2026-10-02'));
    await sign(repo, 'sops/SOP-0600.md', 'eve', 'trained', at('2026-10-03'));
    expect(lastTrailEntry(repo)).toMatchObject({ action: 'sign', who: { id: 'eve' }, object: { type: 'document', id: 'SOP-0600' }, field: 'training.eve', old: 'not trained', new: 'trained' });
    const s = await statusOf(repo, 'SOP-0600', T.verify);
    expect([s.trainingRequired, s.trained]).toEqual([true, [{ signerId: 'eve', time: '2026-10-03T08:00:00Z' }]]);
    expect(trainingWarning(s, 'eve')).toBeNull();
    expect(trainingWarning(s, 'adam')).toBe('No training record: adam has not signed "trained" on SOP-0600 revision 01, which requires training (trained: eve); record it with "qualify sign sops/SOP-0600.md --as adam --meaning trained".');
    const docs = await cli(repo, ['docs'], T.verify);
    expect(docs.stdout).toContain('SOP-0600 rev 01: training required; trained: eve');
    // A document without training_required never warns, nor one approved by its front matter only (no signers).
    expect(trainingWarning({ ...s, trainingRequired: false, trained: [] }, 'adam')).toBeNull();
    expect(trainingWarning({ ...s, approval: 'front-matter', trained: [] }, 'adam')).toBeNull();
  }));
});
