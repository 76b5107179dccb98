#!/usr/bin/env node
// The demo (`npm run demo`, after scripts/setup.sh): a regulated team's deployment day in one command.
//
// It works in demo-workspace/ (git-ignored), so the project's own files are never touched:
//   qms/   a QMS repository: this project's qualify.yaml, SOPs, user requirements and master protocol, three example signers
//          (avery executes, riley reviews, quinn approves), the documents approved by signature (effective
//          from today) and avery's training on the protocol signed;
//   home/  $QUALIFY_HOME of the three signers: their encrypted private keys (demo passphrases below);
//   app/   the application's git repository with the release tag v1.4.2.
// Each run: builds the example image (examples/app) with its OCI labels, pushes it to the local registry on
// 127.0.0.1 for a real digest, deploys it by digest (host network, a free port), runs QP-0001 with the
// right parameters, signs the record executed → reviewed → approved (the approved PDF gets a PDF digital
// signature), verifies everything, prints where the report is, and removes the container and image tag.
// Running it twice gives two reports. Options: --keep (leave the container running), --fresh (new workspace).

import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ws = join(root, 'demo-workspace');
const qms = join(ws, 'qms');
const home = join(ws, 'home');
const app = join(ws, 'app');
const registry = process.env.QUALIFY_REGISTRY || '127.0.0.1:5000';
const release = '1.4.2';
const keep = process.argv.includes('--keep');
const say = (s) => process.stderr.write(`demo: ${s}\n`);
const SIGNERS = [
  { id: 'avery', name: 'Avery Engineer', roles: ['executor', 'author'] },
  { id: 'riley', name: 'Riley Reviewer', roles: ['reviewer'] },
  { id: 'quinn', name: 'Quinn Approver', roles: ['approver', 'qa', 'admin'] },
];
// Demo only: real signers type their passphrase at the prompt, every time.
const passphrase = (id) => `demo passphrase of ${id}`;
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Demo', GIT_AUTHOR_EMAIL: 'demo@example.invalid', GIT_COMMITTER_NAME: 'Demo', GIT_COMMITTER_EMAIL: 'demo@example.invalid' };

async function sh(cmd, args, options = {}) {
  try {
    const { stdout } = await run(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...options });
    return stdout.trim();
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
}
const git = (cwd, ...a) => sh('git', a, { cwd, env: gitEnv });

/** Runs `qualify ...` in the QMS repository; output goes to the terminal; resolves with the exit code. */
function qualify(args, { input, quiet } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/qualify.js'), ...args], {
      cwd: qms,
      env: { ...process.env, QUALIFY_HOME: home },
      stdio: [input === undefined ? 'ignore' : 'pipe', quiet ? 'ignore' : 'inherit', 'inherit'],
    });
    if (input !== undefined) child.stdin.end(input);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}
