// Enrolment (ES-05, ES-08): each person makes their own key pair, under their sole control.
// - `qualify keys request` (the signer, on their machine): generates the key pair, stores the private key
//   encrypted with the passphrase they type in their own $QUALIFY_HOME (never in the repository), and writes
//   a request file that is safe to share: public key, a PKCS#10 CSR signed by the key (proof of possession),
//   id, printed name, email and the roles wanted. No secret is in it.
// - `qualify keys issue <request>` (a signer with the `admin` role, authenticated by their passphrase, who
//   holds the repository's tool CA key; or the holder of a company CA): checks the request, issues the
//   certificate and adds the signer (or the new key of an existing signer) to signers.yaml, audited. The
//   requester installs nothing: `qualify sign --as ID` finds their private key by the fingerprint
//   signers.yaml lists, once the change reaches their clone.
// - `qualify keys create` bootstraps a repository: the first signer (who must hold `admin`) and the tool CA,
//   whose private key is encrypted with that person's passphrase (PKCS#8 like the signer keys) and stays in
//   their key store. It refuses once signers exist: no command asks one person for another's passphrase.
// `qualify keys revoke` marks keys revoked (they stay listed, so older signatures remain verifiable).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { hostname } from 'node:os';
import forge from 'node-forge';
import { yamlLib } from '../markdown/yaml.js';
import { RefusedError, UsageError } from '../model/errors.js';
import { appendAuditEntries, appendAuditEntry, type AuditEntry } from './audit.js';
import { enrolmentRolesEntry } from './roles.js';
import { sha256Hex } from './hash.js';
import { decryptPrivateKey, encryptPrivateKey, generateSigningKey, KEY_ALGORITHM, keyFingerprint, passphraseProblem, WrongPassphraseError } from './keys.js';
import { utcSeconds } from './payload.js';
import { loadSignerRegistry, signersFile } from './repo.js';
import { keyStore, requireSigner, unlockKey, type PassphraseSource } from './credentials.js';
import { signaturePolicy } from './policy.js';
import { ROLES, rolesAt, serializeSignerRegistry, SIGNER_ID, short, type SignerKey, type SignerRecord, type SignerRegistry } from './signers.js';
import { caKeyPath, privateKeyPath, writeFileAtomic, writeSecretFile } from './store.js';
import { certificateFacts } from './certificate.js';
import { createCaCertificate, issueSignerCertificate } from './x509.js';

const YEAR_MS = 365 * 86_400_000;
/** Validity of a signer certificate. */
export const KEY_VALIDITY_YEARS = 3;
export const KEY_REQUEST_SCHEMA = 'qualify.key-request/v1';

export interface CreateKeyOptions {
  id: string;
  /** Printed name of the first signer. */
  name?: string;
  email?: string;
  /** Roles of the first signer: `admin` among them when the tool CA is created. */
  roles?: string[];
  passphrase: string;
  now: Date;
  env: Record<string, string | undefined>;
  /** A company CA to issue the certificate instead of the tool CA (PEM certificate and PEM key, unencrypted or encrypted with `keyPassphrase`). */
  ca?: CompanyCa;
  host?: string;
}

export interface CompanyCa {
  certificatePem: string;
  keyPem: string;
  /** Passphrase of an encrypted CA key (its holder's, who runs the command). */
  keyPassphrase?: string;
}

export interface CreateKeyResult {
  signerId: string;
  created: 'signer' | 'key';
  fingerprint: string;
  certificate: string;
  notAfter: string;
  privateKeyPath: string;
  registryFile: string;
  caCreated: boolean;
  audit: AuditEntry;
  /** True when the first signer has no admin role: nobody can issue the tool CA's certificates yet. */
  noAdmin?: boolean;
}

function registryText(root: string, file: string): string | null {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch {
    return null;
  }
}

/** Opens a CA private key: encrypted (PKCS#8) with `passphrase`; an unencrypted tool CA key is refused. */
function openCaKey(pem: string, passphrase: string | undefined, what: string, allowPlain: boolean): KeyObject {
  if (!pem.includes('ENCRYPTED')) {
    if (allowPlain) return createPrivateKey(pem);
    throw new RefusedError('CA_KEY_UNENCRYPTED', `${what} is not encrypted: encrypt it with your passphrase first (openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 600000 -in KEY -out KEY.enc, then replace KEY)`);
  }
  if (passphrase === undefined) throw new UsageError('CA_KEY_PASSPHRASE', `${what} is encrypted: its passphrase is needed`);
  try {
    return decryptPrivateKey(pem, passphrase);
  } catch (err) {
    if (err instanceof WrongPassphraseError) throw new RefusedError('CA_KEY_PASSPHRASE', `the passphrase does not open ${what}; nothing was issued`);
    throw err;
  }
}

