// file — A file exists with the approved content, on the host or inside a container.
//
// Example:
//   type: file
//   container: "{{service}}"
//   path: /etc/app/config.json
//   expect:
//     exists: true
//     contains: '"log_level": "info"'
//
// Observes: exists, size, sha256 (hex), content (UTF-8 text; null for binary files; top-level
// contains/matches apply to it). A relative host path resolves against the QMS repository root;
// a container path must be absolute. Without expect: exists true.

import { DocumentError } from '../model/errors.js';
import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { asText, jsonEvidence, repoPath, requireContainer, sha256Hex, textEvidence } from './support.js';
import type { EvidenceInput } from '../model/check.js';

const EVIDENCE_CAP = 1024 * 1024;

export const file = defineCheck({
  type: 'file',
  summary: 'A file exists with the approved content or hash, on the host or inside a container.',
  scope: 'container-param',
  params: {
    path: { kind: 'string', description: 'File path (host: relative to the repository root; container: absolute)', required: true },
    container: { kind: 'string', description: 'Read the file inside this container instead of on the host' },
  },
  primaryKey: 'content',
  expectKeys: ['exists', 'size', 'sha256', 'content', 'contains', 'not_contains', 'matches'],
  defaultExpect: { exists: true },
  example: ['type: file', 'container: "{{service}}"', 'path: /tmp/www/version', 'expect:', '  exists: true', '  contains: "{{release}}"', ''].join('\n'),

  async observe(params, ctx) {
    const p = readParams('file', params);
    const path = p.string('path');
    const containerName = p.optionalString('container');
    let bytes: Uint8Array | null;
    let where: string;
    if (containerName !== undefined) {
      if (!path.startsWith('/')) throw new DocumentError('CHECK_PARAM_INVALID', `file: a path inside container ${containerName} must be absolute, found "${path}"`);
      const { container } = await requireContainer(ctx, containerName);
      bytes = await ctx.probes.docker.readFile(container.id, path, { signal: ctx.signal });
      where = `${path} in container ${container.name}`;
    } else {
      bytes = await ctx.probes.fs.readFile(repoPath(ctx, path), { signal: ctx.signal });
      where = `${path} on the host`;
    }
    if (bytes === null) {
      return { actual: { exists: false, size: null, sha256: null, content: null }, evidence: [jsonEvidence('file', `${where}: absent`, { path, exists: false })] };
    }
    const text = asText(bytes);
    const sha256 = sha256Hex(bytes);
    const evidence: EvidenceInput[] = [jsonEvidence('file', `${where}: metadata`, { path, exists: true, size: bytes.byteLength, sha256 })];
    if (text !== null && bytes.byteLength <= EVIDENCE_CAP) evidence.push(textEvidence('content', `content of ${where}`, text));
    return { actual: { exists: true, size: bytes.byteLength, sha256, content: text }, evidence };
  },
});
