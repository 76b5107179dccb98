// Signing the signature policy acknowledgement (ES-13): `qualify keys acknowledge --as ID`, and the
// refusal of a signature by a signer who has not signed it (see acknowledgement.ts).
import { join } from 'node:path';
import { hostname } from 'node:os';
import { RefusedError } from '../model/errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { appendAuditEntry, trailHead, type AuditEntry } from './audit.js';
import { acknowledgementFile, ACKNOWLEDGEMENT_PAYLOAD_TYPE, ACKNOWLEDGEMENT_SCHEMA, ACKNOWLEDGEMENT_STATEMENT, type AcknowledgementPayload } from './acknowledgement.js';
import { requireSigner, unlockKey, type PassphraseSource } from './credentials.js';
import { keySigner, signEnvelope } from './dsse.js';
import { canonicalJson, sha256Hex } from './hash.js';
import { serializeJson } from './json-file.js';
import { utcSeconds } from './payload.js';
import type { SignerRecord, SignerRegistry } from './signers.js';
import { createFileExclusive } from './store.js';

/** Refuses (exit 5) a signer who has not acknowledged the signature policy, naming the command to do it. */
export function requireAcknowledged(registry: SignerRegistry, signer: SignerRecord): void {
  if (!registry.acknowledgements || registry.acknowledgements.has(signer.id)) return;
  throw new RefusedError('ACKNOWLEDGEMENT_MISSING', `"${signer.id}" has not yet acknowledged that their electronic signature is the legally binding equivalent of their handwritten signature (21 CFR 11.100, ES-13); nothing was signed. Read and sign the statement once: qualify keys acknowledge --as ${signer.id}`);
}

/** Signs the statement for `signerId` and records it; refused when they acknowledged already. */
export async function acknowledgeSignaturePolicy(root: string, registry: SignerRegistry, signerId: string, ctx: { now: Date; env: Record<string, string | undefined>; passphrase: PassphraseSource; host?: string }): Promise<{ file: string; payload: AcknowledgementPayload; audit: AuditEntry }> {
  const signer = requireSigner(registry, signerId);
  const done = registry.acknowledgements?.get(signer.id);
  if (done) throw new RefusedError('ACKNOWLEDGED_ALREADY', `"${signer.id}" acknowledged the signature policy at ${done.time} (${done.file})`);
  const at = utcSeconds(ctx.now);
  const unlocked = await unlockKey(signer, at, ctx.env, ctx.passphrase, root);
  const payload: AcknowledgementPayload = {
    schema: ACKNOWLEDGEMENT_SCHEMA,
    statement: ACKNOWLEDGEMENT_STATEMENT,
    signer: { id: signer.id, name: signer.name, email: signer.email, roles: [...signer.roles] },
    time: at,
    key: { fingerprint: unlocked.key.fingerprint, algorithm: unlocked.key.algorithm },
    trail: trailHead(root),
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
  };
  const envelope = signEnvelope(ACKNOWLEDGEMENT_PAYLOAD_TYPE, Buffer.from(canonicalJson(payload), 'utf8'), keySigner(unlocked.key.fingerprint, unlocked.privateKey));
  const bytes = Buffer.from(serializeJson(envelope), 'utf8');
  const file = acknowledgementFile(signer.id);
  if (!createFileExclusive(join(root, file), bytes)) throw new RefusedError('ACKNOWLEDGED_ALREADY', `${file} exists already; an acknowledgement is signed once (a damaged one is restored from version control)`);
  const audit = await appendAuditEntry(root, {
    at, who: { id: signer.id, name: signer.name }, action: 'keys.acknowledge', host: ctx.host ?? hostname(),
    object: { type: 'signer', id: signer.id, path: file }, field: 'acknowledgement', old: null, new: sha256Hex(bytes),
    why: `${signer.name} (${signer.id}) acknowledged that their electronic signature is the legally binding equivalent of their handwritten signature`,
    ref: { path: file, sha256: sha256Hex(bytes) },
  });
  return { file, payload, audit };
}
