// DSSE envelopes (Dead Simple Signing Envelope, v1): a payload type, a base64 payload and signatures
// over the pre-authentication encoding PAE(type, payload). The payload bytes are what is signed;
// nothing outside them (file names, folders) is trusted.
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';

export interface DsseSignature {
  /** Key fingerprint (sha256 of the public key, hex). */
  keyid: string;
  /** base64 signature over PAE(payloadType, payload). */
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  /** base64 of the payload bytes. */
  payload: string;
  signatures: DsseSignature[];
}

/** Something that signs bytes with one key (RSA PKCS#1 v1.5 / ECDSA with SHA-256). */
export interface EnvelopeSigner {
  keyid: string;
  sign(data: Buffer): Buffer;
}

/** Pre-authentication encoding of DSSE v1. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

/** A signer over a private key: SHA-256 with PKCS#1 v1.5 for RSA (deterministic), ECDSA for EC keys. */
export function keySigner(keyid: string, privateKey: KeyObject): EnvelopeSigner {
  return { keyid, sign: (data) => cryptoSign('sha256', data, privateKey) };
}

/** Signs `payload` (bytes) as `payloadType`. */
export function signEnvelope(payloadType: string, payload: Buffer, signer: EnvelopeSigner): DsseEnvelope {
  const sig = signer.sign(pae(payloadType, payload));
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: signer.keyid, sig: sig.toString('base64') }] };
}

/** True when `sig` is a valid signature of the envelope's PAE by `publicKey`. */
export function verifyEnvelopeSignature(envelope: DsseEnvelope, sig: DsseSignature, publicKey: KeyObject): boolean {
  try {
    const data = pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
    return cryptoVerify('sha256', data, publicKey, Buffer.from(sig.sig, 'base64'));
  } catch {
    return false;
  }
}

/** Strict base64: only the one encoding Node itself produces, so no changed character decodes to the same bytes. */
function isCanonicalBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && Buffer.from(text, 'base64').toString('base64') === text;
}

/**
 * Checks the shape of a parsed envelope; returns a sentence saying what is wrong, or null.
 * Strict base64 so that a changed character is never silently ignored by the decoder.
 */
export function envelopeShapeProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object with payloadType, payload, signatures';
  const v = value as Record<string, unknown>;
  if (typeof v.payloadType !== 'string' || !v.payloadType) return 'payloadType missing or not a string';
  if (typeof v.payload !== 'string' || !isCanonicalBase64(v.payload)) return 'payload missing or not canonical base64';
  if (!Array.isArray(v.signatures) || v.signatures.length === 0) return 'signatures missing or empty';
  for (const s of v.signatures as unknown[]) {
    const sig = s as Record<string, unknown>;
    if (!sig || typeof sig !== 'object' || typeof sig.keyid !== 'string' || typeof sig.sig !== 'string') return 'a signature lacks keyid or sig';
    if (!isCanonicalBase64(sig.sig)) return `signature by key ${String(sig.keyid).slice(0, 16)} is not canonical base64`;
  }
  const extra = Object.keys(v).filter((k) => !['payloadType', 'payload', 'signatures'].includes(k));
  if (extra.length) return `unexpected field(s) ${extra.join(', ')}`;
  return null;
}

/** Decodes the payload bytes of an envelope whose shape was checked. */
export function envelopePayload(envelope: DsseEnvelope): Buffer {
  return Buffer.from(envelope.payload, 'base64');
}
