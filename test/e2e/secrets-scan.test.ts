// Issue 9 items 7–8: secrets planted in a real deployment never reach a written byte, and ordinary
// configuration is not masked. A container built FROM scratch with busybox boots with secret env values
// (DB_PW, GITHUB_PAT, STRIPE_SK, API_SIG, ACCESS_CODE) that its boot log repeats, serves a JSON token and
// answers a URL carrying a `sig=` query value; a real `qualify run` (the built CLI as a process), a
// signature and a render follow. Every file written (record, evidence, report.md, junit.xml, the JSON and
// junit copies, the audit trail, report.pdf raw, after `qpdf --qdf --object-streams=disable`, its text
// and its attachments) and the console are scanned for every planted secret; the planted ordinary values
// must still be readable.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnCli } from '../helpers/cli.js';
import { makeTempDir, makeGitRepo } from '../helpers/tmp.js';
import { docker, freePort, removeContainer, removeImage, startContainer, uniqueName, waitHealthy } from '../helpers/docker.js';
import { checkReportFolder, listFiles, reportFolders } from '../helpers/report-folder.js';

const exec = promisify(execFile);
const hex = (n: number) => randomBytes(n).toString('hex');

/** Secrets: each must appear in no byte written or printed. */
const SECRETS = {
  DB_PW: `dbpw-${hex(8)}`,
  GITHUB_PAT: `ghp_${hex(12)}`,
  STRIPE_SK: `sk_live_${hex(10)}`,
  API_SIG: `apisig-${hex(8)}`,
  ACCESS_CODE: `ac-${hex(8)}`,
  // served in /token as {"token": ...}, compared by a failing json.token check (not in the env)
  json_token: `jtok-${hex(10)}`,
  // a `sig=` query value in an http.get URL (a parameter whose name does not look secret)
  query_sig: `qsig-${hex(10)}`,
};
/** Ordinary configuration: each must stay readable in the record and its evidence. */
const ORDINARY = {
  ORDERS_MODE: `production-${hex(3)}`,
  APP_ENV: `staging-${hex(3)}`,
  LOG_LEVEL: `verbose-${hex(3)}`,
  environment: `production-site-${hex(2)}`,
};

const created = { container: uniqueName('qualify-secrets'), image: `${uniqueName('qualify-secrets-img')}:1`, cleanups: [] as Array<() => void> };
let port = 0;
let qms = '';
let home = '';

const ENTRYPOINT = `#!/bin/sh
echo "starting orders mode=$ORDERS_MODE env=$APP_ENV log=$LOG_LEVEL port=$PORT"
echo "database login with password $DB_PW"
echo "github pat $GITHUB_PAT, stripe $STRIPE_SK"
echo "request signing with $API_SIG, door access $ACCESS_CODE"
mkdir -p /tmp/www
printf '{"version":"1.4.2","env":"%s","log":"%s"}\\n' "$ORDERS_MODE" "$LOG_LEVEL" > /tmp/www/version
cp /srv/token.json /tmp/www/token
printf 'ok\\n' > /tmp/www/health
exec httpd -f -p "127.0.0.1:$PORT" -h /tmp/www
`;

const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-m", "1777", "/tmp"]
COPY entrypoint.sh /entrypoint.sh
COPY token.json /srv/token.json
USER 65534:65534
HEALTHCHECK --interval=1s --timeout=2s --retries=3 CMD wget -q -O /dev/null "http://127.0.0.1:\${PORT}/health" || exit 1
ENTRYPOINT ["/bin/sh", "/entrypoint.sh"]
`;

const check = (yaml: string) => `\`\`\`check\n${yaml}\n\`\`\``;
const PROTOCOL = [
  '---',
  'document_id: QP-0700',
  'type: protocol',
  'title: Secrets scan protocol',
  'revision: "01"',
  'status: effective',
  'approvers: [quinn]',
  'approval_date: 2020-01-01',
  'effective_date: 2020-01-02',
  'parameters:',
  '  service: { description: container }',
  '  url: { description: base URL }',
  '  link_code: { description: signed download link code }',
  '  environment: { description: environment qualified }',
  '---',
  '',
  `### IQ-01 Configuration\n\nThe configuration of {{environment}} is as approved.\n\n${check('type: container.config\ncontainer: "{{service}}"\nexpect:\n  env_keys: { contains: DB_PW }\n  user: "65534:65534"')}`,
  '',
  `### OQ-01 Boot log\n\n${check('type: container.logs\ncontainer: "{{service}}"\nexpect:\n  contains: "starting orders"\n  not_contains: ERROR')}`,
  '',
  `### OQ-02 Version through a signed link\n\n${check('type: http.get\nurl: "{{url}}/version?file=report.csv&sig={{link_code}}"\nexpect:\n  status: 200\n  json: { version: "1.4.2" }')}`,
  '',
  `### OQ-03 The API token is the approved one\n\n${check('type: http.get\nurl: "{{url}}/token"\nexpect:\n  status: 200\n  json: { token: "the-approved-token-value" }')}`,
  '',
  `### OQ-04 The environment as a command sees it\n\n${check('type: command\ncontainer: "{{service}}"\nargv: [sh, -c, "env; echo token=$GITHUB_PAT"]\nexpect:\n  exit_code: 0')}`,
  '',
].join('\n');

