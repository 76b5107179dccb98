// Reading certificates and keys with node:crypto alone (verification never loads node-forge).
import { X509Certificate, type KeyObject } from 'node:crypto';
import { sha256Hex } from './hash.js';

/** sha256 (hex) of the DER SubjectPublicKeyInfo: stable whatever certificate carries the key. */
export function keyFingerprint(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ type: 'spki', format: 'der' }));
}

// Verifying hundreds of reports meets the same few certificates (the signers', the CA) in every PDF
// signature: each DER is parsed once. An X509Certificate is immutable, so one object serves every caller.
const CERT_CACHE_SIZE = 256;
const certCache = new Map<string, X509Certificate>();
const keys = new WeakMap<X509Certificate, { publicKey: KeyObject; fingerprint?: string }>();

/** Parses a DER certificate (bytes as a binary string, as node-forge gives them); throws when it is not one. */
export function certificateFromDer(der: string): X509Certificate {
  let cert = certCache.get(der);
  if (!cert) {
    cert = new X509Certificate(Buffer.from(der, 'binary'));
    if (certCache.size >= CERT_CACHE_SIZE) certCache.clear();
    certCache.set(der, cert);
  }
  return cert;
}

function keyOf(cert: X509Certificate): { publicKey: KeyObject; fingerprint?: string } {
  let k = keys.get(cert);
  if (!k) {
    k = { publicKey: cert.publicKey };
    keys.set(cert, k);
  }
  return k;
}

/** A certificate's public key (X509Certificate makes a new KeyObject at every read), once per certificate object. */
export function certificatePublicKey(cert: X509Certificate): KeyObject {
  return keyOf(cert).publicKey;
}

/** keyFingerprint of a certificate's public key, computed once per certificate object. */
export function certificateKeyFingerprint(cert: X509Certificate): string {
  const k = keyOf(cert);
  return (k.fingerprint ??= keyFingerprint(k.publicKey));
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
