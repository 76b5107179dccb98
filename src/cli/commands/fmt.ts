// qualify fmt [paths...] [--check]: normalises documents (front matter key order, tables, list and
// emphasis markers) with remark-stringify; their meaning is checked unchanged before anything is
// written. Approved documents are left alone: new bytes would void their approval signatures.
import { statSync } from 'node:fs';
import type { Command } from '../command.js';
import { EXIT, formatIssue, type Issue } from '../../model/index.js';
import { DOCUMENT_FOLDERS, findRepoRoot, parseDocument } from '../../documents/index.js';
import { findDocumentFiles, readRegularFile, NotRegularFileError } from '../../documents/files.js';
import { formatDocument } from '../../markdown/format.js';
import { writeFileAtomic } from '../../signing/store.js';
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Claimed statuses whose bytes are under an approval: formatting them would void it. */
const FROZEN = new Set(['approved', 'effective', 'superseded', 'obsolete']);

export const command: Command = {
  usage: 'fmt [paths...] [--check]',
  description: [
    'Normalises controlled documents: front-matter keys in the order of the document-control fields,',
    'ATX headings, "-" bullets, *emphasis*, compact tables; `case` and `check` blocks are kept byte for byte.',
    'The result is parsed again and must say exactly what the original said, or the file is left as it is.',
    'Documents that claim an approval (approved, effective, superseded, obsolete) are not touched: start',
    'a revision first (qualify revise). With no paths: the repository\'s sops/ and protocols/.',
    'Exit 0 when every file is formatted (or, with --check, already is), 1 with --check when a file would',
    'change, 2 when a file cannot be read or formatted.',
  ].join('\n'),
  flags: {
    check: { kind: 'boolean', description: 'write nothing; exit 1 when a file would change (for CI)' },
  },
  async run(args, ctx) {
    const check = Boolean(args.flags.check);
    const root = findRepoRoot(ctx.cwd);
    const targets = args.positionals.length ? args.positionals : DOCUMENT_FOLDERS.map((f) => join(root, f)).filter((p) => existsSync(p));
    const found = await findDocumentFiles(targets, { root, cwd: ctx.cwd });
    const problems: Issue[] = [...found.issues.filter((i) => i.severity === 'error')];
    const shown = (abs: string) => (relative(ctx.cwd, abs) || '.').split(sep).join('/');
    let changed = 0;
    let unchanged = 0;
    let frozen = 0;
    for (const file of found.files) {
      const name = shown(file.found);
      let bytes: Buffer;
      try {
        bytes = readRegularFile(file.path);
      } catch (err) {
        problems.push({ file: name, line: 1, column: 1, code: err instanceof NotRegularFileError ? 'FILE_NOT_REGULAR' : 'FILE_UNREADABLE', severity: 'error', message: `cannot read the file: ${(err as Error).message}` });
        continue;
      }
      const parsed = parseDocument(bytes, name);
      const unreadable = parsed.issues.filter((i) => i.code === 'FILE_BINARY' || i.code === 'FILE_EMPTY');
      if (unreadable.length) { problems.push(...unreadable); continue; }
      const meta = parsed.document?.meta;
      if (meta && ((meta.status && FROZEN.has(meta.status)) || (meta.status === null && meta.approvalDate))) {
        frozen++;
        ctx.stderr.write(`${name}: left as it is: it claims status ${meta.status ?? 'approved (approval_date)'}, and new bytes would void its approval; start a revision first (qualify revise ${name} --change-control CC-...)\n`);
        continue;
      }
      const result = formatDocument(bytes.toString('utf8'), name);
      if (result.issues.length) { problems.push(...result.issues); continue; }
      if (!result.changed) { unchanged++; continue; }
      changed++;
      if (check) {
        ctx.stdout.write(`would reformat ${name}\n`);
      } else {
        writeFileAtomic(file.path, result.text, statSync(file.path).mode & 0o777);
        ctx.stdout.write(`formatted ${name}\n`);
      }
    }
    for (const p of problems) ctx.stdout.write(`${formatIssue(p)}\n`);
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    ctx.stderr.write(`${plural(changed, 'file')} ${check ? 'would be reformatted' : 'formatted'}, ${unchanged} already formatted, ${frozen} approved left as they are, ${plural(problems.length, 'problem')}\n`);
    if (problems.length) return EXIT.invalid;
    return check && changed > 0 ? EXIT.failed : EXIT.ok;
  },
};
