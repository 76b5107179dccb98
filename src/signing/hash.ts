// Hash primitives: sha256 of bytes and of canonical JSON (RFC 8785, via `canonicalize`).
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** Lowercase hex sha256 of bytes or a UTF-8 string. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** RFC 8785 canonical JSON of a JSON value (keys sorted, numbers normalised, no whitespace). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/** sha256 of the canonical JSON of `value`: the hash a signature over a record covers. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** True for a lowercase 64-hex-digit sha256. */
export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}
