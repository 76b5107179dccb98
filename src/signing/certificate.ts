// Reading certificates and keys with node:crypto alone (verification never loads node-forge).
import { X509Certificate, type KeyObject } from 'node:crypto';
import { sha256Hex } from './hash.js';

/** sha256 (hex) of the DER SubjectPublicKeyInfo: stable whatever certificate carries the key. */
export function keyFingerprint(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

/** What the tool needs to know of a certificate. */
export interface CertificateFacts {
  fingerprint: string;
  /** sha256 of the DER certificate. */
  certificateSha256: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  publicKey: KeyObject;
  x509: X509Certificate;
}

/** Parses a PEM certificate; throws with a sentence when it is not one. */
export function certificateFacts(pem: string): CertificateFacts {
  const x509 = new X509Certificate(pem);
  return {
    fingerprint: keyFingerprint(x509.publicKey),
    certificateSha256: sha256Hex(x509.raw),
    subject: x509.subject,
    issuer: x509.issuer,
    notBefore: new Date(x509.validFrom).toISOString().replace('.000Z', 'Z'),
    notAfter: new Date(x509.validTo).toISOString().replace('.000Z', 'Z'),
    publicKey: x509.publicKey,
    x509,
  };
}

/** True when `cert` was signed by the CA certificate `ca`. */
export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  try {
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}
