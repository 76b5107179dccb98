#!/usr/bin/env node
// The demo (`npm run demo`, after scripts/setup.sh): a release engineer's day in one command.
//  1. builds the example application image (examples/app) for release 1.4.2 with its OCI labels;
//  2. pushes it to the local registry on 127.0.0.1 so that it has a real digest;
//  3. creates a temporary git repository for the application, tagged v1.4.2 at the commit recorded in
//     the image's org.opencontainers.image.revision label;
//  4. deploys the image by digest (host network, a free port on 127.0.0.1);
//  5. runs the shipped protocol QP-0001 with the right parameters and prints where the report is;
//  6. removes the container, the image tag and the temporary repository. The report stays.
// Running it twice gives two reports. Options: --keep (leave the container running), --env NAME.

import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const registry = process.env.QUALIFY_REGISTRY || '127.0.0.1:5000';
const release = '1.4.2';
const keep = process.argv.includes('--keep');
const envIndex = process.argv.indexOf('--env');
const envName = envIndex > 0 ? process.argv[envIndex + 1] : undefined;
const say = (s) => process.stderr.write(`demo: ${s}\n`);

async function sh(cmd, args, options = {}) {
  try {
    const { stdout } = await run(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...options });
    return stdout.trim();
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
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

const protocolFile = readdirSync(join(root, 'protocols')).find((f) => /^QP-0001.*\.md$/.test(f));
if (!protocolFile) {
  say('protocols/QP-0001*.md is missing');
  process.exit(2);
}

const suffix = `${process.pid}-${randomBytes(3).toString('hex')}`;
const name = `qualify-demo-${suffix}`;
const repoName = `${registry}/qualify-demo-app`;
const appRepo = mkdtempSync(join(tmpdir(), 'qualify-demo-app-'));
let container = null;
let localTag = null;
let exitCode = 1;
try {
  // 3 (first, so the image can carry the commit): the application's repository and its release tag.
  const git = (...a) => sh('git', a, { cwd: appRepo, env: { ...process.env, GIT_AUTHOR_NAME: 'Demo', GIT_AUTHOR_EMAIL: 'demo@example.invalid', GIT_COMMITTER_NAME: 'Demo', GIT_COMMITTER_EMAIL: 'demo@example.invalid' } });
  await git('init', '-q', '-b', 'main');
  writeFileSync(join(appRepo, 'README.md'), `# example-app\n\nRelease ${release}.\n`);
  await git('add', '-A');
  await git('commit', '-q', '-m', `Release ${release}`);
  await git('tag', '-a', `v${release}`, '-m', `Release ${release}`);
  const commit = await git('rev-parse', 'HEAD');
  say(`application repository ${appRepo}: v${release} at ${commit.slice(0, 12)}`);

  // 1. Build.
  localTag = `${repoName}:${release}-${suffix}`;
  const imageId = (await sh('bash', [join(root, 'examples/app/build.sh'), localTag, release, commit])).split('\n').pop();
  say(`built ${localTag} (${imageId.slice(0, 19)})`);

  // 2. Push for a real digest.
  await sh('docker', ['push', '-q', localTag]);
  const digests = JSON.parse(await sh('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', localTag]));
  const image = digests.find((d) => d.startsWith(`${repoName}@`));
  if (!image) throw new Error(`pushed ${localTag} but no digest is listed for ${repoName}`);
  say(`pushed: ${image}`);

  // 4. Deploy by digest.
  const port = await freePort();
  container = name;
  await sh('docker', ['run', '-d', '--name', name, '--network', 'host', '--health-interval', '1s', '-e', `PORT=${port}`, image]);
  say(`deployed ${name} on http://127.0.0.1:${port}`);
  await waitHealthy(name);

  // 5. Run the protocol. OQ-03 is the manual step: its answer comes from a file, as in CI.
  const answers = join(appRepo, '..', `qualify-demo-answers-${suffix}.yaml`);
  writeFileSync(answers, `OQ-03:\n  answer: "pass: CR-2026-0142 approved, names release ${release} and image ${image}; release notes reviewed"\n  by: ${process.env.USER || 'demo'}\n`);
  const args = [
    join(root, 'bin/qualify.js'), 'run', join('protocols', protocolFile),
    ...(envName ? ['--env', envName] : []),
    '--param', `service=${name}`,
    '--param', `release=${release}`,
    '--param', `image=${image}`,
    '--param', `url=http://127.0.0.1:${port}`,
    '--param', `repo=${appRepo}`,
    '--answers', answers,
    '--format', 'junit',
  ];
  say(`qualify ${args.slice(1).join(' ')}`);
  exitCode = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
  rmSync(answers, { force: true });
  say(exitCode === 0 ? 'qualification passed' : `qualification did not pass (exit ${exitCode})`);
} catch (err) {
  say(err.message);
  exitCode = 1;
} finally {
  // 6. Clean up what the demo created; the report stays.
  if (container && !keep) await sh('docker', ['rm', '-f', '-v', container]).catch(() => undefined);
  if (localTag && !keep) await sh('docker', ['image', 'rm', localTag]).catch(() => undefined);
  if (!keep) rmSync(appRepo, { recursive: true, force: true });
  else say(`kept container ${container} and repository ${appRepo}`);
}
process.exitCode = exitCode;
