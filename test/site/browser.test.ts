// The auditor's site in a real browser (Debian's chromium driven by playwright-core; nothing downloaded):
// a repository with two real runs of QP-0001 (real Docker engine, registry digest, signatures through the
// CLI) and a copy of one report with one evidence byte changed. The site opens from file:// and through
// `qualify serve`; the auditor goes home → report → evidence, sorts and filters the list, searches a digest,
// sees the tampered copy FAILED (with the reason, in red) and the others VERIFIED; axe-core finds no serious
// or critical violation; the keyboard reaches everything. Screenshots go to test-artifacts/site/.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { qualifiedRepo, type QualifiedRepo } from '../helpers/qualified-repo.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/site/', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let repo: QualifiedRepo;
let browser: Browser;
let site: string;
let tampered: string;
let serveProcess: ChildProcess | null = null;
/** Every URL any page of the test asked for: nothing may leave the site. */
const requested: string[] = [];

beforeAll(async () => {
  repo = await qualifiedRepo();
  // A copy of the first report in which one byte of one evidence file differs.
  tampered = `${repo.reports[0]}-copy`;
  cpSync(join(repo.root, repo.reports[0]!), join(repo.root, tampered), { recursive: true });
  const evidenceDir = join(repo.root, tampered, 'evidence');
  const victim = join(evidenceDir, readdirSync(evidenceDir).find((f) => f.endsWith('.json') && f !== 'manifest.json')!);
  const bytes = readFileSync(victim);
  const at = bytes.indexOf('"Id"');
  bytes[at + 1] = 'J'.charCodeAt(0);
  writeFileSync(victim, bytes);
  const built = await runCli(['site', '--out', 'site', '--title', 'Example Pharma QMS'], { cwd: repo.root, env: repo.env });
  expect(built.code, built.stderr).toBe(0);
  site = join(repo.root, 'site');
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 300_000);

afterAll(async () => {
  if (serveProcess?.pid) process.kill(serveProcess.pid, 'SIGTERM');
  await browser?.close();
  await repo?.cleanup();
});

async function newPage(options: { dark?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: options.dark ? 'dark' : 'light' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  // A CSP violation or a failed load shows as a console error.
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, page, errors };
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** axe-core in the page (evaluated through the DevTools protocol, so the page's CSP stays as it is). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run(document, { resultTypes: ['violations'], preload: false });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.where.join(', ')}`);
}

const fileUrl = (p: string) => pathToFileURL(join(site, p)).href;
const reportId = (p: string) => p.split('/').pop()!;

describe('the site from file://', () => {
  it('goes home → report → evidence; every page passes axe-core; no request leaves the site', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(fileUrl('index.html'));
    await expect(page.title()).resolves.toBe('Overview · Example Pharma QMS');
    await expect(page.locator('h1').textContent()).resolves.toBe('The system at a glance');
    // The tampered copy is called out first, in red, with the reason.
    const alert = page.locator('section.alert-fail');
    await expect(alert.textContent()).resolves.toContain('FAILED');
    await expect(alert.textContent()).resolves.toContain('RECORD_MISPLACED');
    await shot(page, '01-home');
    expect(await axeViolations(page)).toEqual([]);

    // The latest qualification links to the newest record.
    await page.locator('#latest').getByRole('link', { name: reportId(repo.reports[1]!) }).click();
    await expect(page.locator('h1').textContent()).resolves.toContain(reportId(repo.reports[1]!));
    await expect(page.locator('#verdict').textContent()).resolves.toContain('VERIFIED');
    await expect(page.locator('#deviations').textContent()).resolves.toContain('CAPA-2026-07');
    await expect(page.locator('#signatures').textContent()).resolves.toContain('Quinn Approver');
    await expect(page.locator('#subject').textContent()).resolves.toContain(repo.image);
    await shot(page, '02-report');
    expect(await axeViolations(page)).toEqual([]);

    // Its evidence, inline, as recorded: the link opens the content.
    await page.locator('#case-IQ-02 ~ .table-wrap').getByRole('link', { name: /inspect/ }).first().click();
    expect(page.url()).toMatch(/#ev-IQ-02\.1-inspect/);
    const item = page.locator('article.evidence-item:target');
    await expect(item.locator('h3').textContent()).resolves.toContain('matches the record');
    await expect(item.locator('pre.evidence-text').isVisible()).resolves.toBe(true);
    await expect(item.locator('pre.evidence-text').textContent()).resolves.toContain('"Id"');
    await item.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, '03-evidence.png') });
    expect(await axeViolations(page)).toEqual([]);

    for (const p of ['documents/index.html', 'trace.html', 'audit.html', 'verify.html', 'search.html']) {
      await page.goto(fileUrl(p));
      await shot(page, `04-${p.replace(/[/.]/g, '-')}`);
      expect(await axeViolations(page), p).toEqual([]);
    }
    const doc = readdirSync(join(site, 'documents/sops')).find((f) => f.endsWith('.html'))!;
    await page.goto(fileUrl(`documents/sops/${doc}`));
    await expect(page.locator('#signatures').textContent()).resolves.toContain('Quinn Approver');
    await shot(page, '05-document');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    expect(requested.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await context.close();
  });

  it('shows the tampered copy FAILED with its reason in red on the list and its page, the others VERIFIED', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(fileUrl('reports/index.html'));
    const rows = page.locator('#reports-table tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    const verdicts = await rows.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, tr.getAttribute('data-verification'), tr.cells[7]!.textContent]));
    const failed = verdicts.filter(([, v]) => v === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]![2]).toContain('RECORD_MISPLACED');
    expect(verdicts.filter(([, v]) => v === 'verified')).toHaveLength(2);
    const reason = page.locator('tr.row-failed .reason');
    const red = await reason.evaluate((el) => getComputedStyle(el).color);
    expect(red).toBe('rgb(164, 14, 38)');
    await shot(page, '06-reports');
    expect(await axeViolations(page)).toEqual([]);

    await page.locator('tr.row-failed th a').click();
    await expect(page.locator('#verdict').textContent()).resolves.toContain('FAILED');
    await expect(page.locator('.alert-fail .findings').textContent()).resolves.toContain('EVIDENCE_ALTERED');
    await expect(page.locator('.alert-fail').evaluate((el) => getComputedStyle(el).color)).resolves.toBe('rgb(164, 14, 38)');
    await expect(page.locator('.evidence .badge-fail').first().textContent()).resolves.toContain('ALTERED');
    await expect(page.locator('article.evidence-item .badge-fail').first().textContent()).resolves.toContain('ALTERED');
    await shot(page, '07-tampered-report');
    const dark = await newPage({ dark: true });
    await dark.page.goto(page.url());
    await shot(dark.page, '08-tampered-report-dark');
    expect(await axeViolations(dark.page)).toEqual([]);
    await dark.context.close();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('sorts and filters the reports list, and searches for a digest', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(fileUrl('reports/index.html'));
    const dates = () => page.locator('#reports-table tbody tr:not([hidden])').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-date')!));
    const header = page.getByRole('button', { name: 'Run started' });
    await header.click();
    const ascending = await dates();
    expect(ascending).toEqual([...ascending].sort());
    await expect(page.locator('th', { has: header }).getAttribute('aria-sort')).resolves.toBe('ascending');
    await header.click();
    expect(await dates()).toEqual([...ascending].reverse());

    await page.getByLabel('Verification').selectOption('failed');
    await expect(page.locator('#reports-table tbody tr:not([hidden])').count()).resolves.toBe(1);
    await expect(page.locator('[data-count-for="reports-table"]').textContent()).resolves.toBe('Showing 1 of 3');
    await shot(page, '09-reports-filtered');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.locator('#reports-table tbody tr:not([hidden])').count()).toBe(3);
    await page.getByLabel('Text').fill(reportId(repo.reports[1]!));
    await expect.poll(() => page.locator('#reports-table tbody tr:not([hidden])').count()).toBe(1);

    // Search from the header for the image digest: every record of that image.
    const hex = repo.image.split('@sha256:')[1]!;
    await page.getByRole('searchbox', { name: 'Search documents and reports' }).fill(hex.slice(0, 20));
    await page.getByRole('searchbox', { name: 'Search documents and reports' }).press('Enter');
    await page.waitForURL(/search\.html\?q=/);
    const results = page.locator('#search-results li');
    await expect(results.count()).resolves.toBe(3);
    await expect(page.locator('#search-status').textContent()).resolves.toContain('3 result(s)');
    await shot(page, '10-search');
    expect(await axeViolations(page)).toEqual([]);
    await results.first().locator('a').click();
    await expect(page.locator('#subject').textContent()).resolves.toContain(hex);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is usable with the keyboard: skip link, navigation, sortable headings', async () => {
    const { context, page } = await newPage();
    await page.goto(fileUrl('reports/index.html'));
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');
    await expect(page.evaluate(() => getComputedStyle(document.activeElement!).left)).resolves.not.toBe('-999px');
    await page.keyboard.press('Enter');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('main');
    const focused: string[] = [];
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const [name, outline] = await page.evaluate(() => {
        const el = document.activeElement!;
        return [`${el.tagName} ${el.tagName === 'SELECT' || el.tagName === 'INPUT' ? el.id : el.textContent?.trim()}`, getComputedStyle(el).outlineStyle];
      });
      if (name === 'BODY' || name.startsWith('BODY ')) break;
      // Whatever the keyboard is on shows it.
      expect(outline, name).not.toBe('none');
      focused.push(name);
    }
    // The filters come first, then the sortable headings (buttons), reachable without a mouse.
    expect(focused).toContain('SELECT filter-protocol');
    expect(focused.filter((f) => f.startsWith("BUTTON Report")), focused.join(", ")).toHaveLength(1);
    // Sorting with Enter on a focused heading.
    await page.getByRole('button', { name: 'Run started' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('th', { has: page.getByRole('button', { name: 'Run started' }) }).getAttribute('aria-sort')).resolves.toBe('ascending');
    // From the home page, Tab reaches the site navigation after the skip link and the title.
    await page.goto(fileUrl('index.html'));
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Overview');
    await context.close();
  });

  it('reads without JavaScript: every report row and the evidence are in the HTML', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(fileUrl('reports/index.html'));
    await expect(page.locator('#reports-table tbody tr').count()).resolves.toBe(3);
    await expect(page.locator('form.filters').isVisible()).resolves.toBe(false);
    await expect(page.locator('tr.row-failed').textContent()).resolves.toContain('FAILED');
    await shot(page, '11-reports-no-js');
    await context.close();
  });
});