function checkNewSigner(o: { id: string; name?: string; email?: string; roles: string[] }, existing: SignerRecord | undefined, file: string): void {
  if (!SIGNER_ID.test(o.id)) throw new UsageError('SIGNER_ID_INVALID', `signer id "${o.id}" must be lowercase letters, digits, ".", "_" or "-", starting with a letter`);
  for (const r of o.roles) if (!(ROLES as readonly string[]).includes(r)) throw new UsageError('ROLE_UNKNOWN', `unknown role "${r}"; known: ${ROLES.join(', ')}`);
  if (existing) {
    if (o.name !== undefined && o.name !== existing.name) throw new UsageError('SIGNER_NAME_MISMATCH', `"${o.id}" is enrolled as "${existing.name}", not "${o.name}": an id belongs to one person and is never reused`);
    if (o.email !== undefined && o.email !== existing.email) throw new UsageError('SIGNER_EMAIL_MISMATCH', `"${o.id}" is enrolled with ${existing.email}, not ${o.email}`);
    if (o.roles.length && [...o.roles].sort().join(',') !== [...existing.roles].sort().join(',')) {
      throw new UsageError('SIGNER_ROLES_MISMATCH', `"${o.id}" has the roles ${existing.roles.join(', ')}; roles change with "qualify roles grant|revoke" by an admin, not with a new key`);
    }
  } else {
    if (!o.name?.trim()) throw new UsageError('SIGNER_NAME_MISSING', `a new signer needs a printed name: --name "First Last"`);
    if (!o.email || !/^[^\s@]+@[^\s@]+$/.test(o.email)) throw new UsageError('SIGNER_EMAIL_MISSING', `a new signer needs an email: --email name@example.com`);
    if (o.roles.length === 0) throw new UsageError('SIGNER_ROLES_MISSING', `a new signer needs at least one --role (${ROLES.filter((r) => r !== 'admin').join(', ')})`);
  }
}

function refuseServiceIdentity(root: string, id: string): void {
  if (signaturePolicy(root).serviceIdentities.includes(id)) {
    throw new RefusedError('SERVICE_IDENTITY_CANNOT_SIGN', `"${id}" is a service identity (qualify.yaml signatures.service_identities): it runs protocols for a named person and never gets a signing key`);
  }
}

/** Adds signer `id` (or a new key of theirs) to signers.yaml, keeping people's comments and order; returns the new text. */
function addToRegistry(root: string, registry: SignerRegistry | null, ca: NonNullable<SignerRegistry['ca']>, setCa: boolean, signer: { id: string; name: string; email: string; roles: string[] }, key: SignerKey): string {
  const file = signersFile(root);
  const text = registryText(root, file);
  const existing = registry?.signer(signer.id);
  let next: string;
  if (text === null) {
    next = serializeSignerRegistry({ ca, signers: [{ ...signer, keys: [key] }] });
  } else {
    const doc = yamlLib().parseDocument(text);
    if (!doc.has('ca') || setCa) doc.set('ca', doc.createNode({ name: ca.name, fingerprint: ca.fingerprint, certificate: ca.certificate }));
    const plainKey = { fingerprint: key.fingerprint, algorithm: key.algorithm, notBefore: key.notBefore, notAfter: key.notAfter, certificate: key.certificate };
    if (existing) {
      const index = registry!.signers.indexOf(existing);
      doc.addIn(['signers', index, 'keys'], doc.createNode(plainKey));
    } else {
      doc.addIn(['signers'], doc.createNode({ id: signer.id, name: signer.name, email: signer.email, roles: signer.roles, keys: [plainKey] }));
    }
    next = doc.toString({ lineWidth: 0 });
  }
  writeFileAtomic(join(root, file), next);
  return next;
}

function certificateFor(ca: { certificatePem: string; privateKey: KeyObject }, subject: { name: string; id: string; email: string }, publicKey: KeyObject, now: Date): SignerKey {
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + KEY_VALIDITY_YEARS * YEAR_MS);
  const certificate = issueSignerCertificate({ ca, subject, publicKey, notBefore, notAfter });
  return { fingerprint: keyFingerprint(publicKey), algorithm: KEY_ALGORITHM, notBefore: utcSeconds(notBefore), notAfter: utcSeconds(notAfter), certificate };
}

