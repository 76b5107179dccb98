// Checks a written report folder the way an auditor would: the record validates against the JSON
// Schema, every evidence file it names exists with the recorded size and sha256, the manifest agrees,
// and nothing else hides in the folder. Also: a byte scan of every file for secret values.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { validateRecord } from '../../src/report/schema.js';
import type { Report } from '../../src/model/report.js';

/** Every file under `dir`, relative paths with forward slashes, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Throws with every problem found; returns the record when the folder is whole and consistent. */
export function checkReportFolder(dir: string): Report {
  const problems: string[] = [];
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
  problems.push(...validateRecord(report).map((p) => `report.json ${p}`));
  const files = new Set(listFiles(dir));
  const named = new Set(['report.json', 'report.md', 'evidence/manifest.json', 'junit.xml', 'report.pdf']);
  for (const c of report.cases) {
    for (const s of c.steps) {
      for (const e of s.evidence) {
        named.add(e.path);
        if (!files.has(e.path)) {
          problems.push(`${e.path} named by ${s.id} is missing`);
          continue;
        }
        const bytes = readFileSync(join(dir, e.path));
        if (bytes.length !== e.bytes) problems.push(`${e.path}: ${bytes.length} bytes, record says ${e.bytes}`);
        const sha = createHash('sha256').update(bytes).digest('hex');
        if (sha !== e.sha256) problems.push(`${e.path}: sha256 ${sha}, record says ${e.sha256}`);
      }
    }
  }
  for (const f of files) if (!named.has(f)) problems.push(`${f} is in the folder but not in the record`);
  if (!files.has('report.md')) problems.push('report.md is missing');
  const manifest = JSON.parse(readFileSync(join(dir, 'evidence/manifest.json'), 'utf8')) as { files: Array<{ path: string; sha256: string }> };
  const inRecord = report.cases.flatMap((c) => c.steps.flatMap((s) => s.evidence.map((e) => `${e.path} ${e.sha256}`))).sort();
  const inManifest = manifest.files.map((f) => `${f.path} ${f.sha256}`).sort();
  if (JSON.stringify(inRecord) !== JSON.stringify(inManifest)) problems.push('evidence/manifest.json does not list the evidence of the record');
  if (report.reportId !== dir.split(/[\\/]/).filter(Boolean).pop()) problems.push(`folder name differs from reportId ${report.reportId}`);
  if (problems.length) throw new Error(`report folder ${dir} is not whole:\n  ${problems.join('\n  ')}`);
  return report;
}

/** Files (relative) whose bytes contain any of `secrets` (as UTF-8, also base64 and URL-encoded). */
export function filesContaining(dir: string, secrets: string[]): string[] {
  const needles = secrets.flatMap((s) => [Buffer.from(s), Buffer.from(Buffer.from(s).toString('base64')), Buffer.from(encodeURIComponent(s))]);
  return listFiles(dir).filter((f) => {
    const bytes = readFileSync(join(dir, f));
    return needles.some((n) => bytes.includes(n));
  });
}

/** Report folders (not temporary ones) under `reports/<protocol>/`. */
export function reportFolders(parent: string): string[] {
  try {
    return readdirSync(parent).filter((n) => !n.startsWith('.') && statSync(join(parent, n)).isDirectory()).sort().map((n) => join(parent, n));
  } catch {
    return [];
  }
}
