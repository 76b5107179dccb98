// Lint of requirements and traceability (PC-04, PC-06, PC-07): every problem located at file:line:col,
// justifications accepted, requirements/ linted by default, vague acceptance criteria flagged.
import { afterAll, describe, expect, it } from 'vitest';
import { loadRepository } from '../../src/documents/index.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, writeTree } from '../helpers/tmp.js';
import { lineOf, protocol, TC01, TC02, TC03, TC04, URS } from './fixtures.js';

const tmp = makeTempDir('qualify-trace-lint-');
afterAll(() => tmp.cleanup());
let n = 0;

/** A repository with `files` (qualify.yaml added); returns its folder. */
function repo(files: Record<string, string>): string {
  const dir = `${tmp.dir}/r${++n}`;
  writeTree(dir, { 'qualify.yaml': 'defaults: {}\n', ...files });
  return dir;
}

async function issues(dir: string, paths?: string[]) {
  const r = await loadRepository({ root: dir, paths: paths?.map((p) => `${dir}/${p}`), now: new Date('2026-06-01T00:00:00Z') });
  return r.issues.filter((i) => i.code !== 'APPROVAL_NOT_SIGNED').map((i) => `${i.file}:${i.line}:${i.column} ${i.code}${i.severity === 'warning' ? ' (warning)' : ''}`);
}

