// Key fingerprints, without node-forge (keys.ts loads it for key generation and export).
import type { KeyObject } from 'node:crypto';
import { sha256Hex } from './hash.js';

/** sha256 (hex) of the DER SubjectPublicKeyInfo: stable whatever certificate carries the key. */
export function keyFingerprint(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}
