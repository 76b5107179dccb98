// Writes files of a site being built into its temporary folder and counts what it wrote. The main thread
// and the verification pool's workers (report pages) each write with one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What a writer wrote: pages (.html), other files, and their bytes. */
export interface Written {
  pages: number;
  files: number;
  bytes: number;
}

export class SiteWriter {
  readonly written: Written = { pages: 0, files: 0, bytes: 0 };
  private dirs = new Set<string>();
  constructor(readonly dir: string) {}

  write(sitePath: string, content: string | Uint8Array): void {
    const target = join(this.dir, sitePath);
    const parent = dirname(target);
    if (!this.dirs.has(parent)) {
      mkdirSync(parent, { recursive: true });
      this.dirs.add(parent);
    }
    writeFileSync(target, content);
    if (sitePath.endsWith('.html')) this.written.pages++;
    else this.written.files++;
    this.written.bytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  }

  /** Counts what another writer (a worker thread) wrote into the same folder. */
  add(other: Written): void {
    this.written.pages += other.pages;
    this.written.files += other.files;
    this.written.bytes += other.bytes;
  }
}