function companyCa(o: CompanyCa, registry: SignerRegistry | null, file: string): { ca: NonNullable<SignerRegistry['ca']>; key: KeyObject } {
  const facts = certificateFacts(o.certificatePem);
  const current = registry?.ca ?? null;
  if (current && current.fingerprint !== facts.certificateSha256) throw new UsageError('CA_MISMATCH', `${file} trusts the CA "${current.name}"; the CA given is another one`);
  const ca = current ?? { name: facts.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? facts.subject, fingerprint: facts.certificateSha256, certificate: o.certificatePem };
  const key = openCaKey(o.keyPem, o.keyPassphrase, 'the company CA key', true);
  if (keyFingerprint(createPublicKey(key)) !== facts.fingerprint) throw new UsageError('CA_KEY_MISMATCH', 'the CA key given does not belong to the CA certificate given');
  return { ca, key };
}

/**
 * Bootstraps a repository's signers: enrols the first signer (who should hold the `admin` role, so that they
 * can issue the others' certificates with `keys issue`) and creates the tool CA, whose key is
 * encrypted with their passphrase. Refused once the registry has signers: others use request and issue.
 */
export async function createSignerKey(root: string, o: CreateKeyOptions): Promise<CreateKeyResult> {
  const pp = passphraseProblem(o.passphrase);
  if (pp) throw new UsageError('PASSPHRASE_WEAK', pp);
  const home = keyStore(o.env, root);
  const file = signersFile(root);
  const registry = loadSignerRegistry(root);
  const roles = o.roles ?? [];
  if (registry && registry.signers.length > 0) {
    throw new RefusedError('KEYS_CREATE_BOOTSTRAP_ONLY', `${file} has signers already: "qualify keys create" only enrols the first signer of a repository. Every other person (and a new key of an enrolled signer) enrols on their own machine, with their own passphrase: qualify keys request --as ${o.id} --name "..." --email ... --role ..., then an admin runs qualify keys issue <request-file> --as <admin>`);
  }
  checkNewSigner({ id: o.id, name: o.name, email: o.email, roles }, undefined, file);
  refuseServiceIdentity(root, o.id);
  let ca: NonNullable<SignerRegistry['ca']>;
  let caKey: KeyObject;
  let caCreated = false;
  if (o.ca) {
    ({ ca, key: caKey } = companyCa(o.ca, registry, file));
  } else if (registry?.ca) {
    throw new RefusedError('CA_KEY_MISSING', `${file} names the signer CA "${registry.ca.name}" but no signer: pass its certificate and key with --ca-cert and --ca-key`);
  } else {
    const pair = generateSigningKey();
    const name = `qualify signer CA (${basename(root)})`;
    const pem = createCaCertificate(pair.privateKey, pair.publicKey, { name }, o.now, 10);
    ca = { name, fingerprint: certificateFacts(pem).certificateSha256, certificate: pem };
    caKey = pair.privateKey;
    // The CA key issues certificates, it cannot sign records; encrypted with its holder's passphrase.
    writeSecretFile(caKeyPath(home, ca.fingerprint), encryptPrivateKey(pair.privateKey, o.passphrase));
    caCreated = true;
  }
  const pair = generateSigningKey();
  const signer = { id: o.id, name: o.name!.trim(), email: o.email!, roles };
  const key = certificateFor({ certificatePem: ca.certificate, privateKey: caKey }, signer, pair.publicKey, o.now);
  const keyPath = privateKeyPath(home, o.id, pair.fingerprint);
  writeSecretFile(keyPath, encryptPrivateKey(pair.privateKey, o.passphrase));
  const next = addToRegistry(root, registry, ca, caCreated || Boolean(o.ca), signer, key);
  const base = { at: utcSeconds(o.now), who: { id: o.id, name: signer.name }, host: o.host ?? hostname() };
  const [audit] = await appendAuditEntries(root, [{
    ...base, action: 'keys.create',
    object: { type: 'signer', id: o.id, path: file }, field: 'keys', old: null, new: pair.fingerprint,
    why: `enrolled ${signer.name} (${o.id}) with roles ${roles.join(', ')}, the first signer: ${KEY_ALGORITHM} key ${short(pair.fingerprint)}, certificate by "${ca.name}" valid until ${key.notAfter}${caCreated ? '; tool CA created, its key encrypted in the creator\'s key store' : ''}`,
    ref: { path: file, sha256: sha256Hex(next) },
  },
  // The roles at enrolment start the signer's role history; later changes are signed by an admin (roles.ts).
  enrolmentRolesEntry(base, o.id, roles, file)]);
  return { signerId: o.id, created: 'signer', fingerprint: pair.fingerprint, certificate: key.certificate, notAfter: key.notAfter, privateKeyPath: keyPath, registryFile: file, caCreated, audit: audit!, noAdmin: !roles.includes('admin') };
}

