// The shipped example SOPs and master protocol follow the document-control rules and the check catalog
// of design.md. Independent of the linter on purpose: it pins what the examples promise to readers.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { loadRepository } from '../../src/documents/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The project's reference date: every shipped document is effective by then. */
const REFERENCE_DATE = '2026-11-22';

/** design.md, "Check types, first catalog": parameters of each type (expect, id, timeout, retry, depends_on are common). */
const CATALOG: Record<string, string[]> = {
  'container.running': ['container', 'label'],
  'container.image': ['container'],
  'container.config': ['container'],
  'container.logs': ['container', 'since', 'stream'],
  'image.inspect': ['image'],
  'release.provenance': ['container', 'repo', 'tag'],
  'git.state': ['repo'],
  'http.get': ['url', 'headers'],
  file: ['path', 'container'],
  command: ['argv', 'container'],
  'sop.effective': ['document_id', 'min_revision'],
  manual: ['instruction'],
};
const COMMON_KEYS = ['type', 'id', 'expect', 'timeout', 'retry', 'depends_on'];
const STATUSES = ['draft', 'in-review', 'approved', 'effective', 'superseded', 'obsolete'];

interface Doc {
  path: string;
  front: Record<string, unknown>;
  body: string;
  text: string;
}

function load(folder: string): Doc[] {
  return readdirSync(new URL(folder, `file://${ROOT}`))
    .filter((n) => n.endsWith('.md'))
    .sort()
    .map((name) => {
      const path = `${folder}/${name}`;
      const text = readFileSync(`${ROOT}${path}`, 'utf8');
      const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
      if (!m) throw new Error(`${path}: no front matter`);
      // YAML 1.2 core schema: dates stay strings, so we see exactly what was written.
      return { path, front: parseYaml(m[1]!) as Record<string, unknown>, body: text.slice(m[0].length), text };
    });
}

const sops = load('sops');
const protocols = load('protocols');
const all = [...sops, ...protocols];

describe('shipped controlled documents', () => {
  it('are three SOPs and one protocol with unique ids matching their file names', () => {
    expect(sops.map((d) => d.front.document_id)).toEqual(['SOP-0101', 'SOP-0102', 'SOP-0103']);
    expect(protocols.map((d) => d.front.document_id)).toEqual(['QP-0001']);
    for (const d of all) expect(d.path.split('/')[1]!.startsWith(`${d.front.document_id}-`), d.path).toBe(true);
  });

  it.each(all.map((d) => [d.path, d] as const))('%s has complete, consistent document control', (_path, d) => {
    const f = d.front;
    expect(f.type).toBe(d.path.startsWith('sops/') ? 'sop' : 'protocol');
    for (const key of ['title', 'description', 'change_control']) expect(typeof f[key], key).toBe('string');
    expect(f.revision).toMatch(/^\d{2}$/); // a quoted string, leading zero kept
    expect(STATUSES).toContain(f.status);
    expect(f.status).toBe('effective');
    for (const key of ['authors', 'reviewers', 'approvers']) {
      expect(Array.isArray(f[key]) && (f[key] as unknown[]).length > 0, key).toBe(true);
    }
    // Segregation of duties (SOP-0103 5.4): the approver is not an author.
    for (const approver of f.approvers as string[]) expect(f.authors).not.toContain(approver);
    for (const key of ['approval_date', 'effective_date']) {
      expect(f[key], key).toMatch(/^2026-\d{2}-\d{2}$/);
      expect(new Date(`${f[key]}T00:00:00Z`).toISOString().slice(0, 10), `${key} is a real date`).toBe(f[key]);
    }
    expect((f.effective_date as string) >= (f.approval_date as string)).toBe(true);
    expect((f.effective_date as string) <= REFERENCE_DATE).toBe(true);
    expect(Number.isInteger(f.review_period_months)).toBe(true);
    expect(f.training_required).toBe(true);
    // The revision history ends with the current revision and its effective date.
    const history = d.body.slice(d.body.lastIndexOf('Revision history'));
    const rows = history.split('\n').filter((l) => /^\| \d{2} \|/.test(l));
    expect(rows.at(-1)).toContain(`| ${f.revision} | ${f.effective_date} |`);
  });

  it('cite only documents that exist', () => {
    const ids = new Set(all.map((d) => d.front.document_id));
    for (const d of all) {
      for (const ref of d.body.match(/\b(?:SOP|QP)-\d{4}\b/g) ?? []) expect(ids.has(ref), `${d.path} cites ${ref}`).toBe(true);
    }
  });
});

