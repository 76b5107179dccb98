// Opens one signed file (DSSE envelope) against the signer registry: structure, enrolled key, signature,
// payload form, and the claims a key holder cannot forge (their id and printed name, key validity).
import { canonicalHash, canonicalJson } from './hash.js';
import { envelopePayload, envelopeShapeProblem, verifyEnvelopeSignature, type DsseEnvelope } from './dsse.js';
import { parseJsonBytes, serializationProblem } from './json-file.js';
import { keyProblemAt, short, type EnrolledKey, type SignerRegistry } from './signers.js';

export interface CheckedEnvelope {
  /** Path of the file as shown to people (relative to the report folder or the repository). */
  file: string;
  envelope: DsseEnvelope | null;
  /** Canonical sha256 of the envelope JSON: what a later signature's `previous` points at. */
  envelopeHash: string | null;
  /** The decoded payload (JSON), when the envelope could be opened. */
  payload: unknown;
  enrolled: EnrolledKey | null;
  /** Why this file cannot be trusted; empty when the envelope itself holds. */
  problems: string[];
}

/**
 * Checks the envelope in `bytes`. The returned payload is only meaningful when `problems` is empty,
 * but is returned anyway so that verdicts can still name the claimed signer.
 */
export function checkEnvelope(file: string, bytes: Uint8Array, registry: SignerRegistry | null, payloadType: string, options: { claims?: boolean } = {}): CheckedEnvelope {
  const out: CheckedEnvelope = { file, envelope: null, envelopeHash: null, payload: null, enrolled: null, problems: [] };
  const read = parseJsonBytes(bytes);
  if (!read.ok) {
    out.problems.push(`envelope is ${read.problem}`);
    return out;
  }
  const shape = envelopeShapeProblem(read.value);
  if (shape) {
    out.problems.push(`envelope malformed: ${shape}`);
    return out;
  }
  const envelope = read.value as DsseEnvelope;
  out.envelope = envelope;
  out.envelopeHash = canonicalHash(envelope);
  const form = serializationProblem(read.text, read.value);
  if (form) out.problems.push(`envelope file: ${form}`);
  if (envelope.payloadType !== payloadType) out.problems.push(`payload type is "${envelope.payloadType}", expected "${payloadType}"`);
  const payloadBytes = envelopePayload(envelope);
  const payload = parseJsonBytes(payloadBytes);
  if (!payload.ok) {
    out.problems.push(`payload is ${payload.problem}`);
  } else {
    out.payload = payload.value;
    if (payload.text !== canonicalJson(payload.value)) out.problems.push('payload is not RFC 8785 canonical JSON');
  }
  if (envelope.signatures.length !== 1) out.problems.push(`expected exactly one signature in the envelope, found ${envelope.signatures.length}`);
  const sig = envelope.signatures[0]!;
  if (!registry) {
    out.problems.push('no signer registry (signers.yaml) to check the key against');
    return out;
  }
  const enrolled = registry.key(sig.keyid) ?? null;
  if (!enrolled) {
    out.problems.push(`signed with key ${short(sig.keyid)}, which is not enrolled in ${registry.file}`);
    return out;
  }
  out.enrolled = enrolled;
  if (!verifyEnvelopeSignature(envelope, sig, enrolled.cert.publicKey)) {
    out.problems.push(`cryptographic signature does not verify with key ${short(sig.keyid)} of "${enrolled.signer.id}": the envelope was altered`);
    return out;
  }
  const p = out.payload as Record<string, unknown> | null;
  if (p && typeof p === 'object' && options.claims !== false) {
    const signer = p.signer as Record<string, unknown> | undefined;
    const key = p.key as Record<string, unknown> | undefined;
    if (key?.fingerprint !== sig.keyid) out.problems.push(`payload names key ${String(key?.fingerprint).slice(0, 16)} but the envelope is signed with ${short(sig.keyid)}`);
    if (signer?.id !== enrolled.signer.id) out.problems.push(`signed with the key of "${enrolled.signer.id}" but claims signer "${String(signer?.id)}"`);
    else if (signer?.name !== enrolled.signer.name) out.problems.push(`printed name "${String(signer?.name)}" differs from the registry's "${enrolled.signer.name}"`);
    if (typeof p.time === 'string') {
      const kp = keyProblemAt(enrolled.key, p.time);
      if (kp) out.problems.push(kp);
      // ES-13: the signer acknowledged that their e-signature is binding before this signature.
      const ack = registry.acknowledgements ? registry.acknowledgements.get(enrolled.signer.id) : undefined;
      if (registry.acknowledgements && (!ack || ack.time > p.time)) {
        out.problems.push(ack ? `signed at ${p.time}, before "${enrolled.signer.id}" acknowledged the signature policy (${ack.time}, ${ack.file})` : `"${enrolled.signer.id}" has no signature policy acknowledgement (ES-13): qualify keys acknowledge --as ${enrolled.signer.id}`);
      }
    }
    if (registry.serviceIdentities?.includes(enrolled.signer.id)) out.problems.push(`"${enrolled.signer.id}" is a service identity (qualify.yaml): a service identity never signs`);
  }
  return out;
}