/** What `keys request` writes: everything the issuer needs, nothing secret. */
export interface KeyRequest {
  schema: typeof KEY_REQUEST_SCHEMA;
  id: string;
  name: string;
  email: string;
  roles: string[];
  algorithm: string;
  /** sha256 of the public key (SPKI DER). */
  fingerprint: string;
  /** PKCS#10 certification request signed by the private key (proof of possession), PEM. */
  csr: string;
  requestedAt: string;
}

export interface RequestKeyOptions {
  id: string;
  name?: string;
  email?: string;
  roles?: string[];
  passphrase: string;
  now: Date;
  env: Record<string, string | undefined>;
}

/** Makes the requester's key pair in their own key store and returns the request to hand to an admin. */
export function requestSignerKey(root: string, o: RequestKeyOptions): { request: KeyRequest; privateKeyPath: string } {
  const pp = passphraseProblem(o.passphrase);
  if (pp) throw new UsageError('PASSPHRASE_WEAK', pp);
  const home = keyStore(o.env, root);
  const file = signersFile(root);
  const registry = loadSignerRegistry(root);
  const existing = registry?.signer(o.id);
  const roles = [...new Set(o.roles ?? [])];
  checkNewSigner({ id: o.id, name: o.name, email: o.email, roles }, existing, file);
  refuseServiceIdentity(root, o.id);
  const name = existing?.name ?? o.name!.trim();
  const email = existing?.email ?? o.email!;
  const pair = generateSigningKey();
  const keyPath = privateKeyPath(home, o.id, pair.fingerprint);
  writeSecretFile(keyPath, encryptPrivateKey(pair.privateKey, o.passphrase));
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(pair.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  csr.setSubject([
    { name: 'commonName', value: name, valueTagClass: forge.asn1.Type.UTF8 as never },
    { type: '0.9.2342.19200300.100.1.1', value: o.id, valueTagClass: forge.asn1.Type.UTF8 as never },
    { name: 'emailAddress', value: email },
  ]);
  csr.sign(forge.pki.privateKeyFromPem(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), forge.md.sha256.create());
  const request: KeyRequest = {
    schema: KEY_REQUEST_SCHEMA, id: o.id, name, email, roles: existing ? [...existing.roles] : roles, algorithm: KEY_ALGORITHM,
    fingerprint: pair.fingerprint, csr: forge.pki.certificationRequestToPem(csr).replace(/\r\n/g, '\n'), requestedAt: utcSeconds(o.now),
  };
  return { request, privateKeyPath: keyPath };
}

/** Reads and checks a request file's content: its fields, and that the CSR is signed by the key it carries. */
export function readKeyRequest(text: string, shown: string): { request: KeyRequest; publicKey: KeyObject } {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError('KEY_REQUEST_INVALID', `${shown} is not a key request (JSON written by qualify keys request)`);
  }
  const bad = (what: string) => new UsageError('KEY_REQUEST_INVALID', `${shown}: ${what}`);
  if (!v || typeof v !== 'object' || v.schema !== KEY_REQUEST_SCHEMA) throw bad(`schema is not ${KEY_REQUEST_SCHEMA}`);
  for (const k of ['id', 'name', 'email', 'csr', 'fingerprint', 'requestedAt'] as const) if (typeof v[k] !== 'string' || !(v[k] as string).trim()) throw bad(`"${k}" is missing`);
  if (!Array.isArray(v.roles) || !v.roles.every((r) => typeof r === 'string')) throw bad('"roles" must list role names');
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(v.csr as string);
  } catch {
    throw bad('"csr" is not a PEM certification request');
  }
  if (!csr.verify()) throw bad('the certification request is not signed by the key it carries (altered)');
  const publicKey = createPublicKey(forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey));
  if (keyFingerprint(publicKey) !== v.fingerprint) throw bad(`"fingerprint" ${String(v.fingerprint).slice(0, 16)} is not the fingerprint of the requested key (${short(keyFingerprint(publicKey))})`);
  const attr = (name: string, type?: string) => csr.subject.attributes.find((a) => (type ? a.type === type : a.name === name))?.value as string | undefined;
  if (attr('commonName') !== v.name || attr('', '0.9.2342.19200300.100.1.1') !== v.id || attr('emailAddress') !== v.email) throw bad('the id, name or email differ from the ones inside the signed certification request (altered)');
  return { request: v as unknown as KeyRequest, publicKey };
}