beforeAll(async () => {
  const ctx = makeTempDir('qualify-secrets-ctx-');
  created.cleanups.push(ctx.cleanup);
  copyFileSync(process.env.BUSYBOX || '/bin/busybox', join(ctx.dir, 'busybox'));
  writeFileSync(join(ctx.dir, 'Dockerfile'), DOCKERFILE);
  writeFileSync(join(ctx.dir, 'entrypoint.sh'), ENTRYPOINT);
  writeFileSync(join(ctx.dir, 'token.json'), `{"token":"${SECRETS.json_token}","scope":"orders"}\n`);
  await exec('docker', ['build', '-q', '--network', 'host', '-t', created.image, ctx.dir]);
  port = await freePort();
  const env: Record<string, string> = { ORDERS_MODE: ORDINARY.ORDERS_MODE, APP_ENV: ORDINARY.APP_ENV, LOG_LEVEL: ORDINARY.LOG_LEVEL };
  for (const k of ['DB_PW', 'GITHUB_PAT', 'STRIPE_SK', 'API_SIG', 'ACCESS_CODE'] as const) env[k] = SECRETS[k];
  await startContainer({ name: created.container, image: created.image, port, env });
  await waitHealthy(created.container);

  const q = makeTempDir('qualify-secrets-qms-');
  const h = makeTempDir('qualify-secrets-home-');
  created.cleanups.push(q.cleanup, h.cleanup);
  qms = q.dir;
  home = h.dir;
  makeGitRepo(qms, {
    'qualify.yaml': 'environments:\n  local:\n    docker:\n      host: unix:///var/run/docker.sock\ndefaults:\n  environment: local\n',
    'protocols/QP-0700-secrets.md': PROTOCOL,
    '.gitignore': 'reports/\nci/\n',
  });
}, 120_000);

afterAll(async () => {
  await removeContainer(created.container);
  await removeImage(created.image);
  for (const c of created.cleanups) c();
});

/** Every form a secret could take in bytes: as is, base64, URL-encoded, JSON-escaped, UTF-16BE (PDF text strings). */
function needles(secret: string): Buffer[] {
  return [
    Buffer.from(secret),
    Buffer.from(Buffer.from(secret).toString('base64').replace(/=+$/, '')),
    Buffer.from(encodeURIComponent(secret)),
    Buffer.from(Buffer.from(secret, 'utf16le').swap16()),
  ];
}

/** Names of the planted secrets found in `bytes`. */
function leaks(bytes: Buffer): string[] {
  return Object.entries(SECRETS).filter(([, v]) => needles(v).some((n) => bytes.includes(n))).map(([k]) => k);
}

