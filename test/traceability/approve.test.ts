// PC-07: a protocol whose traceability is incomplete cannot be approved (exit 3, audited), unless a
// written justification accepts the gap; `qualify trace` prints the matrix both ways in md, csv, json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeGitRepo, makeTempDir, writeTree } from '../helpers/tmp.js';
import { lineOf, protocol, TC01, TC02, TC03, TC04, URS } from './fixtures.js';

const qms = makeTempDir('qualify-trace-approve-');
const home = makeTempDir('qualify-trace-home-');
const env = { QUALIFY_HOME: home.dir };
const pass = 'quinn trace passphrase\n';

beforeAll(async () => {
  makeGitRepo(qms.dir, { 'qualify.yaml': 'signers: signers.yaml\n', 'requirements/URS-0100.md': URS, 'protocols/QP-0100.md': protocol(TC01, TC02, TC03) });
  const r = await runCli(['keys', 'create', '--as', 'quinn', '--name', 'Quinn Approver', '--email', 'quinn@example.invalid', '--role', 'approver', '--passphrase-stdin'], { cwd: qms.dir, env, stdin: pass });
  expect(r.code, r.stderr).toBe(0);
  const ack = await runCli(['keys', 'acknowledge', '--as', 'quinn', '--passphrase-stdin'], { cwd: qms.dir, env, stdin: pass });
  expect(ack.code, ack.stderr).toBe(0);
}, 60_000);
afterAll(() => {
  qms.cleanup();
  home.cleanup();
});

describe('approval of a protocol with incomplete traceability', () => {
  it('is refused with exit 3 naming each located problem, audited; accepted once the negative case is added', async () => {
    const refused = await runCli(['sign', 'protocols/QP-0100.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { cwd: qms.dir, env, stdin: pass });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('TRACEABILITY_INCOMPLETE');
    expect(refused.stderr).toContain('QP-0100 revision 01 cannot be approved: its requirements traceability is incomplete (PC-07)');
    expect(refused.stderr).toContain(`requirements/URS-0100.md:${lineOf(URS, '### URS-02')}:1 TRACE_HIGH_RISK_NO_NEGATIVE`);
    const trail = readFileSync(join(qms.dir, 'audit/trail.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { action: string; why: string; object: { id: string } });
    expect(trail.at(-1)).toMatchObject({ action: 'sign.refused', object: { id: 'QP-0100' } });
    expect(trail.at(-1)!.why).toContain('TRACEABILITY_INCOMPLETE');

    // The requirements document itself is approved whatever its coverage: a URS is approved before tests exist.
    const urs = await runCli(['sign', 'requirements/URS-0100.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { cwd: qms.dir, env, stdin: pass });
    expect(urs.code, urs.stderr).toBe(0);

    writeTree(qms.dir, { 'protocols/QP-0100.md': protocol(TC01, TC02, TC03, TC04) });
    const approved = await runCli(['sign', 'protocols/QP-0100.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { cwd: qms.dir, env, stdin: pass });
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('approval     not approved → approved');
  }, 60_000);

  it('a written justification on the requirement accepts a high-risk requirement without a negative case', async () => {
    const dir = makeTempDir('qualify-trace-justified-');
    try {
      const urs = URS.replace('risk: high\ntype: data-integrity\n', 'risk: high\ntype: data-integrity\njustification: A wrong release is refused by the deployment tool itself, validated under VAL-0007\n');
      makeGitRepo(dir.dir, { 'qualify.yaml': 'signers: signers.yaml\n', 'requirements/URS-0100.md': urs, 'protocols/QP-0100.md': protocol(TC01, TC02, TC03) });
      const keys = await runCli(['keys', 'create', '--as', 'quinn', '--name', 'Quinn Approver', '--email', 'quinn@example.invalid', '--role', 'approver', '--passphrase-stdin'], { cwd: dir.dir, env, stdin: pass });
      expect(keys.code, keys.stderr).toBe(0);
      expect((await runCli(['keys', 'acknowledge', '--as', 'quinn', '--passphrase-stdin'], { cwd: dir.dir, env, stdin: pass })).code).toBe(0);
      const r = await runCli(['sign', 'protocols/QP-0100.md', '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { cwd: dir.dir, env, stdin: pass });
      expect(r.code, r.stderr).toBe(0);
      const trace = await runCli(['trace'], { cwd: dir.dir });
      expect(trace.stdout).toContain('- URS-02: A wrong release is refused by the deployment tool itself, validated under VAL-0007');
      expect(trace.stdout).not.toContain('High risk without');
    } finally {
      dir.cleanup();
    }
  }, 60_000);
});

describe('qualify trace', () => {
  it('prints the matrix both ways, lists the gaps first, and writes csv and json', async () => {
    const dir = makeTempDir('qualify-trace-cli-');
    try {
      const orphan = TC03.replace('requirements: [URS-03]\n', '');
      writeTree(dir.dir, { 'qualify.yaml': 'defaults: {}\n', 'requirements/URS-0100.md': URS, 'protocols/QP-0100.md': protocol(TC01, TC02, orphan) });
      const md = await runCli(['trace'], { cwd: dir.dir });
      expect(md.code).toBe(0);
      expect(md.stdout).toContain('Requirements: 3; tested by at least one case: 2 (66.7 %).');
      expect(md.stdout).toContain('**Untested:** URS-03.');
      expect(md.stdout).toContain('**High risk without a negative or limit case:** URS-02.');
      expect(md.stdout).toContain('**Cases tracing to no known requirement:** QP-0100 TC-03.');
      expect(md.stdout).toContain('| URS-02 Only the approved release is configured | high | data-integrity | QP-0100 TC-02 | positive |');
      expect(md.stdout).toContain('| URS-03 The log folder exists | low | operational | **NOT TESTED** | — |');
      expect(md.stdout).toContain('| QP-0100 TC-03 | The log folder exists | positive | **none (orphan)** |');
      expect(md.stderr).toContain('2 of 3 requirements tested; untested: URS-03; high risk without a negative or limit case: URS-02; orphan cases: QP-0100 TC-03');

      const csv = await runCli(['trace', '--format', 'csv', '--out', 'matrix.csv'], { cwd: dir.dir });
      expect(csv.code).toBe(0);
      const lines = readFileSync(join(dir.dir, 'matrix.csv'), 'utf8').split('\r\n');
      expect(lines[0]).toBe('requirement,title,risk,type,document,requirement justification,protocol,case,case title,kind,case justification');
      expect(lines).toContain('URS-03,The log folder exists,low,operational,URS-0100,,,,,,');
      expect(lines).toContain(',,,,,,QP-0100,TC-03,The log folder exists,positive,');

      const json = JSON.parse((await runCli(['trace', '--format', 'json'], { cwd: dir.dir })).stdout) as { summary: { untested: string[] }; cases: Array<{ case: string; requirements: string[] }> };
      expect(json.summary.untested).toEqual(['URS-03']);
      expect(json.cases.map((c) => [c.case, c.requirements])).toEqual([['TC-01', ['URS-01']], ['TC-02', ['URS-02']], ['TC-03', []]]);

      expect((await runCli(['trace', '--format', 'xml'], { cwd: dir.dir })).code).toBe(2);
      const env2 = await runCli(['trace', '--env', 'nowhere'], { cwd: dir.dir });
      expect(env2.code).toBe(2);
      expect(env2.stderr).toContain('environment "nowhere" is not defined in qualify.yaml');
    } finally {
      dir.cleanup();
    }
  });
});
