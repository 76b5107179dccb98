// Where things live in the site: every page and file has a site path (forward slashes, relative to the
// site root), and links between pages are relative so the site works from file://, a zip and a server.

/** A path segment safe in a URL and on every file system (letters, digits, `.`, `_`, `-`). */
export function safeSegment(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? `_${cleaned.replace(/\./g, '_')}` : cleaned;
}

/** A relative path made of safe segments (`..` and empty segments cannot appear). */
export function safePath(p: string): string {
  return p.split(/[\\/]+/).filter((s) => s !== '' && s !== '.').map(safeSegment).join('/');
}

/** Site path of a document's page. */
export function documentPage(docPath: string): string {
  return `documents/${safePath(docPath.replace(/\.(md|markdown)$/i, ''))}.html`;
}

/** Site path of a document's PDF. */
export function documentPdf(docPath: string): string {
  return `documents/${safePath(docPath.replace(/\.(md|markdown)$/i, ''))}.pdf`;
}

/** Site folder of a report (`reports/<protocol folder>/<report folder>/`). */
export function reportBase(reportPath: string): string {
  const parts = reportPath.split('/').filter(Boolean);
  return `reports/${parts.slice(-2).map(safeSegment).join('/')}/`;
}

// Files a browser would execute or render as a page if opened from the site: copied with `.txt` added.
const ACTIVE = /\.(html?|xhtml|xht|svg|svgz|xml|xsl|xslt|js|mjs|cjs|css|shtml|mht|mhtml)$/i;

/** Site path of a file copied from a report folder (`rel` relative to the folder). PDFs keep their name. */
export function reportFile(base: string, rel: string): string {
  const p = safePath(rel);
  if (/\.pdf$/i.test(p)) return `${base}${p}`;
  return `${base}${ACTIVE.test(p) ? `${p}.txt` : p}`;
}

/** The relative URL from the page at `from` to the site path `to` (both relative to the site root). */
export function relativeUrl(from: string, to: string): string {
  const depth = from.split('/').length - 1;
  const prefix = '../'.repeat(depth);
  const [path, hash] = splitHash(to);
  const url = `${prefix}${path.split('/').map(encodeURIComponent).join('/')}`;
  return `${url === '' ? './' : url}${hash}`;
}

function splitHash(to: string): [string, string] {
  const i = to.indexOf('#');
  return i === -1 ? [to, ''] : [to.slice(0, i), `#${encodeURIComponent(to.slice(i + 1))}`];
}
