// HTML from the one document tree: mdast → sanitized hast (remark-rehype, rehype-raw, rehype-sanitize),
// and hast → HTML text (rehype-stringify).
export { markdownToHast, type MarkdownToHastOptions, type UrlResolver } from './markdown-to-hast.js';
export { headingAnchor, shiftHeadings, slug, textOf, CASE_ID } from './plugins.js';
export { serializeHtml } from './serialize.js';