describe('planted secrets reach no written byte and no console line (issue 9 item 8)', () => {
  it('run, sign and render: planted / leaked / falsely masked', () => {
    const env = { QUALIFY_HOME: home, CI: '1' };
    const run = spawnCli([
      'run', 'protocols/QP-0700-secrets.md', '--as', 'erin',
      '--param', `service=${created.container}`, '--param', `url=http://127.0.0.1:${port}`,
      '--param', `link_code=${SECRETS.query_sig}`, '--param', `environment=${ORDINARY.environment}`,
      '--format', 'junit,json', '--junit', 'ci/junit.xml', '--json', 'ci/report.json',
    ], { cwd: qms, env, timeoutMs: 120_000 });
    // OQ-03 fails on purpose: the served token is not the approved one.
    expect(run.code, run.stderr).toBe(1);
    const [folder] = reportFolders(join(qms, 'reports', 'QP-0700'));
    const report = checkReportFolder(folder!);
    expect(report.cases.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'fail', 'pass']);

    // A signature and a render write files too.
    const keys = spawnCli(['keys', 'create', '--as', 'erin', '--name', 'Erin Engineer', '--email', 'erin@example.invalid', '--role', 'executor', '--passphrase-stdin'], { cwd: qms, env, input: 'erin scan passphrase\n' });
    expect(keys.code, keys.stderr).toBe(0);
    const ack = spawnCli(['keys', 'acknowledge', '--as', 'erin', '--passphrase-stdin'], { cwd: qms, env, input: 'erin scan passphrase\n' });
    expect(ack.code, ack.stderr).toBe(0);
    const sign = spawnCli(['sign', folder!, '--as', 'erin', '--meaning', 'executed', '--passphrase-stdin'], { cwd: qms, env, input: 'erin scan passphrase\n' });
    const render = spawnCli(['render', folder!], { cwd: qms, env });
    expect(render.code, render.stderr).toBe(0);

    // Every file of the repository written by the run, the signature and the render, byte for byte.
    const scanned = new Map<string, Buffer>();
    for (const f of listFiles(qms).filter((f) => !f.startsWith('.git/') && !f.startsWith('protocols/'))) scanned.set(f, readFileSync(join(qms, f)));
    for (const f of listFiles(home)) scanned.set(`$QUALIFY_HOME/${f}`, readFileSync(join(home, f)));
    // report.pdf: every stream decompressed, its text, and its attachments (the embedded report.json).
    const pdf = join(folder!, 'report.pdf');
    const work = join(qms, '..', `${created.container}-pdf`);
    mkdirSync(work, { recursive: true });
    created.cleanups.push(() => execFileSync('rm', ['-rf', work]));
    execFileSync('qpdf', ['--qdf', '--object-streams=disable', pdf, join(work, 'qdf.pdf')]);
    scanned.set('report.pdf (qpdf --qdf)', readFileSync(join(work, 'qdf.pdf')));
    scanned.set('report.pdf (pdftotext)', execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-']));
    execFileSync('pdfdetach', ['-saveall', '-o', work, pdf]);
    const attachments = readdirSync(work).filter((f) => f !== 'qdf.pdf');
    expect(attachments).toContain('report.json');
    for (const f of attachments) scanned.set(`report.pdf attachment ${f}`, readFileSync(join(work, f)));
    for (const [name, r] of Object.entries({ run, keys, sign, render })) {
      scanned.set(`${name} stdout`, Buffer.from(r.stdout));
      scanned.set(`${name} stderr`, Buffer.from(r.stderr));
    }
    // The CI copies are among the files scanned.
    expect([...scanned.keys()]).toEqual(expect.arrayContaining(['ci/junit.xml', 'ci/report.json', 'audit/trail.jsonl']));
    const leaked = [...scanned].flatMap(([file, bytes]) => leaks(bytes).map((s) => `${s} in ${file}`));

    // Ordinary configuration an auditor needs: readable in the record and its evidence, keys included.
    const readable = Buffer.concat(listFiles(folder!).filter((f) => /\.(json|txt|log|http)$/.test(f)).map((f) => readFileSync(join(folder!, f)))).toString('utf8');
    const ordinaryShown = [
      ...Object.values(ORDINARY),
      `ORDERS_MODE=${ORDINARY.ORDERS_MODE}`, `APP_ENV=${ORDINARY.APP_ENV}`, `PORT=${port}`, '${PORT}',
      `"env":"${ORDINARY.ORDERS_MODE}"`, `"environment": "${ORDINARY.environment}"`,
    ];
    const hiddenOrdinary = ordinaryShown.filter((v) => !readable.includes(v));
    // Beyond the list: every distinct value masked in the evidence must be one of the planted secrets
    // (the evidence holds all seven; [MASKED:n] numbers distinct values).
    const evidenceText = Buffer.concat(listFiles(join(folder!, 'evidence')).map((f) => readFileSync(join(folder!, 'evidence', f)))).toString('utf8');
    const distinctMasked = new Set([...evidenceText.matchAll(/\[MASKED:(\d+)\]/g)].map((m) => m[1]));
    const extraMasked = Math.max(0, distinctMasked.size - Object.keys(SECRETS).length);
    const falselyMasked = [...hiddenOrdinary, ...(extraMasked ? [`${extraMasked} other value(s) masked in the evidence`] : [])];
    // Every secret key name stays visible beside its masked value.
    const keyNames = ['DB_PW', 'GITHUB_PAT', 'STRIPE_SK', 'API_SIG', 'ACCESS_CODE'].filter((k) => !new RegExp(`${k}=\\[MASKED:\\d+\\]`).test(readable));

    const planted = Object.keys(SECRETS).length;
    console.log(`secret scan: ${scanned.size} files and streams; planted ${planted} / leaked ${new Set(leaked.map((l) => l.split(' ')[0])).size} / falsely masked ${hiddenOrdinary.length + extraMasked} (${hiddenOrdinary.length} of ${ordinaryShown.length} planted ordinary values hidden, ${distinctMasked.size} distinct values masked in the evidence); signature exit ${sign.code}`);
    expect(leaked).toEqual([]);
    expect(falselyMasked).toEqual([]);
    expect(keyNames).toEqual([]);
    // The failing json.token check said so without the token: on the console and in the record.
    expect(run.stderr).toMatch(/json\.token: expected \[MASKED(:\d+)?\], found \[MASKED(:\d+)?\]/);
    expect(report.deviations.map((d) => d.stepId)).toEqual(['OQ-03.1']);
    // The masking is accounted for without anything computed from a value.
    expect(report.redaction.count).toBeGreaterThan(0);
    expect(JSON.stringify(report.redaction)).not.toMatch(/salt|hash/);
  }, 180_000);
});
