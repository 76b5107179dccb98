// `qualify run` against remote engines over real protocols: a second dockerd reached over mutual TLS
// (named in qualify.yaml, and by DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH as the docker CLI
// reads them) and the same engine over ssh (sshd on 127.0.0.1, `docker system dial-stdio`). The
// application container runs only on the second engine, so a pass proves the run reached that engine
// and did not fall back to the local one. Engines that cannot be used are exit 2 before any step;
// engines that cannot be reached (nothing listening, an unknown host key, a CA that does not sign the
// engine's certificate) are error steps and exit 1, each after one attempt, never a pass.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, writeTree } from '../helpers/tmp.js';
import { buildExampleImage, freePort, removeImage, uniqueName, waitFor } from '../helpers/docker.js';
import { startSshServer, startTlsEngine, makeEngineCertificates, type SshServer, type TlsEngine } from '../helpers/engines.js';
import { checkReportFolder, reportFolders } from '../helpers/report-folder.js';
import type { Report, StepResult } from '../../src/model/report.js';

const tag = `${uniqueName('qualify-remote')}:1.0.0`;
const name = uniqueName('qualify-remote-web');
let engine: TlsEngine;
let sshd: SshServer;
let port = 0;
let repo = '';
const cleanups: Array<() => void | Promise<void>> = [];
/** The environment of the in-process CLI: a PATH (to find ssh) and nothing of the user's ssh or docker setup. */
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

const check = (yaml: string): string => `\`\`\`check\n${yaml.trim()}\n\`\`\`\n`;

const PROTOCOL = [
  '---',
  'document_id: QP-0200',
  'type: protocol',
  'title: Remote engine protocol',
  'revision: "01"',
  'status: effective',
  'approvers: [quinn]',
  'approval_date: 2020-01-01',
  'effective_date: 2020-01-02',
  'parameters:',
  '  service: { description: container }',
  '  url: { description: base URL }',
  '---',
  '',
  '### IQ-01 The application runs and is healthy',
  '',
  check('type: container.running\ncontainer: "{{service}}"\nretry: { until: 30s, every: 1s }\nexpect:\n  state: running\n  health: healthy'),
  '### IQ-02 It runs as the unprivileged user',
  '',
  check('type: container.config\ncontainer: "{{service}}"\nexpect:\n  user: "65534:65534"'),
  '### OQ-01 It booted cleanly',
  '',
  check('type: container.logs\ncontainer: "{{service}}"\nexpect:\n  contains: "version 1.0.0"\n  not_contains: { matches: "ERROR|FATAL|panic" }'),
  '### OQ-02 Its version file, read by a program inside it and as a file',
  '',
  check('type: command\ncontainer: "{{service}}"\nargv: [cat, /tmp/www/version]\nexpect:\n  exit_code: 0\n  stdout: { contains: "1.0.0" }'),
  check('type: file\ncontainer: "{{service}}"\npath: /tmp/www/version\nexpect:\n  exists: true\n  contains: "1.0.0"'),
  '### OQ-03 It answers with its version',
  '',
  check('type: http.get\nurl: "{{url}}/version"\nexpect:\n  status: 200\n  json: { version: "1.0.0" }'),
  '',
].join('\n');

function steps(report: Report): StepResult[] {
  return report.cases.flatMap((c) => c.steps);
}

function onlyReport(dir: string): Report {
  const folders = reportFolders(join(dir, 'reports', 'QP-0200'));
  expect(folders).toHaveLength(1);
  return checkReportFolder(folders[0]!);
}

/** A QMS repository with the protocol and `environments` (YAML under `environments:`); certificates and keys copied in. */
function qms(environments: string): string {
  const t = makeTempDir('qualify-remote-qms-');
  cleanups.push(t.cleanup);
  writeTree(t.dir, { 'qualify.yaml': `environments:\n${environments}`, 'protocols/QP-0200-remote.md': PROTOCOL });
  mkdirSync(join(t.dir, 'certs'));
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) copyFileSync(join(engine.certs.clientDir, f), join(t.dir, 'certs', f));
  mkdirSync(join(t.dir, 'keys'));
  copyFileSync(sshd.identity, join(t.dir, 'keys', 'deploy'));
  chmodSync(join(t.dir, 'keys', 'deploy'), 0o600);
  copyFileSync(sshd.knownHosts, join(t.dir, 'keys', 'known_hosts'));
  return t.dir;
}

const params = (): string[] => ['--param', `service=${name}`, '--param', `url=http://127.0.0.1:${port}`];

beforeAll(async () => {
  await buildExampleImage({ tag, version: '1.0.0', revision: 'remote-engines' });
  cleanups.push(() => removeImage(tag));
  engine = await startTlsEngine();
  cleanups.push(() => engine.stop());
  // The ssh engine is the same second engine: sessions reach it through sshd's DOCKER_HOST.
  sshd = await startSshServer({ dockerHost: `unix://${engine.socket}` });
  cleanups.push(() => sshd.stop());
  await engine.loadImage(tag);
  port = await freePort();
  await engine.docker('run', '-d', '--name', name, '--network', 'host', '--health-interval', '500ms', '-e', `PORT=${port}`, tag);
  await waitFor(`${name} to be healthy on the second engine`, async () => (await engine.docker('inspect', '--format', '{{.State.Health.Status}}', name)) === 'healthy');
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
}, 60_000);