describe('the site through qualify serve', () => {
  it('serves the same site on 127.0.0.1 and verifies again when a page is requested', async () => {
    serveProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--title', 'Example Pharma QMS'], { cwd: repo.root, env: { ...process.env, ...repo.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      serveProcess!.stdout!.on('data', (d) => {
        out += String(d);
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
        if (m) resolve(m[0]);
      });
      serveProcess!.on('exit', (code) => reject(new Error(`qualify serve exited ${code}`)));
    });
    const { context, page, errors } = await newPage();
    await page.goto(url);
    await expect(page.locator('section.alert-fail').textContent()).resolves.toContain('RECORD_MISPLACED');
    await page.goto(`${url}reports/index.html`);
    await expect(page.locator('#reports-table tbody tr[data-verification="verified"]').count()).resolves.toBe(2);
    await shot(page, '12-serve-reports');

    // A byte of the second record's evidence changes while the server runs: its page says so at once.
    const second = repo.reports[1]!;
    const evidence = join(repo.root, second, 'evidence');
    const victim = join(evidence, readdirSync(evidence).find((f) => f.endsWith('.txt'))!);
    const reportUrl = `${url}${second.replace(/^reports\//, 'reports/')}/index.html`;
    await page.goto(reportUrl);
    await expect(page.locator('#verdict').textContent()).resolves.toContain('VERIFIED');
    const bytes = readFileSync(victim);
    bytes[0] = bytes[0] === 0x41 ? 0x42 : 0x41;
    writeFileSync(victim, bytes);
    await page.reload();
    await expect(page.locator('#verdict').textContent()).resolves.toContain('FAILED');
    await expect(page.locator('.alert-fail .findings').textContent()).resolves.toContain('EVIDENCE_ALTERED');
    await shot(page, '13-serve-tampered-now');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    expect(requested.filter((u) => !u.startsWith('file://') && !u.startsWith(url))).toEqual([]);
    await context.close();
    expect(existsSync(join(ARTIFACTS, '13-serve-tampered-now.png'))).toBe(true);
  });
});
