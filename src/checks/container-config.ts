// container.config — A container is configured as approved: environment, user, ports, mounts, restart policy, labels.
//
// Example:
//   type: container.config
//   container: "{{service}}"
//   expect:
//     user: "65534:65534"
//     restart_policy: unless-stopped
//     env:
//       LOG_LEVEL: info
//       DEBUG: { absent: true }
//     labels:
//       org.opencontainers.image.version: "{{release}}"
//
// Observes: env (name → value; values are masked in the record), env_keys, user (null when unset),
// ports (docker-ps style strings), mounts ({type, source, destination, read_only}), restart_policy,
// restart_max_retries, labels, network_mode, privileged, read_only_rootfs, cap_add, cmd, entrypoint,
// working_dir.

import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { jsonEvidence, portStrings, requireContainer } from './support.js';

export const containerConfig = defineCheck({
  type: 'container.config',
  summary: 'A container is configured as approved: environment, user, ports, mounts, restart policy, labels.',
  scope: 'engine',
  params: {
    container: { kind: 'string', description: 'Container name', required: true },
  },
  expectKeys: ['env', 'env_keys', 'user', 'ports', 'mounts', 'restart_policy', 'restart_max_retries', 'labels', 'network_mode', 'privileged', 'read_only_rootfs', 'cap_add', 'cmd', 'entrypoint', 'working_dir'],
  example: [
    'type: container.config',
    'container: "{{service}}"',
    'expect:',
    '  user: "65534:65534"',
    '  restart_policy: unless-stopped',
    '  env:',
    '    LOG_LEVEL: info',
    '    DEBUG: { absent: true }',
    '',
  ].join('\n'),

  async observe(params, ctx) {
    const name = readParams('container.config', params).string('container');
    const { container: c } = await requireContainer(ctx, name);
    const raw = c.inspect as { Config?: Record<string, unknown>; HostConfig?: Record<string, unknown> };
    const config = raw.Config ?? {};
    const host = raw.HostConfig ?? {};
    const actual = {
      env: c.env,
      env_keys: Object.keys(c.env),
      user: c.user,
      ports: portStrings(c),
      mounts: c.mounts.map((m) => ({ type: m.type, source: m.source, destination: m.destination, read_only: m.readOnly })),
      restart_policy: c.restartPolicy.name,
      restart_max_retries: c.restartPolicy.maximumRetryCount,
      labels: c.labels,
      network_mode: c.networkMode,
      privileged: Boolean(host.Privileged),
      read_only_rootfs: Boolean(host.ReadonlyRootfs),
      cap_add: [...((host.CapAdd as string[] | null) ?? [])].sort(),
      cmd: (config.Cmd as string[] | null) ?? [],
      entrypoint: (config.Entrypoint as string[] | null) ?? [],
      working_dir: (config.WorkingDir as string) || null,
    };
    return { actual, evidence: [jsonEvidence(`inspect-${c.name}`, `docker inspect of container ${c.name}`, c.inspect)] };
  },
});
