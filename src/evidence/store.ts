// Evidence store: turns raw observations (EvidenceInput) into masked files under `evidence/` with
// deterministic names (`<step-id>-<name>.<ext>`), sha256, size and media type, plus a manifest.
// Masking happens here, before a byte is written: the stored bytes are what gets hashed.

import { createHash } from 'node:crypto';
import type { EvidenceInput } from '../model/check.js';
import type { EvidenceRef } from '../model/report.js';
import type { Redactor } from './redact.js';

/** A file of the report folder, relative path and bytes. */
export interface ReportFile {
  path: string;
  bytes: Uint8Array;
}

/** One piece of evidence ready to write: its reference (for the record) and its masked bytes. */
export interface StoredEvidence {
  stepId: string;
  ref: EvidenceRef;
  bytes: Uint8Array;
}

export const EVIDENCE_DIR = 'evidence';
export const MANIFEST_PATH = `${EVIDENCE_DIR}/manifest.json`;

const EXTENSIONS: Record<string, string> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/yaml': 'yaml',
  'application/x-yaml': 'yaml',
  'application/xml': 'xml',
  'application/octet-stream': 'bin',
  'application/pdf': 'pdf',
  'message/http': 'http',
  'text/plain': 'txt',
  'text/x-log': 'log',
  'text/html': 'html',
  'text/markdown': 'md',
  'text/csv': 'csv',
  'text/yaml': 'yaml',
};

/** File extension for a media type (`application/json` → `json`); `bin` for unknown binary, `txt` for text. */
export function extensionFor(mediaType: string): string {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  if (EXTENSIONS[base]) return EXTENSIONS[base];
  if (base.endsWith('+json')) return 'json';
  if (base.startsWith('text/')) return 'txt';
  return 'bin';
}

function isJson(mediaType: string): boolean {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  return base === 'application/json' || base.endsWith('+json');
}

function isText(mediaType: string): boolean {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  return base.startsWith('text/') || isJson(base) || /yaml|xml|ndjson|message\/http/.test(base);
}

/** Filesystem-safe piece of a name: letters, digits, dot, dash, underscore. */
export function safeName(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return cleaned.length > 0 ? cleaned.slice(0, 80) : 'evidence';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(content: string | Uint8Array): string | null {
  if (typeof content === 'string') return content;
  try {
    return utf8.decode(content);
  } catch {
    return null;
  }
}

/** Teaches the redactor every secret found in a piece of evidence (run before masking anything). */
export function learnEvidence(redactor: Redactor, input: EvidenceInput): void {
  if (!isText(input.mediaType) && typeof input.content !== 'string') return;
  const text = asText(input.content);
  if (text !== null) redactor.learn(text);
}

/**
 * Largest evidence file kept, in bytes of masked content (1 MiB). A longer observation is masked whole
 * (so no secret is cut in two and left half visible), then cut at this size on a character boundary
 * outside any marker; the file ends with a line saying so and the record's description repeats it.
 */
export const EVIDENCE_CAP = 1024 * 1024;

/** Cuts masked evidence at EVIDENCE_CAP; `cut` is null when it fits. */
export function capEvidence(bytes: Uint8Array): { bytes: Uint8Array; cut: { kept: number; total: number } | null } {
  if (bytes.byteLength <= EVIDENCE_CAP) return { bytes, cut: null };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = EVIDENCE_CAP;
  // Back to the start of a UTF-8 character.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  // Not inside a marker "[MASKED:n]".
  const open = buf.lastIndexOf('[MASKED', end - 1);
  if (open !== -1 && buf.indexOf(']', open) >= end) end = open;
  const note = Buffer.from(`\n[qualify: evidence cut at ${end} of ${buf.length} bytes (evidence cap ${EVIDENCE_CAP} bytes); the rest was not kept]\n`, 'utf8');
  return { bytes: Buffer.concat([buf.subarray(0, end), note]), cut: { kept: end, total: buf.length } };
}

/** The masked bytes of one evidence input. */
export function maskEvidence(redactor: Redactor, input: EvidenceInput, where: string): Uint8Array {
  const text = asText(input.content);
  if (text === null || (!isText(input.mediaType) && typeof input.content !== 'string')) {
    // Binary evidence cannot be masked meaningfully; it is kept as observed.
    return typeof input.content === 'string' ? Buffer.from(input.content, 'utf8') : input.content;
  }
  if (isJson(input.mediaType)) {
    try {
      const parsed = JSON.parse(text) as unknown;
      return Buffer.from(`${JSON.stringify(redactor.value(parsed, where), null, 2)}\n`, 'utf8');
    } catch {
      // Not JSON after all: masked as text below.
    }
  }
  return Buffer.from(redactor.text(text, where), 'utf8');
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Masks, names and hashes the evidence of a run. `items` come in record order (cases, steps, then the
 * order a check produced them), which makes names and the manifest deterministic.
 */
export function storeEvidence(items: Array<{ stepId: string; input: EvidenceInput }>, redactor: Redactor): StoredEvidence[] {
  const taken = new Set<string>();
  const out: StoredEvidence[] = [];
  const masked = new Map<string, Map<string, { path: string; bytes: Uint8Array; sha256: string; cut: { kept: number; total: number } | null }>>();
  for (const { stepId, input } of items) {
    const ext = extensionFor(input.mediaType);
    const stem = `${safeName(stepId)}-${safeName(input.name)}`;
    let path = `${EVIDENCE_DIR}/${stem}.${ext}`;
    for (let n = 2; taken.has(path); n++) path = `${EVIDENCE_DIR}/${stem}-${n}.${ext}`;
    taken.add(path);
    // The same content (one inspect JSON behind several steps) is masked and hashed once. Looked up by
    // the content itself (no key built from it: a fleet's evidence repeats the same long strings).
    const same = typeof input.content === 'string' ? masked.get(input.content)?.get(input.mediaType) : undefined;
    let bytes: Uint8Array;
    let sha256: string;
    let cut: { kept: number; total: number } | null;
    if (same) {
      ({ bytes, sha256, cut } = same);
      redactor.recount(same.path, path);
    } else {
      // Masked whole, then cut: a secret is never cut in two and left half visible.
      ({ bytes, cut } = capEvidence(maskEvidence(redactor, input, path)));
      sha256 = sha256Hex(bytes);
      if (typeof input.content === 'string') {
        let byType = masked.get(input.content);
        if (!byType) masked.set(input.content, (byType = new Map()));
        byType.set(input.mediaType, { path, bytes, sha256, cut });
      }
    }
    const description = redactor.text(input.description, path) + (cut ? ` (cut at ${cut.kept} of ${cut.total} bytes: evidence cap ${EVIDENCE_CAP} bytes)` : '');
    out.push({ stepId, bytes, ref: { path, sha256, bytes: bytes.byteLength, mediaType: input.mediaType, description } });
  }
  return out;
}

/** `evidence/manifest.json`: every evidence file with its step, hash, size and type, sorted by path. */
export function evidenceManifest(stored: StoredEvidence[]): ReportFile {
  const files = [...stored]
    .sort((a, b) => (a.ref.path < b.ref.path ? -1 : 1))
    .map((s) => ({ path: s.ref.path, step: s.stepId, sha256: s.ref.sha256, bytes: s.ref.bytes, mediaType: s.ref.mediaType, description: s.ref.description }));
  return { path: MANIFEST_PATH, bytes: Buffer.from(`${JSON.stringify({ files }, null, 2)}\n`, 'utf8') };
}
