// `qualify site`, `serve` and `export --inspection` on a real repository (git, enrolled signers with real
// keys, signed records with evidence and PDFs; one record carrying hostile values; a tampered copy), without
// a browser: what the files and the HTTP answers contain. The browser walk is browser.test.ts.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { git, makeTempDir, writeTree } from '../helpers/tmp.js';
import { buildReport, ctxFor, enrolledRepo, sha256, T, writeReport, type Enrolled } from '../signing/fixture.js';
import { signReport, closeDeviation } from '../../src/signing/sign.js';
import { siteSource } from '../../src/cli/site-source.js';
import { createSiteServer } from '../../src/site/server.js';
import { documentHistory, repositoryState } from '../../src/site/git-history.js';
import { listReportFolders, reviewDue } from '../../src/site/load.js';
import { relativeUrl, reportFile, safePath } from '../../src/site/paths.js';
import { verifyReportFolders } from '../../src/site/verify-reports.js';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CliContext } from '../../src/cli/context.js';

const HOSTILE = '<script>alert("x")</script>';
let repo: Enrolled;
let hostileDir: string;
const now = T.verify;

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

beforeAll(async () => {
  repo = await enrolledRepo();
  // A passing record, signed executed → reviewed → approved (PDF-signed).
  const ok = await writeReport(repo.root, buildReport({ reportId: 'QP-0001-20261008T090000Z-aaaa' }));
  await signReport(ok, 'eve', 'executed', null, ctxFor(repo, 'eve', T.executed));
  await signReport(ok, 'rita', 'reviewed', null, ctxFor(repo, 'rita', T.reviewed));
  await signReport(ok, 'quinn', 'approved', null, ctxFor(repo, 'quinn', T.approved));
  // A failing record whose values try to inject markup, with an HTML evidence file; its deviation dispositioned.
  const built = buildReport({ reportId: 'QP-0001-20261008T100000Z-bbbb', deviation: true });
  built.report.parameters.release = HOSTILE;
  built.report.deviations[0]!.description = `<img src=x onerror=alert(1)> ${HOSTILE}`;
  built.report.executor.name = '"><svg onload=alert(1)>';
  built.report.cases[1]!.objective = `Objective with raw HTML ${HOSTILE} and <a href="javascript:alert(1)">a link</a>.`;
  const body = `<html><body>${HOSTILE}</body></html>`;
  built.evidence['evidence/OQ-01.1-body.html'] = body;
  built.report.cases[1]!.steps[0]!.evidence.push({ path: 'evidence/OQ-01.1-body.html', sha256: sha256(body), bytes: Buffer.byteLength(body), mediaType: 'text/html', description: `response body ${HOSTILE}` });
  hostileDir = await writeReport(repo.root, built);
  await signReport(hostileDir, 'eve', 'executed', null, ctxFor(repo, 'eve', T.executed));
  await closeDeviation(hostileDir, 'DEV-001', `Accepted ${HOSTILE}`, 'quinn', ctxFor(repo, 'quinn', T.dispositioned));
  // A copy of the passing record with one evidence byte changed.
  const copy = join(repo.root, 'reports/QP-0001/QP-0001-20261008T090000Z-aaaa-copy');
  cpSync(ok, copy, { recursive: true });
  const victim = join(copy, 'evidence/IQ-01.1-inspect.json');
  const bytes = readFileSync(victim);
  bytes[10] = bytes[10] === 0x61 ? 0x62 : 0x61;
  writeFileSync(victim, bytes);
  git(repo.root, 'add', '-A');
  git(repo.root, 'commit', '-q', '-m', 'Reports');
}, 120_000);

afterAll(() => repo?.cleanup());