async function mustQualify(args, options) {
  const code = await qualify(args, options);
  if (code !== 0) throw new Error(`qualify ${args.join(' ')} exited ${code}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitHealthy(name, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const health = await sh('docker', ['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{end}}', name]).catch(() => '');
    if (health === 'healthy') return;
    if (Date.now() > end) throw new Error(`container ${name} is not healthy after ${timeoutMs / 1000} s (health: ${health || 'none'})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** First run: the QMS repository with signers and signed approvals, and the application repository. */
async function prepareWorkspace() {
  if (process.argv.includes('--fresh')) rmSync(ws, { recursive: true, force: true });
  // A workspace of an older version (signers without acknowledgements) is made again.
  if (!existsSync(join(qms, 'signers.yaml')) || !existsSync(join(qms, 'acknowledgements'))) {
    rmSync(qms, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    mkdirSync(qms, { recursive: true });
    mkdirSync(home, { recursive: true });
    for (const item of ['qualify.yaml', 'sops', 'requirements', 'protocols']) cpSync(join(root, item), join(qms, item), { recursive: true });
    // quinn approves them today by signature: they take effect today, not on the dates of the project's own
    // copies (a document cannot take effect before its approval signature, DC-03).
    const today = new Date().toISOString().slice(0, 10);
    for (const folder of ['sops', 'requirements', 'protocols']) {
      for (const f of readdirSync(join(qms, folder)).filter((n) => n.endsWith('.md'))) {
        const file = join(qms, folder, f);
        writeFileSync(file, readFileSync(file, 'utf8').replace(/^effective_date:.*$/m, `effective_date: ${today}`));
      }
    }
    await git(qms, 'init', '-q', '-b', 'main');
    await git(qms, 'add', '-A');
    await git(qms, 'commit', '-q', '-m', 'QMS documents');
    say(`QMS repository ${relative(root, qms)}: enrolling ${SIGNERS.map((s) => s.id).join(', ')} (keys in ${relative(root, home)})`);
    // quinn (admin) bootstraps the signer CA; the others request their own key and quinn issues it
    // (docs/signatures.md); every signer then acknowledges that their e-signature is binding (ES-13).
    const [admin, ...others] = [...SIGNERS].sort((a, b) => b.roles.includes('admin') - a.roles.includes('admin'));
    const enrolArgs = (s) => ['--as', s.id, '--name', s.name, '--email', `${s.id}@example.invalid`, ...s.roles.flatMap((r) => ['--role', r]), '--passphrase-stdin'];
    await mustQualify(['keys', 'create', ...enrolArgs(admin)], { input: `${passphrase(admin.id)}\n`, quiet: true });
    for (const s of others) {
      const request = join(ws, `${s.id}.key-request.json`);
      rmSync(request, { force: true });
      await mustQualify(['keys', 'request', ...enrolArgs(s), '--out', request], { input: `${passphrase(s.id)}\n`, quiet: true });
      await mustQualify(['keys', 'issue', request, '--as', admin.id, '--passphrase-stdin'], { input: `${passphrase(admin.id)}\n`, quiet: true });
      rmSync(request, { force: true });
    }
    for (const s of SIGNERS) await mustQualify(['keys', 'acknowledge', '--as', s.id, '--passphrase-stdin'], { input: `${passphrase(s.id)}\n`, quiet: true });
    say('quinn approves the SOPs, the user requirements and the master protocol by electronic signature');
    const docs = ['sops', 'requirements', 'protocols'].flatMap((d) => readdirSync(join(qms, d)).map((f) => `${d}/${f}`)).filter((f) => f.endsWith('.md'));
    for (const doc of docs) await mustQualify(['sign', doc, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], { input: `${passphrase('quinn')}\n`, quiet: true });
    say('avery records their training on the master protocol (it requires training) by electronic signature');
    const protocolFile = docs.find((d) => d.startsWith('protocols/'));
    await mustQualify(['sign', protocolFile, '--as', 'avery', '--meaning', 'trained', '--passphrase-stdin'], { input: `${passphrase('avery')}\n`, quiet: true });
    await git(qms, 'add', '-A');
    await git(qms, 'commit', '-q', '-m', 'Signers enrolled; SOPs and QP-0001 approved; avery trained on QP-0001');
  }
  if (!existsSync(join(app, '.git'))) {
    mkdirSync(app, { recursive: true });
    await git(app, 'init', '-q', '-b', 'main');
    writeFileSync(join(app, 'README.md'), `# example-app\n\nRelease ${release}.\n`);
    await git(app, 'add', '-A');
    await git(app, 'commit', '-q', '-m', `Release ${release}`);
    await git(app, 'tag', '-a', `v${release}`, '-m', `Release ${release}`);
  }
  return git(app, 'rev-list', '-n', '1', `v${release}`);
}

const suffix = `${process.pid}-${randomBytes(3).toString('hex')}`;
const name = `qualify-demo-${suffix}`;
const repoName = `${registry}/qualify-demo-app`;
let container = null;
let localTag = null;
let exitCode = 1;
try {
  const commit = await prepareWorkspace();
  say(`application repository ${relative(root, app)}: v${release} at ${commit.slice(0, 12)}`);

  // Build, with the release commit in the image's revision label; push for a real digest.
  localTag = `${repoName}:${release}-${suffix}`;
  const imageId = (await sh('bash', [join(root, 'examples/app/build.sh'), localTag, release, commit])).split('\n').pop();
  say(`built ${localTag} (${imageId.slice(0, 19)})`);
  await sh('docker', ['push', '-q', localTag]);
  const digests = JSON.parse(await sh('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', localTag]));
  const image = digests.find((d) => d.startsWith(`${repoName}@`));
  if (!image) throw new Error(`pushed ${localTag} but no digest is listed for ${repoName}`);
  say(`pushed: ${image}`);

  // Deploy by digest.
  const port = await freePort();
  container = name;
  await sh('docker', ['run', '-d', '--name', name, '--network', 'host', '--health-interval', '1s', '-e', `PORT=${port}`, image]);
  say(`deployed ${name} on http://127.0.0.1:${port}`);
  await waitHealthy(name);

  // Run the protocol. OQ-03 is the manual step: its answer comes from a file, as in CI.
  const answers = join(ws, `answers-${suffix}.yaml`);
  writeFileSync(answers, `OQ-03: "pass: CR-2026-0142 approved, names release ${release} and image ${image}; release notes reviewed"\n`);
  const protocol = readdirSync(join(qms, 'protocols')).find((f) => /^QP-0001.*\.md$/.test(f));
  const before = new Set(existsSync(join(qms, 'reports/QP-0001')) ? readdirSync(join(qms, 'reports/QP-0001')) : []);
  const args = ['run', `protocols/${protocol}`, '--as', 'avery', '--passphrase-stdin',
    '--param', `service=${name}`, '--param', `release=${release}`, '--param', `image=${image}`,
    '--param', `url=http://127.0.0.1:${port}`, '--param', `repo=${app}`,
    '--answers', answers, '--format', 'junit'];
  say(`qualify ${args.join(' ')}`);
  exitCode = await qualify(args, { input: `${passphrase('avery')}\n` });
  rmSync(answers, { force: true });
  const created = readdirSync(join(qms, 'reports/QP-0001')).filter((d) => !before.has(d) && !d.startsWith('.'));
  if (created.length !== 1) throw new Error(`expected one new report, found ${created.length}`);
  const report = join('reports/QP-0001', created[0]);
  if (exitCode !== 0) throw new Error(`qualification did not pass (exit ${exitCode}); the record with its deviations is ${relative(root, join(qms, report))}`);

  // Part 11 signatures: executed → reviewed → approved, then an independent verification.
  for (const [id, meaning, comment] of [['avery', 'executed', 'Executed after deployment of release 1.4.2'], ['riley', 'reviewed', 'All steps, evidence and the subject reviewed'], ['quinn', 'approved', 'Deployment qualified for GxP use']]) {
    await mustQualify(['sign', report, '--as', id, '--meaning', meaning, '--comment', comment, '--passphrase-stdin'], { input: `${passphrase(id)}\n` });
  }
  await mustQualify(['verify', report]);
  say(`report: ${relative(root, join(qms, report))}/report.pdf (pdfsig shows its three PDF signatures, executed, reviewed and approved; qualify verify checks the rest, and verifies the PDF alone with --trust)`);
  say(`all reports: ${readdirSync(join(qms, 'reports/QP-0001')).filter((d) => !d.startsWith('.')).length} in ${relative(root, join(qms, 'reports/QP-0001'))}`);
  exitCode = 0;
} catch (err) {
  say(err.message);
  if (exitCode === 0) exitCode = 1;
} finally {
  // Remove what this run deployed; the workspace and its reports stay.
  if (container && !keep) await sh('docker', ['rm', '-f', '-v', container]).catch(() => undefined);
  if (localTag && !keep) await sh('docker', ['image', 'rm', localTag]).catch(() => undefined);
  if (keep && container) say(`kept container ${container}`);
}
process.exitCode = exitCode;
