// A record written by the real runner (`qualify run` on the shipped protocol against the Docker engine and
// the local registry) signed executed → reviewed → approved with the CLI, validated by pdfsig, verified
// and attested for the image digest that ran.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { enrolTeam } from '../helpers/enrol.js';
import { git, makeGitRepo, makeTempDir, writeTree } from '../helpers/tmp.js';
import { buildExampleImage, freePort, pushImage, registryRepo, removeContainer, removeImage, startContainer, uniqueName, waitHealthy } from '../helpers/docker.js';
import { testRenderer } from './fixture.js';
import type { Report } from '../../src/model/report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHIPPED = readdirSync(join(ROOT, 'protocols')).find((f) => /^QP-0001.*\.md$/.test(f))!;
const app = makeTempDir('qualify-sign-e2e-app-');
const qms = makeTempDir('qualify-sign-e2e-qms-');
const home = makeTempDir('qualify-sign-e2e-home-');
const env = { QUALIFY_HOME: home.dir };
const container = uniqueName('qualify-sign-e2e');
let tag = '';
let image = '';
let port = 0;

beforeAll(async () => {
  git(app.dir, 'init', '-q', '-b', 'main');
  writeTree(app.dir, { VERSION: '1.4.2\n' });
  git(app.dir, 'add', '-A');
  git(app.dir, 'commit', '-q', '-m', 'Release 1.4.2');
  git(app.dir, 'tag', '-a', 'v1.4.2', '-m', '1.4.2');
  tag = `${registryRepo('qualify-sign-e2e')}:1.4.2`;
  await buildExampleImage({ tag, version: '1.4.2', revision: git(app.dir, 'rev-parse', 'HEAD') });
  image = await pushImage(tag);
  port = await freePort();
  await startContainer({ name: container, image, port });
  await waitHealthy(container);
  // The QMS repository: the shipped protocol and SOPs (so the run's audit entry lands here, not in the project).
  const shipped = (folder: string) => Object.fromEntries(readdirSync(join(ROOT, folder)).map((f) => [`${folder}/${f}`, readFileSync(join(ROOT, folder, f), 'utf8')]));
  makeGitRepo(qms.dir, { 'qualify.yaml': 'signers: signers.yaml\n', ...shipped('protocols'), ...shipped('sops') });
  await enrolTeam((args, stdin) => runCli(args, { cwd: qms.dir, env, stdin }), [['erin', 'Erin Engineer', ['executor']], ['rita', 'Rita Reviewer', ['reviewer']], ['quinn', 'Quinn Approver', ['approver', 'qa']]].map(([id, name, roles]) => ({ id: id as string, name: name as string, roles: roles as string[], passphrase: `${id} e2e passphrase` })));
  // With signers.yaml present only signed approvals count: the front matter's "effective" is refused...
  const refused = await runCli(['run', `protocols/${SHIPPED}`, '--param', `service=${container}`, '--param', 'release=1.4.2', '--param', `image=${image}`, '--param', `repo=${app.dir}`, '--as', 'erin'], { cwd: qms.dir, env });
  expect(refused.code).toBe(3);
  expect(refused.stderr).toContain('PROTOCOL_NOT_EFFECTIVE');
  expect(refused.stderr).toContain('approval recorded but not signed');
  // ...until QA approves the protocol and the SOPs it requires.
  for (const file of [...readdirSync(join(qms.dir, 'protocols')).map((f) => `protocols/${f}`), ...readdirSync(join(qms.dir, 'sops')).map((f) => `sops/${f}`)]) {
    const r = await runCli(['sign', file, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { cwd: qms.dir, env, stdin: 'quinn e2e passphrase\n' });
    expect(r.code, r.stderr).toBe(0);
  }
}, 180_000);

afterAll(async () => {
  await removeContainer(container);
  if (tag) await removeImage(tag);
  for (const t of [app, qms, home]) t.cleanup();
});

describe('signing a record written by qualify run', () => {
  it('signs, PDF-signs, verifies and attests the real record', async () => {
    writeTree(qms.dir, { 'answers.yaml': 'OQ-03:\n  answer: "pass: CR-1 approved"\n  by: erin\n' });
    const run = await runCli([
      'run', `protocols/${SHIPPED}`, '--param', `service=${container}`, '--param', 'release=1.4.2', '--param', `image=${image}`,
      '--param', `url=http://127.0.0.1:${port}`, '--param', `repo=${app.dir}`, '--answers', join(qms.dir, 'answers.yaml'),
      '--out', join(qms.dir, 'reports'), '--as', 'erin', '--passphrase-stdin',
    ], { cwd: qms.dir, env, stdin: 'erin e2e passphrase\n' });
    expect(run.code).toBe(0);
    const [id] = readdirSync(join(qms.dir, 'reports/QP-0001'));
    const dir = join(qms.dir, 'reports/QP-0001', id!);
    const rel = relative(qms.dir, dir);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    if (!existsSync(join(dir, 'report.pdf'))) {
      // Until the report engine is in the build, a stand-in PDF embedding report.json takes its place.
      writeFileSync(join(dir, 'report.pdf'), await testRenderer(report, readFileSync(join(dir, 'report.md'), 'utf8'), { signatures: [] }));
    }
    const sign = (who: string, meaning: string, at: string) => runCli(['sign', rel, '--as', who, '--meaning', meaning, '--passphrase-stdin'], { cwd: qms.dir, env, stdin: `${who} e2e passphrase\n`, now: new Date(at) });
    const later = (min: number) => new Date(Date.parse(report.ended) + min * 60_000).toISOString();
    for (const [who, meaning, at] of [['erin', 'executed', later(1)], ['rita', 'reviewed', later(2)], ['quinn', 'approved', later(3)]] as const) {
      const r = await sign(who, meaning, at);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const pdfsig = execFileSync('pdfsig', [join(dir, 'report.pdf')], { encoding: 'utf8' });
    expect(pdfsig).toContain('Signature Validation: Signature is Valid.');
    expect(pdfsig).toContain('Total document signed');
    const v = await runCli(['verify', rel], { cwd: qms.dir, env, now: new Date(later(10)) });
    expect(readFileSync(join(qms.dir, 'audit/trail.jsonl'), 'utf8')).toContain('"action":"run"');
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`evidence: ${report.cases.flatMap((c) => c.steps.flatMap((s) => s.evidence)).length} file\\(s\\), every sha256 matches the record`));
    const a = await runCli(['attest', rel, '--as', 'quinn', '--passphrase-stdin'], { cwd: qms.dir, env, stdin: 'quinn e2e passphrase\n', now: new Date(later(11)) });
    expect(a.stderr).toBe('');
    expect(a.stdout).toContain(`subject      ${image}`);
    expect(a.stdout).toContain(': PASSED');
  });
});
