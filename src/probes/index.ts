// Probes: the only code that touches the world (Docker engine, git, HTTP, host files and programs).
// Create one Probes per run: it memoizes what many checks share (the container snapshot, image inspects, git state).

import { createDockerProbe } from './docker.js';
import { openDockerEngine } from './docker-engine.js';
import { resolveDockerEndpoint } from './docker-endpoint.js';
import { createFsProbe } from './fs.js';
import { createGitProbe } from './git.js';
import { createHostProbe } from './host.js';
import { createHttpAgents, createHttpProbe } from './http.js';
import type { Probes, ProbesOptions } from './types.js';

export * from './types.js';
export { resolveDockerEndpoint, parseHost, DEFAULT_DOCKER_HOST, type DockerEndpoint, type DockerTls, type DockerSsh } from './docker-endpoint.js';
export { readContainer, readImage, EngineAnswer } from './docker-answers.js';
export { parseLogLines, toDockerSince } from './docker-logs.js';
export { EXEC_MARKER } from './docker-exec.js';
export { redactUrl } from './http.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/**
 * Creates the probes of one run. Nothing connects until a probe is called, but the Docker engine is
 * resolved now: an endpoint that cannot be used throws DOCKER_ENDPOINT_INVALID (a UsageError, exit 2)
 * before any step runs.
 */
export function createProbes(options: ProbesOptions = {}): Probes {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const env = options.env ?? {};
  const endpoint = resolveDockerEndpoint(options.docker, { env, baseDir: options.baseDir });
  const engine = openDockerEngine(endpoint, { timeoutMs, now, env });
  const agents = createHttpAgents();
  const fs = createFsProbe();
  const http = createHttpProbe({ agents, timeoutMs, now });
  const host = createHostProbe({ timeoutMs, env });

  const build = (): Probes => ({
    docker: createDockerProbe(engine),
    git: createGitProbe({ timeoutMs, env }),
    http,
    fs,
    host,
    fresh: build,
    close() {
      engine.close();
      agents.destroy();
    },
  });
  return build();
}