describe('master protocol QP-0001', () => {
  const qp = protocols[0]!;
  const params = qp.front.parameters as Record<string, { description?: string; pattern?: string; default?: string }>;
  const cases = [...qp.body.matchAll(/^### ((IQ|OQ|PQ)-\d{2}) (.+)$/gm)].map((m) => ({ id: m[1]!, index: m.index }));
  const blocks = [...qp.body.matchAll(/^```(case|check)\n([\s\S]*?)^```$/gm)].map((m) => ({
    kind: m[1]!,
    data: parseYaml(m[2]!) as Record<string, unknown>,
    caseId: cases.filter((c) => c.index < m.index).at(-1)?.id,
  }));
  const checks = blocks.filter((b) => b.kind === 'check');

  it('declares the run parameters with descriptions; defaults satisfy their patterns', () => {
    expect(Object.keys(params).sort()).toEqual(['image', 'release', 'repo', 'service', 'url']);
    for (const [name, spec] of Object.entries(params)) {
      expect(spec.description, name).toBeTruthy();
      if (spec.pattern && spec.default) expect(spec.default).toMatch(new RegExp(spec.pattern));
    }
    expect('1.4.2').toMatch(new RegExp(params.release!.pattern!));
    expect('1.4').not.toMatch(new RegExp(params.release!.pattern!));
    expect(`127.0.0.1:5000/example-app@sha256:${'a'.repeat(64)}`).toMatch(new RegExp(params.image!.pattern!));
    expect('127.0.0.1:5000/example-app:1.4.2').not.toMatch(new RegExp(params.image!.pattern!));
  });

  it('uses only declared parameters anywhere in the file', () => {
    for (const m of qp.text.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)) {
      expect(Object.keys(params).includes(m[1]!) || m[1]!.startsWith('run.'), m[0]).toBe(true);
    }
  });

  it('has unique IQ/OQ cases, each with a case block and at least one check', () => {
    const ids = cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['IQ-01', 'IQ-02', 'IQ-03', 'IQ-04', 'OQ-01', 'OQ-02', 'OQ-03']);
    for (const id of ids) {
      expect(blocks.filter((b) => b.caseId === id && b.kind === 'case'), id).toHaveLength(1);
      expect(checks.filter((b) => b.caseId === id).length, id).toBeGreaterThan(0);
    }
    for (const b of blocks.filter((x) => x.kind === 'case')) {
      expect(['high', 'medium', 'low']).toContain(b.data.risk);
      expect(b.data.requirements).toEqual([expect.stringMatching(/^URS-\d{2}$/)]);
    }
  });

  it('writes every check with the catalog types and parameter names', () => {
    for (const { data, caseId } of checks) {
      const type = data.type as string;
      expect(Object.keys(CATALOG), `${caseId}: ${type}`).toContain(type);
      for (const key of Object.keys(data)) expect([...COMMON_KEYS, ...CATALOG[type]!], `${caseId}: ${type}.${key}`).toContain(key);
    }
    const explicitIds = new Set(checks.map((c) => c.data.id).filter(Boolean));
    for (const { data } of checks) for (const dep of (data.depends_on as string[] | undefined) ?? []) expect(explicitIds.has(dep)).toBe(true);
    expect(checks.map((c) => c.data.type)).toEqual([
      'sop.effective', 'sop.effective', 'container.image', 'release.provenance', 'image.inspect',
      'container.running', 'container.logs', 'http.get', 'http.get', 'manual',
    ]);
  });

  it('pins the acceptance values the demo relies on', () => {
    const byType = (t: string) => checks.filter((c) => c.data.type === t).map((c) => c.data);
    expect(byType('sop.effective').map((c) => c.document_id)).toEqual(['SOP-0101', 'SOP-0102']);
    expect(byType('container.image')[0]).toMatchObject({ container: '{{service}}', expect: { digest: '{{image}}' } });
    expect(byType('release.provenance')[0]).toMatchObject({ container: '{{service}}', repo: '{{repo}}', tag: 'v{{release}}' });
    expect(byType('container.running')[0]).toMatchObject({
      retry: { until: '60s', every: '1s' },
      expect: { state: 'running', health: 'healthy', restarts: { lte: 0 } },
    });
    // The example application logs "starting example-app version X.Y.Z" at boot.
    const logs = byType('container.logs')[0]!;
    expect('starting example-app version 1.4.2').toContain((logs.expect as { contains: string }).contains.replace('{{release}}', '1.4.2'));
    expect(logs.expect).toMatchObject({ not_contains: { matches: 'ERROR|FATAL|panic' } });
    expect(byType('http.get')[1]).toMatchObject({ url: '{{url}}/version', expect: { status: 200, json: { version: '{{release}}' }, latency_ms: { lte: 500 } } });
    expect(byType('manual')[0]).toMatchObject({ instruction: expect.any(String), expect: { observation: expect.any(String) } });
    // The linter and the model take `expect` as a mapping for every type.
    for (const { data } of checks) if (data.expect !== undefined) expect(typeof data.expect === 'object' && !Array.isArray(data.expect)).toBe(true);
  });
});

