// qualify keys create|revoke: enrol signers and their keys, revoke keys.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../../model/errors.js';
import { createSignerKey, revokeSignerKeys } from '../../signing/enrol.js';
import { findQmsRoot, signersFile } from '../../signing/repo.js';
import { ROLES } from '../../signing/signers.js';
import { commitIfAsked, passphraseReader, requireFlag } from '../signing-args.js';

export const command: Command = {
  usage: 'keys create --as ID --name "Printed Name" --email E --role R [--role R2] [--passphrase-stdin] | keys revoke --as ID [--key FP] --reason TEXT',
  description: [
    'create: generates an RSA-3072 key pair for a signer. The private key is encrypted with the signer\'s',
    'passphrase (PKCS#8, PBKDF2-SHA256 600k + AES-256) in $QUALIFY_HOME/keys (default ~/.config/qualify),',
    'never in the repository. The repository\'s signer CA (created on first use; its key stays in the creator\'s',
    '$QUALIFY_HOME/ca) or a company CA (--ca-cert/--ca-key) issues its certificate, and the signer (or the new',
    `key of an existing signer) is added to signers.yaml. Roles: ${ROLES.join(', ')}.`,
    'revoke: marks the signer\'s keys (or --key FP) revoked from now; they stay listed so that signatures made',
    'before remain verifiable; signing with them is refused.',
  ].join('\n'),
  flags: {
    as: { kind: 'string', value: 'ID', description: 'signer id (lowercase, e.g. quinn)' },
    name: { kind: 'string', value: 'NAME', description: 'printed name (new signer)' },
    email: { kind: 'string', value: 'EMAIL', description: 'email (new signer)' },
    role: { kind: 'list', value: 'ROLE', description: `role, repeatable: ${ROLES.join(', ')}` },
    'passphrase-stdin': { kind: 'boolean', description: 'read the new passphrase from standard input' },
    'ca-cert': { kind: 'string', value: 'FILE', description: 'company CA certificate (PEM) to issue the certificate' },
    'ca-key': { kind: 'string', value: 'FILE', description: 'company CA private key (PEM, unencrypted) for --ca-cert' },
    key: { kind: 'string', value: 'FP', description: 'revoke: only the key with this fingerprint (prefix)' },
    reason: { kind: 'string', value: 'TEXT', description: 'revoke: why (lost, compromised, left the company...)' },
    by: { kind: 'string', value: 'ID', description: 'revoke: who revokes (default the signer)' },
    commit: { kind: 'boolean', description: 'commit signers.yaml and the audit trail with git' },
    json: { kind: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, ctx) {
    const [action, ...rest] = args.positionals;
    if ((action !== 'create' && action !== 'revoke') || rest.length) throw new UsageError('ARGUMENTS', 'usage: qualify keys create --as ID ... | qualify keys revoke --as ID --reason TEXT');
    const root = findQmsRoot(ctx.cwd);
    const id = requireFlag(args, 'as', `keys ${action}`, 'ID');
    if (action === 'create') {
      const caCert = args.flags['ca-cert'];
      const caKey = args.flags['ca-key'];
      if ((caCert === undefined) !== (caKey === undefined)) throw new UsageError('FLAG_MISSING', 'qualify keys create: --ca-cert and --ca-key go together');
      const ca = typeof caCert === 'string' && typeof caKey === 'string'
        ? { certificatePem: readFileSync(resolve(ctx.cwd, caCert), 'utf8').replace(/\r\n/g, '\n'), keyPem: readFileSync(resolve(ctx.cwd, caKey), 'utf8') }
        : undefined;
      const passphrase = await passphraseReader(ctx, args, `the new key of ${id}`, true)();
      const r = await createSignerKey(root, {
        id,
        name: typeof args.flags.name === 'string' ? args.flags.name : undefined,
        email: typeof args.flags.email === 'string' ? args.flags.email : undefined,
        roles: (args.flags.role as string[] | undefined) ?? [],
        passphrase,
        now: ctx.now(),
        env: ctx.env,
        ca,
      });
      if (args.flags.json) ctx.stdout.write(`${JSON.stringify({ signer: r.signerId, created: r.created, fingerprint: r.fingerprint, notAfter: r.notAfter, registry: r.registryFile, caCreated: r.caCreated }, null, 2)}\n`);
      else {
        ctx.stdout.write([
          `${r.created === 'signer' ? 'enrolled' : 'new key for'} ${id}: RSA-3072 key ${r.fingerprint}`,
          `  certificate  valid until ${r.notAfter}`,
          `  private key  ${r.privateKeyPath} (encrypted with your passphrase; it never goes into the repository)`,
          `  registry     ${r.registryFile} (review and commit it)`,
          ...(r.caCreated ? ['  signer CA    created for this repository; its key is in your key store: keep it to enrol others'] : []),
          '',
        ].join('\n'));
      }
      await commitIfAsked(args, ctx, root, [r.registryFile], `qualify keys create: ${id}`);
      return 0;
    }
    const reason = requireFlag(args, 'reason', 'keys revoke', 'TEXT');
    const r = await revokeSignerKeys(root, { id, fingerprint: typeof args.flags.key === 'string' ? args.flags.key : undefined, reason, by: typeof args.flags.by === 'string' ? args.flags.by : undefined, now: ctx.now() });
    if (args.flags.json) ctx.stdout.write(`${JSON.stringify({ signer: id, revoked: r.revoked }, null, 2)}\n`);
    else ctx.stdout.write(`${r.revoked.map((fp) => `revoked key ${fp} of ${id}`).join('\n')}\n`);
    await commitIfAsked(args, ctx, root, [signersFile(root)], `qualify keys revoke: ${id}`);
    return 0;
  },
};
