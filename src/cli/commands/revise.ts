// qualify revise <document.md> --change-control CC-...: starts the next revision of an approved
// document in place: revision counted up, status draft, approval and effective dates cleared, the
// change control recorded, a row appended to the revision history. Everything else stays byte for byte.
import { statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import type { Command } from '../command.js';
import { DocumentError, UsageError } from '../../model/errors.js';
import { formatIssue } from '../../model/index.js';
import { findRepoRoot, parseDocument } from '../../documents/index.js';
import { NotRegularFileError, readRegularFile } from '../../documents/files.js';
import { reviseDocument } from '../../markdown/revise.js';
import { writeFileAtomic } from '../../signing/store.js';

export const command: Command = {
  usage: 'revise <document.md> --change-control CC-... [--summary TEXT] [--author ID] [--revision R]',
  description: [
    'Starts the next revision of an approved or effective document, in place: `revision` counted up',
    '("05" → "06", zero padding kept), `status: draft`, `approval_date` and `effective_date` removed,',
    '`change_control` recorded, and a row appended to the revision history table (a "Revision history"',
    'section is added when the document has none). The rest of the file stays byte for byte.',
    'Then edit the document, lint it, and approve it again (qualify sign --meaning approved).',
  ].join('\n'),
  flags: {
    'change-control': { kind: 'string', value: 'CC-...', description: 'the change control that authorises the revision (required)' },
    summary: { kind: 'string', value: 'TEXT', description: 'what changes, for the revision history' },
    author: { kind: 'string', value: 'ID', description: 'author of the revision, for the revision history' },
    revision: { kind: 'string', value: 'R', description: 'the new revision (default: the current one counted up)' },
  },
  async run(args, ctx) {
    if (args.positionals.length !== 1) throw new UsageError('ARGS_INVALID', 'qualify revise: expected one document, e.g. qualify revise sops/SOP-0101.md --change-control CC-2026-044');
    const changeControl = (args.flags['change-control'] as string | undefined)?.trim();
    if (!changeControl) throw new UsageError('FLAG_REQUIRED', 'qualify revise: --change-control is required: a revision is authorised by a change control (e.g. --change-control CC-2026-044)');
    const path = resolve(ctx.cwd, args.positionals[0]!);
    const name = relative(ctx.cwd, path).split(sep).join('/');
    let bytes: Buffer;
    try {
      bytes = readRegularFile(path);
    } catch (err) {
      const why = err instanceof NotRegularFileError ? `it is ${err.kind}, not a regular file` : (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
      throw new UsageError('DOCUMENT_UNREADABLE', `qualify revise: cannot read ${name}: ${why}`);
    }
    const before = parseDocument(bytes, name);
    const unreadable = before.issues.filter((i) => i.code === 'FILE_BINARY' || i.code === 'FILE_EMPTY');
    if (unreadable.length) throw new DocumentError('DOCUMENT_INVALID', unreadable.map(formatIssue).join('\n'));

    const result = reviseDocument(bytes.toString('utf8'), name, {
      changeControl,
      summary: args.flags.summary as string | undefined,
      author: args.flags.author as string | undefined,
      revision: args.flags.revision as string | undefined,
    });
    if (result.issues.length) throw new DocumentError('REVISE_REFUSED', result.issues.map(formatIssue).join('\n'));
    // The revised text must still be a document of the same id, now a draft of the new revision.
    const after = parseDocument(result.text, name);
    const meta = after.document?.meta;
    if (!meta || meta.status !== 'draft' || meta.revision !== result.revision || meta.documentId !== before.document?.meta.documentId) {
      throw new DocumentError('REVISE_FAILED', `qualify revise: the revised ${name} does not read as draft revision ${result.revision}; nothing was written`);
    }
    writeFileAtomic(path, result.text, statSync(path).mode & 0o777);
    const root = findRepoRoot(ctx.cwd);
    const shown = relative(ctx.cwd, path).split(sep).join('/') || relative(root, path);
    ctx.stdout.write(`${shown}: ${meta.documentId ?? 'document'} revision ${result.previousRevision} → ${result.revision}, status draft, change control ${changeControl}\n`);
    ctx.stdout.write(result.historyHeading ? `  row added to the table under "${result.historyHeading}"\n` : '  "Revision history" section added at the end\n');
    ctx.stdout.write(`Next: edit the document, run "qualify lint ${shown}", then approve it (qualify sign ${shown} --meaning approved).\n`);
    return 0;
  },
};
