// Probes: the only code that touches the world (Docker engine, git, HTTP, host files and programs).
// Create one Probes per run: it memoizes what many checks share (the container snapshot, image inspects, git state).

import { createDockerProbe } from './docker.js';
import { openDockerEngine } from './docker-engine.js';
import { resolveDockerEndpoint } from './docker-endpoint.js';
import { createFsProbe } from './fs.js';
import { createGitProbe } from './git.js';
import { createHostProbe } from './host.js';
import { createHttpAgents, createHttpProbe } from './http.js';
import type { DockerProbe, Probes, ProbesOptions, TargetProbe } from './types.js';
import { UsageError } from '../model/errors.js';

export * from './types.js';
export { resolveDockerEndpoint, parseHost, DEFAULT_DOCKER_HOST, type DockerEndpoint, type DockerTls, type DockerSsh } from './docker-endpoint.js';
export { readContainer, readImage, EngineAnswer } from './docker-answers.js';
export { parseLogLines, toDockerSince } from './docker-logs.js';
export { EXEC_MARKER } from './docker-exec.js';
export { redactUrl } from './http.js';
export { readServices, readTasks, readNodes } from './docker-swarm.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** The name of an environment's only engine (the `docker:` form): its steps carry no `@target`. */
export const DEFAULT_TARGET = 'default';

/**
 * Creates the probes of one run. Nothing connects until a probe is called, but the Docker engine is
 * resolved now: an endpoint that cannot be used throws DOCKER_ENDPOINT_INVALID (a UsageError, exit 2)
 * before any step runs.
 */
export function createProbes(options: ProbesOptions = {}): Probes {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const env = options.env ?? {};
  const named = options.targets !== undefined && options.targets.length > 0;
  const configs = named ? options.targets! : [{ name: DEFAULT_TARGET, docker: options.docker }];
  // Every endpoint is resolved before anything connects: one that cannot be used is exit 2 for the run.
  const engines = configs.map((t) => ({ name: t.name, engine: openDockerEngine(resolveDockerEndpoint(t.docker, { env, baseDir: options.baseDir }), { timeoutMs, now, env }) }));
  const agents = createHttpAgents();
  const fs = createFsProbe();
  const http = createHttpProbe({ agents, timeoutMs, now });
  const host = createHostProbe({ timeoutMs, env });

  const build = (): Probes => {
    // Fresh memos for every target: one snapshot per target per Probes instance.
    const targets: TargetProbe[] = engines.map((e) => ({ name: e.name, named, kind: 'docker', docker: createDockerProbe(e.engine) }));
    const view = (docker: DockerProbe): Probes => ({
      docker,
      targets,
      forTarget(name) {
        const t = targets.find((x) => x.name === name);
        if (!t) throw new UsageError('TARGET_UNKNOWN', `no target "${name}"; targets: ${targets.map((x) => x.name).join(', ')}`);
        return view(t.docker);
      },
      git,
      http,
      fs,
      host,
      fresh: () => {
        const again = build();
        const i = targets.findIndex((t) => t.docker === docker);
        return i <= 0 ? again : again.forTarget(targets[i]!.name);
      },
      close() {
        for (const e of engines) e.engine.close();
        agents.destroy();
      },
    });
    const git = createGitProbe({ timeoutMs, env });
    return view(targets[0]!.docker);
  };
  return build();
}
