// A minimal reader for the tar archives the Docker engine returns (GET /containers/{id}/archive):
// ustar headers, PAX extended headers (long names, large sizes) and GNU long names.

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  name: string;
  type: TarEntryType;
  mode: number;
  size: number;
  linkName: string;
  data: Buffer;
}

const BLOCK = 512;

function readString(buf: Buffer, start: number, length: number): string {
  const slice = buf.subarray(start, start + length);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul === -1 ? slice.length : nul).toString('utf8');
}

function readNumber(buf: Buffer, start: number, length: number): number {
  // Base-256 (GNU) for values too large for octal: high bit of the first byte set.
  if (buf[start]! & 0x80) {
    let value = buf[start]! & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + buf[start + i]!;
    return value;
  }
  const text = readString(buf, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function typeOf(flag: string): TarEntryType {
  switch (flag) {
    case '':
    case '0':
    case '7':
      return 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const len = parseInt(data.subarray(at, space).toString('utf8'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}

/** Reads every entry of an uncompressed tar archive. Throws on a truncated or corrupt archive. */
export function readTar(input: Uint8Array): TarEntry[] {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const entries: TarEntry[] = [];
  let at = 0;
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  while (at + BLOCK <= buf.length) {
    const header = buf.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    let checksum = 0;
    for (let i = 0; i < BLOCK; i++) checksum += i >= 148 && i < 156 ? 0x20 : header[i]!;
    const stored = readNumber(header, 148, 8);
    if (stored !== checksum) throw new Error(`tar: bad header checksum at offset ${at}`);
    const flag = readString(header, 156, 1);
    let size = readNumber(header, 124, 12);
    if (pax.size !== undefined) size = Number(pax.size);
    const dataStart = at + BLOCK;
    if (dataStart + size > buf.length) throw new Error(`tar: entry at offset ${at} is truncated`);
    const data = buf.subarray(dataStart, dataStart + size);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (flag === 'x') {
      pax = { ...pax, ...parsePax(data) };
      continue;
    }
    if (flag === 'g') continue; // global PAX header: nothing we need
    if (flag === 'L') {
      longName = readString(data, 0, data.length);
      continue;
    }
    if (flag === 'K') {
      longLink = readString(data, 0, data.length);
      continue;
    }
    const magic = readString(header, 257, 6);
    const prefix = magic.startsWith('ustar') ? readString(header, 345, 155) : '';
    const baseName = readString(header, 0, 100);
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${baseName}` : baseName);
    const linkName = pax.linkpath ?? longLink ?? readString(header, 157, 100);
    entries.push({ name, type: typeOf(flag), mode: readNumber(header, 100, 8), size, linkName, data });
    pax = {};
    longName = null;
    longLink = null;
  }
  return entries;
}
