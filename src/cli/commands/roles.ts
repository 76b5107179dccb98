// qualify roles: the signed role history (list), and role grants and revocations signed by an admin.
import type { Command } from '../command.js';
import { UsageError } from '../../model/errors.js';
import { findQmsRoot, loadSignerRegistry } from '../../signing/repo.js';
import { ADMIN_ROLE, ROLES_DIR, type RoleHistory } from '../../signing/roles.js';
import { ROLES } from '../../signing/signers.js';
import { commitIfAsked, passphraseReader, requireFlag } from '../signing-args.js';

export const command: Command = {
  usage: 'roles [--signer ID] [--json] | roles grant|revoke --signer ID --role R --as ADMIN --reason TEXT [--passphrase-stdin] [--commit] | roles record-edit --as ADMIN --reason TEXT',
  description: [
    'Roles over time. Without an action: each signer\'s roles at enrolment and every signed change since.',
    `grant|revoke: a signer with the ${ADMIN_ROLE} role (--as, passphrase asked every time) signs the change; it is kept`,
    `in ${ROLES_DIR}/ (chained, carrying the audit trail head), recorded in the audit trail, and signers.yaml shows the`,
    'new roles. verify judges each signature by the roles in force when it was made: removing a role today leaves',
    `earlier signatures valid. An admin does not grant roles to themselves. Roles: ${ROLES.join(', ')}.`,
    'record-edit: an admin records a reviewed hand edit of signers.yaml (aliases, comments) in the audit trail, so',
    'that verify accepts the file again; roles never change this way.',
  ].join('\n'),
  flags: {
    signer: { kind: 'string', value: 'ID', description: 'the signer whose role changes (or whose history is listed)' },
    role: { kind: 'string', value: 'ROLE', description: `the role: ${ROLES.join(', ')}` },
    as: { kind: 'string', value: 'ID', description: `the admin who signs the change (holds the ${ADMIN_ROLE} role)` },
    reason: { kind: 'string', value: 'TEXT', description: 'why the role changes (recorded, signed)' },
    'passphrase-stdin': { kind: 'boolean', description: 'read the admin\'s passphrase from standard input' },
    commit: { kind: 'boolean', description: 'commit the role change, signers.yaml and the audit trail with git' },
    json: { kind: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, ctx) {
    const [action, ...rest] = args.positionals;
    const root = findQmsRoot(ctx.cwd);
    if (action === undefined || action === 'list') {
      if (rest.length) throw new UsageError('ARGUMENTS', 'usage: qualify roles [--signer ID] [--json]');
      const registry = loadSignerRegistry(root);
      if (!registry) throw new UsageError('SIGNERS_MISSING', 'the repository has no signer registry: nothing to list');
      const history = registry.timeline as RoleHistory;
      const only = typeof args.flags.signer === 'string' ? args.flags.signer : null;
      const at = ctx.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const signers = registry.signers.filter((s) => !only || s.id === only).map((s) => ({
        id: s.id,
        enrolled: history.enrolments.get(s.id) ?? null,
        now: history.rolesAt(s.id, at) ?? s.roles,
        changes: history.changes.filter((c) => c.payload?.subject.signer === s.id).map((c) => ({ file: c.file, valid: c.valid, action: c.payload!.action, role: c.payload!.subject.role, by: c.payload!.signer.id, at: c.payload!.time, reason: c.payload!.reason, problems: c.reasons })),
      }));
      if (args.flags.json) ctx.stdout.write(`${JSON.stringify({ signers, findings: history.findings }, null, 2)}\n`);
      else {
        for (const s of signers) {
          ctx.stdout.write(`${s.id}: ${s.now.join(', ') || 'no roles'}\n`);
          ctx.stdout.write(`  ${s.enrolled ? `${s.enrolled.at}  enrolled with ${s.enrolled.roles.join(', ')} (audit trail seq ${s.enrolled.seq})` : 'no enrolment recorded in the audit trail: signers.yaml\'s roles apply'}\n`);
          for (const c of s.changes) ctx.stdout.write(`  ${c.at}  ${c.action} ${c.role} by ${c.by}: ${c.reason} (${c.file}${c.valid ? '' : `, INVALID: ${c.problems.join('; ')}`})\n`);
        }
        for (const f of history.findings) ctx.stdout.write(`FAIL  ${f.code} ${f.message}\n`);
      }
      return 0;
    }
    if (action === 'record-edit' && !rest.length) {
      const by = requireFlag(args, 'as', 'roles record-edit', 'ADMIN');
      const reason = requireFlag(args, 'reason', 'roles record-edit', 'TEXT');
      const { recordRegistryEdit } = await import('../../signing/roles-change.js');
      const r = await recordRegistryEdit(root, { by, reason, now: ctx.now(), env: ctx.env, passphrase: passphraseReader(ctx, args, `the key of ${by}`) });
      const { signersFile } = await import('../../signing/repo.js');
      if (args.flags.json) ctx.stdout.write(`${JSON.stringify({ file: signersFile(root), sha256: r.sha256, previous: r.previous, audit: { seq: r.audit.seq, hash: r.audit.hash } }, null, 2)}\n`);
      else ctx.stdout.write(`recorded the edit of ${signersFile(root)} (sha256 ${r.sha256.slice(0, 16)}, was ${r.previous?.slice(0, 16) ?? 'unrecorded'}) by ${by}: audit trail seq ${r.audit.seq}\n`);
      await commitIfAsked(args, ctx, root, [signersFile(root)], `qualify roles record-edit: ${signersFile(root)}`);
      return 0;
    }
    if ((action !== 'grant' && action !== 'revoke') || rest.length) throw new UsageError('ARGUMENTS', 'usage: qualify roles grant|revoke --signer ID --role R --as ADMIN --reason TEXT | qualify roles record-edit --as ADMIN --reason TEXT');
    const signer = requireFlag(args, 'signer', `roles ${action}`, 'ID');
    const role = requireFlag(args, 'role', `roles ${action}`, 'ROLE');
    const by = requireFlag(args, 'as', `roles ${action}`, 'ADMIN');
    const reason = requireFlag(args, 'reason', `roles ${action}`, 'TEXT');
    const { changeRole } = await import('../../signing/roles-change.js');
    const r = await changeRole(root, { action, signer, role, by, reason, now: ctx.now(), env: ctx.env, passphrase: passphraseReader(ctx, args, `the key of ${by}`) });
    if (args.flags.json) ctx.stdout.write(`${JSON.stringify({ file: r.file, action, signer, role, by, roles: r.roles, audit: r.audit.map((a) => ({ seq: a.seq, hash: a.hash })) }, null, 2)}\n`);
    else ctx.stdout.write(`${action === 'grant' ? 'granted' : 'revoked'} ${role} ${action === 'grant' ? 'to' : 'from'} ${signer} (signed by ${by}): ${r.file}\n  roles now  ${r.roles.new.join(', ') || 'none'}\n`);
    const { signersFile } = await import('../../signing/repo.js');
    await commitIfAsked(args, ctx, root, [r.file, signersFile(root)], `qualify roles ${action}: ${role} ${action === 'grant' ? 'to' : 'from'} ${signer}`);
    return 0;
  },
};