describe('qualify site', () => {
  let site: string;
  beforeAll(async () => {
    site = join(makeTempDir('qualify-site-out-').dir, 'site');
    const r = await runCli(['site', '--out', site, '--no-pdf'], { cwd: repo.root, env: repo.env, now });
    expect(r.stderr).toContain('3 report(s) (2 verified, 1 FAILED)');
    expect(r.stderr).toContain('FAILED reports/QP-0001/QP-0001-20261008T090000Z-aaaa-copy: RECORD_MISPLACED');
    expect(r.code).toBe(0);
  }, 60_000);

  it('writes every page with the strict CSP, only its own script, and the hostile values as text', () => {
    const pages = listFiles(site).filter((f) => f.endsWith('.html'));
    expect(pages).toEqual(expect.arrayContaining(['index.html', 'reports/index.html', 'documents/index.html', 'trace.html', 'audit.html', 'search.html', 'verify.html', 'reports/QP-0001/QP-0001-20261008T100000Z-bbbb/index.html']));
    for (const p of pages) {
      const raw = readFileSync(join(site, p), 'utf8');
      const html = raw.replace(/&#x27;/g, "'");
      // Markup is what is outside attribute values (a value may hold "<" as text: it is never parsed as a tag).
      const markup = raw.replace(/="[^"]*"/g, '=""');
      expect(html, p).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; script-src 'self';`);
      // Scripts only by src, and only the site's own files.
      expect([...markup.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]).filter((t) => t !== '<script src="" defer>'), p).toEqual([]);
      expect([...raw.matchAll(/<script src="([^"]*)"/g)].map((m) => m[1]!.replace(/^(\.\.\/)*/, '')).filter((src) => src !== 'assets/site.js' && src !== 'search-index.js'), p).toEqual([]);
      expect(markup, p).not.toMatch(/<script>|<(img|svg)\b[^>]*\bon\w+=|<iframe|\sstyle=/i);
      expect(markup, p).not.toMatch(/href=""[^>]*>[^<]*javascript:/i);
      expect(html, p).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
    const page = readFileSync(join(site, 'reports/QP-0001/QP-0001-20261008T100000Z-bbbb/index.html'), 'utf8');
    expect(page).toContain('&#x3C;script>alert("x")&#x3C;/script>');
    expect(page).toContain('&#x3C;img src=x onerror=alert(1)>');
    expect(page).toContain('">&#x3C;svg onload=alert(1)> (eve)');
  });

  it('copies the record and its PDF, and shows text evidence (even HTML) inline, escaped, never as a page', () => {
    const base = join(site, 'reports/QP-0001/QP-0001-20261008T100000Z-bbbb');
    expect(listFiles(base).sort()).toEqual(['index.html', 'report.json', 'report.pdf']);
    expect(readFileSync(join(base, 'report.json'), 'utf8')).toBe(readFileSync(join(hostileDir, 'report.json'), 'utf8'));
    expect(readFileSync(join(base, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    const page = readFileSync(join(base, 'index.html'), 'utf8');
    const item = page.slice(page.indexOf('<article id="ev-OQ-01.1-body.html"'));
    expect(item).toContain('<pre class="evidence-text" tabindex="0" aria-label="Content of evidence/OQ-01.1-body.html"><code>&#x3C;html>&#x3C;body>&#x3C;script>');
    expect(item.slice(0, 300)).toContain('✓ matches the record');
    expect(page).toContain('href="../../../reports/QP-0001/QP-0001-20261008T100000Z-bbbb/index.html#ev-OQ-01.1-body.html"');
  });

  it('says FAILED with the reason for the tampered copy, VERIFIED for the others, in the list, its page and verification.json', () => {
    const list = readFileSync(join(site, 'reports/index.html'), 'utf8');
    expect(list.match(/data-verification="failed"/g)).toHaveLength(1);
    expect(list.match(/data-verification="verified"/g)).toHaveLength(2);
    expect(list).toMatch(/<tr[^>]*data-verification="failed"[^>]*class="row-failed"/);
    const page = readFileSync(join(site, 'reports/QP-0001/QP-0001-20261008T090000Z-aaaa-copy/index.html'), 'utf8');
    expect(page).toContain('✗ FAILED');
    expect(page).toContain('EVIDENCE_ALTERED');
    expect(page).toContain('the folder name is not the report id');
    expect(page).toMatch(/<article id="ev-IQ-01.1-inspect.json"[^>]*><h3[^>]*><code>evidence\/IQ-01.1-inspect.json<\/code> <span class="badge badge-fail">✗ ALTERED<\/span>/);
    const results = JSON.parse(readFileSync(join(site, 'verification.json'), 'utf8'));
    expect(results.summary).toEqual({ reports: 3, verified: 2, failed: 1, documents: 2 });
    expect(results.reports.find((r: { path: string }) => r.path.endsWith('-copy')).reason).toMatch(/^RECORD_MISPLACED: the folder QP-0001-20261008T090000Z-aaaa-copy holds/);
    expect(results.auditTrail.intact).toBe(true);
  });

  it('shows open deviations, dispositions, the trust root and the search index', () => {
    const report = readFileSync(join(site, 'reports/QP-0001/QP-0001-20261008T100000Z-bbbb/index.html'), 'utf8');
    expect(report).toContain('Accepted &#x3C;script>');
    const verify = readFileSync(join(site, 'verify.html'), 'utf8');
    const ca = readFileSync(join(site, 'trust-root/ca.pem'), 'utf8');
    const fingerprint = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: ca, encoding: 'utf8' }).split('=')[1]!.trim().replace(/:/g, '').toLowerCase();
    expect(verify).toContain(fingerprint);
    expect(verify).toContain('qualify verify reports/QP-0001/');
    const index = readFileSync(join(site, 'search-index.js'), 'utf8');
    expect(index.startsWith('window.QUALIFY_SEARCH = [')).toBe(true);
    expect(index).toContain('a'.repeat(60));
    expect(index).not.toContain('<script');
  });

  it('replaces an earlier site, and refuses a folder that holds something else', async () => {
    const again = await runCli(['site', '--out', site, '--no-pdf'], { cwd: repo.root, env: repo.env, now });
    expect(again.code).toBe(0);
    const other = makeTempDir('qualify-site-other-');
    writeTree(other.dir, { 'notes.txt': 'mine' });
    const refused = await runCli(['site', '--out', other.dir], { cwd: repo.root, env: repo.env, now });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('SITE_OUT_NOT_EMPTY');
    expect(readFileSync(join(other.dir, 'notes.txt'), 'utf8')).toBe('mine');
    other.cleanup();
  });
});

describe('qualify export --inspection', () => {
  it('writes a zip with the site, every PDF, verification.json, the trust root and a README', async () => {
    const out = join(makeTempDir('qualify-export-').dir, 'inspection-2026.zip');
    const r = await runCli(['export', '--inspection', out], { cwd: repo.root, env: repo.env, now });
    expect(r.stderr).toContain('2 of 3 report(s) verified, 1 FAILED');
    expect(r.code).toBe(0);
    const listing = execFileSync('unzip', ['-Z1', out], { encoding: 'utf8' }).split('\n');
    for (const f of ['README.txt', 'site/index.html', 'site/assets/site.css', 'verification.json', 'trust-root/ca.pem', 'trust-root/signers.yaml', 'pdf/reports/QP-0001/QP-0001-20261008T090000Z-aaaa.pdf', 'pdf/documents/SOP-0013-rev05.pdf', 'pdf/documents/QP-0001-rev01.pdf']) {
      expect(listing, f).toContain(`inspection-2026/${f}`);
    }
    const readme = execFileSync('unzip', ['-p', out, 'inspection-2026/README.txt'], { encoding: 'utf8' });
    expect(readme).toContain('START HERE: open site/index.html');
    expect(readme).toContain('FAILED reports/QP-0001/QP-0001-20261008T090000Z-aaaa-copy: RECORD_MISPLACED');
    const dir = makeTempDir('qualify-export-unzip-');
    execFileSync('unzip', ['-q', out, '-d', dir.dir]);
    const pdfsig = execFileSync('pdfsig', [join(dir.dir, 'inspection-2026/pdf/reports/QP-0001/QP-0001-20261008T090000Z-aaaa.pdf')], { encoding: 'utf8' });
    expect(pdfsig).toContain('Signature is Valid.');
    expect(execFileSync('pdfinfo', [join(dir.dir, 'inspection-2026/pdf/documents/SOP-0013-rev05.pdf')], { encoding: 'utf8' })).toMatch(/Pages:\s+\d+/);
    dir.cleanup();
    const again = await runCli(['export', '--inspection', out], { cwd: repo.root, env: repo.env, now });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('EXPORT_EXISTS');
  }, 60_000);

  it('writes a folder when OUT is not a .zip, and asks for --inspection', async () => {
    const out = join(makeTempDir('qualify-export-dir-').dir, 'package');
    expect((await runCli(['export', '--inspection', out], { cwd: repo.root, env: repo.env, now })).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['README.txt', 'pdf', 'site', 'trust-root', 'verification.json']);
    const bare = await runCli(['export'], { cwd: repo.root, env: repo.env, now });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--inspection OUT.zip');
  }, 60_000);
});

describe('qualify serve', () => {
  it('answers on 127.0.0.1 only, read-only, and verifies a report again on each request', async () => {
    const ctx: CliContext = { cwd: repo.root, env: repo.env, stdout: { write: () => {}, isTTY: false }, stderr: { write: () => {}, isTTY: false }, readStdin: async () => '', prompt: null, color: false, now: () => now, signal: new AbortController().signal };
    const source = await siteSource(ctx);
    const errors: unknown[] = [];
    const server = createSiteServer({ load: (v) => source.load({ verifyReport: v }), documentPdf: null }, (e) => errors.push(e));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const home = await fetch(`${base}/`);
      expect(home.status).toBe(200);
      expect(home.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(home.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await home.text()).toContain('1 report(s) FAILED verification');
      const page = `${base}/reports/QP-0001/QP-0001-20261008T100000Z-bbbb/index.html`;
      expect(await (await fetch(page)).text()).toContain('Every hash, signature and rule holds');
      const raw = await fetch(`${base}/reports/QP-0001/QP-0001-20261008T100000Z-bbbb/report.json`);
      expect(raw.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await raw.text()).toContain('"reportId": "QP-0001-20261008T100000Z-bbbb"');
      // Only what the static site copies is served: no raw HTML evidence, no signature files.
      expect((await fetch(`${base}/reports/QP-0001/QP-0001-20261008T100000Z-bbbb/evidence/OQ-01.1-body.html`)).status).toBe(404);
      expect((await fetch(`${base}/reports/QP-0001/QP-0001-20261008T100000Z-bbbb/evidence/OQ-01.1-body.html.txt`)).status).toBe(404);
      expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${base}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
      expect((await fetch(`${base}/nothing.html`)).status).toBe(404);
      // A page asked for under another host name (DNS rebinding) is refused.
      const rebound = await new Promise<number>((resolve, reject) => {
        get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/', headers: { Host: 'attacker.example' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      expect(rebound).toBe(421);
      // The record's evidence changes while the server runs: the next request says so.
      const victim = join(hostileDir, 'evidence/OQ-01.1-response.http');
      const original = readFileSync(victim);
      writeFileSync(victim, Buffer.concat([original, Buffer.from(' ')]));
      try {
        const now2 = await (await fetch(page)).text();
        expect(now2).toContain('✗ FAILED');
        expect(now2).toContain('EVIDENCE_ALTERED');
      } finally {
        writeFileSync(victim, original);
      }
      expect(errors).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);

  it('rejects a port that is not a number (exit 2)', async () => {
    const r = await runCli(['serve', '--port', 'http'], { cwd: repo.root, env: repo.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port expects a number');
  });
});

describe('verification of many reports', () => {
  it('gives in worker threads (the built module) exactly what it gives in this thread', async () => {
    const dirs = readdirSync(join(repo.root, 'reports/QP-0001')).sort().map((d) => join(repo.root, 'reports/QP-0001', d));
    const here = await verifyReportFolders(repo.root, dirs, now, { workers: 0 });
    const built = await import(pathToFileURL(fileURLToPath(new URL('../../dist/site/verify-reports.js', import.meta.url))).href);
    const there = await built.verifyReportFolders(repo.root, dirs, now, { workers: 2 });
    expect(there).toEqual(here);
    expect(here.map((r: { ok: boolean }) => r.ok)).toEqual([true, false, true]);
  });

  it('writes in worker threads the same report pages, byte for byte, as this thread (each by the worker that verified it)', async () => {
    const built = await import(pathToFileURL(fileURLToPath(new URL('../../dist/site/verify-reports.js', import.meta.url))).href);
    const entries = listReportFolders(repo.root, 'reports');
    expect(entries.length).toBe(3);
    const model = { title: 'Quality records', build: { builtAt: '2026-12-02T08:00:00Z', tool: 'qualify test', commit: null, uncommitted: null }, documents: [] };
    const write = async (workers: number) => {
      const out = makeTempDir('qualify-site-pages-').dir;
      const pool = built.createVerifyPool(repo.root, now, { workers, expected: entries.length });
      const verdicts = await pool.verify('reports', entries.map((e) => e.dir));
      const withVerdicts = entries.map((e, i) => ({ ...e, verification: verdicts[i] }));
      const written = await pool.writeReportPages(out, model, withVerdicts, Promise.resolve());
      pool.close();
      const files = (readdirSync(out, { recursive: true }) as string[]).filter((f) => !statSync(join(out, f)).isDirectory()).sort();
      return { written, files: Object.fromEntries(files.map((f) => [f, readFileSync(join(out, f)).toString('base64')])) };
    };
    const here = await write(0);
    const there = await write(2);
    expect(here.written.pages).toBe(3);
    expect(Object.keys(here.files).filter((f) => f.endsWith('index.html'))).toHaveLength(3);
    expect(there).toEqual(here);
    // The tampered report's page says so whichever thread wrote it.
    expect(Object.entries(there.files).some(([f, b]) => f.endsWith('index.html') && Buffer.from(b, 'base64').toString('utf8').includes('FAILED'))).toBe(true);
  });

  it('renders in a worker thread the same document PDF, byte for byte, as this thread (the site shares its PDFs out)', async () => {
    const built = await import(pathToFileURL(fileURLToPath(new URL('../../dist/site/verify-reports.js', import.meta.url))).href);
    const t = makeTempDir('qualify-site-pdf-');
    const text = '---\ndocument_id: SOP-0042\ntitle: Pages shared out\ntype: sop\nrevision: "01"\nstatus: draft\n---\n# Purpose\n\nThe same bytes from any thread: Prüfung, 検証, Ελληνικά.\n\n| Role | Task |\n|---|---|\n| QA | approves |\n';
    writeTree(t.dir, { 'qualify.yaml': 'environments: {}\n', 'sops/SOP-0042.md': text });
    const meta = { documentId: 'SOP-0042', title: 'Pages shared out', revision: '01', status: 'draft', kind: 'sop' as const, authors: ['Eve Executor (eve)'], created: '2026-10-08T09:04:31Z', watermark: 'DRAFT' as const };
    const { renderMarkdownToPdf } = await import('../../src/pdf/index.js');
    const { parseMarkdown } = await import('../../src/markdown/parse.js');
    const here = Buffer.from(await renderMarkdownToPdf(parseMarkdown(text.slice(text.indexOf('# Purpose'))), meta, { pageSize: 'A4' }));
    const pool = built.createVerifyPool(t.dir, now, { workers: 2, expected: 0 });
    const got: Array<[string, Buffer]> = [];
    let given = 0;
    await pool.verify('reports', [join(repo.root, 'reports/QP-0001', readdirSync(join(repo.root, 'reports/QP-0001'))[0]!)]);
    await pool.renderPdfs(async () => (given++ < 3 ? { sitePath: `p${given}.pdf`, job: { root: t.dir, file: join(t.dir, 'sops/SOP-0042.md'), meta, pageSize: 'A4' } } : null), (sitePath: string, pdf: Uint8Array) => got.push([sitePath, Buffer.from(pdf)]));
    pool.close();
    expect(got.map(([p]) => p).sort()).toEqual(['p1.pdf', 'p2.pdf', 'p3.pdf']);
    for (const [, pdf] of got) expect(pdf.equals(here)).toBe(true);
  });
});

describe('site model pieces', () => {
  it('reads revision and change control of each commit from git, newest first, with EDITOR set', async () => {
    const t = makeTempDir('qualify-site-git-');
    const doc = (rev: string, cc: string, body = 'Text.') => `---\ndocument_id: SOP-0001\ntitle: T\nrevision: "${rev}"\nchange_control: ${cc}\n---\n# Purpose\n\n${body}\n`;
    writeTree(t.dir, { 'sops/SOP-0001.md': doc('01', 'CC-1') });
    git(t.dir, 'init', '-q', '-b', 'main');
    git(t.dir, 'add', '-A');
    git(t.dir, 'commit', '-q', '-m', 'First issue');
    writeTree(t.dir, { 'sops/SOP-0001.md': doc('01', 'CC-1', 'Text.\n\nrevision: 99 in the body is not the revision.') });
    git(t.dir, 'commit', '-qam', 'Typo');
    writeTree(t.dir, { 'sops/SOP-0001.md': doc('02', 'CC-2', 'Text.\n\nrevision: 99 in the body is not the revision.') });
    git(t.dir, 'commit', '-qam', 'Revision 02');
    const editor = process.env.EDITOR;
    process.env.EDITOR = 'vi';
    try {
      const history = await documentHistory(t.dir, ['sops/SOP-0001.md'], new Map([['sops/SOP-0001.md', 6]]));
      expect(history.get('sops/SOP-0001.md')!.map((e) => [e.subject, e.revision, e.changeControl, e.author])).toEqual([['Revision 02', '02', 'CC-2', 'Test'], ['Typo', '01', 'CC-1', 'Test'], ['First issue', '01', 'CC-1', 'Test']]);
      const state = await repositoryState(t.dir);
      expect(state.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(state.uncommitted).toBe(0);
    } finally {
      if (editor === undefined) delete process.env.EDITOR;
      else process.env.EDITOR = editor;
      t.cleanup();
    }
    const plain = makeTempDir('qualify-site-nogit-');
    expect(await repositoryState(plain.dir)).toEqual({ commit: null, uncommitted: null });
    mkdirSync(join(plain.dir, 'sops'));
    expect((await documentHistory(plain.dir, ['sops/x.md'], new Map())).size).toBe(0);
    plain.cleanup();
  });

  it('computes review dates and safe, relative site paths', () => {
    expect(reviewDue('2026-01-31', 1)).toBe('2026-02-28');
    expect(reviewDue('2024-02-29', 12)).toBe('2025-02-28');
    expect(reviewDue('2026-10-05', 24)).toBe('2028-10-05');
    expect(reviewDue(null, 12)).toBeNull();
    expect(safePath('../../etc/pass wd')).toBe('___/___/etc/pass_wd');
    expect(relativeUrl('reports/QP-1/r/index.html', 'documents/sops/SOP-1.html#IQ-01')).toBe('../../../documents/sops/SOP-1.html#IQ-01');
    expect(relativeUrl('index.html', 'reports/index.html')).toBe('reports/index.html');
    expect(reportFile('reports/a/b/', 'evidence/x.svg')).toBe('reports/a/b/evidence/x.svg.txt');
    expect(reportFile('reports/a/b/', 'report.pdf')).toBe('reports/a/b/report.pdf');
    expect(reportFile('reports/a/b/', 'evidence/log.txt')).toBe('reports/a/b/evidence/log.txt');
  });
});
