// qualify.yaml: environments (targets), signer registry location, defaults.

export interface EnvironmentConfig {
  /** Docker endpoint: `unix:///var/run/docker.sock`, `tcp://127.0.0.1:2375`. Default: DOCKER_HOST or the local socket. */
  docker?: { host?: string };
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