describe('traceability lint', () => {
  it('a high-risk requirement without a negative or limit case fails lint at the requirement; the negative case fixes it', async () => {
    const dir = repo({ 'requirements/URS-0100.md': URS, 'protocols/QP-0100.md': protocol(TC01, TC02, TC03) });
    const at = `requirements/URS-0100.md:${lineOf(URS, '### URS-02')}:1`;
    const r = await runCli(['lint'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${at} TRACE_HIGH_RISK_NO_NEGATIVE high-risk requirement URS-02 has no negative or limit case (PC-06); it is tested only by TC-02 (positive)`);
    expect(await issues(dir)).toEqual([`${at} TRACE_HIGH_RISK_NO_NEGATIVE`]);
    writeTree(dir, { 'protocols/QP-0100.md': protocol(TC01, TC02, TC03, TC04) });
    const fixed = await runCli(['lint'], { cwd: dir });
    expect(fixed.stdout).not.toContain('TRACE_');
    expect(fixed.code).toBe(0);
    // A limit case counts too.
    writeTree(dir, { 'protocols/QP-0100.md': protocol(TC01, TC02.replace('risk: high\n', 'risk: high\nkind: limit\n'), TC03) });
    expect(await issues(dir)).toEqual([]);
  });

  it('orphan cases are located at the case (none named) or its requirements key (unknown id); a written justification accepts them', async () => {
    const orphan = TC03.replace('requirements: [URS-03]\n', '');
    const unknown = TC01.replace('[URS-01]', '[URS-01, URS-99]');
    const text = protocol(unknown, TC02, orphan, TC04);
    const dir = repo({ 'requirements/URS-0100.md': URS, 'protocols/QP-0100.md': text });
    const req = lineOf(text, 'requirements: [URS-01, URS-99]');
    expect(await issues(dir)).toEqual([
      `protocols/QP-0100.md:${req}:1 TRACE_REQUIREMENT_UNKNOWN`,
      `protocols/QP-0100.md:${lineOf(text, '### TC-03')}:1 TRACE_CASE_ORPHAN`,
      `requirements/URS-0100.md:${lineOf(URS, '### URS-03')}:1 TRACE_REQUIREMENT_UNTESTED`,
    ]);
    const r = await runCli(['lint', 'protocols/QP-0100.md'], { cwd: dir });
    expect(r.stdout).toContain('URS-99 (known: URS-01, URS-02, URS-03)');
    // Linting the protocol alone still reads requirements/ for tracing (and reports only the protocol's problems).
    expect(r.stdout.split('\n').filter((l) => l && !l.includes('APPROVAL_NOT_SIGNED')).map((l) => l.split(' ')[0])).toEqual([`protocols/QP-0100.md:${req}:1`, `protocols/QP-0100.md:${lineOf(text, '### TC-03')}:1`]);

    const justified = protocol(
      unknown.replace('risk: medium\n', 'risk: medium\njustification: URS-99 is in the supplier\'s FRS, assessed under CC-2026-050\n'),
      TC02,
      orphan.replace('risk: low\n', 'risk: low\njustification: Supporting check of the host, traced to no user requirement by design\n'),
      TC04,
    );
    const urs = URS.replace('risk: low\ntype: operational\n', 'risk: low\ntype: operational\njustification: Covered by the infrastructure qualification of the host\n');
    writeTree(dir, { 'protocols/QP-0100.md': justified, 'requirements/URS-0100.md': urs });
    expect(await issues(dir)).toEqual([]);
  });

  it('requirements documents are linted by default, each problem located', async () => {
    const bad = URS
      .replace('risk: medium\ntype: functional\n', 'risk: severe\ntype: functional\ncolour: red\n')
      .replace('```requirement\nrisk: low\ntype: operational\n```\n', '')
      .replace('## Requirements\n', '## Requirements\n\n```requirement\nrisk: low\ntype: functional\n```\n');
    const other = URS.replace('URS-0100', 'URS-0200').replace(/### URS-0[23][\s\S]*$/, '');
    const dir = repo({ 'requirements/URS-0100.md': bad, 'requirements/URS-0200.md': other, 'protocols/QP-0100.md': protocol(TC01, TC02, TC03, TC04) });
    expect(await issues(dir)).toEqual([
      `requirements/URS-0100.md:${lineOf(bad, '```requirement')}:1 REQUIREMENT_BLOCK_OUTSIDE`,
      `requirements/URS-0100.md:${lineOf(bad, 'risk: severe')}:1 REQUIREMENT_FIELD_INVALID`,
      `requirements/URS-0100.md:${lineOf(bad, 'colour:')}:1 REQUIREMENT_FIELD_UNKNOWN (warning)`,
      `requirements/URS-0100.md:${lineOf(bad, '### URS-03')}:1 REQUIREMENT_BLOCK_MISSING`,
      `requirements/URS-0200.md:${lineOf(other, '### URS-01')}:1 REQUIREMENT_ID_DUPLICATE`,
    ]);
    const r = await runCli(['lint'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('"risk" of URS-01 must be one of high, medium, low; found text "severe"');
    expect(r.stdout).toContain('requirement id "URS-01" is also declared in requirements/URS-0100.md:');
  });

  it('flags vague acceptance criteria where they are written, and leaves "200 OK" alone', async () => {
    const vague = TC01
      .replace('**Acceptance criteria.** The file exists.', '**Acceptance criteria.** The file exists and\nthe service works as expected. Status line `200 OK` is fine.\nHTTP 200 OK is shown.')
      .replace('```check\ntype: file', '```check\ntype: manual\ninstruction: Look at the file.\nexpect:\n  observation: OK\n```\n\n```check\ntype: file');
    const text = protocol(vague, TC02, TC03, TC04);
    const dir = repo({ 'requirements/URS-0100.md': URS, 'protocols/QP-0100.md': text });
    const line = lineOf(text, 'the service works as expected');
    expect(await issues(dir)).toEqual([
      `protocols/QP-0100.md:${line}:13 ACCEPTANCE_VAGUE (warning)`,
      `protocols/QP-0100.md:${line}:53 ACCEPTANCE_VAGUE (warning)`,
      `protocols/QP-0100.md:${lineOf(text, '  observation: OK') - 1}:1 ACCEPTANCE_VAGUE (warning)`,
    ]);
    const r = await runCli(['lint'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('vague acceptance criterion "works as expected" in test case TC-01');
    expect(r.stdout).toContain('vague acceptance criterion "is fine" in test case TC-01');
    expect(r.stdout).toContain('vague acceptance criterion "OK" in the expected observation of manual step TC-01.1');
  });

  it('a repository without requirements documents is warned once per protocol, never failed', async () => {
    const dir = repo({ 'protocols/QP-0100.md': protocol(TC01, TC02, TC03) });
    const text = protocol(TC01, TC02, TC03);
    expect(await issues(dir)).toEqual([`protocols/QP-0100.md:${lineOf(text, 'requirements: [URS-01]')}:1 TRACE_NO_REQUIREMENTS (warning)`]);
  });
});

describe('qualify.yaml: system and tool_validation', () => {
  it('are read, and refused with their location when malformed', async () => {
    const { loadConfig } = await import('../../src/documents/index.js');
    const dir = repo({});
    writeTree(dir, { 'qualify.yaml': 'system:\n  name: LIMS\n  version: "{{release}}"\ntool_validation:\n  record: TVR-0001 revision 02\n  versions: [0.1.0, 0.2.0]\n' });
    expect(await loadConfig(dir)).toMatchObject({ system: { name: 'LIMS', version: '{{release}}' }, toolValidation: { reference: 'TVR-0001 revision 02', versions: ['0.1.0', '0.2.0'] } });
    writeTree(dir, { 'qualify.yaml': 'tool_validation: TVR-0001 revision 02\n' });
    expect((await loadConfig(dir)).toolValidation).toEqual({ reference: 'TVR-0001 revision 02', versions: null });
    writeTree(dir, { 'qualify.yaml': 'defaults: {}\ntool_validation:\n  versions: [0.1.0]\n' });
    await expect(loadConfig(dir)).rejects.toThrow(/qualify.yaml:2:1 "tool_validation.record" must name the validation record/);
    writeTree(dir, { 'qualify.yaml': 'system:\n  owner: x\n' });
    await expect(loadConfig(dir)).rejects.toThrow(/qualify.yaml:1:1 "system" has unknown field "owner"; known: name, version/);
  });
});
