// `qualify roles grant|revoke`: an admin signs a role change (passphrase every time). The change is a DSSE
// envelope roles/NNNN-<grant|revoke>-<signer>-<role>.dsse.json chained to the previous change and carrying
// the audit trail head; signers.yaml is updated for readers; both are recorded in the trail. Refusals
// (not an admin, a grant to oneself, a wrong passphrase) are audited and exit 5.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { yamlLib } from '../markdown/yaml.js';
import { ApprovalError, QualifyError, RefusedError, UsageError } from '../model/errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { appendAuditEntries, appendAuditEntry, readAuditTrail, trailHead, type AuditEntry } from './audit.js';
import { requireSigner, unlockKey, type PassphraseSource } from './credentials.js';
import { keySigner, signEnvelope } from './dsse.js';
import { canonicalJson, sha256Hex } from './hash.js';
import { serializeJson } from './json-file.js';
import { utcSeconds } from './payload.js';
import { loadSignerRegistry, readSignerRegistryText } from './repo.js';
import { ADMIN_ROLE, enrolmentRolesEntry, registryFindings, ROLE_CHANGE_PAYLOAD_TYPE, ROLE_CHANGE_SCHEMA, ROLES_DIR, type RoleChangePayload, type RoleHistory } from './roles.js';
import { ROLES, rolesAt } from './signers.js';
import { createFileExclusive, writeFileAtomic } from './store.js';

export interface RoleChangeOptions {
  action: 'grant' | 'revoke';
  /** The signer whose role changes. */
  signer: string;
  role: string;
  /** The admin who signs the change. */
  by: string;
  reason: string;
  now: Date;
  env: Record<string, string | undefined>;
  passphrase: PassphraseSource;
  host?: string;
}

export interface RoleChangeResult {
  file: string;
  payload: RoleChangePayload;
  roles: { old: string[]; new: string[] };
  audit: AuditEntry[];
}

/** Signs and records a role grant or revocation; see the module comment. */
export async function changeRole(root: string, o: RoleChangeOptions): Promise<RoleChangeResult> {
  const registry = loadSignerRegistry(root);
  if (!registry) throw new ApprovalError('SIGNERS_MISSING', `the repository ${root} has no signer registry (signers.yaml): enrol signers with "qualify keys create" first`);
  const admin = requireSigner(registry, o.by);
  const at = utcSeconds(o.now);
  const host = o.host ?? hostname();
  const who = { id: admin.id, name: admin.name };
  try {
    if (o.action !== 'grant' && o.action !== 'revoke') throw new UsageError('ARGUMENTS', `a role is granted or revoked; found "${String(o.action)}"`);
    if (!(ROLES as readonly string[]).includes(o.role)) throw new UsageError('ROLE_UNKNOWN', `unknown role "${o.role}"; known: ${ROLES.join(', ')}`);
    if (!o.reason.trim()) throw new UsageError('REASON_MISSING', 'a role change needs a reason: --reason TEXT');
    const target = requireSigner(registry, o.signer);
    const adminRoles = rolesAt(registry, admin.id, at);
    if (!adminRoles.includes(ADMIN_ROLE)) throw new RefusedError('ROLE_ADMIN_REQUIRED', `"${admin.id}" holds the role(s) ${adminRoles.join(', ') || 'none'}: only a signer with the ${ADMIN_ROLE} role grants or revokes roles; nothing was changed`);
    if (o.action === 'grant' && admin.id === target.id) throw new RefusedError('ROLE_SELF_GRANT', `"${admin.id}" cannot grant a role to themselves: another admin grants it; nothing was changed`);
    const held = rolesAt(registry, target.id, at);
    if (o.action === 'grant' && held.includes(o.role)) throw new UsageError('ROLE_HELD', `"${target.id}" already holds ${o.role} (roles: ${held.join(', ')})`);
    if (o.action === 'revoke' && !held.includes(o.role)) throw new UsageError('ROLE_NOT_HELD', `"${target.id}" does not hold ${o.role} (roles: ${held.join(', ') || 'none'})`);
    const history = registry.timeline as RoleHistory | undefined;
    const broken = history?.findings ?? [];
    if (broken.length) throw new ApprovalError('ROLE_HISTORY_INVALID', `the role history does not verify, so no role change can be added:\n  ${broken.map((f) => f.message).join('\n  ')}`);
    const unlocked = await unlockKey(admin, at, o.env, o.passphrase, root);
    const changes = history?.changes ?? [];
    const next = o.action === 'grant' ? [...held, o.role].sort() : held.filter((r) => r !== o.role);
    const payload: RoleChangePayload = {
      schema: ROLE_CHANGE_SCHEMA,
      action: o.action,
      subject: { signer: target.id, role: o.role },
      reason: o.reason.trim(),
      signer: { id: admin.id, name: admin.name, email: admin.email, roles: adminRoles },
      time: at,
      key: { fingerprint: unlocked.key.fingerprint, algorithm: unlocked.key.algorithm },
      previous: changes.at(-1)?.envelopeHash ?? null,
      trail: trailHead(root),
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
    };
    if (changes.at(-1)?.payload && changes.at(-1)!.payload!.time > at) throw new UsageError('CLOCK_BEHIND', `the last role change was signed at ${changes.at(-1)!.payload!.time}, after this clock's ${at}: check the clock`);
    const env = signEnvelope(ROLE_CHANGE_PAYLOAD_TYPE, Buffer.from(canonicalJson(payload), 'utf8'), keySigner(unlocked.key.fingerprint, unlocked.privateKey));
    const bytes = Buffer.from(serializeJson(env), 'utf8');
    const file = `${ROLES_DIR}/${String(changes.length + 1).padStart(4, '0')}-${o.action}-${target.id}-${o.role}.dsse.json`;
    if (!createFileExclusive(join(root, file), bytes)) throw new ApprovalError('SIGN_CONFLICT', `${file} exists: another role change was made meanwhile; nothing was changed, try again`);
    // signers.yaml repeats today's roles for readers (edited in place: comments and order survive).
    const text = readSignerRegistryText(root)!;
    const doc = yamlLib().parseDocument(text);
    doc.setIn(['signers', registry.signers.indexOf(target), 'roles'], doc.createNode(next));
    const updated = doc.toString({ lineWidth: 0 });
    writeFileAtomic(join(root, registry.file), updated);
    const object = { type: 'signer', id: target.id, path: file };
    // Migration: a signer the trail has no enrolment roles for (a registry older than the trail's records)
    // starts its history with the roles signers.yaml gave them until now, recorded by this admin.
    const adopt = history && !history.enrolments.has(target.id)
      ? [{ ...enrolmentRolesEntry({ at, who, host }, target.id, held, registry.file), why: `roles of ${target.id} adopted from ${registry.file} as the start of the role history (no enrolment roles recorded): ${held.join(', ') || 'none'}` }]
      : [];
    const audit = await appendAuditEntries(root, [
      ...adopt,
      { at, who, host, action: `roles.${o.action}`, object, field: 'roles', old: held, new: next, why: payload.reason, ref: { path: file, sha256: sha256Hex(bytes) } },
      { at, who, host, action: 'signers.update', object: { type: 'registry', id: registry.file, path: registry.file }, field: `signers.${target.id}.roles`, old: held, new: next, why: `${registry.file} shows the roles after ${file}`, ref: { path: registry.file, sha256: sha256Hex(updated) } },
    ]);
    return { file, payload, roles: { old: held, new: next }, audit };
  } catch (err) {
    if (err instanceof QualifyError && (err.family === 'approval' || err.family === 'refused' || err.family === 'integrity')) {
      try {
        await appendAuditEntry(root, { at, who, host, action: 'roles.refused', object: { type: 'signer', id: o.signer, path: registry.file }, why: `${err.code}: ${err.message.split('\n')[0]}` });
      } catch { /* the refusal stands even when the trail cannot take it */ }
    }
    throw err;
  }
}

