// End to end in-process: enrol, sign executed → reviewed → approved, verify, pdfsig.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signReport } from '../../src/signing/sign.js';
import { verifyReport } from '../../src/signing/verify-report.js';
import { readAuditTrail } from '../../src/signing/audit.js';
import { copyRepo, ctxFor, enrolledRepo, T, writeReport, type Enrolled } from './fixture.js';

let base: Enrolled;
beforeAll(async () => { base = await enrolledRepo(); });
afterAll(() => base?.cleanup());

describe('report signing flow', () => {
  it('signs executed, reviewed, approved; the approved PDF validates in pdfsig; verify holds', async () => {
    const repo = copyRepo(base);
    try {
      const dir = await writeReport(repo.root);
      const a = await signReport(dir, 'eve', 'executed', null, ctxFor(repo, 'eve', T.executed));
      expect(a.file).toBe('signatures/01-executed-eve.dsse.json');
      expect([a.from, a.to]).toEqual(['recorded', 'executed']);
      const b = await signReport(dir, 'rita', 'reviewed', 'looked at every step', ctxFor(repo, 'rita', T.reviewed));
      expect(b.to).toBe('reviewed');
      const c = await signReport(dir, 'quinn', 'approved', null, ctxFor(repo, 'quinn', T.approved));
      expect(c.to).toBe('approved');
      expect(c.pdf?.signed).toBe(true);
      const r = await verifyReport(dir, { now: T.verify });
      expect(r.findings).toEqual([]);
      expect(r.signatures.map((s) => [s.signerId, s.meaning, s.valid])).toEqual([['eve', 'executed', true], ['rita', 'reviewed', true], ['quinn', 'approved', true]]);
      expect(r.ok).toBe(true);
      expect(r.state).toBe('approved');
      const out = execFileSync('pdfsig', [join(dir, 'report.pdf')], { encoding: 'utf8' });
      expect(out).toContain('Signature Validation: Signature is Valid.');
      expect(out).toContain('Total document signed');
      expect(out).toContain('Quinn Approver');
      // One PDF signature per signature, each an incremental update: the earlier ones stay valid.
      expect(out.match(/Signature Validation: Signature is Valid\./g)?.length).toBe(3);
      expect(out.match(/Total document signed/g)?.length).toBe(1);
      expect(out).toMatch(/Signature #3:[\s\S]*Signer full Distinguished Name: [^\n]*Quinn Approver[\s\S]*Total document signed/);
      const trail = readAuditTrail(repo.root);
      expect(trail.problems).toEqual([]);
      // The run and its renderings; then for each signature its renderings (report.pdf carries the
      // signature's PDF signature) before the signature itself.
      expect(trail.entries.map((e) => `${e.action}${e.action === 'render' ? `:${e.field}` : ''}`)).toEqual([
        // The admin bootstraps; each signer's request is issued (with the roles at enrolment), then they
        // acknowledge the signature policy.
        'keys.create', 'roles.enrol', ...Array(4).fill(['keys.issue', 'roles.enrol', 'keys.acknowledge']).flat(), 'sign', 'run', 'render:report.md', 'render:report.pdf',
        'render:report.md', 'render:report.pdf', 'sign', 'render:report.md', 'render:report.pdf', 'sign', 'render:report.md', 'render:report.pdf', 'sign',
      ]);
      const pdfText = execFileSync('pdftotext', [join(dir, 'report.pdf'), '-'], { encoding: 'utf8' });
      expect(pdfText).toContain('Rita Reviewer (rita) reviewed 2026-10-08T11:00:00Z');
      expect(readFileSync(join(dir, 'signatures/03-approved-quinn.dsse.json'), 'utf8')).toContain('application/vnd.qualify.signature+json');
    } finally {
      repo.cleanup();
    }
  });
});
