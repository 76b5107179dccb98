// Who executes a run (EX-01, EX-13, ALCOA "attributable"): `qualify run --as ID` binds the record to an
// enrolled signer with the executor role, authenticated by their passphrase (the lock-out applies). In CI,
// `--as SERVICE --initiated-by ID` records a service identity of qualify.yaml executing for the named
// person, who signs the record as executed afterwards (a service identity never signs). A run without
// --as is recorded as unattributed: only the person it names may sign it as executed, and must then.
import { RefusedError, UsageError } from '../model/errors.js';
import type { Report } from '../model/report.js';
import { requireSigner, unlockKey, type PassphraseSource } from './credentials.js';
import { requireNotLocked } from './lockout.js';
import { signaturePolicy } from './policy.js';
import { loadSignerRegistry, signersFile } from './repo.js';
import { utcSeconds } from './payload.js';
import type { SignerRecord } from './signers.js';

export type RunExecutor = Report['executor'];

function requireExecutorRole(signer: SignerRecord, why: string): void {
  if (!signer.roles.includes('executor')) {
    throw new RefusedError('RUN_ROLE_FORBIDDEN', `"${signer.id}" has the role(s) ${signer.roles.join(', ') || 'none'}; ${why} needs the executor role`);
  }
}

/**
 * The executor of a run at `root`, authenticated as the flags ask. Refusals (unknown id, no executor role,
 * wrong passphrase, locked keys) exit 5 before anything runs.
 */
export async function runExecutor(root: string, o: { as?: string; initiatedBy?: string; fallbackId: string; host: string; passphrase: PassphraseSource; now: Date; env: Record<string, string | undefined> }): Promise<{ executor: RunExecutor; warnings: string[] }> {
  const policy = signaturePolicy(root);
  const registry = loadSignerRegistry(root);
  const file = signersFile(root);
  if (o.initiatedBy !== undefined) {
    if (!o.as) throw new UsageError('SERVICE_IDENTITY_MISSING', `--initiated-by names the person responsible for a run executed by a service identity: add --as SERVICE (one of qualify.yaml signatures.service_identities: ${policy.serviceIdentities.join(', ') || 'none declared'})`);
    if (!policy.serviceIdentities.includes(o.as)) throw new RefusedError('SERVICE_IDENTITY_UNKNOWN', `"${o.as}" is not a service identity of qualify.yaml (signatures.service_identities: ${policy.serviceIdentities.join(', ') || 'none'}); a person runs with --as ID alone and authenticates`);
    if (!registry) throw new UsageError('SIGNERS_MISSING', `--initiated-by names an enrolled signer, but the repository has no ${file}`);
    const human = requireSigner(registry, o.initiatedBy);
    requireExecutorRole(human, 'being responsible for a run');
    requireNotLocked(root, human);
    return {
      executor: { id: o.as, name: null, host: o.host, attribution: 'service', initiatedBy: { id: human.id, name: human.name } },
      warnings: [`Executed by the service identity ${o.as} for ${human.name} (${human.id}), who is responsible for this run and signs it as executed; nobody else can.`],
    };
  }
  if (o.as !== undefined) {
    if (policy.serviceIdentities.includes(o.as)) throw new UsageError('INITIATED_BY_MISSING', `"${o.as}" is a service identity: a run it executes names the responsible person with --initiated-by ID`);
    if (!registry) {
      return {
        executor: { id: o.as, name: null, host: o.host, attribution: 'unattributed', initiatedBy: null },
        warnings: [`Unattributed run: the repository has no ${file}, so "${o.as}" (--as) could not be authenticated.`],
      };
    }
    const signer = requireSigner(registry, o.as);
    requireExecutorRole(signer, 'executing a protocol for a record');
    await unlockKey(signer, utcSeconds(o.now), o.env, o.passphrase, root);
    return { executor: { id: signer.id, name: signer.name, host: o.host, attribution: 'authenticated', initiatedBy: null }, warnings: [] };
  }
  return {
    executor: { id: o.fallbackId, name: null, host: o.host, attribution: 'unattributed', initiatedBy: null },
    warnings: [`Unattributed run: no --as, so the executor was not authenticated ("${o.fallbackId}" is the account name of the machine). Only "${o.fallbackId}", if an enrolled executor, can sign it as executed; a GxP run uses --as ID.`],
  };
}
