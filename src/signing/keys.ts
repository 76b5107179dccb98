// Signing keys: generation (RSA-3072, which node-forge can also use for PDF signatures), fingerprints,
// and the passphrase-encrypted private key file (PKCS#8 EncryptedPrivateKeyInfo, PBES2 with
// PBKDF2-HMAC-SHA256 and AES-256-CBC) that any OpenSSL can read.
import { createCipheriv, createPrivateKey, createPublicKey, generateKeyPairSync, pbkdf2Sync, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { keyFingerprint } from './certificate.js';

export { keyFingerprint };

export const KEY_ALGORITHM = 'RSA-3072';
/** PBKDF2 iterations protecting a private key file (OWASP 2023 figure for PBKDF2-HMAC-SHA256). */
export const KDF_ITERATIONS = 600_000;
export const MIN_PASSPHRASE_LENGTH = 8;

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** sha256 (hex) of the DER SubjectPublicKeyInfo. */
  fingerprint: string;
}

/** Generates a fresh RSA-3072 key pair. */
export function generateSigningKey(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 0x10001 });
  return { privateKey, publicKey, fingerprint: keyFingerprint(publicKey) };
}

/** The public half of a private key. */
export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

/** Thrown when a private key file does not open with the passphrase given. */
export class WrongPassphraseError extends Error {
  constructor() {
    super('the passphrase does not open the private key');
    this.name = 'WrongPassphraseError';
  }
}

/** Encrypts a private key with a passphrase as a PEM "ENCRYPTED PRIVATE KEY". */
export function encryptPrivateKey(privateKey: KeyObject, passphrase: string, iterations = KDF_ITERATIONS): string {
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  const { asn1 } = forge;
  const seq = (...items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
  const oid = (name: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(forge.pki.oids[name]!).getBytes());
  const octets = (b: Buffer) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, b.toString('binary'));
  const int = (n: number) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(n).getBytes());
  const nul = () => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '');
  const info = seq(
    seq(
      oid('pkcs5PBES2'),
      seq(
        seq(oid('pkcs5PBKDF2'), seq(octets(salt), int(iterations), seq(oid('hmacWithSHA256'), nul()))),
        seq(oid('aes256-CBC'), octets(iv)),
      ),
    ),
    octets(encrypted),
  );
  const der = Buffer.from(asn1.toDer(info).getBytes(), 'binary');
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${body}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
}

/** Opens a private key file with its passphrase; throws WrongPassphraseError when it does not open. */
export function decryptPrivateKey(pem: string, passphrase: string): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch {
    throw new WrongPassphraseError();
  }
}

/** Says what is wrong with a new passphrase, or null. */
export function passphraseProblem(passphrase: string): string | null {
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) return `a passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters`;
  return null;
}
