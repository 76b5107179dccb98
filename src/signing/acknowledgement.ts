// The signature policy acknowledgement (ES-13, 21 CFR 11.10(j), 11.100(c)): before their first
// signature, each signer e-signs a statement that their electronic signature is the legally binding
// equivalent of their handwritten signature and that they are accountable for what they sign. It is a
// DSSE envelope kept in the repository (acknowledgements/<id>.dsse.json), recorded in the audit trail,
// and checked by `sign` (refused without it) and by `verify` (a signature made before its signer's
// acknowledgement, or without one, is invalid).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkEnvelope } from './envelope-check.js';
import { sha256Hex } from './hash.js';
import { isUtcTime } from './payload.js';
import type { SignerRegistry } from './signers.js';

export const ACKNOWLEDGEMENTS_DIR = 'acknowledgements';
export const ACKNOWLEDGEMENT_PAYLOAD_TYPE = 'application/vnd.qualify.acknowledgement+json';
export const ACKNOWLEDGEMENT_SCHEMA = 'qualify.acknowledgement/v1';

/** The statement every signer signs once, before their first signature. */
export const ACKNOWLEDGEMENT_STATEMENT = [
  'I, the undersigned, acknowledge that the electronic signatures I apply with qualify under my user id',
  'and passphrase are the legally binding equivalent of my traditional handwritten signature (21 CFR',
  '11.100(c)). I am accountable and responsible for the actions initiated under my electronic signature',
  '(21 CFR 11.10(j)). I will not share my passphrase or private key with anyone, and I will report their',
  'loss or compromise at once so that my keys are revoked.',
].join('\n');

export interface AcknowledgementPayload {
  schema: typeof ACKNOWLEDGEMENT_SCHEMA;
  statement: string;
  signer: { id: string; name: string; email: string; roles: string[] };
  time: string;
  key: { fingerprint: string; algorithm: string };
  /** The audit trail head when it was signed (trail-witness.ts); absent in acknowledgements made before. */
  trail?: { seq: number; hash: string } | null;
  tool: { name: string; version: string };
}

export interface Acknowledgement {
  file: string;
  time: string;
}

/** Path of signer `id`'s acknowledgement, relative to the repository root. */
export function acknowledgementFile(id: string): string {
  return `${ACKNOWLEDGEMENTS_DIR}/${id}.dsse.json`;
}

/** Why an acknowledgement file does not hold (against a registry without acknowledgements), or null. */
export function acknowledgementProblem(file: string, bytes: Uint8Array, registry: SignerRegistry): { problem: string } | { ack: Acknowledgement; signerId: string } {
  const checked = checkEnvelope(file, bytes, registry, ACKNOWLEDGEMENT_PAYLOAD_TYPE);
  if (checked.problems.length) return { problem: checked.problems.join('; ') };
  const p = checked.payload as Partial<AcknowledgementPayload> | null;
  if (!p || p.schema !== ACKNOWLEDGEMENT_SCHEMA || !isUtcTime(p.time) || !p.signer) return { problem: `payload is not a ${ACKNOWLEDGEMENT_SCHEMA}` };
  if (p.statement !== ACKNOWLEDGEMENT_STATEMENT) return { problem: 'the statement signed is not the statement of this version of qualify' };
  if (file !== acknowledgementFile(p.signer.id!)) return { problem: `${file} holds the acknowledgement of "${p.signer.id}"` };
  return { ack: { file, time: p.time }, signerId: p.signer.id! };
}

const cache = new Map<string, Map<string, Acknowledgement>>();

/** The valid acknowledgements of the repository at `root`, by signer id. */
export function loadAcknowledgements(root: string, registry: SignerRegistry): Map<string, Acknowledgement> {
  let names: string[];
  try {
    names = readdirSync(join(root, ACKNOWLEDGEMENTS_DIR)).filter((n) => n.endsWith('.dsse.json')).sort();
  } catch {
    names = [];
  }
  const files = names.map((n) => ({ file: `${ACKNOWLEDGEMENTS_DIR}/${n}`, bytes: readFileSync(join(root, ACKNOWLEDGEMENTS_DIR, n)) }));
  const key = sha256Hex(`${registry.file}\0${registry.signers.map((s) => s.keys.map((k) => k.fingerprint).join(',')).join(';')}\0${files.map((f) => `${f.file}:${sha256Hex(f.bytes)}`).join('\n')}`);
  const hit = cache.get(key);
  if (hit) return hit;
  const out = new Map<string, Acknowledgement>();
  for (const f of files) {
    const r = acknowledgementProblem(f.file, f.bytes, registry);
    if ('ack' in r) out.set(r.signerId, r.ack);
  }
  if (cache.size > 32) cache.clear();
  cache.set(key, out);
  return out;
}