export interface RegistryEditOptions {
  /** The admin who reviewed the edit. */
  by: string;
  reason: string;
  now: Date;
  env: Record<string, string | undefined>;
  passphrase: PassphraseSource;
  host?: string;
}

/**
 * Records a reviewed hand edit of signers.yaml (aliases, comments, layout) in the audit trail, authenticated
 * by an admin's passphrase, so that `verify` accepts the file again (AT-07: the edit is audited and
 * attributed). Roles are not changed this way: an edit whose roles differ from the signed history is refused.
 */
export async function recordRegistryEdit(root: string, o: RegistryEditOptions): Promise<{ sha256: string; previous: string | null; audit: AuditEntry }> {
  const registry = loadSignerRegistry(root);
  if (!registry) throw new ApprovalError('SIGNERS_MISSING', `the repository ${root} has no signer registry (signers.yaml): there is no edit to record`);
  const admin = requireSigner(registry, o.by);
  const at = utcSeconds(o.now);
  const host = o.host ?? hostname();
  const who = { id: admin.id, name: admin.name };
  const object = { type: 'registry', id: registry.file, path: registry.file };
  try {
    if (!o.reason.trim()) throw new UsageError('REASON_MISSING', 'recording an edit of signers.yaml needs a reason: --reason TEXT (what changed, the change record)');
    const adminRoles = rolesAt(registry, admin.id, at);
    if (!adminRoles.includes(ADMIN_ROLE)) throw new RefusedError('ROLE_ADMIN_REQUIRED', `"${admin.id}" holds the role(s) ${adminRoles.join(', ') || 'none'}: only a signer with the ${ADMIN_ROLE} role records an edit of ${registry.file}; nothing was recorded`);

    const text = readSignerRegistryText(root)!;
    const history = registry.timeline as RoleHistory;
    const findings = registryFindings(registry, text, readAuditTrail(root), history);
    const roles = findings.filter((f) => f.code === 'SIGNERS_ROLES_UNSIGNED');
    if (roles.length) throw new ApprovalError('SIGNERS_ROLES_UNSIGNED', `${roles.map((f) => f.message).join('; ')}; nothing was recorded`);
    if (!findings.some((f) => f.code === 'SIGNERS_EDITED' || f.code === 'SIGNERS_NOT_AUDITED')) throw new UsageError('NOTHING_TO_RECORD', `${registry.file} is as qualify last wrote it: there is no edit to record`);
    await unlockKey(admin, at, o.env, o.passphrase, root);
    const sha = sha256Hex(text);
    const previous = readAuditTrail(root).entries.filter((e) => e.ref?.path === registry.file).at(-1)?.ref?.sha256 ?? null;
    const [audit] = await appendAuditEntries(root, [{ at, who, host, action: 'signers.update', object, field: registry.file, old: previous, new: sha, why: o.reason.trim(), ref: { path: registry.file, sha256: sha } }]);
    return { sha256: sha, previous, audit: audit! };
  } catch (err) {
    if (err instanceof QualifyError && (err.family === 'approval' || err.family === 'refused' || err.family === 'integrity')) {
      try {
        await appendAuditEntry(root, { at, who, host, action: 'signers.update.refused', object, why: `${err.code}: ${err.message.split('\n')[0]}` });
      } catch { /* the refusal stands even when the trail cannot take it */ }
    }
    throw err;
  }
}
