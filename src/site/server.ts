// `qualify serve`: the same site over HTTP on 127.0.0.1, read-only. Every page is built when it is requested,
// from the files as they are now: a report page verifies that report again, lists and the overview verify
// every report, so an auditor browsing during an inspection sees the state of now.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { DocumentPdfSource } from './build.js';
import { verificationResults } from './build.js';
import { CSP } from './html.js';
import type { DocumentEntry, ReportEntry, SiteModel } from './model.js';
import { assetPath, documentPage, documentsListPage } from './pages/documents.js';
import { homePage } from './pages/home.js';
import { auditPage, searchPage, tracePage } from './pages/records.js';
import { reportPage } from './pages/report.js';
import { reportsListPage } from './pages/reports.js';
import { verifyPage } from './pages/verify.js';
import { readReportFiles } from './report-files.js';
import { buildSearchIndex, searchIndexScript } from './search-index.js';

export interface SiteServerOptions {
  /** A fresh model; `verifyReport` picks the report folders (repository-relative) verified for this request. */
  load(verifyReport: (path: string) => boolean): Promise<SiteModel>;
  documentPdf?: ((entry: DocumentEntry) => DocumentPdfSource) | null;
}

interface Reply {
  status: number;
  type: string;
  body: string | Uint8Array;
}

const ASSETS = new URL('../../templates/site/', import.meta.url);
const ALL = () => true;
const NONE = () => false;

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8', css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', json: 'application/json; charset=utf-8',
  pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp',
};

function typeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return TYPES[ext] ?? (/\.(txt|pem|yaml|yml|md|xml|http|log)$/i.test(path) ? 'text/plain; charset=utf-8' : 'application/octet-stream');
}

const html = (body: string): Reply => ({ status: 200, type: TYPES.html!, body });
const notFound = (path: string): Reply => ({ status: 404, type: 'text/plain; charset=utf-8', body: `not found: /${path}\n` });

/** Builds the reply for one site path, or 404. */
export async function siteReply(options: SiteServerOptions, sitePath: string, assets: Map<string, string>): Promise<Reply> {
  const path = sitePath === '' ? 'index.html' : sitePath.endsWith('/') ? `${sitePath}index.html` : sitePath;
  if (path === 'assets/site.css' || path === 'assets/site.js') return { status: 200, type: typeOf(path), body: readFileSync(new URL(path.slice('assets/'.length), ASSETS)) };
  const whole: Record<string, (m: SiteModel) => Reply> = {
    'index.html': (m) => html(homePage(m)),
    'reports/index.html': (m) => html(reportsListPage(m)),
    'verify.html': (m) => html(verifyPage(m)),
    'search-index.js': (m) => ({ status: 200, type: typeOf(path), body: searchIndexScript(buildSearchIndex(m)) }),
    'verification.json': (m) => ({ status: 200, type: typeOf(path), body: `${JSON.stringify(verificationResults(m), null, 2)}\n` }),
  };
  if (whole[path]) return whole[path](await options.load(ALL));
  const documentsOnly: Record<string, (m: SiteModel) => Reply> = {
    'documents/index.html': (m) => html(documentsListPage(m)),
    'trace.html': (m) => html(tracePage(m)),
    'audit.html': (m) => html(auditPage(m)),
    'search.html': (m) => html(searchPage(m)),
  };
  if (documentsOnly[path]) return documentsOnly[path](await options.load(NONE));
  if (path.startsWith('documents/') || path.startsWith('trust-root/')) return documentReply(options, path, assets);
  if (path.startsWith('files/')) {
    const abs = assets.get(path);
    return abs ? { status: 200, type: typeOf(path), body: readFileSync(abs) } : notFound(path);
  }
  if (path.startsWith('reports/')) return reportReply(options, path);
  return notFound(path);
}

async function documentReply(options: SiteServerOptions, path: string, assets: Map<string, string>): Promise<Reply> {
  const m = await options.load(NONE);
  if (path === 'trust-root/signers.yaml' && m.trust) return { status: 200, type: typeOf(path), body: m.trust.text };
  if (path === 'trust-root/ca.pem' && m.trust?.ca) return { status: 200, type: typeOf(path), body: m.trust.ca.certificate };
  const byPage = m.documents.find((d) => d.page === path);
  if (byPage) {
    const copyAsset = (abs: string) => {
      const p = assetPath(m.root, abs);
      assets.set(p, abs);
      return p;
    };
    return html(documentPage(m, byPage, { copyAsset }));
  }
  const byPdf = m.documents.find((d) => d.pdf === path);
  if (byPdf && options.documentPdf) return { status: 200, type: TYPES.pdf!, body: await options.documentPdf(byPdf).render() };
  return notFound(path);
}

async function reportReply(options: SiteServerOptions, path: string): Promise<Reply> {
  // Which report folder: the one whose site folder starts the path (listed without verifying anything).
  const listed = await options.load(NONE);
  const entry = listed.reports.find((r) => path.startsWith(r.base));
  if (!entry) return notFound(path);
  const rest = path.slice(entry.base.length);
  // Only the files the static site copies are served (the same site, over HTTP).
  const files = readReportFiles(entry);
  const file = [...files].find(([, f]) => f.site === path);
  if (file) return { status: 200, type: typeOf(path), body: file[1].bytes! };
  if (rest !== 'index.html') return notFound(path);
  const m = await options.load((p) => p === entry.path);
  const fresh = m.reports.find((r) => r.path === entry.path)!;
  return html(reportPage(m, fresh, readReportFiles(fresh)));
}

/** Security headers of every reply: the page CSP (plus no framing), no sniffing, no caching, no referrer. */
function headers(type: string, length: number): Record<string, string | number> {
  return {
    'Content-Type': type,
    'Content-Length': length,
    'Content-Security-Policy': `${CSP}; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** An HTTP server for the site; listen on 127.0.0.1 only. `onError` hears internal failures (answered 500). */
export function createSiteServer(options: SiteServerOptions, onError: (err: unknown) => void = () => {}): Server {
  const assets = new Map<string, string>();
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (r: Reply) => {
      const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
      res.writeHead(r.status, headers(r.type, body.length));
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send({ status: 405, type: 'text/plain; charset=utf-8', body: 'read-only: GET and HEAD only\n' });
    }
    // A page is only for this machine: refuse other host names (DNS rebinding).
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (host !== '127.0.0.1' && host !== 'localhost') return send({ status: 421, type: 'text/plain; charset=utf-8', body: 'serve answers 127.0.0.1 and localhost only\n' });
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname).replace(/^\/+/, '');
    } catch {
      return send({ status: 400, type: 'text/plain; charset=utf-8', body: 'bad request path\n' });
    }
    if (path.split('/').some((s) => s === '..' || s === '.') || path.includes('\\') || path.includes('\0')) return send(notFound(path));
    siteReply(options, path, assets).then(send, (err) => {
      onError(err);
      send({ status: 500, type: 'text/plain; charset=utf-8', body: 'internal error while building this page; see the terminal running qualify serve\n' });
    });
  });
}
