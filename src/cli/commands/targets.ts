// qualify targets [--env NAME] [--json]: every target of an environment, probed at the same time
// (a bounded pool): endpoint, engine version, engine id, Swarm role and node, and whether it answered.
// Exit 0 when every target answered, 1 when one did not, 2 for an unknown environment or an engine
// that cannot be used as written (the same refusal as qualify run).

import type { Command } from '../command.js';
import { EXIT, UsageError } from '../../model/errors.js';
import type { EngineInfo } from '../../model/report.js';
import { findRepoRoot, loadConfig } from '../../documents/index.js';
import { createProbes, DEFAULT_TARGET } from '../../probes/index.js';
import { observeTargets } from '../../runner/targets.js';

/** One target as `qualify targets` reports it. */
export interface TargetStatus {
  name: string;
  endpoint: string;
  reachable: boolean;
  version: string | null;
  apiVersion: string | null;
  engineId: string | null;
  swarm: { role: string; nodeId: string | null; clusterId: string | null } | null;
  hostname: string | null;
  error: string | null;
}

function status(name: string, info: EngineInfo): TargetStatus {
  return {
    name,
    endpoint: info.endpoint,
    reachable: info.error === null,
    version: info.version,
    apiVersion: info.apiVersion,
    engineId: info.engineId ?? null,
    swarm: info.swarm ?? null,
    hostname: info.hostname,
    error: info.error,
  };
}

export const command: Command = {
  usage: 'targets [--env NAME] [--json]',
  description: [
    'Probes every target of an environment at the same time and prints its endpoint, engine version,',
    'Swarm role (manager, worker, none) and whether it answered. An environment of one engine (docker:)',
    'has one target, "default". Exit 0 when every target answered, 1 when one did not.',
  ].join('\n'),
  flags: {
    env: { kind: 'string', value: 'NAME', description: 'environment of qualify.yaml (default: defaults.environment)' },
    json: { kind: 'boolean', description: 'print as JSON' },
  },
  async run(args, ctx) {
    if (args.positionals.length > 0) throw new UsageError('ARGUMENTS', `qualify targets takes no arguments, found ${args.positionals.map((p) => `"${p}"`).join(' ')}; usage: qualify ${command.usage}`);
    const root = findRepoRoot(ctx.cwd);
    const config = await loadConfig(root);
    const envName = (args.flags.env as string | undefined) ?? config.defaults.environment ?? null;
    if (envName !== null && !config.environments[envName]) {
      throw new UsageError('ENV_UNKNOWN', `environment "${envName}" is not defined in qualify.yaml (defined: ${Object.keys(config.environments).sort().join(', ') || 'none'})`);
    }
    const env = envName ? config.environments[envName]! : {};
    const probes = createProbes({ docker: env.docker, targets: env.targets?.map((t) => ({ name: t.name, docker: t.docker })), baseDir: root, env: ctx.env, now: () => ctx.now() });
    try {
      const infos = await observeTargets(probes, { signal: ctx.signal });
      const rows = probes.targets.map((t, i) => status(t.named ? t.name : DEFAULT_TARGET, infos[i]!));
      const down = rows.filter((r) => !r.reachable);
      if (args.flags.json) {
        ctx.stdout.write(`${JSON.stringify({ environment: envName, targets: rows }, null, 2)}\n`);
      } else {
        const header = ['TARGET', 'ENDPOINT', 'ENGINE', 'SWARM', 'REACHABLE'];
        const table = rows.map((r) => [
          r.name,
          r.endpoint,
          r.version ?? '-',
          r.swarm ? (r.swarm.role === 'none' ? 'none' : `${r.swarm.role}${r.swarm.nodeId ? ` (node ${r.swarm.nodeId.slice(0, 12)})` : ''}`) : '-',
          r.reachable ? 'yes' : 'no',
        ]);
        const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
        const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
        ctx.stdout.write(`${line(header)}\n`);
        for (const row of table) ctx.stdout.write(`${line(row)}\n`);
        for (const r of down) ctx.stderr.write(`${r.name}: ${r.error}\n`);
      }
      ctx.stderr.write(`${envName ? `environment ${envName}: ` : ''}${rows.length - down.length} of ${rows.length} target${rows.length === 1 ? '' : 's'} reachable\n`);
      return down.length === 0 ? EXIT.ok : EXIT.failed;
    } finally {
      probes.close();
    }
  },
};
