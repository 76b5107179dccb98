// The signer registry of a PDF verified on its own (an auditor's copy, outside any repository): the
// signers' certificates the PDF carries (attached files and the CMS of its signatures), admitted only
// when they chain to a trust anchor given by the verifier (`--trust ca.pem`, obtained independently of
// the PDF). Ids and printed names come from the certificates (UID, CN) the CA certified; roles from the
// signed claims of the signer's own envelopes, since the repository's signers.yaml is not at hand.
import { X509Certificate } from 'node:crypto';
import { certificateFacts, keyFingerprint } from './certificate.js';
import { envelopePayload, type DsseEnvelope } from './dsse.js';
import { parseJsonBytes } from './json-file.js';
import type { PdfInspection } from './pdf-inspect.js';
import type { SignedFile } from './signature-folder.js';
import { short, type EnrolledKey, type SignerRecord, type SignerRegistry } from './signers.js';

export interface PdfRegistry {
  registry: SignerRegistry;
  /** What could not be established (no trust anchor, a certificate that does not chain to it). */
  problems: Array<{ code: 'TRUST_ANCHOR_MISSING' | 'CERTIFICATE_UNTRUSTED'; message: string }>;
  /** What was established: each admitted certificate and the anchor it chains to. */
  passed: string[];
}

/** Every PEM certificate in `text`. */
export function parsePemCertificates(text: string): X509Certificate[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]));
}

function attribute(subject: string, names: string[]): string | null {
  for (const line of subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && names.includes(line.slice(0, eq))) return line.slice(eq + 1);
  }
  return null;
}

function isCa(c: X509Certificate): boolean {
  return c.ca === true;
}

function issuedBy(c: X509Certificate, anchor: X509Certificate): boolean {
  try {
    return c.checkIssued(anchor) && c.verify(anchor.publicKey);
  } catch {
    return false;
  }
}

/** Roles each key's owner claimed in the envelopes they signed (first claim wins). */
function claimedRoles(envelopes: SignedFile[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of envelopes) {
    const read = parseJsonBytes(f.bytes);
    if (!read.ok) continue;
    try {
      const payload = parseJsonBytes(envelopePayload(read.value as DsseEnvelope));
      const p = payload.ok ? (payload.value as { key?: { fingerprint?: unknown }; signer?: { roles?: unknown } }) : null;
      const fp = p?.key?.fingerprint;
      const roles = p?.signer?.roles;
      if (typeof fp === 'string' && Array.isArray(roles) && !out.has(fp)) out.set(fp, roles.filter((r): r is string => typeof r === 'string'));
    } catch { /* a malformed envelope is reported by its own check */ }
  }
  return out;
}

/**
 * Builds the registry of `pdf` from its certificates. With no trust anchor, the CA the PDF itself carries
 * stands in so that everything else can be checked, and TRUST_ANCHOR_MISSING says what that leaves open.
 */
export function pdfRegistry(pdf: PdfInspection, envelopes: SignedFile[], trust: X509Certificate[] | null, label: string): PdfRegistry {
  const problems: PdfRegistry['problems'] = [];
  const passed: string[] = [];
  const all: X509Certificate[] = [];
  const add = (c: X509Certificate) => {
    if (!all.some((x) => x.raw.equals(c.raw))) all.push(c);
  };
  for (const [name, bytes] of [...pdf.embedded.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!name.startsWith('certificates-') || !name.endsWith('.pem')) continue;
    try {
      for (const c of parsePemCertificates(bytes.toString('utf8'))) add(c);
    } catch { /* an unreadable attachment admits nothing */ }
  }
  for (const s of pdf.signatures) for (const c of s.certificates) add(c);
  const carriedCas = all.filter(isCa);
  let anchors = trust ?? [];
  if (!trust) {
    anchors = carriedCas;
    problems.push({
      code: 'TRUST_ANCHOR_MISSING',
      message: `no trust anchor given: the signers' certificates were checked against the CA the PDF itself carries (${carriedCas.map((c) => `${c.subject.split('\n').join(', ')}, sha256 ${short(c.fingerprint256.replace(/:/g, '').toLowerCase())}`).join('; ') || 'none'}), which anyone could have made; pass the signer CA's certificate obtained from the repository (signers.yaml) or your QA: --trust ca.pem`,
    });
  }
  const roles = claimedRoles(envelopes);
  const signers = new Map<string, SignerRecord>();
  const keys = new Map<string, EnrolledKey>();
  for (const c of all.filter((x) => !isCa(x))) {
    const fp = keyFingerprint(c.publicKey);
    const id = attribute(c.subject, ['UID', '0.9.2342.19200300.100.1.1', 'userId']);
    const name = attribute(c.subject, ['CN']);
    const anchor = anchors.find((a) => issuedBy(c, a));
    if (!anchor) {
      if (trust) problems.push({ code: 'CERTIFICATE_UNTRUSTED', message: `the certificate of ${name ?? '?'} (${id ?? '?'}, key ${short(fp)}) in ${label} is not issued by the trust anchor(s) given with --trust` });
      continue;
    }
    if (!id || !name) continue;
    const facts = certificateFacts(c.toString());
    const signer = signers.get(id) ?? { id, name, email: attribute(c.subject, ['emailAddress']) ?? '', roles: roles.get(fp) ?? [], keys: [] };
    const key = { fingerprint: fp, algorithm: c.publicKey.asymmetricKeyType ?? 'unknown', notBefore: facts.notBefore, notAfter: facts.notAfter, certificate: c.toString() };
    signer.keys.push(key);
    signers.set(id, signer);
    keys.set(fp, { signer, key, cert: facts });
    passed.push(`certificate of ${name} (${id}), key ${short(fp)}, valid ${facts.notBefore} to ${facts.notAfter}: issued by ${trust ? 'the trusted CA' : 'the CA the PDF carries'} ${anchor.subject.split('\n').join(', ')}`);
  }
  const ca = anchors[0] ?? null;
  const registry: SignerRegistry = {
    file: `the certificates of ${label}`,
    ca: ca ? { name: attribute(ca.subject, ['CN']) ?? ca.subject, fingerprint: keyFingerprint(ca.publicKey), certificate: ca.toString() } : null,
    signers: [...signers.values()],
    caCert: ca,
    signer: (id) => signers.get(id),
    key: (fp) => keys.get(fp),
  };
  return { registry, problems, passed };
}
