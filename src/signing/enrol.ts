// Enrolment: `qualify keys create` makes a key pair under the signer's control (private key encrypted with
// their passphrase in $QUALIFY_HOME, never in the repository), has the repository's CA issue its
// certificate, and adds the signer or the new key to signers.yaml; `qualify keys revoke` marks keys
// revoked (they stay listed, so older signatures remain verifiable). Both are audited.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { hostname } from 'node:os';
import { yamlLib } from '../markdown/yaml.js';
import { UsageError } from '../model/errors.js';
import { appendAuditEntries, appendAuditEntry, type AuditEntry } from './audit.js';
import { enrolmentRolesEntry } from './roles.js';
import { sha256Hex } from './hash.js';
import { encryptPrivateKey, generateSigningKey, KEY_ALGORITHM, passphraseProblem } from './keys.js';
import { utcSeconds } from './payload.js';
import { loadSignerRegistry, signersFile } from './repo.js';
import { keyStore } from './credentials.js';
import { ROLES, serializeSignerRegistry, SIGNER_ID, short, type SignerKey, type SignerRecord } from './signers.js';
import { caKeyPath, privateKeyPath, writeFileAtomic, writeSecretFile } from './store.js';
import { certificateFacts } from './certificate.js';
import { createCaCertificate, issueSignerCertificate } from './x509.js';

const YEAR_MS = 365 * 86_400_000;
/** Validity of a signer certificate. */
export const KEY_VALIDITY_YEARS = 3;

export interface CreateKeyOptions {
  id: string;
  /** Printed name: required for a new signer; must match for an existing one. */
  name?: string;
  email?: string;
  /** Roles of a new signer (author, executor, reviewer, approver, qa). */
  roles?: string[];
  passphrase: string;
  now: Date;
  env: Record<string, string | undefined>;
  /** A company CA to issue the certificate instead of the tool CA (PEM certificate and unencrypted PEM key). */
  ca?: { certificatePem: string; keyPem: string };
  host?: string;
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
}

function registryText(root: string, file: string): string | null {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch {
    return null;
  }
}

function loadCaKey(path: string): KeyObject | null {
  if (!existsSync(path)) return null;
  return createPrivateKey(readFileSync(path, 'utf8'));
}

