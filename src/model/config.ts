// qualify.yaml: environments (targets), signer registry location, defaults.

/**
 * How to reach one Docker engine, as qualify.yaml writes it: `docker: unix:///var/run/docker.sock`
 * (the shorthand for `{ host }`), or `docker: { host, tls: { ca, cert, key }, ssh: { identity, known_hosts } }`.
 * Paths are relative to the repository root. An environment without `host` names no engine: then
 * DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH apply, as for the docker CLI.
 */
export interface DockerEngineConfig {
  /** `unix:///path`, `tcp://host:port`, `ssh://user@host[:port]`. */
  host?: string;
  /** Mutual TLS for a `tcp://` engine (the CA that signed the engine's certificate, the client certificate and key). */
  tls?: { ca?: string; cert?: string; key?: string; verify?: boolean };
  /** For an `ssh://` engine: the key to log in with, the known_hosts file to verify the host key against, an ssh_config (or `none`). */
  ssh?: { identity?: string; knownHosts?: string; config?: string };
  /** Where it was written, for messages: `qualify.yaml:7:5`. */
  at?: string;
}

/** One named target of a fleet environment: today a Docker engine (standalone or a Swarm manager). */
export interface TargetConfig {
  /** Name used by protocols (`targets: [eu-1]`) and in step ids (`IQ-02.1@eu-1`). */
  name: string;
  kind: 'docker';
  docker: DockerEngineConfig;
  description?: string;
  /** Where it was written, for messages: `qualify.yaml:9:7`. */
  at?: string;
}

export interface EnvironmentConfig {
  /** The engine of this environment; absent or without `host`: DOCKER_HOST and friends, else the local socket. */
  docker?: DockerEngineConfig;
  /**
   * The named targets of a fleet (`targets: { eu-1: { docker: ... }, ... }`), in qualify.yaml order.
   * Exclusive with `docker`; absent: the environment is one engine (`docker`).
   */
  targets?: TargetConfig[];
  /** Default run parameters for this environment (overridden by --params/--param). */
  params?: Record<string, string>;
  description?: string;
}

export interface QualifyConfig {
  environments: Record<string, EnvironmentConfig>;
  /** Path of the signer registry relative to the repository root (default `signers.yaml`). */
  signers: string;
  defaults: {
    environment?: string;
    /** Where run records go (default `reports`). */
    reportsDir: string;
    /** Page size for PDFs. */
    pageSize: 'A4' | 'Letter';
  };
  /**
   * Names whose values are secret beyond those that look secret (run parameters, container environment
   * variables, JSON keys): `secrets: [ORDERS_LICENSE]`. Masked like passwords.
   */
  secrets: string[];
  /**
   * The system this repository qualifies (RC-01), as qualify.yaml `system:` declares it; values may
   * name run parameters (`version: "{{release}}"`). Absent: the record says "not declared".
   */
  system?: { name?: string; version?: string };
  /** The validation record covering the tool (RC-10), qualify.yaml `tool_validation:`; absent: "not declared". */
  toolValidation?: { reference: string; versions: string[] | null } | null;
  /** Where records may be written. */
  reports: {
    /** Folders outside the repository that `--out` may name (absolute, or relative to the repository root). */
    allowOutside: string[];
  };
}

export const DEFAULT_CONFIG: QualifyConfig = {
  environments: {},
  signers: 'signers.yaml',
  defaults: { reportsDir: 'reports', pageSize: 'A4' },
  secrets: [],
  reports: { allowOutside: [] },
};
