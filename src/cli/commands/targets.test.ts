// `qualify targets` on the forms that need no extra engine: the local engine as an environment of one
// engine, a target that is not listening, an unknown environment. (A fleet of unix, TLS and ssh targets
// with a Swarm manager: test/e2e/fleet.test.ts.)
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { makeTempDir, writeTree } from '../../../test/helpers/tmp.js';

const t = makeTempDir('qualify-targets-');
afterAll(() => t.cleanup());
writeTree(t.dir, {
  'qualify.yaml': [
    'environments:',
    '  local:',
    '    docker: unix:///var/run/docker.sock',
    '  mixed:',
    '    targets:',
    '      here: { docker: "unix:///var/run/docker.sock" }',
    `      gone: { docker: "unix://${t.dir}/no-engine.sock" }`,
    '  broken:',
    '    targets:',
    '      bad: { docker: "ftp://127.0.0.1:21" }',
    'defaults:',
    '  environment: local',
    '',
  ].join('\n'),
});
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

describe('qualify targets', () => {
  it('an environment of one engine has one target, "default"; exit 0 when it answers', async () => {
    const r = await runCli(['targets', '--json'], { cwd: t.dir, env: ENV });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout);
    expect(data).toMatchObject({ environment: 'local', targets: [{ name: 'default', endpoint: 'unix:///var/run/docker.sock', reachable: true, version: expect.stringMatching(/^\d+\./), swarm: { role: expect.stringMatching(/^(none|manager|worker)$/) }, error: null }] });
    expect(data.targets[0].engineId).toMatch(/\S/);
  });

  it('a target that does not answer is reported unreachable with the reason; the others are probed; exit 1', async () => {
    const r = await runCli(['targets', '--env', 'mixed'], { cwd: t.dir, env: ENV });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^here\s+unix:\/\/\/var\/run\/docker\.sock\s+\d+\.\S+\s+\S+.*\s+yes$/m);
    expect(r.stdout).toMatch(/^gone\s+unix:\/\/\S+no-engine\.sock\s+-\s+-\s+no$/m);
    expect(r.stderr).toMatch(/^gone: DOCKER_UNREACHABLE|^gone: cannot reach the Docker engine/m);
    expect(r.stderr).toContain('environment mixed: 1 of 2 targets reachable');
  });

  it('an engine that cannot be used as written is exit 2 naming where; an unknown environment is exit 2', async () => {
    const bad = await runCli(['targets', '--env', 'broken'], { cwd: t.dir, env: ENV });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/DOCKER_ENDPOINT_INVALID.*qualify\.yaml:10:12 environment "broken" target "bad" docker\.host: "ftp:\/\/127\.0\.0\.1:21" is not an engine/);
    const none = await runCli(['targets', '--env', 'nope'], { cwd: t.dir, env: ENV });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('environment "nope" is not defined in qualify.yaml (defined: broken, local, mixed)');
  });
});
