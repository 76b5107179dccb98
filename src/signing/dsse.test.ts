import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { envelopeShapeProblem, keySigner, pae, signEnvelope, verifyEnvelopeSignature } from './dsse.js';
import { decryptPrivateKey, encryptPrivateKey, keyFingerprint, passphraseProblem, publicKeyOf, WrongPassphraseError } from './keys.js';

describe('DSSE envelopes', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('encodes PAE as the DSSE v1 specification', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('signs deterministically and verifies only the same type, payload and key', () => {
    const signer = keySigner(keyFingerprint(publicKey), privateKey);
    const env = signEnvelope('application/x', Buffer.from('{"a":1}'), signer);
    expect(signEnvelope('application/x', Buffer.from('{"a":1}'), signer)).toEqual(env);
    expect(envelopeShapeProblem(env)).toBeNull();
    expect(verifyEnvelopeSignature(env, env.signatures[0]!, publicKey)).toBe(true);
    expect(verifyEnvelopeSignature({ ...env, payloadType: 'application/y' }, env.signatures[0]!, publicKey)).toBe(false);
    expect(verifyEnvelopeSignature({ ...env, payload: Buffer.from('{"a":2}').toString('base64') }, env.signatures[0]!, publicKey)).toBe(false);
    expect(verifyEnvelopeSignature(env, env.signatures[0]!, other.publicKey)).toBe(false);
  });

  it('rejects non-canonical base64 and unexpected fields', () => {
    const env = signEnvelope('t', Buffer.from('A'), keySigner('k', privateKey));
    expect(env.payload).toBe('QQ==');
    expect(envelopeShapeProblem({ ...env, payload: 'QR==' })).toBe('payload missing or not canonical base64');
    expect(envelopeShapeProblem({ ...env, extra: 1 })).toBe('unexpected field(s) extra');
    expect(envelopeShapeProblem({ ...env, signatures: [] })).toBe('signatures missing or empty');
  });
});

describe('private key files', () => {
  it('encrypt with the passphrase (PBES2, PBKDF2-SHA256, AES-256-CBC) and open only with it', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = encryptPrivateKey(privateKey, 'correct horse', 1000);
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(keyFingerprint(publicKey)).toBe(keyFingerprint(publicKeyOf(decryptPrivateKey(pem, 'correct horse'))));
    expect(() => decryptPrivateKey(pem, 'wrong horse')).toThrow(WrongPassphraseError);
    expect(passphraseProblem('short')).toBe('a passphrase needs at least 8 characters');
    expect(passphraseProblem('long enough')).toBeNull();
  });
});