/** Creates a key pair for signer `id` (and the signer itself when new); see the module comment. */
export async function createSignerKey(root: string, o: CreateKeyOptions): Promise<CreateKeyResult> {
  if (!SIGNER_ID.test(o.id)) throw new UsageError('SIGNER_ID_INVALID', `signer id "${o.id}" must be lowercase letters, digits, ".", "_" or "-", starting with a letter`);
  const pp = passphraseProblem(o.passphrase);
  if (pp) throw new UsageError('PASSPHRASE_WEAK', pp);
  const home = keyStore(o.env, root);
  const file = signersFile(root);
  const registry = loadSignerRegistry(root);
  const existing = registry?.signer(o.id);
  const roles = o.roles ?? [];
  for (const r of roles) if (!(ROLES as readonly string[]).includes(r)) throw new UsageError('ROLE_UNKNOWN', `unknown role "${r}"; known: ${ROLES.join(', ')}`);
  if (existing) {
    if (o.name !== undefined && o.name !== existing.name) throw new UsageError('SIGNER_NAME_MISMATCH', `"${o.id}" is enrolled as "${existing.name}", not "${o.name}": an id belongs to one person and is never reused`);
    if (o.email !== undefined && o.email !== existing.email) throw new UsageError('SIGNER_EMAIL_MISMATCH', `"${o.id}" is enrolled with ${existing.email}, not ${o.email}`);
    if (roles.length && [...roles].sort().join(',') !== [...existing.roles].sort().join(',')) {
      throw new UsageError('SIGNER_ROLES_MISMATCH', `"${o.id}" has the roles ${existing.roles.join(', ')}; roles change with "qualify roles grant|revoke" by an admin, not with a new key`);
    }
  } else {
    if (!o.name?.trim()) throw new UsageError('SIGNER_NAME_MISSING', `a new signer needs a printed name: --name "First Last"`);
    if (!o.email || !/^[^\s@]+@[^\s@]+$/.test(o.email)) throw new UsageError('SIGNER_EMAIL_MISSING', `a new signer needs an email: --email name@example.com`);
    if (roles.length === 0) throw new UsageError('SIGNER_ROLES_MISSING', `a new signer needs at least one --role (${ROLES.join(', ')})`);
  }

  // The CA that issues the certificate.
  let ca = registry?.ca ?? null;
  let caKey: KeyObject | null = null;
  let caCreated = false;
  if (o.ca) {
    const facts = certificateFacts(o.ca.certificatePem);
    if (ca && ca.fingerprint !== facts.certificateSha256) throw new UsageError('CA_MISMATCH', `${file} trusts the CA "${ca.name}"; the CA given is another one`);
    ca = { name: facts.subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? facts.subject, fingerprint: facts.certificateSha256, certificate: o.ca.certificatePem };
    caKey = createPrivateKey(o.ca.keyPem);
  } else if (ca) {
    caKey = loadCaKey(caKeyPath(home, ca.fingerprint));
    if (!caKey) throw new UsageError('CA_KEY_MISSING', `the signer CA "${ca.name}" of ${file} has its key elsewhere (not in ${join(home, 'ca')}): ask its holder to enrol this signer, or pass --ca-cert and --ca-key`);
  } else {
    const pair = generateSigningKey();
    const name = `qualify signer CA (${basename(root)})`;
    const pem = createCaCertificate(pair.privateKey, pair.publicKey, { name }, o.now, 10);
    const facts = certificateFacts(pem);
    ca = { name, fingerprint: facts.certificateSha256, certificate: pem };
    caKey = pair.privateKey;
    // The CA key issues certificates; it cannot sign records. It stays with whoever created it.
    writeSecretFile(caKeyPath(home, ca.fingerprint), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    caCreated = true;
  }

  const pair = generateSigningKey();
  const notBefore = new Date(Math.floor(o.now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + KEY_VALIDITY_YEARS * YEAR_MS);
  const signerName = existing?.name ?? o.name!.trim();
  const email = existing?.email ?? o.email!;
  const certificate = issueSignerCertificate({ ca: { certificatePem: ca.certificate, privateKey: caKey }, subject: { name: signerName, id: o.id, email }, publicKey: pair.publicKey, notBefore, notAfter });
  const key: SignerKey = { fingerprint: pair.fingerprint, algorithm: KEY_ALGORITHM, notBefore: utcSeconds(notBefore), notAfter: utcSeconds(notAfter), certificate };
  const keyPath = privateKeyPath(home, o.id, pair.fingerprint);
  writeSecretFile(keyPath, encryptPrivateKey(pair.privateKey, o.passphrase));

  const text = registryText(root, file);
  let next: string;
  if (text === null) {
    const signer: SignerRecord = { id: o.id, name: signerName, email, roles, keys: [key] };
    next = serializeSignerRegistry({ ca, signers: [signer] });
  } else {
    // Edit the YAML in place so that people's comments and order survive.
    const doc = yamlLib().parseDocument(text);
    if (!doc.has('ca') || caCreated || o.ca) doc.set('ca', doc.createNode({ name: ca.name, fingerprint: ca.fingerprint, certificate: ca.certificate }));
    const plainKey = { fingerprint: key.fingerprint, algorithm: key.algorithm, notBefore: key.notBefore, notAfter: key.notAfter, certificate: key.certificate };
    if (existing) {
      const index = registry!.signers.indexOf(existing);
      doc.addIn(['signers', index, 'keys'], doc.createNode(plainKey));
    } else {
      doc.addIn(['signers'], doc.createNode({ id: o.id, name: signerName, email, roles, keys: [plainKey] }));
    }
    next = doc.toString({ lineWidth: 0 });
  }
  writeFileAtomic(join(root, file), next);
  const base = { at: utcSeconds(o.now), who: { id: o.id, name: signerName }, host: o.host ?? hostname() };
  const [audit] = await appendAuditEntries(root, [{
    ...base, action: 'keys.create',
    object: { type: 'signer', id: o.id, path: file }, field: 'keys', old: existing ? existing.keys.map((k) => k.fingerprint) : null, new: pair.fingerprint,
    why: `${existing ? 'new key for' : 'enrolled'} ${signerName} (${o.id})${existing ? '' : ` with roles ${roles.join(', ')}`}: ${KEY_ALGORITHM} key ${short(pair.fingerprint)}, certificate by "${ca.name}" valid until ${utcSeconds(notAfter)}`,
    ref: { path: file, sha256: sha256Hex(next) },
  },
  // The roles at enrolment start the signer's role history; later changes are signed by an admin (roles.ts).
  ...(existing ? [] : [enrolmentRolesEntry(base, o.id, roles, file)])]);
  return { signerId: o.id, created: existing ? 'key' : 'signer', fingerprint: pair.fingerprint, certificate, notAfter: utcSeconds(notAfter), privateKeyPath: keyPath, registryFile: file, caCreated, audit: audit! };
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
