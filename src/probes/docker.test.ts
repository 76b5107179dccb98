// The Docker probe against the real engine and the example application.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbes, type Probes } from './index.js';
import { EnvironmentError } from '../model/errors.js';
import {
  buildExampleImage, freePort, pushImage, registryRepo, removeContainer, removeImage, startContainer, uniqueName, waitFor, waitHealthy, docker,
} from '../../test/helpers/docker.js';

const repo = registryRepo('qualify-probe');
const tag = `${repo}:1.0.0`;
const web = uniqueName('qualify-probe-web');
const noisy = uniqueName('qualify-probe-noisy');
const tty = uniqueName('qualify-probe-tty');
let digest = '';
let port = 0;
let probes: Probes;

beforeAll(async () => {
  await buildExampleImage({ tag, version: '1.0.0', revision: 'abc123def456' });
  digest = await pushImage(tag);
  port = await freePort();
  const [p2, p3] = [await freePort(), await freePort()];
  await Promise.all([
    startContainer({ name: web, image: tag, port, env: { SECRET_TOKEN: 'tok-very-secret', LOG_LEVEL: 'info' }, labels: { 'qualify.test': web }, restart: 'unless-stopped' }),
    startContainer({ name: noisy, image: tag, port: p2, env: { BOOT_ERROR: '1' } }),
    startContainer({ name: tty, image: tag, port: p3, tty: true }),
  ]);
  await waitHealthy(web);
  await waitFor('noisy logs', async () => (await docker('logs', noisy)).includes('listening'));
  probes = createProbes({ env: {} });
});

afterAll(async () => {
  probes?.close();
  await removeContainer(web, noisy, tty);
  await removeImage(tag);
});

