// Runs poppler-utils and qpdf on PDFs we write: the real tools an auditor's machine has.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function savePdf(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** `qpdf --check`: exit status and output. */
export function qpdfCheck(path: string): { ok: boolean; output: string } {
  const r = spawnSync('qpdf', ['--check', path], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

export function pdftotext(path: string, ...args: string[]): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', ...args, path, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

export function pdfinfo(path: string, ...args: string[]): Record<string, string> {
  const out = execFileSync('pdfinfo', [...args, path], { encoding: 'utf8' });
  const info: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) info[m[1]!.trim()] = m[2]!;
  }
  return info;
}

export function pdfinfoMeta(path: string): string {
  return execFileSync('pdfinfo', ['-meta', path], { encoding: 'utf8' });
}

/** Rows of `pdffonts`: name, type, emb, sub, uni. */
export function pdffonts(path: string): Array<{ name: string; type: string; emb: string; sub: string; uni: string }> {
  const out = execFileSync('pdffonts', [path], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
  return out.map((l) => {
    const name = l.slice(0, 37).trim();
    const rest = l.slice(37).trim().split(/\s+/);
    // type may contain spaces ("CID TrueType"); emb/sub/uni are the 3 yes/no before the object id.
    const n = rest.length;
    return { name, type: rest.slice(0, n - 6).join(' '), emb: rest[n - 5]!, sub: rest[n - 4]!, uni: rest[n - 3]! };
  });
}

/** Text with all whitespace removed: wrapped lines and table cells compare regardless of where they broke. */
export const squash = (s: string): string => s.replace(/\s+/g, '');

/** The PDF outline (bookmarks) as "title" lines indented two spaces per level, read by `qpdf --json`. */
export function pdfOutline(path: string): string[] {
  type Entry = { title: string; kids: Entry[] };
  const json = JSON.parse(execFileSync('qpdf', ['--json', '--json-key=outlines', path], { encoding: 'utf8', maxBuffer: 64 << 20 })) as { outlines: Entry[] };
  const out: string[] = [];
  const walk = (list: Entry[], depth: number): void => {
    for (const e of list) {
      out.push(`${'  '.repeat(depth)}${e.title}`);
      walk(e.kids, depth + 1);
    }
  };
  walk(json.outlines, 0);
  return out;
}
