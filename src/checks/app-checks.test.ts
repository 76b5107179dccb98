// Application check types against a real container, real git repositories and real HTTP servers:
// release.provenance, git.state, http.get, file, command.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import forge from 'node-forge';
import { createProbes, type Probes } from '../probes/index.js';
import { buildExampleImage, freePort, pushImage, registryRepo, removeContainer, removeImage, startContainer, uniqueName, waitHealthy } from '../../test/helpers/docker.js';
import { git, makeGitRepo, makeTempDir, writeTree } from '../../test/helpers/tmp.js';
import type { CheckContext, CheckDefinition } from './define.js';
import { judgeObservation } from './define.js';
import { releaseProvenance } from './release-provenance.js';
import { gitState } from './git-state.js';
import { httpGet } from './http-get.js';
import { file } from './file.js';
import { command } from './command.js';
import { sha256Hex } from './support.js';

const tmp = makeTempDir('qualify-app-checks-');
const appRepo = `${tmp.dir}/app`;
const repo = registryRepo('qualify-app');
const tag = `${repo}:1.4.2`;
const app = uniqueName('qualify-app');
let releaseCommit = '';
let oldCommit = '';
let digest = '';
let port = 0;
let probes: Probes;
const servers: Array<Server | TcpServer> = [];
const sockets: Socket[] = [];

function context(p: Probes = probes, signal: AbortSignal = AbortSignal.timeout(10_000)): CheckContext {
  return { probes: p, signal, repoRoot: tmp.dir, now: () => new Date(), documents: async () => null, ask: async () => null };
}

async function step(def: CheckDefinition, params: Record<string, unknown>, expectBlock?: Record<string, unknown>) {
  const observation = await def.observe(params, context());
  return { observation, verdict: judgeObservation(def, expectBlock, observation) };
}

function listen(server: Server | TcpServer): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

beforeAll(async () => {
  // An application repository: v1.4.1 then an annotated v1.4.2.
  mkdirSync(appRepo);
  oldCommit = makeGitRepo(appRepo, { 'README.md': 'app\n' });
  git(appRepo, 'tag', 'v1.4.1');
  writeTree(appRepo, { 'src/app.txt': 'release 1.4.2\n' });
  git(appRepo, 'add', '-A');
  git(appRepo, 'commit', '-q', '-m', 'release 1.4.2');
  git(appRepo, 'tag', '-a', 'v1.4.2', '-m', 'Release 1.4.2');
  releaseCommit = git(appRepo, 'rev-parse', 'HEAD');
  await buildExampleImage({ tag, version: '1.4.2', revision: releaseCommit });
  digest = await pushImage(tag);
  port = await freePort();
  await startContainer({ name: app, image: tag, port });
  await waitHealthy(app);
  probes = createProbes({ env: {} });
});

afterAll(async () => {
  probes?.close();
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
  await removeContainer(app);
  await removeImage(tag);
  tmp.cleanup();
});

describe('release.provenance', () => {
  it('passes when the image revision is the tag commit, peeling annotated tags, and reports the digest', async () => {
    const { observation, verdict } = await step(releaseProvenance, { container: app, repo: 'app', tag: 'v1.4.2', digest });
    expect(verdict.status).toBe('pass');
    expect(observation.actual).toMatchObject({ repo: 'app', tag: 'v1.4.2', commit: releaseCommit, revision: releaseCommit, version: '1.4.2', digest, image: tag });
    expect(verdict.assertions.map((a) => [a.path, a.pass])).toEqual([['commit', true], ['revision', true], ['digest', true], ['digest', true]]);
  });

  it('fails when the tag names another commit, or does not exist, or the digest is not the approved one', async () => {
    const other = await step(releaseProvenance, { container: app, repo: 'app', tag: 'v1.4.1' });
    expect(other.verdict.status).toBe('fail');
    expect(other.verdict.reason).toBe(`revision: image revision ${releaseCommit} is not the commit ${oldCommit} of tag v1.4.1`);
    const missing = await step(releaseProvenance, { container: app, repo: 'app', tag: 'v9.9.9' });
    expect(missing.verdict.status).toBe('fail');
    expect(missing.verdict.reason).toContain('tag v9.9.9 does not exist in app');
    const wrongDigest = `${repo}@sha256:${'0'.repeat(64)}`;
    const digestMismatch = await step(releaseProvenance, { container: app, repo: 'app', tag: 'v1.4.2', digest: wrongDigest });
    expect(digestMismatch.verdict.status).toBe('fail');
    expect(digestMismatch.verdict.reason).toContain(digest);
  });

  it('errors for a path that is not a git repository', async () => {
    await expect(step(releaseProvenance, { container: app, repo: '.', tag: 'v1' })).rejects.toMatchObject({ code: 'GIT_REPO_INVALID' });
  });
});

