import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { makeTempDir } from '../../test/helpers/tmp.js';
import { removeStaleTemps, ReportExistsError, TEMP_PREFIX, writeFolderAtomic } from './folder.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function tmp(): string {
  const t = makeTempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}
const file = (path: string, text: string) => ({ path, bytes: Buffer.from(text) });

describe('writeFolderAtomic', () => {
  it('writes every file and leaves no temporary folder', async () => {
    const parent = join(tmp(), 'reports', 'QP-0001');
    const path = await writeFolderAtomic(parent, 'R1', [file('report.json', '{}\n'), file('evidence/a.txt', 'a')]);
    expect(readFileSync(join(path, 'report.json'), 'utf8')).toBe('{}\n');
    expect(readFileSync(join(path, 'evidence/a.txt'), 'utf8')).toBe('a');
    expect(readdirSync(parent)).toEqual(['R1']);
  });

  it('writes the same bytes once: the other paths are links with the same content', async () => {
    const parent = tmp();
    const shared = Buffer.from('{"Id":"c1"}\n');
    const path = await writeFolderAtomic(parent, 'R1', [
      { path: 'evidence/IQ-01.1-inspect.json', bytes: shared },
      { path: 'evidence/IQ-01.2-inspect.json', bytes: shared },
      { path: 'evidence/other.json', bytes: Buffer.from('{"Id":"c1"}\n') },
    ]);
    for (const f of ['IQ-01.1-inspect.json', 'IQ-01.2-inspect.json', 'other.json']) expect(readFileSync(join(path, 'evidence', f), 'utf8')).toBe('{"Id":"c1"}\n');
    // Same buffer: one inode; equal content in another buffer: written on its own.
    expect(statSync(join(path, 'evidence/IQ-01.2-inspect.json')).ino).toBe(statSync(join(path, 'evidence/IQ-01.1-inspect.json')).ino);
    expect(statSync(join(path, 'evidence/other.json')).ino).not.toBe(statSync(join(path, 'evidence/IQ-01.1-inspect.json')).ino);
  });

  it('never replaces an existing report', async () => {
    const parent = tmp();
    await writeFolderAtomic(parent, 'R1', [file('report.json', 'first')]);
    await expect(writeFolderAtomic(parent, 'R1', [file('report.json', 'second')])).rejects.toBeInstanceOf(ReportExistsError);
    expect(readFileSync(join(parent, 'R1', 'report.json'), 'utf8')).toBe('first');
    expect(readdirSync(parent)).toEqual(['R1']);
  });

  it('a failure before the rename leaves no report and no temporary folder', async () => {
    const parent = tmp();
    await expect(writeFolderAtomic(parent, 'R1', [file('report.json', 'x')], { beforeRename: async () => { throw new Error('disk full'); } })).rejects.toThrow('disk full');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('refuses paths outside the folder', async () => {
    await expect(writeFolderAtomic(tmp(), 'R1', [file('../escape', 'x')])).rejects.toThrow(/refusing/);
  });

  it('removes temporary folders of dead processes only', async () => {
    const parent = tmp();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    mkdirSync(join(parent, `${TEMP_PREFIX}R1-p${dead}-00aa`));
    mkdirSync(join(parent, `${TEMP_PREFIX}R2-p${process.pid}-00bb`));
    expect(await removeStaleTemps(parent)).toEqual([`${TEMP_PREFIX}R1-p${dead}-00aa`]);
    expect(existsSync(join(parent, `${TEMP_PREFIX}R2-p${process.pid}-00bb`))).toBe(true);
  });
});
