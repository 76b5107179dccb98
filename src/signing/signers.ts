// The signer registry (signers.yaml): the identity store of Part 11 signatures. It maps each person
// (id, printed name, email, roles) to their enrolled public keys/certificates, and keeps revoked keys
// listed so that signatures made before a revocation stay verifiable.
import type { Node as YamlNode } from 'yaml';
import { yamlLib } from '../markdown/yaml.js';
import { X509Certificate } from 'node:crypto';
import type { Issue } from '../model/issue.js';
import type { SignatureMeaning } from '../model/signature.js';
import { certificateFacts, issuedBy, type CertificateFacts } from './certificate.js';

/** Meanings a signature can carry: the document/record meanings plus deviation disposition and attestation. */
export type Meaning = SignatureMeaning | 'dispositioned' | 'attested';

/** Roles; `admin` permits no signature meaning: it issues certificates (keys issue), unlocks keys and grants or revokes roles (qualify roles). */
export const ROLES = ['author', 'executor', 'reviewer', 'approver', 'qa', 'admin'] as const;

/** Which roles permit which meaning (ES-07). QA may review, approve and disposition deviations. */
export const MEANING_ROLES: Record<Meaning, readonly string[]> = {
  authored: ['author'],
  executed: ['executor'],
  reviewed: ['reviewer', 'qa'],
  approved: ['approver', 'qa'],
  // Anyone enrolled can record that they were trained on a document; withdrawing one is an approver's act.
  trained: ROLES,
  obsoleted: ['approver', 'qa'],
  dispositioned: ['qa', 'approver'],
  attested: ['approver', 'qa'],
};

export interface KeyRevocation {
  at: string;
  reason: string;
}

export interface SignerKey {
  /** sha256 (hex) of the public key (SPKI DER). */
  fingerprint: string;
  algorithm: string;
  notBefore: string;
  notAfter: string;
  /** PEM certificate carrying the public key. */
  certificate: string;
  revoked?: KeyRevocation;
}

export interface SignerRecord {
  id: string;
  name: string;
  email: string;
  roles: string[];
  keys: SignerKey[];
  /**
   * Other names of this person as written in imported front matter (`github.com/okafor`, an email):
   * `approvers`, `authors`... match a signer by id or by one of these. An alias belongs to one signer.
   */
  aliases?: string[];
}

export interface SignerRegistryData {
  /** The CA that issues signer certificates (the tool CA or a company CA), PEM. */
  ca: { name: string; fingerprint: string; certificate: string } | null;
  signers: SignerRecord[];
}

/** A key of the registry with its parsed certificate. */
export interface EnrolledKey {
  signer: SignerRecord;
  key: SignerKey;
  cert: CertificateFacts;
}

/** Which roles a signer held when: the signed role history of the repository (roles.ts). */
export interface RoleTimeline {
  /** Roles of `id` in force at `time` (UTC ISO 8601); null when the history does not know `id`. */
  rolesAt(id: string, time: string): string[] | null;
}

/** A loaded, validated registry with lookups. */
export interface SignerRegistry extends SignerRegistryData {
  /** Path of the file relative to the repository root. */
  file: string;
  signer(id: string): SignerRecord | undefined;
  /** The signer a front-matter name designates: by id, else by alias (case-insensitive); undefined when none. */
  resolve(name: string): SignerRecord | undefined;
  key(fingerprint: string): EnrolledKey | undefined;
  caCert: X509Certificate | null;
  /** The roles over time (signed role changes over the roles at enrolment); absent: signers.yaml's roles. */
  timeline?: RoleTimeline;
  /**
   * Valid signature policy acknowledgements (ES-13) by signer id, when loaded from a repository: a
   * signature by a signer without one made at or before it does not verify. Absent: not checked.
   */
  acknowledgements?: ReadonlyMap<string, { file: string; time: string }>;
  /** Service identities of qualify.yaml, when loaded from a repository: they never sign. */
  serviceIdentities?: readonly string[];
}