describe('git.state', () => {
  it('observes commit, branch, tags and a clean tree', async () => {
    const { observation, verdict } = await step(gitState, { repo: 'app' }, { clean: true, tag: 'v1.4.2', commit: releaseCommit, branch: 'main' });
    expect(verdict.status).toBe('pass');
    expect(observation.actual).toMatchObject({ tags: ['v1.4.2'], dirty_files: [] });
  });

  it('fails a dirty tree and names the files; reports a detached HEAD', async () => {
    const dir = makeTempDir('qualify-git-state-');
    try {
      const first = makeGitRepo(dir.dir, { 'a.txt': 'a\n' });
      writeTree(dir.dir, { 'a.txt': 'changed\n', 'new.txt': 'n\n' });
      const dirty = await step(gitState, { repo: dir.dir }, undefined);
      expect(dirty.verdict).toMatchObject({ status: 'fail', expected: { clean: true } });
      expect(dirty.observation.actual.dirty_files).toEqual(['a.txt', 'new.txt']);
      git(dir.dir, 'checkout', '-q', '--', 'a.txt');
      git(dir.dir, 'checkout', '-q', '--detach');
      const detached = await createProbes({ env: {} }).git.state(dir.dir);
      expect(detached).toMatchObject({ head: first, branch: null, clean: false, dirtyFiles: ['new.txt'] });
    } finally {
      dir.cleanup();
    }
  });
});

describe('http.get', () => {
  it('passes the version endpoint of the release and records the exchange', async () => {
    const { observation, verdict } = await step(httpGet, { url: `http://127.0.0.1:${port}/version` }, { status: 200, json: { version: '1.4.2' }, latency_ms: { lte: 2000 } });
    expect(verdict.status).toBe('pass');
    expect(observation.actual.body).toBe('{"version":"1.4.2"}\n');
    expect(String(observation.evidence![0]!.content)).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/version\n[\s\S]*HTTP 200/);
  });

  it('fails an endpoint answering the old release', async () => {
    const { verdict } = await step(httpGet, { url: `http://127.0.0.1:${port}/version` }, { json: { version: '1.4.3' } });
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toBe('json.version: expected "1.4.3", found "1.4.2"');
  });

  it('defaults to status 200 and observes headers', async () => {
    const missing = await step(httpGet, { url: `http://127.0.0.1:${port}/nope` });
    expect(missing.verdict).toMatchObject({ status: 'fail', reason: 'status: expected 200, found 404' });
    const server = createHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-auth-seen', req.headers.authorization ? 'yes' : 'no');
      res.end(JSON.stringify({ ok: true, items: [1, 2] }));
    });
    const p = await listen(server);
    const ok = await step(httpGet, { url: `http://127.0.0.1:${p}/`, headers: { Authorization: 'Bearer abc' } }, { headers: { 'x-auth-seen': 'yes', 'content-type': { contains: 'json' } }, 'json.items': [1, 2], json: { ok: true } });
    expect(ok.verdict.reason).toBeNull();
  });

  it('times out a server that never answers within the step timeout', async () => {
    const hang = createTcpServer((socket) => sockets.push(socket)); // accepts, never answers
    const p = await listen(hang);
    const started = Date.now();
    await expect(httpGet.observe({ url: `http://127.0.0.1:${p}/` }, context(probes, AbortSignal.timeout(300)))).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(1000);
    // And with the probe's own deadline, a named error.
    const quick = createProbes({ env: {}, timeoutMs: 300 });
    const t0 = Date.now();
    await expect(quick.http.get(`http://127.0.0.1:${p}/`)).rejects.toMatchObject({ code: 'HTTP_TIMEOUT' });
    expect(Date.now() - t0).toBeLessThan(1000);
    // A body that starts and then stalls is bounded too.
    const stall = createHttpServer((_req, res) => res.write('partial'));
    const p2 = await listen(stall);
    await expect(quick.http.get(`http://127.0.0.1:${p2}/`)).rejects.toMatchObject({ code: 'HTTP_TIMEOUT' });
    quick.close();
  });

  it('errors when nothing listens', async () => {
    const closed = await freePort();
    await expect(step(httpGet, { url: `http://127.0.0.1:${closed}/` })).rejects.toMatchObject({ code: 'HTTP_UNREACHABLE' });
  });

  it('reports TLS certificate days left; refuses an untrusted one unless insecure', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.now() - 86_400_000);
    cert.validity.notAfter = new Date(Date.now() + 30.5 * 86_400_000);
    const attrs = [{ name: 'commonName', value: '127.0.0.1' }];
    cert.setSubject(attrs);
    cert.setIssuer(attrs);
    cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
    const server = createHttpsServer({ key: privateKey.export({ type: 'pkcs1', format: 'pem' }), cert: forge.pki.certificateToPem(cert) }, (_req, res) => res.end('secure'));
    const p = await listen(server);
    await expect(step(httpGet, { url: `https://127.0.0.1:${p}/` })).rejects.toMatchObject({ code: 'HTTP_TLS_UNTRUSTED' });
    const { observation, verdict } = await step(httpGet, { url: `https://127.0.0.1:${p}/`, insecure: 'true' }, { tls_days_left: { gte: 30 }, body: 'secure' });
    expect(verdict.status).toBe('pass');
    expect(observation.actual.tls).toMatchObject({ subject: 'CN=127.0.0.1', authorized: false });
    expect(observation.actual.tls_days_left).toBe(30);
  });
});

