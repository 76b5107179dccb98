// X.509 certificates for signer keys, issued by the repository's tool CA or a company CA, so PDF readers
// can show who signed and trust the signer when they trust the CA. Built with node-forge (RSA); read in
// certificate.ts with node's X509Certificate.
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

export interface CertificateSubject {
  /** Printed name: the certificate's common name. */
  name: string;
  /** Signer id, kept as the UID attribute. */
  id?: string;
  email?: string;
  organization?: string;
}

export interface CertificateAuthority {
  certificatePem: string;
  privateKey: KeyObject;
}

const DAY_MS = 86_400_000;

function forgeKeys(privateKey: KeyObject | null, publicKey: KeyObject) {
  return {
    privateKey: privateKey ? forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) : null,
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string),
  };
}

function subjectAttributes(s: CertificateSubject): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [{ name: 'commonName', value: s.name, valueTagClass: forge.asn1.Type.UTF8 as never }];
  if (s.organization) attrs.push({ name: 'organizationName', value: s.organization, valueTagClass: forge.asn1.Type.UTF8 as never });
  if (s.id) attrs.push({ type: '0.9.2342.19200300.100.1.1', value: s.id, valueTagClass: forge.asn1.Type.UTF8 as never });
  if (s.email) attrs.push({ name: 'emailAddress', value: s.email });
  return attrs;
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive INTEGER
  return b.toString('hex');
}

function toDateSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** Creates a self-signed CA certificate for `privateKey`, valid `years` from `now`. */
export function createCaCertificate(privateKey: KeyObject, publicKey: KeyObject, subject: CertificateSubject, now: Date, years = 10): string {
  const keys = forgeKeys(privateKey, publicKey);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = toDateSeconds(now);
  cert.validity.notAfter = toDateSeconds(new Date(now.getTime() + years * 365 * DAY_MS));
  const attrs = subjectAttributes(subject);
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey!, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

/** Issues a signer certificate (digitalSignature + nonRepudiation, emailProtection) from `ca`. */
export function issueSignerCertificate(options: { ca: CertificateAuthority; subject: CertificateSubject; publicKey: KeyObject; notBefore: Date; notAfter: Date }): string {
  const caCert = forge.pki.certificateFromPem(options.ca.certificatePem);
  const caKey = forgeKeys(options.ca.privateKey, createPublicKey(options.ca.privateKey)).privateKey!;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgeKeys(null, options.publicKey).publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = toDateSeconds(options.notBefore);
  cert.validity.notAfter = toDateSeconds(options.notAfter);
  cert.setSubject(subjectAttributes(options.subject));
  cert.setIssuer(caCert.subject.attributes);
  const ext: Array<Record<string, unknown>> = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'extKeyUsage', emailProtection: true },
    { name: 'subjectKeyIdentifier' },
  ];
  const caSki = caCert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | null;
  if (caSki?.subjectKeyIdentifier) ext.push({ name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(caSki.subjectKeyIdentifier) });
  if (options.subject.email) ext.push({ name: 'subjectAltName', altNames: [{ type: 1, value: options.subject.email }] });
  cert.setExtensions(ext);
  cert.sign(caKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

