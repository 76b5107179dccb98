// qualify.yaml's `docker:` entry: the shorthand string (issue 9 item 28), the mapping with tls and ssh,
// and every shape that is refused, located in qualify.yaml.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './repository.js';
import { makeTempDir, writeTree } from '../../test/helpers/tmp.js';

const dirs: Array<() => void> = [];
afterAll(() => dirs.forEach((c) => c()));

async function load(yaml: string) {
  const t = makeTempDir('qualify-config-');
  dirs.push(t.cleanup);
  writeTree(t.dir, { 'qualify.yaml': yaml });
  return loadConfig(t.dir);
}

describe('environments.<name>.docker', () => {
  it('accepts an engine URL as a plain string', async () => {
    const config = await load('environments:\n  local:\n    docker: unix:///var/run/docker.sock\n');
    expect(config.environments.local!.docker).toMatchObject({ host: 'unix:///var/run/docker.sock' });
  });

  it('accepts { host, tls, ssh } and no docker at all', async () => {
    const config = await load(
      [
        'environments:',
        '  prod:',
        '    docker:',
        '      host: tcp://docker-01.example.com:2376',
        '      tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem }',
        '  edge:',
        '    docker:',
        '      host: ssh://deploy@edge-01',
        '      ssh: { identity: keys/deploy, known_hosts: keys/known_hosts, config: none }',
        '  shell: {}',
        '',
      ].join('\n'),
    );
    expect(config.environments.prod!.docker).toMatchObject({ host: 'tcp://docker-01.example.com:2376', tls: { ca: 'certs/ca.pem', cert: 'certs/cert.pem', key: 'certs/key.pem' } });
    expect(config.environments.edge!.docker).toMatchObject({ host: 'ssh://deploy@edge-01', ssh: { identity: 'keys/deploy', knownHosts: 'keys/known_hosts', config: 'none' } });
    expect(config.environments.shell!.docker).toBeUndefined();
  });

  it('refuses other shapes, naming qualify.yaml, the environment and the key', async () => {
    const cases: Array<[string, RegExp]> = [
      ['    docker: [unix:///var/run/docker.sock]\n', /environment "e": "docker" must be an engine URL .* found a list/],
      ['    docker: ""\n', /"docker" is empty/],
      ['    docker: { hots: tcp://x }\n', /"docker" has unknown key "hots"; known: host, tls, ssh/],
      ['    docker: { host: 5 }\n', /"docker\.host" must be an engine URL/],
      ['    docker: { host: tcp://x, tls: { ca: 1 } }\n', /"docker\.tls\.ca" must be the path of a PEM file/],
      ['    docker: { host: tcp://x, tls: { cacert: a } }\n', /"docker\.tls" has unknown key "cacert"; known: ca, cert, key, verify/],
      ['    docker: { host: ssh://x, ssh: { key: a } }\n', /"docker\.ssh" has unknown key "key"; known: identity, known_hosts, config/],
    ];
    for (const [docker, message] of cases) {
      await expect(load(`environments:\n  e:\n${docker}`)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^qualify\.yaml:\d+:\d+ /) });
      await expect(load(`environments:\n  e:\n${docker}`)).rejects.toThrow(message);
    }
  });
});

describe('environments.<name>.targets (a fleet, issue 11)', () => {
  it('names its targets in the order written, each with the docker forms of a single engine', async () => {
    const config = await load(
      [
        'environments:',
        '  production:',
        '    targets:',
        '      eu-1: { docker: "ssh://deploy@eu-1.example" }',
        '      eu-2: { docker: { host: "tcp://eu-2.example:2376", tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem } } }',
        '      swarm: { docker: "unix:///var/run/docker.sock", description: Swarm manager }',
        '',
      ].join('\n'),
    );
    const targets = config.environments.production!.targets!;
    expect(targets.map((t) => [t.name, t.kind, t.docker.host])).toEqual([
      ['eu-1', 'docker', 'ssh://deploy@eu-1.example'],
      ['eu-2', 'docker', 'tcp://eu-2.example:2376'],
      ['swarm', 'docker', 'unix:///var/run/docker.sock'],
    ]);
    expect(targets[1]!.docker.tls).toEqual({ ca: 'certs/ca.pem', cert: 'certs/cert.pem', key: 'certs/key.pem' });
    expect(targets[2]!.description).toBe('Swarm manager');
    // Where each target is written, for the messages of its engine.
    expect(targets[0]!.at).toBe('qualify.yaml:4:13 environment "production" target "eu-1"');
    expect(config.environments.production!.docker).toBeUndefined();
  });

  const refused: Array<[string, string, RegExp]> = [
    ['docker and targets together', 'environments:\n  p:\n    docker: unix:///var/run/docker.sock\n    targets: { a: { docker: "unix:///a.sock" } }\n', /qualify\.yaml:4:14 environment "p" names both "docker" \(one engine\) and "targets" \(a fleet\)/],
    ['targets as a list', 'environments:\n  p:\n    targets: [a, b]\n', /qualify\.yaml:3:14 environment "p": "targets" must map target names to \{ docker: ENGINE \}/],
    ['no targets', 'environments:\n  p:\n    targets: {}\n', /"targets" is empty/],
    ['a name that would read as a keyword', 'environments:\n  p:\n    targets:\n      all: { docker: "unix:///a.sock" }\n', /target "all": a target name must be letters, digits/],
    ['a name with a slash', 'environments:\n  p:\n    targets:\n      "eu/1": { docker: "unix:///a.sock" }\n', /target "eu\/1": a target name must be/],
    ['a target without docker', 'environments:\n  p:\n    targets:\n      eu-1: { description: x }\n', /qualify\.yaml:4:13 environment "p" target "eu-1": "docker" is missing/],
    ['a target without a host', 'environments:\n  p:\n    targets:\n      eu-1: { docker: { tls: { ca: ca.pem } } }\n', /target "eu-1": "docker.host" is missing; a target names its engine/],
    ['an unknown key', 'environments:\n  p:\n    targets:\n      eu-1: { docker: "unix:///a.sock", role: manager }\n', /target "eu-1": unknown key "role"; known: docker, description/],
    ['a docker value of the wrong shape', 'environments:\n  p:\n    targets:\n      eu-1: { docker: [a] }\n', /environment "p" target "eu-1": "docker" must be an engine URL/],
  ];
  for (const [what, yaml, message] of refused) {
    it(`refuses ${what}, located`, async () => {
      await expect(load(yaml)).rejects.toThrow(message);
    });
  }
});
