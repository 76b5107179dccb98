// qualify docs [--json] [--due]: every controlled document with claimed and computed status; --due: periodic reviews due.
import type { Command } from '../command.js';
import { EXIT } from '../../model/index.js';
import { openRepository } from '../repo.js';
import { compareRevisions } from '../../documents/index.js';

export const command: Command = {
  usage: 'docs [paths...] [--json] [--due]',
  description: 'Lists controlled documents: id, title, revision, claimed status, the status the rules compute\n(approvals, signatures and dates), approval and effective dates, next periodic review, who was trained.\n--due lists only the effective documents whose periodic review is due today (review_period_months counted\nfrom the effective date or the last review, a "reviewed" signature after the approval).',
  flags: {
    json: { kind: 'boolean', description: 'print as JSON' },
    due: { kind: 'boolean', description: 'only the documents whose periodic review is due' },
  },
  async run(args, ctx) {
    const repo = await openRepository(ctx, args.positionals);
    const all = [...repo.status.values()].sort((a, b) => a.documentId.localeCompare(b.documentId) || compareRevisions(a.revision, b.revision));
    const rows = args.flags.due ? all.filter((r) => r.reviewDue) : all;
    if (args.flags.due && !args.flags.json && rows.length === 0) {
      ctx.stderr.write(`no periodic review is due (${all.length} document${all.length === 1 ? '' : 's'} checked)\n`);
      return EXIT.ok;
    }
    if (args.flags.json) {
      ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return EXIT.ok;
    }
    const header = ['ID', 'REV', 'TITLE', 'CLAIMED', 'COMPUTED', 'APPROVAL', 'APPROVED', 'EFFECTIVE', 'NEXT REVIEW', 'FILE'];
    const table = rows.map((r) => [
      r.documentId === r.path ? '(no id)' : r.documentId, r.revision ?? '-', truncate(r.title ?? '-', 48), r.claimedStatus ?? '-', r.computedStatus,
      r.approval, r.approvalDate ?? '-', r.effectiveDate ?? '-', r.nextReviewDate ? `${r.nextReviewDate}${r.reviewDue ? ' DUE' : ''}` : '-', r.path,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    ctx.stdout.write(`${line(header)}\n`);
    for (const row of table) ctx.stdout.write(`${line(row)}\n`);
    const notes = rows.map((r) => ({ r, lines: [...r.notes, ...(r.trainingRequired ? [`training required; trained: ${r.trained.map((t) => t.signerId).join(', ') || 'nobody yet'}`] : [])] })).filter((n) => n.lines.length);
    if (notes.length) {
      ctx.stdout.write('\n');
      for (const { r, lines } of notes) ctx.stdout.write(`${r.documentId} rev ${r.revision ?? '-'}: ${lines.join('; ')}\n`);
    }
    return EXIT.ok;
  },
};

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