export const SIGNER_ID = /^[a-z][a-z0-9._-]{0,62}$/;
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * The roles of signer `id` in force at `time`: from the role history when the registry carries one (a role
 * removed today leaves yesterday's signatures valid), else signers.yaml's roles.
 */
export function rolesAt(registry: SignerRegistry, id: string, time: string): string[] {
  return registry.timeline?.rolesAt(id, time) ?? registry.signer(id)?.roles ?? [];
}

/** True when one of `roles` permits `meaning`. */
export function rolePermits(roles: readonly string[], meaning: Meaning): boolean {
  return MEANING_ROLES[meaning].some((r) => roles.includes(r));
}

/** Why `key` could not sign at `time` (not yet valid, expired, revoked), or null when it could. */
export function keyProblemAt(key: SignerKey, time: string): string | null {
  const t = Date.parse(time);
  if (t < Date.parse(key.notBefore)) return `key ${short(key.fingerprint)} is valid only from ${key.notBefore}, used at ${time}`;
  if (t > Date.parse(key.notAfter)) return `key ${short(key.fingerprint)} expired at ${key.notAfter}, used at ${time}`;
  if (key.revoked && Date.parse(key.revoked.at) <= t) return `key ${short(key.fingerprint)} was revoked at ${key.revoked.at} (${key.revoked.reason}), used at ${time}`;
  return null;
}

/** First 16 hex digits of a fingerprint, for messages. */
export function short(fingerprint: string): string {
  return fingerprint.slice(0, 16);
}

function normTime(v: unknown): string | null {
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (typeof v === 'string' && ISO_Z.test(v) && !Number.isNaN(Date.parse(v))) return v;
  return null;
}

/** How the validation walks a parsed signers.yaml: `yaml` nodes, with positions. */
interface Tree<N> {
  isMap(n: N | undefined): boolean;
  isSeq(n: N | undefined): boolean;
  get(map: N, key: string): N | undefined;
  items(seq: N): N[];
  js(n: N | undefined): unknown;
  pos(n: N | undefined): { line: number; column: number };
}

/**
 * Parses signers.yaml text. Every problem is returned as an issue with line and column; the registry is
 * null when any error was found (an identity store is used whole or not at all).
 */
export function parseSignerRegistry(text: string, file: string): { registry: SignerRegistry | null; issues: Issue[] } {
  const { LineCounter, parseDocument, isMap, isSeq } = yamlLib();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const issues: Issue[] = [];
  for (const err of doc.errors) {
    const p = lineCounter.linePos(err.pos[0]);
    issues.push({ file, line: p.line, column: p.col, code: 'SIGNERS_INVALID', severity: 'error', message: `invalid YAML: ${err.message.split('\n')[0]}` });
  }
  if (issues.length) return { registry: null, issues };
  const tree: Tree<YamlNode> = {
    isMap: (n) => isMap(n),
    isSeq: (n) => isSeq(n),
    get: (map, key) => (isMap(map) ? (map.get(key, true) as YamlNode | undefined) : undefined),
    items: (seq) => (isSeq(seq) ? (seq.items as YamlNode[]) : []),
    js: (n) => (n === undefined || n === null ? n : (n as unknown as { toJSON(): unknown }).toJSON()),
    pos: (node) => {
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      const p = lineCounter.linePos(range ? range[0] : 0);
      return { line: p.line, column: p.col };
    },
  };
  return validateRegistry(doc.contents as YamlNode, tree, file);
}

function validateRegistry<N>(root: N, t: Tree<N>, file: string): { registry: SignerRegistry | null; issues: Issue[] } {
  const issues: Issue[] = [];
  const add = (node: N | undefined, code: string, message: string, severity: 'error' | 'warning' = 'error') =>
    issues.push({ file, ...t.pos(node), code, severity, message });
  if (!t.isMap(root)) {
    add(root, 'SIGNERS_INVALID', 'expected a mapping with a "signers" list (and optionally "ca")');
    return { registry: null, issues };
  }
  const get = (map: N, key: string): N | undefined => t.get(map, key);
  const js = (node: N | undefined): unknown => (node === undefined ? undefined : t.js(node));

  let ca: SignerRegistryData['ca'] = null;
  let caCert: X509Certificate | null = null;
  const caNode = get(root, 'ca');
  if (caNode !== undefined && js(caNode) !== null) {
    const c = js(caNode) as Record<string, unknown>;
    if (!c || typeof c !== 'object' || typeof c.certificate !== 'string') {
      add(caNode, 'SIGNERS_CA_INVALID', 'ca: expected a mapping with "certificate" (PEM) and "name"');
    } else {
      try {
        const facts = certificateFacts(c.certificate);
        caCert = facts.x509;
        ca = { name: typeof c.name === 'string' ? c.name : facts.subject, fingerprint: facts.certificateSha256, certificate: c.certificate };
        if (typeof c.fingerprint === 'string' && c.fingerprint !== facts.certificateSha256) {
          add(get(caNode, 'fingerprint'), 'SIGNERS_CA_INVALID', `ca.fingerprint ${short(c.fingerprint)} does not match its certificate (${short(facts.certificateSha256)})`);
        }
      } catch {
        add(get(caNode, 'certificate') ?? caNode, 'SIGNERS_CA_INVALID', 'ca.certificate is not a PEM X.509 certificate');
      }
    }
  }

  const signersNode = get(root, 'signers');
  const signers: SignerRecord[] = [];
  const keys = new Map<string, EnrolledKey>();
  if (!t.isSeq(signersNode)) {
    add(signersNode ?? root, 'SIGNERS_INVALID', 'expected "signers:" with a list of people');
    return { registry: null, issues };
  }
  for (const item of t.items(signersNode!)) {
    const s = js(item) as Record<string, unknown>;
    if (!t.isMap(item) || !s) {
      add(item, 'SIGNER_INVALID', 'each signer is a mapping with id, name, email, roles, keys');
      continue;
    }
    const field = (k: string) => get(item, k) ?? item;
    const id = s.id;
    if (typeof id !== 'string' || !SIGNER_ID.test(id)) {
      add(field('id'), 'SIGNER_ID_INVALID', `signer id must be lowercase letters, digits, ".", "_" or "-" starting with a letter; found ${JSON.stringify(id ?? null)}`);
      continue;
    }
    if (signers.some((x) => x.id === id)) add(field('id'), 'SIGNER_ID_DUPLICATE', `signer id "${id}" is listed twice; ids are never reused`);
    if (typeof s.name !== 'string' || !s.name.trim()) add(field('name'), 'SIGNER_NAME_MISSING', `signer "${id}" has no printed name`);
    if (typeof s.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(s.email)) add(field('email'), 'SIGNER_EMAIL_INVALID', `signer "${id}" has no valid email`);
    const roles = Array.isArray(s.roles) ? s.roles.filter((r): r is string => typeof r === 'string') : [];
    // An empty list is a signer whose roles were all revoked (roles.ts): listed, signing nothing.
    if (!Array.isArray(s.roles)) add(field('roles'), 'SIGNER_ROLES_MISSING', `signer "${id}" has no "roles" list; known: ${ROLES.join(', ')}`);
    for (const r of roles) if (!(ROLES as readonly string[]).includes(r)) add(field('roles'), 'SIGNER_ROLE_UNKNOWN', `signer "${id}" has unknown role "${r}"; known: ${ROLES.join(', ')}`, 'warning');
    const record: SignerRecord = { id, name: String(s.name ?? ''), email: String(s.email ?? ''), roles, keys: [] };
    const aliases = readAliases(get(item, 'aliases'), id, t, add);
    if (aliases.length) record.aliases = aliases;
    const keysNode = get(item, 'keys');
    if (!t.isSeq(keysNode)) {
      add(keysNode ?? item, 'SIGNER_KEYS_MISSING', `signer "${id}" has no "keys" list`);
    } else {
      for (const kn of t.items(keysNode!)) {
        const k = js(kn) as Record<string, unknown>;
        const kfield = (name: string) => get(kn, name) ?? kn;
        if (!k || typeof k !== 'object' || typeof k.certificate !== 'string') {
          add(kn, 'SIGNER_KEY_INVALID', `a key of signer "${id}" has no certificate (PEM)`);
          continue;
        }
        let facts: CertificateFacts;
        try {
          facts = certificateFacts(k.certificate);
        } catch {
          add(kfield('certificate'), 'SIGNER_KEY_INVALID', `a key of signer "${id}" has a certificate that is not PEM X.509`);
          continue;
        }
        if (k.fingerprint !== facts.fingerprint) {
          add(kfield('fingerprint'), 'SIGNER_KEY_FINGERPRINT', `key fingerprint ${String(k.fingerprint).slice(0, 16)} of signer "${id}" does not match its certificate's key (${short(facts.fingerprint)})`);
          continue;
        }
        if (caCert && !issuedBy(facts.x509, caCert)) {
          add(kfield('certificate'), 'SIGNER_KEY_NOT_ISSUED', `the certificate of key ${short(facts.fingerprint)} of signer "${id}" was not issued by the registry's CA "${ca?.name}"`);
          continue;
        }
        // The certificate is authoritative for the key's validity: signers.yaml may narrow it, never widen it.
        const statedBefore = normTime(k.notBefore);
        const statedAfter = normTime(k.notAfter);
        if (statedAfter && Date.parse(statedAfter) > Date.parse(facts.notAfter)) {
          add(kfield('notAfter'), 'SIGNER_KEY_VALIDITY', `notAfter ${statedAfter} of key ${short(facts.fingerprint)} of signer "${id}" is later than its certificate's (${facts.notAfter}): the certificate says when the key expires`);
          continue;
        }
        if (statedBefore && Date.parse(statedBefore) < Date.parse(facts.notBefore)) {
          add(kfield('notBefore'), 'SIGNER_KEY_VALIDITY', `notBefore ${statedBefore} of key ${short(facts.fingerprint)} of signer "${id}" is earlier than its certificate's (${facts.notBefore}): the certificate says when the key becomes valid`);
          continue;
        }
        const notBefore = statedBefore ?? facts.notBefore;
        const notAfter = statedAfter ?? facts.notAfter;
        let revoked: KeyRevocation | undefined;
        if (k.revoked !== undefined && k.revoked !== null) {
          const r = k.revoked as Record<string, unknown>;
          const at = normTime(r?.at);
          if (!at) add(kfield('revoked'), 'SIGNER_KEY_REVOKED_INVALID', `revoked.at of key ${short(facts.fingerprint)} must be a UTC time like 2026-01-31T12:00:00Z`);
          revoked = { at: at ?? new Date(0).toISOString(), reason: typeof r?.reason === 'string' ? r.reason : 'no reason given' };
        }
        const existing = keys.get(facts.fingerprint);
        if (existing) {
          add(kfield('fingerprint'), 'SIGNER_KEY_DUPLICATE', `key ${short(facts.fingerprint)} is enrolled for both "${existing.signer.id}" and "${id}"; a key belongs to one person`);
          continue;
        }
        const key: SignerKey = { fingerprint: facts.fingerprint, algorithm: typeof k.algorithm === 'string' ? k.algorithm : 'unknown', notBefore, notAfter, certificate: k.certificate, ...(revoked ? { revoked } : {}) };
        record.keys.push(key);
        keys.set(facts.fingerprint, { signer: record, key, cert: facts });
      }
    }
    signers.push(record);
  }
  checkAliasesUnique(signersNode!, signers, t, add);
  if (issues.some((i) => i.severity === 'error')) return { registry: null, issues };
  const byId = new Map(signers.map((s) => [s.id, s]));
  const byAlias = new Map(signers.flatMap((s) => (s.aliases ?? []).map((a) => [aliasKey(a), s] as const)));
  const registry: SignerRegistry = {
    file,
    ca,
    signers,
    caCert,
    signer: (sid) => byId.get(sid),
    resolve: (name) => byId.get(name.trim()) ?? byAlias.get(aliasKey(name)),
    key: (fp) => keys.get(fp),
  };
  return { registry, issues };
}

/** Aliases compare without case and surrounding blanks (GitHub handles and emails are case-insensitive). */
function aliasKey(name: string): string {
  return name.trim().toLowerCase();
}

/** `aliases:` of one signer: a list of non-empty names, each listed once. */
function readAliases<N>(node: N | undefined, id: string, t: Tree<N>, add: (node: N | undefined, code: string, message: string) => void): string[] {
  if (node === undefined || t.js(node) === null) return [];
  if (!t.isSeq(node)) {
    add(node, 'SIGNER_ALIASES_INVALID', `aliases of signer "${id}" must be a list of names (e.g. [github.com/${id}, ${id}@example.com]); found ${JSON.stringify(t.js(node))}`);
    return [];
  }
  const out: string[] = [];
  for (const item of t.items(node)) {
    const v = t.js(item);
    if (typeof v !== 'string' || !v.trim()) {
      add(item, 'SIGNER_ALIASES_INVALID', `an alias of signer "${id}" must be a non-empty name; found ${JSON.stringify(v ?? null)}`);
      continue;
    }
    out.push(v.trim());
  }
  return out;
}

/**
 * An alias designates one person: it may not repeat, name another signer's alias, or be another
 * signer's id (front matter naming it would be ambiguous). Reported at the alias's line.
 */
function checkAliasesUnique<N>(signersNode: N, signers: SignerRecord[], t: Tree<N>, add: (node: N | undefined, code: string, message: string) => void): void {
  const owner = new Map<string, string>();
  for (const s of signers) owner.set(aliasKey(s.id), s.id);
  const seen = new Map<string, string>();
  const items = t.items(signersNode).filter((item) => t.isMap(item) && typeof (t.js(t.get(item, 'id')) as unknown) === 'string');
  for (const item of items) {
    const id = t.js(t.get(item, 'id')) as string;
    const node = t.get(item, 'aliases');
    if (!node || !t.isSeq(node)) continue;
    for (const an of t.items(node)) {
      const v = t.js(an);
      if (typeof v !== 'string' || !v.trim()) continue;
      const k = aliasKey(v);
      const asId = owner.get(k);
      const before = seen.get(k);
      if (asId !== undefined && asId !== id) add(an, 'SIGNER_ALIAS_DUPLICATE', `alias "${v.trim()}" of signer "${id}" is the id of signer "${asId}"; an alias names one person`);
      else if (before !== undefined) add(an, 'SIGNER_ALIAS_DUPLICATE', before === id ? `alias "${v.trim()}" is listed twice for signer "${id}"` : `alias "${v.trim()}" is claimed by both "${before}" and "${id}"; an alias belongs to one signer`);
      else seen.set(k, id);
    }
  }
}

/** Serialises a registry deterministically (signers in the given order, certificates as block text). */
export function serializeSignerRegistry(data: SignerRegistryData): string {
  const plain = {
    ...(data.ca ? { ca: { name: data.ca.name, fingerprint: data.ca.fingerprint, certificate: data.ca.certificate } } : {}),
    signers: data.signers.map((s) => ({
      id: s.id,
      name: s.name,
      email: s.email,
      roles: [...s.roles],
      ...(s.aliases?.length ? { aliases: [...s.aliases] } : {}),
      keys: s.keys.map((k) => ({
        fingerprint: k.fingerprint,
        algorithm: k.algorithm,
        notBefore: k.notBefore,
        notAfter: k.notAfter,
        ...(k.revoked ? { revoked: { at: k.revoked.at, reason: k.revoked.reason } } : {}),
        certificate: k.certificate,
      })),
    })),
  };
  const header = [
    '# Signer registry (21 CFR Part 11 / EU GMP Annex 11): who may sign, with which roles and keys.',
    '# Managed by `qualify keys create|revoke`; review every change like any controlled change.',
    '# Revoked keys stay listed so that signatures made before the revocation remain verifiable.',
    '',
  ].join('\n');
  return header + yamlLib().stringify(plain, { lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
}

/** Keys of `signer` usable at `time` (valid and not revoked). */
export function activeKeys(signer: SignerRecord, time: string): SignerKey[] {
  return signer.keys.filter((k) => keyProblemAt(k, time) === null);
}

