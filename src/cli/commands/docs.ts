// qualify docs [--json]: every controlled document with claimed and computed status.
import type { Command } from '../command.js';
import { EXIT } from '../../model/index.js';
import { openRepository } from '../repo.js';
import { compareRevisions } from '../../documents/index.js';

export const command: Command = {
  usage: 'docs [paths...] [--json]',
  description: 'Lists controlled documents: id, title, revision, claimed status, the status the rules compute\n(approvals, signatures and dates), approval and effective dates.',
  flags: { json: { kind: 'boolean', description: 'print as JSON' } },
  async run(args, ctx) {
    const repo = await openRepository(ctx, args.positionals);
    const rows = [...repo.status.values()].sort((a, b) => a.documentId.localeCompare(b.documentId) || compareRevisions(a.revision, b.revision));
    if (args.flags.json) {
      ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return EXIT.ok;
    }
    const header = ['ID', 'REV', 'TITLE', 'CLAIMED', 'COMPUTED', 'APPROVAL', 'APPROVED', 'EFFECTIVE', 'FILE'];
    const table = rows.map((r) => [
      r.documentId === r.path ? '(no id)' : r.documentId, r.revision ?? '-', truncate(r.title ?? '-', 48), r.claimedStatus ?? '-', r.computedStatus,
      r.approval, r.approvalDate ?? '-', r.effectiveDate ?? '-', r.path,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    ctx.stdout.write(`${line(header)}\n`);
    for (const row of table) ctx.stdout.write(`${line(row)}\n`);
    const notes = rows.filter((r) => r.notes.length);
    if (notes.length) {
      ctx.stdout.write('\n');
      for (const r of notes) ctx.stdout.write(`${r.documentId} rev ${r.revision ?? '-'}: ${r.notes.join('; ')}\n`);
    }
    return EXIT.ok;
  },
};

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
