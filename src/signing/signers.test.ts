import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../model/issue.js';
import { keyFingerprint } from './keys.js';
import { keyProblemAt, parseSignerRegistry, rolePermits, serializeSignerRegistry, type SignerRecord } from './signers.js';
import { certificateFacts } from './certificate.js';
import { createCaCertificate, issueSignerCertificate } from './x509.js';

const now = new Date('2026-01-01T00:00:00Z');
const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const caKeys = pair();
const caPem = createCaCertificate(caKeys.privateKey, caKeys.publicKey, { name: 'Test CA' }, now);
const ca = { name: 'Test CA', fingerprint: certificateFacts(caPem).certificateSha256, certificate: caPem };

function signer(id: string, roles: string[], issuer = { certificatePem: caPem, privateKey: caKeys.privateKey }): SignerRecord {
  const k = pair();
  const certificate = issueSignerCertificate({ ca: issuer, subject: { name: `Name ${id}`, id, email: `${id}@example.invalid` }, publicKey: k.publicKey, notBefore: now, notAfter: new Date('2029-01-01T00:00:00Z') });
  return { id, name: `Name ${id}`, email: `${id}@example.invalid`, roles, keys: [{ fingerprint: keyFingerprint(k.publicKey), algorithm: 'RSA-2048', notBefore: '2026-01-01T00:00:00Z', notAfter: '2029-01-01T00:00:00Z', certificate }] };
}

describe('signer registry', () => {
  const eve = signer('eve', ['executor']);
  const quinn = signer('quinn', ['approver', 'qa']);

  it('round-trips and looks keys up by fingerprint', () => {
    const { registry, issues } = parseSignerRegistry(serializeSignerRegistry({ ca, signers: [eve, quinn] }), 'signers.yaml');
    expect(issues).toEqual([]);
    expect(registry!.key(quinn.keys[0]!.fingerprint)!.signer.name).toBe('Name quinn');
    expect(registry!.signer('eve')!.roles).toEqual(['executor']);
  });

  it('reports every problem with its line and column', () => {
    const stranger = signer('mallory', ['approver'], (() => { const k = pair(); return { certificatePem: createCaCertificate(k.privateKey, k.publicKey, { name: 'Other CA' }, now), privateKey: k.privateKey }; })());
    const bad = { ...eve, roles: ['executor', 'boss'] };
    const text = serializeSignerRegistry({ ca, signers: [bad, { ...quinn, id: 'eve' }, stranger] });
    const { registry, issues } = parseSignerRegistry(text, 'signers.yaml');
    expect(registry).toBeNull();
    const lines = issues.map(formatIssue).map((l) => l.replace(/[0-9a-f]{16}/g, 'FP'));
    expect(lines).toEqual([
      expect.stringMatching(/^signers\.yaml:\d+:7 SIGNER_ROLE_UNKNOWN \(warning\) signer "eve" has unknown role "boss"; known: author, executor, reviewer, approver, qa, admin$/),
      expect.stringMatching(/^signers\.yaml:\d+:9 SIGNER_ID_DUPLICATE signer id "eve" is listed twice; ids are never reused$/),
      expect.stringMatching(/^signers\.yaml:\d+:22 SIGNER_KEY_NOT_ISSUED the certificate of key FP of signer "mallory" was not issued by the registry's CA "Test CA"$/),
    ]);
  });

  it('knows which roles permit which meanings, and when a key may sign', () => {
    expect(rolePermits(['reviewer'], 'approved')).toBe(false);
    expect(rolePermits(['qa'], 'approved')).toBe(true);
    expect(rolePermits(['approver'], 'dispositioned')).toBe(true);
    expect(rolePermits(['executor'], 'reviewed')).toBe(false);
    const key = { ...eve.keys[0]!, revoked: { at: '2026-06-01T00:00:00Z', reason: 'lost' } };
    expect(keyProblemAt(key, '2026-05-31T23:59:59Z')).toBeNull();
    expect(keyProblemAt(key, '2026-06-01T00:00:00Z')).toMatch(/was revoked at 2026-06-01T00:00:00Z \(lost\)/);
    expect(keyProblemAt(key, '2025-12-31T00:00:00Z')).toMatch(/is valid only from/);
    expect(keyProblemAt(key, '2030-01-01T00:00:00Z')).toMatch(/expired at/);
  });
});