describe('docker probe', () => {
  it('reports the engine', async () => {
    const info = await probes.docker.engineInfo();
    expect(info.error).toBeNull();
    expect(info.version).toMatch(/^\d+\.\d+/);
    expect(info.apiVersion).toMatch(/^1\.\d+$/);
    expect(info.endpoint).toBe('unix:///var/run/docker.sock');
    expect(info.time).toMatch(/Z$/);
  });

  it('takes one snapshot with every field a check needs, memoized until fresh()', async () => {
    const snap = await probes.docker.snapshot();
    expect(await probes.docker.snapshot()).toBe(snap);
    const c = snap.containers.find((x) => x.name === web)!;
    expect(c).toBeDefined();
    expect(c.image).toBe(tag);
    expect(c.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(c.state).toBe('running');
    expect(c.running).toBe(true);
    expect(c.health).toBe('healthy');
    expect(c.restartCount).toBe(0);
    expect(c.startedAt).toMatch(/^\d{4}-.*Z$/);
    expect(c.env.SECRET_TOKEN).toBe('tok-very-secret');
    expect(c.env.PORT).toBe(String(port));
    expect(c.user).toBe('65534:65534');
    expect(c.labels['org.opencontainers.image.revision']).toBe('abc123def456');
    expect(c.labels['qualify.test']).toBe(web);
    expect(c.restartPolicy.name).toBe('unless-stopped');
    expect(c.networkMode).toBe('host');
    expect((c.inspect as { Id: string }).Id).toBe(c.id);
    expect(snap.images[c.imageId]!.repoDigests).toContain(digest);
    // Sorted by name, so evidence is stable.
    const names = snap.containers.map((x) => x.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    const again = await probes.fresh().docker.snapshot();
    expect(again).not.toBe(snap);
    expect(again.containers.find((x) => x.name === web)!.id).toBe(c.id);
  });

  it('inspects images once by reference', async () => {
    const a = probes.docker.image(tag);
    expect(probes.docker.image(tag)).toBe(a);
    const img = (await a)!;
    expect(img.repoDigests).toContain(digest);
    expect(img.repoTags).toContain(tag);
    expect(img.labels['org.opencontainers.image.version']).toBe('1.0.0');
    expect(img.user).toBe('65534:65534');
    expect(await probes.docker.image(`${repo}:no-such-tag`)).toBeNull();
  });

  it('reads logs demultiplexed, by stream, since a time', async () => {
    const all = await probes.docker.logs(noisy);
    expect(all.text).toContain('starting example-app version 1.0.0');
    expect(all.text).toContain('ERROR boot: configuration check failed');
    const err = all.lines.find((l) => l.text.startsWith('ERROR'))!;
    expect(err.stream).toBe('stderr');
    expect(err.time).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    const out = await probes.docker.logs(noisy, { stream: 'stdout' });
    expect(out.text).not.toContain('ERROR');
    expect(out.text).toContain('listening');
    const errOnly = await probes.docker.logs(noisy, { stream: 'stderr' });
    expect(errOnly.lines.map((l) => l.text)).toEqual(['ERROR boot: configuration check failed (BOOT_ERROR=1)']);
    const later = await probes.docker.logs(noisy, { since: new Date(Date.now() + 60_000) });
    expect(later.lines).toEqual([]);
    const tail = await probes.docker.logs(noisy, { tail: 1 });
    expect(tail.lines).toHaveLength(1);
  });

  it('reads logs of a TTY container (not multiplexed)', async () => {
    await waitFor('tty logs', async () => (await probes.fresh().docker.logs(tty)).text.includes('listening'));
    const logs = await probes.docker.logs(tty);
    expect(logs.lines[0]!.text).toBe('starting example-app version 1.0.0');
    expect(logs.lines[0]!.time).not.toBeNull();
  });

  it('executes a program in a container with exit code and both streams', async () => {
    const ok = await probes.docker.exec(web, ['cat', '/tmp/www/version']);
    expect(ok).toEqual({ exitCode: 0, stdout: '{"version":"1.0.0"}\n', stderr: '', truncated: false });
    const bad = await probes.docker.exec(web, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(bad.exitCode).toBe(3);
    expect(bad.stdout).toBe('out\n');
    expect(bad.stderr).toBe('err\n');
  });

  it('reads files from a container: regular, absent, symlink, directory', async () => {
    const bytes = await probes.docker.readFile(web, '/tmp/www/version');
    expect(Buffer.from(bytes!).toString()).toBe('{"version":"1.0.0"}\n');
    expect(await probes.docker.readFile(web, '/no/such/file')).toBeNull();
    const sh = await probes.docker.readFile(web, '/bin/sh'); // a symlink to /bin/busybox
    expect(sh!.byteLength).toBeGreaterThan(100_000);
    await expect(probes.docker.readFile(web, '/tmp/www')).rejects.toMatchObject({ code: 'NOT_A_FILE' });
  });

  it('names a missing container', async () => {
    await expect(probes.docker.logs('qualify-no-such-container')).rejects.toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
  });

  it('honours an aborted signal', async () => {
    const fresh = probes.fresh();
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(fresh.docker.snapshot({ signal: controller.signal })).rejects.toThrow('stop now');
  });
});

describe('docker probe without an engine', () => {
  it('throws DOCKER_UNREACHABLE (final: retrying cannot help) naming the endpoint, and engineInfo reports the error', async () => {
    const host = 'unix:///nonexistent/qualify/docker.sock';
    const p = createProbes({ docker: { host } });
    const err = await p.docker.snapshot().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err).toMatchObject({ code: 'DOCKER_UNREACHABLE', final: true });
    expect((err as Error).message).toContain(host);
    const info = await p.docker.engineInfo();
    expect(info.version).toBeNull();
    expect(info.error).toContain(host);
    await expect(p.docker.logs('x')).rejects.toMatchObject({ code: 'DOCKER_UNREACHABLE' });
    p.close();
  });

  it('reads DOCKER_HOST from the given environment, not the process', async () => {
    const p = createProbes({ env: { DOCKER_HOST: 'unix:///nonexistent/other.sock' } });
    expect(p.docker.endpoint).toBe('unix:///nonexistent/other.sock');
    await expect(p.docker.snapshot()).rejects.toMatchObject({ code: 'DOCKER_UNREACHABLE' });
    const tcp = createProbes({ docker: { host: 'tcp://127.0.0.1:1' } });
    expect(tcp.docker.endpoint).toBe('tcp://127.0.0.1:1');
    await expect(tcp.docker.snapshot()).rejects.toMatchObject({ code: 'DOCKER_UNREACHABLE' });
    expect(() => createProbes({ docker: { host: 'ftp://host' } })).toThrow(/not an engine qualify can reach/);
  });
});