describe('qualify run against a mutual-TLS engine', () => {
  it('named in qualify.yaml (host and tls paths relative to the repository): passes', async () => {
    const dir = qms(`  remote:\n    docker:\n      host: ${engine.host}\n      tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem }\n`);
    const r = await runCli(['run', 'protocols/QP-0200-remote.md', '--env', 'remote', ...params()], { cwd: dir, env: ENV });
    expect(r.stderr).toContain('PASS: 6 steps: 6 passed, 0 failed, 0 errors, 0 skipped');
    expect(r.code).toBe(0);
    const report = onlyReport(dir);
    expect(report.targets[0]).toMatchObject({ endpoint: engine.host, version: expect.stringMatching(/^\d+\./), error: null });
    expect(steps(report).every((s) => s.status === 'pass')).toBe(true);
  });

  it('named by DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH when the environment names no engine: passes', async () => {
    const dir = qms('  plain: {}\n');
    const env = { ...ENV, DOCKER_HOST: engine.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.certs.clientDir };
    const r = await runCli(['run', 'protocols/QP-0200-remote.md', '--env', 'plain', ...params()], { cwd: dir, env });
    expect(r.stderr).toContain('PASS: 6 steps: 6 passed');
    expect(r.code).toBe(0);
    expect(onlyReport(dir).targets[0]!.endpoint).toBe(engine.host);
  });

  it('a CA that did not sign the engine certificate: every docker step errors (DOCKER_TLS_FAILED) after one attempt, exit 1', async () => {
    const dir = qms(`  remote:\n    docker:\n      host: ${engine.host}\n      tls: { ca: other/ca.pem, cert: certs/cert.pem, key: certs/key.pem }\n`);
    const other = await makeEngineCertificates(join(dir, 'other-ca'));
    mkdirSync(join(dir, 'other'));
    copyFileSync(other.ca, join(dir, 'other', 'ca.pem'));
    const r = await runCli(['run', 'protocols/QP-0200-remote.md', '--env', 'remote', ...params()], { cwd: dir, env: ENV });
    expect(r.code).toBe(1);
    const report = onlyReport(dir);
    expect(report.conclusion).toBe('fail');
    const docker = steps(report).filter((s) => s.type !== 'http.get');
    expect(docker.map((s) => s.status)).toEqual(['error', 'error', 'error', 'error', 'error']);
    for (const s of docker) expect(s.reason).toContain('DOCKER_TLS_FAILED');
    expect(docker[0]!.attempts).toHaveLength(1);
    expect(report.targets[0]!.error).toMatch(/TLS/);
  });
});

