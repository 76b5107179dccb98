// The host file probe: bytes and metadata of files on the machine running qualify.

import { readFile, stat } from 'node:fs/promises';
import { EnvironmentError } from '../model/errors.js';
import type { FileStat, FsProbe } from './types.js';

const FILE_CAP = 64 * 1024 * 1024;

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function createFsProbe(): FsProbe {
  return {
    async readFile(path, options = {}) {
      let info;
      try {
        info = await stat(path);
      } catch (err) {
        if (isMissing(err)) return null;
        throw new EnvironmentError('FILE_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
      }
      if (info.isDirectory()) throw new EnvironmentError('NOT_A_FILE', `${path} is a directory, not a file`);
      if (info.size > FILE_CAP) throw new EnvironmentError('FILE_TOO_LARGE', `${path} is larger than ${FILE_CAP} bytes`);
      try {
        return new Uint8Array(await readFile(path, { signal: options.signal }));
      } catch (err) {
        if (options.signal?.aborted) throw options.signal.reason;
        if (isMissing(err)) return null;
        throw new EnvironmentError('FILE_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
      }
    },

    async stat(path): Promise<FileStat | null> {
      try {
        const s = await stat(path);
        const type = s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isSymbolicLink() ? 'symlink' : 'other';
        return { type, size: s.size, mode: s.mode & 0o7777, mtime: s.mtime.toISOString() };
      } catch (err) {
        if (isMissing(err)) return null;
        throw new EnvironmentError('FILE_UNREADABLE', `cannot stat ${path}: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}
