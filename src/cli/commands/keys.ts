// qualify keys request|issue|acknowledge|unlock|create|revoke: enrolment of signers by themselves, the
// signature policy acknowledgement, lock-out release, bootstrap of the first signer, revocation.
import { existsSync, readFileSync } from 'node:fs';
import { resolve, relative } from 'node:path';
import type { Command } from '../command.js';
import type { CliContext } from '../context.js';
import type { ParsedArgs } from '../args.js';
import { UsageError } from '../../model/errors.js';
import { createSignerKey, issueSignerKey, requestSignerKey, revokeSignerKeys, unlockSigner, type CompanyCa } from '../../signing/enrol.js';
import { ACKNOWLEDGEMENT_STATEMENT } from '../../signing/acknowledgement.js';
import { findQmsRoot, loadSignerRegistry, signersFile } from '../../signing/repo.js';
import { ROLES } from '../../signing/signers.js';
import { createFileExclusive } from '../../signing/store.js';
import { commitIfAsked, passphraseReader, requireFlag } from '../signing-args.js';

const ACTIONS = ['request', 'issue', 'acknowledge', 'unlock', 'create', 'revoke'];

export const command: Command = {
  usage: [
    'keys request --as ID --name "Printed Name" --email E --role R [--role R2] [--out FILE] [--passphrase-stdin]',
    '       keys issue <request-file> --as ADMIN [--passphrase-stdin] | keys issue <request-file> --ca-cert FILE --ca-key FILE',
    '       keys acknowledge --as ID [--passphrase-stdin]',
    '       keys unlock --signer ID --as ADMIN [--reason TEXT] [--passphrase-stdin]',
    '       keys create --as ID --name "Printed Name" --email E --role admin --role R... [--passphrase-stdin]   (first signer only)',
    '       keys revoke --as ID [--key FP] --reason TEXT',
  ].join('\n'),
  description: [
    'request: run by the person who will sign, on their machine: generates their RSA-3072 key pair, encrypts',
    'the private key with the passphrase they type (PKCS#8, PBKDF2-SHA256 600k + AES-256) in their',
    '$QUALIFY_HOME/keys (default ~/.config/qualify), never in the repository, and writes a request file',
    '(public key, signed CSR, id, name, email, roles wanted; no secret) to hand to an admin.',
    'issue: an admin (role admin, authenticated by their own passphrase, holding the tool CA key) or the holder',
    'of a company CA (--ca-cert/--ca-key) issues the certificate and adds the signer to signers.yaml (audited).',
    'The requester installs nothing: once the change to signers.yaml is in their clone, their key is found.',
    'acknowledge: before the first signature, each signer signs once that their electronic signature is the',
    'legally binding equivalent of their handwritten signature (acknowledgements/<id>.dsse.json).',
    'unlock: an admin releases keys locked after failed passphrases (qualify.yaml signatures.max_failed_passphrases).',
    'create: bootstraps a repository: the first signer (with the admin role) and the tool CA, whose key is',
    'encrypted with their passphrase; refused once signers exist.',
    `revoke: marks keys revoked from now; they stay listed so that earlier signatures verify. Roles: ${ROLES.join(', ')}.`,
  ].join('\n'),
  flags: {
    as: { kind: 'string', value: 'ID', description: 'your signer id (request, acknowledge, create, revoke) or the admin\'s (issue, unlock)' },
    name: { kind: 'string', value: 'NAME', description: 'printed name (request, create)' },
    email: { kind: 'string', value: 'EMAIL', description: 'email (request, create)' },
    role: { kind: 'list', value: 'ROLE', description: `role wanted, repeatable: ${ROLES.join(', ')}` },
    out: { kind: 'string', value: 'FILE', description: 'request: where to write the request (default <id>.key-request.json)' },
    signer: { kind: 'string', value: 'ID', description: 'unlock: the signer whose keys are unlocked' },
    'passphrase-stdin': { kind: 'boolean', description: 'read the passphrase from standard input' },
    'ca-cert': { kind: 'string', value: 'FILE', description: 'company CA certificate (PEM) to issue the certificate' },
    'ca-key': { kind: 'string', value: 'FILE', description: 'company CA private key (PEM; encrypted: its passphrase is asked) for --ca-cert' },
    key: { kind: 'string', value: 'FP', description: 'revoke: only the key with this fingerprint (prefix)' },
    reason: { kind: 'string', value: 'TEXT', description: 'revoke, unlock: why' },
    by: { kind: 'string', value: 'ID', description: 'revoke: who revokes (default the signer)' },
    commit: { kind: 'boolean', description: 'commit signers.yaml, acknowledgements and the audit trail with git' },
    json: { kind: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, ctx) {
    const [action, ...rest] = args.positionals;
    if (!action || !ACTIONS.includes(action)) throw new UsageError('ARGUMENTS', `usage: qualify keys ${ACTIONS.join('|')} ...; see qualify keys --help`);
    if (action === 'issue' ? rest.length !== 1 : rest.length) throw new UsageError('ARGUMENTS', action === 'issue' ? 'usage: qualify keys issue <request-file> --as ADMIN' : `qualify keys ${action} takes no file argument`);
    const root = findQmsRoot(ctx.cwd);
    const json = (v: unknown) => ctx.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
    if (action === 'issue') return issue(args, ctx, root, rest[0]!, json);
    const id = requireFlag(args, 'as', `keys ${action}`, 'ID');
    if (action === 'request') {
      const out = resolve(ctx.cwd, typeof args.flags.out === 'string' ? args.flags.out : `${id}.key-request.json`);
      if (existsSync(out)) throw new UsageError('FILE_EXISTS', `${relative(ctx.cwd, out)} exists already; pass --out FILE or remove it`);
      const passphrase = await passphraseReader(ctx, args, `your new key (${id})`, true)();
      const r = requestSignerKey(root, { id, name: str(args, 'name'), email: str(args, 'email'), roles: (args.flags.role as string[] | undefined) ?? [], passphrase, now: ctx.now(), env: ctx.env });
      if (!createFileExclusive(out, `${JSON.stringify(r.request, null, 2)}\n`)) throw new UsageError('FILE_EXISTS', `${out} exists already`);
      if (args.flags.json) json({ request: relative(ctx.cwd, out) || out, signer: id, fingerprint: r.request.fingerprint, privateKey: r.privateKeyPath });
      else ctx.stdout.write([
        `key request for ${r.request.name} (${id}): RSA-3072 key ${r.request.fingerprint}`,
        `  private key  ${r.privateKeyPath} (encrypted with your passphrase; it never leaves this machine)`,
        `  request      ${relative(ctx.cwd, out) || out} (no secret in it: hand it to an admin, who runs`,
        `               qualify keys issue ${relative(ctx.cwd, out) || out} --as <admin>)`,
        `  then         once signers.yaml lists your key: qualify keys acknowledge --as ${id}, and sign`,
        '',
      ].join('\n'));
      return 0;
    }
    if (action === 'acknowledge') {
      const { acknowledgeSignaturePolicy } = await import('../../signing/acknowledge.js');
      const registry = loadSignerRegistry(root);
      if (!registry) throw new UsageError('SIGNERS_MISSING', `the repository has no ${signersFile(root)}: enrol first`);
      ctx.stderr.write(`${ACKNOWLEDGEMENT_STATEMENT}\n\nYour passphrase signs this statement as ${registry.signer(id)?.name ?? id} (${id}).\n`);
      const r = await acknowledgeSignaturePolicy(root, registry, id, { now: ctx.now(), env: ctx.env, passphrase: passphraseReader(ctx, args, id) });
      if (args.flags.json) json({ signer: id, file: r.file, time: r.payload.time });
      else ctx.stdout.write(`acknowledged by ${r.payload.signer.name} (${id}) at ${r.payload.time}: ${r.file} (commit it with signers.yaml)\n`);
      await commitIfAsked(args, ctx, root, [r.file], `qualify keys acknowledge: ${id}`);
      return 0;
    }
    if (action === 'unlock') {
      const signer = requireFlag(args, 'signer', 'keys unlock', 'ID');
      const e = await unlockSigner(root, { adminId: id, signerId: signer, reason: str(args, 'reason') ?? '', passphrase: passphraseReader(ctx, args, id), now: ctx.now(), env: ctx.env });
      if (args.flags.json) json({ signer, unlockedBy: id, seq: e.seq });
      else ctx.stdout.write(`unlocked the keys of ${signer} (by ${id}; audit trail seq ${e.seq})\n`);
      await commitIfAsked(args, ctx, root, [], `qualify keys unlock: ${signer} by ${id}`);
      return 0;
    }
    if (action === 'create') {
      const passphrase = await passphraseReader(ctx, args, `the new key of ${id}`, true)();
      const caPassphrase = companyCaNeedsPassphrase(args, ctx) ? await passphraseReader(ctx, args, 'the company CA key')() : undefined;
      const r = await createSignerKey(root, {
        id, name: str(args, 'name'), email: str(args, 'email'), roles: (args.flags.role as string[] | undefined) ?? [], passphrase, now: ctx.now(), env: ctx.env,
        ca: companyCa(args, ctx, caPassphrase),
      });
      if (args.flags.json) json({ signer: r.signerId, created: r.created, fingerprint: r.fingerprint, notAfter: r.notAfter, registry: r.registryFile, caCreated: r.caCreated });
      else ctx.stdout.write([
        `enrolled ${id}: RSA-3072 key ${r.fingerprint}`,
        `  certificate  valid until ${r.notAfter}`,
        `  private key  ${r.privateKeyPath} (encrypted with your passphrase; it never goes into the repository)`,
        `  registry     ${r.registryFile} (review and commit it)`,
        ...(r.caCreated ? ['  signer CA    created for this repository; its key, encrypted with your passphrase, is in your key store:', '               others enrol with qualify keys request, you issue with qualify keys issue'] : []),
        ...(r.noAdmin ? ['  note         no admin yet: without the admin role nobody can issue the others\' certificates (keys issue)'] : []),
        `  next         qualify keys acknowledge --as ${id} (once, before your first signature)`,
        '',
      ].join('\n'));
      await commitIfAsked(args, ctx, root, [r.registryFile], `qualify keys create: ${id}`);
      return 0;
    }
    const reason = requireFlag(args, 'reason', 'keys revoke', 'TEXT');
    const r = await revokeSignerKeys(root, { id, fingerprint: str(args, 'key'), reason, by: str(args, 'by'), now: ctx.now() });
    if (args.flags.json) json({ signer: id, revoked: r.revoked });
    else ctx.stdout.write(`${r.revoked.map((fp) => `revoked key ${fp} of ${id}`).join('\n')}\n`);
    await commitIfAsked(args, ctx, root, [signersFile(root)], `qualify keys revoke: ${id}`);
    return 0;
  },
};

function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

function companyCaNeedsPassphrase(args: ParsedArgs, ctx: CliContext): boolean {
  const key = str(args, 'ca-key');
  return key !== undefined && readFileSync(resolve(ctx.cwd, key), 'utf8').includes('ENCRYPTED');
}

function companyCa(args: ParsedArgs, ctx: CliContext, keyPassphrase?: string): CompanyCa | undefined {
  const caCert = str(args, 'ca-cert');
  const caKey = str(args, 'ca-key');
  if ((caCert === undefined) !== (caKey === undefined)) throw new UsageError('FLAG_MISSING', 'qualify keys: --ca-cert and --ca-key go together');
  if (caCert === undefined || caKey === undefined) return undefined;
  return { certificatePem: readFileSync(resolve(ctx.cwd, caCert), 'utf8').replace(/\r\n/g, '\n'), keyPem: readFileSync(resolve(ctx.cwd, caKey), 'utf8'), keyPassphrase };
}

async function issue(args: ParsedArgs, ctx: CliContext, root: string, file: string, json: (v: unknown) => void): Promise<number> {
  const path = resolve(ctx.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError('FILE_NOT_FOUND', `cannot read the key request ${file}`);
  }
  const admin = str(args, 'as');
  let ca = companyCa(args, ctx);
  if (ca && companyCaNeedsPassphrase(args, ctx)) ca = { ...ca, keyPassphrase: await passphraseReader(ctx, args, 'the company CA key')() };
  const r = await issueSignerKey(root, { requestText: text, requestFile: file, adminId: admin, passphrase: passphraseReader(ctx, args, admin ?? 'the admin'), ca, now: ctx.now(), env: ctx.env });
  if (args.flags.json) json({ signer: r.request.id, created: r.created, fingerprint: r.request.fingerprint, notAfter: r.notAfter, registry: r.registryFile, issuedBy: r.audit.who.id });
  else ctx.stdout.write([
    `issued ${r.request.name} (${r.request.id}) <${r.request.email}>, roles ${r.request.roles.join(', ')}: RSA-3072 key ${r.request.fingerprint}`,
    `  certificate  valid until ${r.notAfter}, issued by ${r.audit.who.name ?? r.audit.who.id}`,
    `  registry     ${r.registryFile} (review and commit it; the requester's key works once it is in their clone)`,
    '',
  ].join('\n'));
  await commitIfAsked(args, ctx, root, [r.registryFile], `qualify keys issue: ${r.request.id} by ${r.audit.who.id}`);
  return 0;
}