describe('qualify run against an ssh engine', () => {
  it('ssh://user@127.0.0.1:PORT with the key and known_hosts named in qualify.yaml: passes', async () => {
    const dir = qms(`  remote:\n    docker:\n      host: ${sshd.host}\n      ssh: { identity: keys/deploy, known_hosts: keys/known_hosts }\n`);
    const r = await runCli(['run', 'protocols/QP-0200-remote.md', '--env', 'remote', ...params()], { cwd: dir, env: ENV });
    expect(r.stderr).toContain('PASS: 6 steps: 6 passed, 0 failed, 0 errors, 0 skipped');
    expect(r.code).toBe(0);
    const report = onlyReport(dir);
    expect(report.targets[0]).toMatchObject({ endpoint: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`, version: expect.stringMatching(/^\d+\./), error: null });
  });

  it('a host key that is not in known_hosts is refused: error steps, exit 1, never a pass', async () => {
    const dir = qms(`  remote:\n    docker:\n      host: ${sshd.host}\n      ssh: { identity: keys/deploy, known_hosts: keys/empty_known_hosts }\n`);
    writeFileSync(join(dir, 'keys', 'empty_known_hosts'), '');
    const r = await runCli(['run', 'protocols/QP-0200-remote.md', '--env', 'remote', ...params()], { cwd: dir, env: ENV });
    expect(r.code).toBe(1);
    const docker = steps(onlyReport(dir)).filter((s) => s.type !== 'http.get');
    expect(new Set(docker.map((s) => s.status))).toEqual(new Set(['error']));
    expect(docker[0]!.reason).toMatch(/DOCKER_UNREACHABLE.*Host key verification failed/);
  });

  it('ssh://...@127.0.0.1:1 (nothing listening): a clear error on every docker step after one attempt, exit 1', async () => {
    const dir = qms(`  dead:\n    docker: ssh://${sshd.user}@127.0.0.1:1\n`);
    const r = await runCli(['run', 'protocols/QP-0200-remote.md', '--env', 'dead', ...params()], { cwd: dir, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FAIL');
    const report = onlyReport(dir);
    expect(report.conclusion).toBe('fail');
    const docker = steps(report).filter((s) => s.type !== 'http.get');
    expect(docker.map((s) => s.status)).toEqual(['error', 'error', 'error', 'error', 'error']);
    for (const s of docker) expect(s.reason).toMatch(/^DOCKER_UNREACHABLE: cannot reach the Docker engine at ssh:\/\/\w+@127\.0\.0\.1:1 \(ssh to .* exited with status 255: .*Connection refused/);
    // The retried step ends after its first attempt: waiting cannot make the engine answer.
    expect(docker[0]!.attempts).toHaveLength(1);
    expect(docker[0]!.reason).toContain('not retried');
    expect(report.targets[0]).toMatchObject({ endpoint: `ssh://${sshd.user}@127.0.0.1:1`, version: null });
  });

  it('a command that outlives its step timeout is stopped inside the remote container', async () => {
    const dir = qms(`  remote:\n    docker:\n      host: ${sshd.host}\n      ssh: { identity: keys/deploy, known_hosts: keys/known_hosts }\n`);
    writeTree(dir, {
      'protocols/QP-0200-remote.md': PROTOCOL.split('### IQ-01')[0] + `### OQ-09 A slow command\n\n${check('type: command\ncontainer: "{{service}}"\nargv: [sleep, "3600"]\ntimeout: 1s\nexpect:\n  exit_code: 0')}`,
    });
    const r = await runCli(['run', 'protocols/QP-0200-remote.md', '--env', 'remote', ...params()], { cwd: dir, env: ENV });
    expect(r.code).toBe(1);
    const step = steps(onlyReport(dir))[0]!;
    expect(step.status).toBe('error');
    expect(step.reason).toMatch(/^EXEC_STOPPED: sleep 3600 was still running in container .* when the step ended; it was stopped inside the container .*\(cause: no observation within 1000 ms \(step timeout\)\)/);
    const top = await engine.docker('top', name, '-o', 'pid,args');
    expect(top).not.toContain('sleep 3600');
  });
});

describe('an engine that cannot be used is exit 2 before any step runs', () => {
  const cases: Array<[string, string, Record<string, string>, RegExp]> = [
    ['a TLS file that does not exist', `  remote:\n    docker:\n      host: tcp://127.0.0.1:2376\n      tls: { ca: certs/missing.pem, cert: certs/cert.pem, key: certs/key.pem }\n`, {}, /qualify\.yaml:\d+:\d+ environment "remote" docker\.host: TLS ca file certs\/missing\.pem does not exist/],
    ['a TLS file that is not PEM', `  remote:\n    docker:\n      host: tcp://127.0.0.1:2376\n      tls: { ca: protocols/QP-0200-remote.md }\n`, {}, /TLS ca file protocols\/QP-0200-remote\.md is not a PEM certificate/],
    ['a certificate without its key', `  remote:\n    docker:\n      host: tcp://127.0.0.1:2376\n      tls: { ca: certs/ca.pem, cert: certs/cert.pem }\n`, {}, /tls\.cert is given without tls\.key/],
    ['an unsupported scheme', `  remote:\n    docker: ftp://127.0.0.1:21\n`, {}, /"ftp:\/\/127\.0\.0\.1:21" is not an engine qualify can reach \(scheme "ftp:"\)/],
    ['a URL that does not parse', `  remote:\n    docker: "tcp://[::1"\n`, {}, /is not a valid URL/],
    ['an ssh key file that does not exist', `  remote:\n    docker:\n      host: ssh://root@127.0.0.1:22\n      ssh: { identity: keys/nope }\n`, {}, /docker\.ssh\.identity keys\/nope is not a file/],
    ['an ssh host that would be read as an option', `  remote:\n    docker: "ssh://-oProxyCommand=touch@127.0.0.1"\n`, {}, /must not start with "-"/],
    ['tls on a unix socket', `  remote:\n    docker:\n      host: unix:///var/run/docker.sock\n      tls: { ca: certs/ca.pem }\n`, {}, /docker\.tls applies to tcp:\/\/ engines only/],
    ['DOCKER_TLS_VERIFY with a DOCKER_CERT_PATH that does not exist', `  plain: {}\n`, { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent/qualify-certs' }, /DOCKER_CERT_PATH=\/nonexistent\/qualify-certs is not a folder/],
    ['a DOCKER_HOST that names no engine', `  plain: {}\n`, { DOCKER_HOST: 'tcp://' }, /DOCKER_HOST=tcp:\/\/: "tcp:\/\/" (names no host|is not a valid URL)/],
    ['a docker context qualify does not read', `  plain: {}\n`, { DOCKER_CONTEXT: 'production' }, /DOCKER_CONTEXT: the docker CLI would use the docker context "production"/],
  ];
  for (const [what, environments, env, message] of cases) {
    it(what, async () => {
      const dir = qms(environments);
      const envName = environments.trim().split(':')[0]!;
      const r = await runCli(['run', 'protocols/QP-0200-remote.md', '--env', envName, ...params()], { cwd: dir, env: { ...ENV, ...env } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/DOCKER_ENDPOINT_INVALID/);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
      expect(existsSync(join(dir, 'reports'))).toBe(false);
    });
  }
});
