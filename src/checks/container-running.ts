// container.running — A container (by name) or a set of containers (by label) is running, healthy and stable.
//
// Example:
//   type: container.running
//   container: "{{service}}"
//   expect:
//     state: running
//     health: healthy
//     restarts: { lte: 0 }
//
// Observes: exists, state, running, health, restarts, started_at, replicas (running containers matched),
// matched (containers matched in any state), containers (name, state, health, restarts of each).
// With a label, state/health are the worst among the matched containers and restarts their sum.
// A container that does not exist is an observation (exists: false), not an error.
// With `retry`, a named container that is gone, exited or dead fails at once: those states do not
// settle by waiting (a restart policy shows as `restarting`); `starting` health, `restarting` and
// `created` are retried. A label selection is always retried (a scheduler may still create replicas).

import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { findContainer, jsonEvidence, selectByLabel } from './support.js';
import type { ContainerInfo } from '../probes/types.js';

const STATE_RANK = ['running', 'paused', 'restarting', 'created', 'removing', 'exited', 'dead'];
/** States a container does not leave by itself. */
const TERMINAL_STATES = new Set(['exited', 'dead', 'removing']);
const HEALTH_RANK = ['healthy', 'starting', 'unhealthy'];

function worst<T extends string | null>(values: T[], rank: string[]): T | null {
  let out: T | null = null;
  for (const v of values) {
    if (v === null) continue;
    if (out === null || rank.indexOf(v) > rank.indexOf(out)) out = v;
  }
  return out;
}

export const containerRunning = defineCheck({
  type: 'container.running',
  summary: 'A container (by name) or the containers with a label are running, healthy and not restarting.',
  scope: 'engine',
  params: {
    container: { kind: 'string', description: 'Container name' },
    label: { kind: 'string', description: 'Label selector key=value (or key): every container carrying it' },
  },
  exactlyOne: [['container', 'label']],
  expectKeys: ['exists', 'state', 'running', 'health', 'restarts', 'started_at', 'replicas', 'matched', 'containers'],
  defaultExpect: { state: 'running' },
  example: [
    'type: container.running',
    'container: "{{service}}"',
    'expect:',
    '  state: running',
    '  health: healthy',
    '  restarts: { lte: 0 }',
    '',
  ].join('\n'),

  async observe(params, ctx) {
    const p = readParams('container.running', params);
    const name = p.optionalString('container');
    const label = name === undefined ? p.string('label') : undefined;
    const snapshot = await ctx.probes.docker.snapshot({ signal: ctx.signal });
    let matched: ContainerInfo[];
    if (name !== undefined) {
      const c = findContainer(snapshot, name);
      matched = c ? [c] : [];
    } else {
      matched = selectByLabel(snapshot, label!);
    }
    const running = matched.filter((c) => c.running);
    const actual: Record<string, unknown> = {
      exists: matched.length > 0,
      state: worst(matched.map((c) => c.state), STATE_RANK),
      running: matched.length > 0 && running.length === matched.length,
      health: worst(matched.map((c) => c.health), HEALTH_RANK),
      restarts: matched.reduce((n, c) => n + c.restartCount, 0),
      started_at: matched.length === 1 ? matched[0]!.startedAt : null,
      replicas: running.length,
      matched: matched.length,
      containers: matched.map((c) => ({ name: c.name, id: c.id, state: c.state, health: c.health, restarts: c.restartCount, started_at: c.startedAt, finished_at: c.finishedAt, exit_code: c.running ? null : c.exitCode, image: c.image })),
    };
    const evidence = matched.map((c) => jsonEvidence(`inspect-${c.name}`, `docker inspect of container ${c.name}`, c.inspect));
    if (matched.length === 0) {
      evidence.push(
        jsonEvidence('containers', `containers on ${snapshot.endpoint} when ${name ? `"${name}"` : `label ${label}`} was looked for`, snapshot.containers.map((c) => ({ name: c.name, state: c.state, image: c.image, labels: c.labels }))),
      );
    }
    return { actual, evidence, ...(name !== undefined ? terminal(name, matched[0], snapshot.endpoint) : {}) };
  },
});

/** Why waiting cannot help for a named container (gone, exited, dead), or nothing. */
function terminal(name: string, c: ContainerInfo | undefined, endpoint: string): { final?: string } {
  if (!c) return { final: `no container named "${name}" exists on the Docker engine at ${endpoint} (removed, or never created)` };
  if (!TERMINAL_STATES.has(c.state)) return {};
  const exit = c.exitCode !== null && c.state !== 'removing' ? ` with exit code ${c.exitCode}` : '';
  const when = c.finishedAt ? ` at ${c.finishedAt}` : '';
  return { final: `container ${c.name} is ${c.state}${c.state === 'removing' ? '' : `${exit}${when}`}, a state it does not leave by itself` };
}
