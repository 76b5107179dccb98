// The `docker:` entry of an environment in qualify.yaml: its shape only. Whether the engine can be
// used (a valid URL, certificate files that exist) is decided when a run resolves it (probes/docker-endpoint.ts).
//
//   docker: unix:///var/run/docker.sock            the shorthand for { host: ... }
//   docker:
//     host: tcp://docker-01.example.com:2376
//     tls: { ca: certs/ca.pem, cert: certs/cert.pem, key: certs/key.pem }
//   docker:
//     host: ssh://deploy@docker-01.example.com
//     ssh: { identity: keys/deploy, known_hosts: keys/known_hosts }

import { DocumentError, type DockerEngineConfig } from '../model/index.js';
import { describeValue } from '../markdown/yaml.js';

const DOCKER_KEYS = ['host', 'tls', 'ssh'];
const TLS_KEYS = ['ca', 'cert', 'key', 'verify'];
const SSH_KEYS = ['identity', 'known_hosts', 'config'];

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Validates the shape of an environment's `docker` value; throws CONFIG_INVALID naming where and what. */
export function parseDockerConfig(value: unknown, where: string): DockerEngineConfig {
  const fail = (message: string): never => {
    throw new DocumentError('CONFIG_INVALID', `${where}: ${message}`);
  };
  if (value === null || value === undefined) return { at: where };
  if (typeof value === 'string') {
    if (value.trim() === '') fail('"docker" is empty; write an engine such as unix:///var/run/docker.sock, or leave it out to use DOCKER_HOST');
    return { host: value.trim(), at: where };
  }
  if (!isMapping(value)) fail(`"docker" must be an engine URL (unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host) or { host, tls, ssh }; found ${describeValue(value)}`);
  const d = value as Record<string, unknown>;
  const unknown = Object.keys(d).filter((k) => !DOCKER_KEYS.includes(k));
  if (unknown.length) fail(`"docker" has unknown key${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => `"${k}"`).join(', ')}; known: ${DOCKER_KEYS.join(', ')}`);
  const out: DockerEngineConfig = { at: where };
  if (d.host !== undefined && d.host !== null) {
    if (typeof d.host !== 'string' || d.host.trim() === '') fail(`"docker.host" must be an engine URL such as unix:///var/run/docker.sock; found ${describeValue(d.host)}`);
    out.host = (d.host as string).trim();
  }
  if (d.tls !== undefined && d.tls !== null && d.tls !== false) {
    const tls = d.tls === true ? {} : d.tls;
    if (!isMapping(tls)) fail(`"docker.tls" must be { ca, cert, key } (paths relative to the repository root); found ${describeValue(d.tls)}`);
    const t = tls as Record<string, unknown>;
    const bad = Object.keys(t).filter((k) => !TLS_KEYS.includes(k));
    if (bad.length) fail(`"docker.tls" has unknown key${bad.length === 1 ? '' : 's'} ${bad.map((k) => `"${k}"`).join(', ')}; known: ${TLS_KEYS.join(', ')}`);
    out.tls = {};
    for (const k of ['ca', 'cert', 'key'] as const) {
      if (t[k] === undefined || t[k] === null) continue;
      if (typeof t[k] !== 'string' || (t[k] as string).trim() === '') fail(`"docker.tls.${k}" must be the path of a PEM file; found ${describeValue(t[k])}`);
      out.tls[k] = (t[k] as string).trim();
    }
    if (t.verify !== undefined) {
      if (typeof t.verify !== 'boolean') fail(`"docker.tls.verify" must be true or false; found ${describeValue(t.verify)}`);
      out.tls.verify = t.verify as boolean;
    }
  }
  if (d.ssh !== undefined && d.ssh !== null) {
    if (!isMapping(d.ssh)) fail(`"docker.ssh" must be { identity, known_hosts, config } (paths relative to the repository root); found ${describeValue(d.ssh)}`);
    const s = d.ssh as Record<string, unknown>;
    const bad = Object.keys(s).filter((k) => !SSH_KEYS.includes(k));
    if (bad.length) fail(`"docker.ssh" has unknown key${bad.length === 1 ? '' : 's'} ${bad.map((k) => `"${k}"`).join(', ')}; known: ${SSH_KEYS.join(', ')}`);
    out.ssh = {};
    for (const [k, field] of [['identity', 'identity'], ['known_hosts', 'knownHosts'], ['config', 'config']] as const) {
      if (s[k] === undefined || s[k] === null) continue;
      if (typeof s[k] !== 'string' || (s[k] as string).trim() === '') fail(`"docker.ssh.${k}" must be a path; found ${describeValue(s[k])}`);
      out.ssh[field] = (s[k] as string).trim();
    }
  }
  return out;
}