export interface IssueKeyOptions {
  /** The request file's text and how to name it in messages. */
  requestText: string;
  requestFile: string;
  /** The admin who issues with the tool CA (authenticated by their passphrase); not used with a company CA. */
  adminId?: string;
  passphrase: PassphraseSource;
  ca?: CompanyCa;
  now: Date;
  env: Record<string, string | undefined>;
  host?: string;
}

export interface IssueKeyResult {
  request: KeyRequest;
  created: 'signer' | 'key';
  notAfter: string;
  registryFile: string;
  audit: AuditEntry;
}

/**
 * Issues the certificate of a key request and adds the requester to signers.yaml: by an admin (role
 * `admin`, authenticated by their own passphrase, which also opens the tool CA key in their key store),
 * or with a company CA. Audited as `keys.issue`.
 */
export async function issueSignerKey(root: string, o: IssueKeyOptions): Promise<IssueKeyResult> {
  const { request, publicKey } = readKeyRequest(o.requestText, o.requestFile);
  const file = signersFile(root);
  const registry = loadSignerRegistry(root);
  if (!registry && !o.ca) throw new UsageError('SIGNERS_MISSING', `the repository has no ${file}: the first signer enrols with qualify keys create`);
  const existing = registry?.signer(request.id);
  checkNewSigner({ id: request.id, name: request.name, email: request.email, roles: existing ? [] : request.roles }, existing, file);
  refuseServiceIdentity(root, request.id);
  if (registry?.key(request.fingerprint)) throw new UsageError('KEY_ALREADY_ENROLLED', `the key ${short(request.fingerprint)} of ${o.requestFile} is enrolled already`);
  const at = utcSeconds(o.now);
  const host = o.host ?? hostname();
  let who: { id: string; name: string };
  let ca: NonNullable<SignerRegistry['ca']>;
  let caKey: KeyObject;
  if (o.ca) {
    ({ ca, key: caKey } = companyCa(o.ca, registry, file));
    who = o.adminId && registry?.signer(o.adminId) ? { id: o.adminId, name: registry.signer(o.adminId)!.name } : { id: `ca:${ca.fingerprint.slice(0, 16)}`, name: ca.name };
  } else {
    if (!o.adminId) throw new UsageError('FLAG_MISSING', 'qualify keys issue: --as ADMIN (a signer with the admin role) is required, or a company CA with --ca-cert and --ca-key');
    const admin = requireSigner(registry!, o.adminId);
    const adminRoles = rolesAt(registry!, admin.id, at);
    if (!adminRoles.includes('admin')) throw new RefusedError('ADMIN_ROLE_REQUIRED', `"${admin.id}" has the role(s) ${adminRoles.join(', ') || 'none'}; issuing certificates needs the admin role`);
    if (!registry!.ca) throw new RefusedError('CA_KEY_MISSING', `${file} names no signer CA; issue with a company CA (--ca-cert and --ca-key)`);
    ca = registry!.ca;
    const caPath = caKeyPath(keyStore(o.env, root), ca.fingerprint);
    if (!existsSync(caPath)) throw new RefusedError('CA_KEY_MISSING', `the key of the signer CA "${ca.name}" is not in your key store (${join(keyStore(o.env, root), 'ca')}): the admin who holds it issues the certificate, or use a company CA (--ca-cert and --ca-key)`);
    let secret: string | undefined;
    await unlockKey(admin, at, o.env, async () => (secret = await o.passphrase()), root);
    caKey = openCaKey(readFileSync(caPath, 'utf8'), secret, `the signer CA key ${caPath}`, false);
    who = { id: admin.id, name: admin.name };
  }
  const signer = { id: request.id, name: existing?.name ?? request.name, email: existing?.email ?? request.email, roles: existing ? [...existing.roles] : [...request.roles] };
  const key = certificateFor({ certificatePem: ca.certificate, privateKey: caKey }, signer, publicKey, o.now);
  const next = addToRegistry(root, registry, ca, !registry?.ca, signer, key);
  const [audit] = await appendAuditEntries(root, [{
    at, who, action: 'keys.issue', host, object: { type: 'signer', id: request.id, path: file }, field: 'keys',
    old: existing ? existing.keys.map((k) => k.fingerprint) : null, new: request.fingerprint,
    why: `${existing ? 'new key for' : 'enrolled'} ${signer.name} (${signer.id})${existing ? '' : ` with roles ${signer.roles.join(', ')}`} on their request of ${request.requestedAt} (key made in their own key store): ${KEY_ALGORITHM} key ${short(request.fingerprint)}, certificate by "${ca.name}" valid until ${key.notAfter}`,
    ref: { path: file, sha256: sha256Hex(next) },
  },
  // A new signer's roles at enrolment start their role history (roles.ts), recorded by the issuing admin.
  ...(existing ? [] : [enrolmentRolesEntry({ at, who, host }, signer.id, signer.roles, file)])]);
  return { request, created: existing ? 'key' : 'signer', notAfter: key.notAfter, registryFile: file, audit: audit! };
}