describe('the document library reads the shipped examples', () => {
  it('without errors, all effective on the reference date, the protocol parsed into its cases and steps', async () => {
    const repo = await loadRepository({ root: ROOT, now: new Date(`${REFERENCE_DATE}T12:00:00Z`) });
    const errors = repo.issues.filter((i) => i.severity === 'error');
    expect(errors).toEqual([]);
    // Only "approval not signed" warnings until signers.yaml and approval signatures exist.
    for (const w of repo.issues) expect(w.code).toBe('APPROVAL_NOT_SIGNED');
    const status = [...repo.status.values()].map((s) => [s.documentId, s.computedStatus]).sort();
    expect(status).toEqual([['QP-0001', 'effective'], ['SOP-0101', 'effective'], ['SOP-0102', 'effective'], ['SOP-0103', 'effective'], ['URS-0001', 'effective']]);
    const qp = repo.protocols.find((p) => p.meta.documentId === 'QP-0001')!;
    expect(qp.cases.map((c) => [c.id, c.stage, c.risk, c.checks.map((k) => k.id)])).toEqual([
      ['IQ-01', 'IQ', 'medium', ['IQ-01.1', 'IQ-01.2']],
      ['IQ-02', 'IQ', 'high', ['IQ-02.1']],
      ['IQ-03', 'IQ', 'high', ['IQ-03.1', 'IQ-03.2']],
      ['IQ-04', 'IQ', 'high', ['IQ-04.1']],
      ['OQ-01', 'OQ', 'medium', ['OQ-01.1']],
      ['OQ-02', 'OQ', 'high', ['OQ-02.1', 'OQ-02.2']],
      ['OQ-03', 'OQ', 'high', ['OQ-03.1']],
    ]);
    const running = qp.cases[3]!.checks[0]!;
    expect(running.retry).toEqual({ untilMs: 60_000, everyMs: 1000 });
    expect(qp.cases[5]!.checks[1]!.timeoutMs).toBe(10_000);
    expect(qp.cases[4]!.checks[0]!.dependsOn).toEqual(['IQ-04.1']);
    expect(qp.parameters.url!.default).toBe('http://127.0.0.1:8080');
    // The objective prose travels into the report; the fenced blocks do not.
    expect(qp.cases[1]!.objective).toContain('identified by its content digest');
    expect(qp.cases[1]!.objective).not.toContain('```');
  });

  it('traces every case of QP-0001 to a requirement of URS-0001 and tests every requirement, high risks by a limit case or a written justification', async () => {
    const repo = await loadRepository({ root: ROOT, now: new Date(`${REFERENCE_DATE}T12:00:00Z`) });
    const t = repo.traceability;
    expect(t.available).toBe(true);
    expect([...t.byId.keys()]).toEqual(['URS-01', 'URS-02', 'URS-03', 'URS-04', 'URS-05', 'URS-06', 'URS-07']);
    expect(t.orphans).toEqual([]);
    for (const [id, cases] of t.cases) {
      expect(cases.length, id).toBeGreaterThan(0);
      const req = t.byId.get(id)!;
      if (req.risk === 'high') expect(cases.some((c) => c.testCase.kind === 'limit' || c.testCase.kind === 'negative') || Boolean(req.justification), id).toBe(true);
    }
    // The protocol's own table (section 11) says the same as its case blocks.
    const qp = repo.protocols[0]!;
    for (const c of qp.cases) expect(qp.body, c.id).toContain(`| ${c.requirements[0]} | ${t.byId.get(c.requirements[0]!)!.title}. | ${c.id} |`);
  });
});
