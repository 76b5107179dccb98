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