describe('file', () => {
  it('observes a host file relative to the repository root', async () => {
    writeTree(tmp.dir, { 'conf/app.json': '{"log_level":"info"}\n' });
    const { observation, verdict } = await step(file, { path: 'conf/app.json' }, { exists: true, sha256: sha256Hex('{"log_level":"info"}\n'), contains: '"log_level":"info"' });
    expect(verdict.status).toBe('pass');
    expect(observation.actual.size).toBe(21);
    const absent = await step(file, { path: 'conf/none.json' });
    expect(absent.verdict).toMatchObject({ status: 'fail', reason: 'exists: expected true, found false' });
  });

  it('observes a file inside a container', async () => {
    const { verdict } = await step(file, { container: app, path: '/tmp/www/version' }, { contains: '"version":"1.4.2"' });
    expect(verdict.status).toBe('pass');
    const absent = await step(file, { container: app, path: '/etc/none' }, { exists: false });
    expect(absent.verdict.status).toBe('pass');
    await expect(step(file, { container: app, path: '/tmp' })).rejects.toMatchObject({ code: 'NOT_A_FILE' });
    await expect(step(file, { container: app, path: 'relative' })).rejects.toMatchObject({ code: 'CHECK_PARAM_INVALID' });
  });
});

describe('command', () => {
  it('runs argv on the host without a shell, in the repository root', async () => {
    const { observation, verdict } = await step(command, { argv: [process.execPath, '-e', 'console.log(process.cwd()); console.error("warn"); process.exit(3)'] }, { exit_code: 3, stderr: 'warn\n' });
    expect(verdict.status).toBe('pass');
    expect(String(observation.actual.stdout).trim()).toBe(tmp.dir);
    const dflt = await step(command, { argv: [process.execPath, '-e', 'process.exit(1)'] });
    expect(dflt.verdict).toMatchObject({ status: 'fail', reason: 'exit_code: expected 0, found 1' });
    await expect(step(command, { argv: ['qualify-no-such-program-x'] })).rejects.toMatchObject({ code: 'COMMAND_NOT_FOUND' });
  });

  it('runs argv inside a container', async () => {
    const { observation, verdict } = await step(command, { container: app, argv: ['cat', '/tmp/www/version'] }, { contains: '1.4.2' });
    expect(verdict.status).toBe('pass');
    expect(String(observation.evidence![0]!.content)).toContain('$ cat /tmp/www/version\nexit code 0');
  });

  it('stops a command at the step timeout', async () => {
    const started = Date.now();
    await expect(command.observe({ argv: ['sleep', '5'] }, context(probes, AbortSignal.timeout(200)))).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
