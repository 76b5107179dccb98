// Which engine a run reaches: qualify.yaml first, else DOCKER_HOST with DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH read as the docker CLI reads them, else the local socket; never a fall-back.
// Certificates are real PEM files made with openssl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDockerEndpoint, type DockerEndpoint } from './docker-endpoint.js';
import { makeTempDir } from '../../test/helpers/tmp.js';
import { makeEngineCertificates, type EngineCertificates } from '../../test/helpers/engines.js';

let dir = '';
let certs: EngineCertificates;
const cleanups: Array<() => void> = [];
const PATH = process.env.PATH ?? '/usr/bin:/bin';

beforeAll(async () => {
  const t = makeTempDir('qualify-endpoint-');
  cleanups.push(t.cleanup);
  dir = t.dir;
  certs = await makeEngineCertificates(join(dir, 'made'));
});
afterAll(() => cleanups.forEach((c) => c()));

const tcp = (e: DockerEndpoint) => (e.kind === 'tcp' ? e : expect.unreachable(`expected tcp, got ${e.kind}`));

describe('resolveDockerEndpoint', () => {
  it('defaults to the local socket when nothing names an engine', () => {
    expect(resolveDockerEndpoint(undefined, { env: {} })).toMatchObject({ kind: 'unix', socketPath: '/var/run/docker.sock', display: 'unix:///var/run/docker.sock', source: 'the default engine' });
  });

  it('takes qualify.yaml over DOCKER_HOST, and ignores the TLS variables for it', () => {
    const env = { DOCKER_HOST: 'tcp://10.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' };
    const e = resolveDockerEndpoint({ host: 'tcp://127.0.0.1:2375', at: 'qualify.yaml:3:3 environment "x"' }, { env });
    expect(tcp(e)).toMatchObject({ host: '127.0.0.1', port: 2375, tls: null, display: 'tcp://127.0.0.1:2375' });
    expect(e.source).toBe('qualify.yaml:3:3 environment "x" docker.host');
  });

  it('reads DOCKER_HOST; tcp ports default to 2375, or 2376 with TLS; credentials never shown', () => {
    expect(tcp(resolveDockerEndpoint(undefined, { env: { DOCKER_HOST: 'tcp://u:secret@127.0.0.1' } }))).toMatchObject({ port: 2375, display: 'tcp://***@127.0.0.1:2375' });
    expect(tcp(resolveDockerEndpoint(undefined, { env: { DOCKER_HOST: '127.0.0.1:4243' } }))).toMatchObject({ host: '127.0.0.1', port: 4243 });
    const e = tcp(resolveDockerEndpoint(undefined, { env: { DOCKER_HOST: 'tcp://127.0.0.1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.clientDir } }));
    expect(e.port).toBe(2376);
    expect(e.tls).toMatchObject({ verify: true });
    expect(e.tls!.ca!.toString()).toContain('BEGIN CERTIFICATE');
    expect(e.tls!.key!.toString()).toContain('PRIVATE KEY');
  });

  it('as the docker CLI: any non-empty DOCKER_TLS_VERIFY verifies; DOCKER_TLS alone encrypts without verifying; absent files are not used', () => {
    const onlyCa = join(dir, 'only-ca');
    mkdirSync(onlyCa);
    writeFileSync(join(onlyCa, 'ca.pem'), readFileSync(certs.ca));
    const v = tcp(resolveDockerEndpoint(undefined, { env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '0', DOCKER_CERT_PATH: onlyCa } }));
    expect(v.tls).toMatchObject({ verify: true, cert: null, key: null });
    const t = tcp(resolveDockerEndpoint(undefined, { env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS: '1', DOCKER_CERT_PATH: onlyCa } }));
    expect(t.tls).toMatchObject({ verify: false });
    // The default certificate folder is ~/.docker (DOCKER_CONFIG when set).
    const home = join(dir, 'home');
    mkdirSync(join(home, '.docker'), { recursive: true });
    writeFileSync(join(home, '.docker', 'ca.pem'), readFileSync(certs.ca));
    expect(tcp(resolveDockerEndpoint(undefined, { env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', HOME: home } })).tls!.ca).not.toBeNull();
    // TLS variables do not apply to a unix socket.
    expect(resolveDockerEndpoint(undefined, { env: { DOCKER_HOST: 'unix:///x.sock', DOCKER_TLS_VERIFY: '1' } })).toMatchObject({ kind: 'unix', socketPath: '/x.sock' });
  });

  it('reads tls files of qualify.yaml relative to the repository root', () => {
    const e = tcp(resolveDockerEndpoint({ host: 'tcp://127.0.0.1:2376', tls: { ca: 'made/client/ca.pem', cert: 'made/client/cert.pem', key: 'made/client/key.pem' } }, { baseDir: dir }));
    expect(e.tls).toMatchObject({ verify: true });
    expect(e.tls!.cert).not.toBeNull();
    expect(tcp(resolveDockerEndpoint({ host: 'tcp://127.0.0.1:2376', tls: { verify: false } }, { baseDir: dir })).tls).toMatchObject({ verify: false, ca: null });
  });

  it('parses ssh://[user@]host[:port] and finds the ssh program on the PATH', () => {
    const e = resolveDockerEndpoint({ host: 'ssh://deploy@docker-01:2222' }, { env: { PATH } });
    expect(e).toMatchObject({ kind: 'ssh', display: 'ssh://deploy@docker-01:2222', ssh: { user: 'deploy', host: 'docker-01', port: 2222, identity: null } });
    expect(e.kind === 'ssh' && e.ssh.program).toMatch(/\/ssh$/);
    expect(resolveDockerEndpoint(undefined, { env: { PATH, DOCKER_HOST: 'ssh://docker-01' } })).toMatchObject({ kind: 'ssh', display: 'ssh://docker-01', ssh: { user: null, port: null } });
    expect(() => resolveDockerEndpoint({ host: 'ssh://deploy@docker-01' }, { env: { PATH: join(dir, 'empty-bin') } })).toThrow(/there is no "ssh" on the PATH/);
    expect(() => resolveDockerEndpoint({ host: 'ssh://deploy:pw@docker-01' }, { env: { PATH } })).toThrow(/holds a password/);
    expect(() => resolveDockerEndpoint({ host: 'ssh://docker-01/path' }, { env: { PATH } })).toThrow(/has a path/);
  });

  it('refuses what cannot be used, saying where it was named', () => {
    const cases: Array<[Parameters<typeof resolveDockerEndpoint>, RegExp]> = [
      [[{ host: 'unix://relative.sock', at: 'Q' }], /^Q docker\.host: "unix:\/\/relative\.sock" must name an absolute socket path/],
      [[{ host: 'npipe:////./pipe/docker_engine', at: 'Q' }], /scheme "npipe:"/],
      [[{ host: 'tcp://127.0.0.1:99999', at: 'Q' }], /is not a valid URL/],
      [[{ tls: {}, at: 'Q' }], /^Q: docker\.tls is given without docker\.host/],
      [[{ host: 'ssh://x', tls: {}, at: 'Q' }, { env: { PATH } }], /docker\.tls applies to tcp:\/\/ engines only/],
      [[{ host: 'tcp://x', ssh: {}, at: 'Q' }], /docker\.ssh applies to ssh:\/\/ engines only/],
      [[{ host: 'tcp://x', tls: { cert: 'made/client/cert.pem' }, at: 'Q' }, { baseDir: dir }], /tls\.cert is given without tls\.key/],
      [[{ host: 'tcp://x', tls: { ca: 'made/client/key.pem' }, at: 'Q' }, { baseDir: dir }], /TLS ca file made\/client\/key\.pem is not a PEM certificate/],
      [[{ host: 'tcp://x', tls: { ca: 'made/client/ca.pem', cert: 'made/client/cert.pem', key: 'made/client/ca.pem' }, at: 'Q' }, { baseDir: dir }], /TLS key file made\/client\/ca\.pem is not a PEM private key/],
      [[undefined, { env: { DOCKER_HOST: 'fd://' } }], /^DOCKER_HOST=fd:\/\/: "fd:\/\/" is not an engine qualify can reach/],
    ];
    for (const [args, message] of cases) {
      expect(() => resolveDockerEndpoint(...args)).toThrow(message);
      try {
        resolveDockerEndpoint(...args);
      } catch (err) {
        expect(err).toMatchObject({ code: 'DOCKER_ENDPOINT_INVALID', family: 'usage' });
      }
    }
  });

  it('refuses to guess when the docker CLI would follow a docker context', () => {
    const cfg = join(dir, 'docker-config');
    mkdirSync(cfg);
    writeFileSync(join(cfg, 'config.json'), JSON.stringify({ currentContext: 'production' }));
    expect(() => resolveDockerEndpoint(undefined, { env: { DOCKER_CONFIG: cfg } })).toThrow(/currentContext of .*config\.json: the docker CLI would use the docker context "production", which qualify does not read/);
    expect(() => resolveDockerEndpoint(undefined, { env: { DOCKER_CONTEXT: 'edge' } })).toThrow(/DOCKER_CONTEXT: .*"edge"/);
    // DOCKER_HOST and qualify.yaml name the engine outright; the default context changes nothing.
    expect(resolveDockerEndpoint(undefined, { env: { DOCKER_CONFIG: cfg, DOCKER_HOST: 'unix:///a.sock' } }).display).toBe('unix:///a.sock');
    expect(resolveDockerEndpoint(undefined, { env: { DOCKER_CONTEXT: 'default' } }).display).toBe('unix:///var/run/docker.sock');
  });
});
