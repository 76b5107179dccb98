// Probes: the only code that touches the world (Docker engine, git, HTTP, host files and programs).
// Create one Probes per run: it memoizes what many checks share (the container snapshot, image inspects, git state).

import { connectDocker, createDockerProbe, DEFAULT_DOCKER_ENDPOINT } from './docker.js';
import { createFsProbe } from './fs.js';
import { createGitProbe } from './git.js';
import { createHostProbe } from './host.js';
import { createHttpAgents, createHttpProbe } from './http.js';
import type { Probes, ProbesOptions } from './types.js';

export * from './types.js';
export { parseDockerEndpoint, DEFAULT_DOCKER_ENDPOINT, toContainerInfo, toImageInfo, toDockerSince } from './docker.js';
export { demuxDockerStream, parseLogLines, collectStreams } from './docker-stream.js';
export { readTar } from './tar.js';
export { redactUrl } from './http.js';

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** The Docker endpoint a run uses: explicit, else DOCKER_HOST of the given environment, else the local socket. */
export function resolveDockerEndpoint(options: ProbesOptions): string {
  return options.docker?.endpoint || options.env?.DOCKER_HOST || DEFAULT_DOCKER_ENDPOINT;
}

/**
 * Creates the probes of one run. Nothing connects until a probe is called.
 * Throws DOCKER_ENDPOINT_INVALID (a UsageError) for an endpoint that is neither unix:// nor tcp://.
 */
export function createProbes(options: ProbesOptions = {}): Probes {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const docker = connectDocker(resolveDockerEndpoint(options), { timeoutMs, now });
  const agents = createHttpAgents();
  const fs = createFsProbe();
  const http = createHttpProbe({ agents, timeoutMs, now });
  const host = createHostProbe({ timeoutMs, env: options.env ?? {} });

  const build = (): Probes => ({
    docker: createDockerProbe(docker),
    git: createGitProbe({ timeoutMs }),
    http,
    fs,
    host,
    fresh: build,
    close() {
      docker.agent.destroy();
      agents.destroy();
    },
  });
  return build();
}
