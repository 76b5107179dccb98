// Enrols a team the way people do it (docs/signatures.md): an admin bootstraps the repository with
// `keys create`, every other person runs `keys request` with their own passphrase, the admin runs
// `keys issue`, and each signer signs the policy acknowledgement once (`keys acknowledge`). Tests keep all
// key stores in one $QUALIFY_HOME for brevity; enrol.test.ts proves it with two separate ones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliResult } from './cli.js';

export interface Person {
  id: string;
  name: string;
  roles: readonly string[];
  passphrase: string;
  email?: string;
}

/** The admin who bootstraps the test repositories and issues the others' certificates. */
export const ADMIN: Person = { id: 'ada', name: 'Ada Admin', roles: ['admin'], passphrase: 'ada administers signers' };

type Cli = (args: string[], stdin?: string) => Promise<CliResult>;

async function must(cli: Cli, args: string[], stdin?: string): Promise<CliResult> {
  const r = await cli(args, stdin);
  if (r.code !== 0) throw new Error(`qualify ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

/**
 * Enrols `people` through the CLI: `admin` (default ADMIN) bootstraps with keys create unless `bootstrap`
 * is false (an admin already enrolled), then request + issue + acknowledge per person.
 */
export async function enrolTeam(cli: Cli, people: readonly Person[], options: { admin?: Person; bootstrap?: boolean; acknowledge?: boolean } = {}): Promise<void> {
  const admin = options.admin ?? ADMIN;
  if (options.bootstrap !== false) {
    await must(cli, ['keys', 'create', '--as', admin.id, '--name', admin.name, '--email', admin.email ?? `${admin.id}@example.invalid`, ...admin.roles.flatMap((r) => ['--role', r]), '--passphrase-stdin'], `${admin.passphrase}\n`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'qualify-requests-'));
  try {
    for (const p of people) {
      const out = join(dir, `${p.id}.key-request.json`);
      await must(cli, ['keys', 'request', '--as', p.id, '--name', p.name, '--email', p.email ?? `${p.id}@example.invalid`, ...p.roles.flatMap((r) => ['--role', r]), '--out', out, '--passphrase-stdin'], `${p.passphrase}\n`);
      await must(cli, ['keys', 'issue', out, '--as', admin.id, '--passphrase-stdin'], `${admin.passphrase}\n`);
      if (options.acknowledge !== false) await must(cli, ['keys', 'acknowledge', '--as', p.id, '--passphrase-stdin'], `${p.passphrase}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