/** Unlocks the keys of `signerId` locked after failed passphrases: by an admin, authenticated by their passphrase. */
export async function unlockSigner(root: string, o: { adminId: string; signerId: string; reason: string; passphrase: PassphraseSource; now: Date; env: Record<string, string | undefined>; host?: string }): Promise<AuditEntry> {
  const registry = loadSignerRegistry(root);
  if (!registry) throw new UsageError('SIGNERS_MISSING', `the repository has no ${signersFile(root)}`);
  const admin = requireSigner(registry, o.adminId);
  const signer = requireSigner(registry, o.signerId);
  const at = utcSeconds(o.now);
  const adminRoles = rolesAt(registry, admin.id, at);
  if (!adminRoles.includes('admin')) throw new RefusedError('ADMIN_ROLE_REQUIRED', `"${admin.id}" has the role(s) ${adminRoles.join(', ') || 'none'}; unlocking keys needs the admin role`);
  if (admin.id === signer.id) throw new RefusedError('UNLOCK_OWN_KEYS', `"${admin.id}" cannot unlock their own keys: another admin does`);
  await unlockKey(admin, at, o.env, o.passphrase, root);
  const { recordUnlock } = await import('./lockout.js');
  return recordUnlock(root, signer, admin, at, o.reason, o.host);
}

export interface RevokeOptions {
  id: string;
  /** One key (fingerprint or its prefix); default every key not yet revoked. */
  fingerprint?: string;
  reason: string;
  /** Who revokes (default the signer). */
  by?: string;
  now: Date;
  host?: string;
}

/** Marks keys of signer `id` revoked from now on; returns the fingerprints revoked. */
export async function revokeSignerKeys(root: string, o: RevokeOptions): Promise<{ revoked: string[]; audit: AuditEntry }> {
  const registry = loadSignerRegistry(root);
  const file = signersFile(root);
  if (!registry) throw new UsageError('SIGNERS_MISSING', `the repository has no ${file}; there is nothing to revoke`);
  const signer = registry.signer(o.id);
  if (!signer) throw new UsageError('SIGNER_UNKNOWN', `"${o.id}" is not enrolled in ${file}`);
  if (!o.reason.trim()) throw new UsageError('REASON_MISSING', 'a revocation needs a reason: --reason TEXT');
  const targets = signer.keys.filter((k) => !k.revoked && (!o.fingerprint || k.fingerprint.startsWith(o.fingerprint.toLowerCase())));
  if (targets.length === 0) throw new UsageError('KEY_NOT_FOUND', o.fingerprint ? `"${o.id}" has no unrevoked key ${o.fingerprint}` : `every key of "${o.id}" is already revoked`);
  const at = utcSeconds(o.now);
  const doc = yamlLib().parseDocument(registryText(root, file)!);
  const index = registry.signers.indexOf(signer);
  for (const k of targets) {
    const j = signer.keys.indexOf(k);
    doc.setIn(['signers', index, 'keys', j, 'revoked'], doc.createNode({ at, reason: o.reason.trim() }));
  }
  const next = doc.toString({ lineWidth: 0 });
  writeFileAtomic(join(root, file), next);
  const by = o.by ? registry.signer(o.by) : signer;
  const audit = await appendAuditEntry(root, {
    at, who: { id: o.by ?? signer.id, name: by?.name ?? null }, action: 'keys.revoke', host: o.host ?? hostname(),
    object: { type: 'signer', id: signer.id, path: file }, field: 'keys.revoked', old: null, new: targets.map((k) => k.fingerprint),
    why: o.reason.trim(), ref: { path: file, sha256: sha256Hex(next) },
  });
  return { revoked: targets.map((k) => k.fingerprint), audit };
}
