// qualify audit: print the audit trail and check its chain.
import type { Command } from '../command.js';
import { IntegrityError } from '../../model/errors.js';
import { readAuditTrail, type AuditEntry } from '../../signing/audit.js';
import { AUDIT_TRAIL, findQmsRoot } from '../../signing/repo.js';
import { count } from '../../plural.js';

function value(v: unknown): string {
  if (v === null || v === undefined) return '-';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function line(e: AuditEntry): string {
  const change = e.field || e.old !== null || e.new !== null ? ` ${e.field ?? ''}: ${value(e.old)} → ${value(e.new)}` : '';
  return `${String(e.seq).padStart(5)}  ${e.at}  ${e.who.id.padEnd(10)} ${e.action.padEnd(16)} ${e.object.type}:${e.object.id}${change}  (${e.why})`;
}

export const command: Command = {
  usage: 'audit [--verify] [--json] [--object ID]',
  description: [
    `Prints the repository's audit trail (${AUDIT_TRAIL}): who, what, when (UTC), object, old → new, why,`,
    'tool version and host of every run, render, signature, disposition, key change and refusal.',
    '--verify checks the hash chain and what the repository witnesses of it: every signed file\'s trail head (seq and',
    'hash) is still in the trail, every run\'s report folder exists and holds what the trail recorded, signers.yaml and',
    'roles changed only through qualify, and committed entries were never changed; exits 4 when anything fails.',
  ].join('\n'),
  flags: {
    verify: { kind: 'boolean', description: 'check the hash chain; exit 4 when broken' },
    json: { kind: 'boolean', description: 'print entries (and problems) as JSON' },
    object: { kind: 'string', value: 'ID', description: 'only entries about this object id (report id, document id, signer)' },
  },
  async run(args, ctx) {
    const root = findQmsRoot(ctx.cwd);
    const trail = readAuditTrail(root);
    const problems = [...trail.problems.map((p) => `${AUDIT_TRAIL}:${p.line} ${p.code} ${p.message}`)];
    let witnessed = '';
    if (args.flags.verify && trail.present) {
      // The repository witnesses the trail: signed heads, report folders, signed files, signers.yaml, roles, git.
      const { witnessTrail } = await import('../../signing/trail-witness.js');
      const { loadSignerRegistry } = await import('../../signing/repo.js');
      let registry = null;
      try {
        registry = loadSignerRegistry(root);
      } catch (err) {
        problems.push(`${AUDIT_TRAIL} SIGNERS_INVALID ${(err as Error).message.split('\n').join('; ')}`);
      }
      const witness = await witnessTrail(root, trail, registry, { now: ctx.now(), reports: true, git: { env: ctx.env, history: true } });
      for (const f of witness.findings) problems.push(`${f.code} ${f.message}`);
      witnessed = witness.passed.length ? `; ${witness.passed.join('; ')}` : '';
    }
    const object = typeof args.flags.object === 'string' ? args.flags.object : null;
    const entries = object ? trail.entries.filter((e) => e.object.id === object) : trail.entries;
    if (args.flags.json) ctx.stdout.write(`${JSON.stringify({ file: AUDIT_TRAIL, present: trail.present, entries, problems }, null, 2)}\n`);
    else {
      if (!trail.present) ctx.stdout.write(`no audit trail yet (${AUDIT_TRAIL})\n`);
      for (const e of entries) ctx.stdout.write(`${line(e)}\n`);
      if (args.flags.verify) {
        for (const p of problems) ctx.stdout.write(`FAIL  ${p}\n`);
        if (!problems.length) ctx.stdout.write(`verified: ${count(trail.entries.length, 'entry', 'entries')}, hash chain intact${witnessed}\n`);
      }
    }
    if (args.flags.verify && problems.length) throw new IntegrityError('AUDIT_CHAIN_BROKEN', `${count(problems.length, 'problem')} in ${AUDIT_TRAIL}; first: ${problems[0]}`);
    return 0;
  },
};
