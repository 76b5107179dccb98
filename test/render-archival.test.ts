// Archival PDFs, validated: Apache PDFBox Preflight (Debian's libpdfbox2-java) checks the PDF/A-1b
// documents we write (the shipped SOPs and protocol, the SOP book, a stress document of every script);
// the PDF/A-3 reports (an approved, PDF-signed one) are checked by reading their structure back: fonts
// embedded with /ToUnicode, the sRGB output intent, XMP that claims PDF/A-3, and /AFRelationship on every
// attached file. Every PDF is tagged: a structure tree of the document's headings, paragraphs, lists,
// tables and code, marked content with MCIDs, a ParentTree, /Lang; page furniture is an artifact.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFRef, PDFString, PDFHexString, decodePDFRawStream, type PDFObject } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseMarkdown } from '../src/markdown/parse.js';
import { renderMarkdownToPdf, type PdfDocumentMeta } from '../src/pdf/index.js';
import { loadReportRenderer } from '../src/signing/pdf-render.js';
import { signReport } from '../src/signing/sign.js';
import { runCli } from './helpers/cli.js';
import { pdffonts, pdftotext, savePdf } from './helpers/pdf-tools.js';
import { makeTempDir } from './helpers/tmp.js';
import { copyRepo, ctxFor, enrolledRepo, T, writeReport, type Enrolled } from './signing/fixture.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const tmp = makeTempDir('qualify-archival-');
afterAll(() => tmp.cleanup());

// ---- Apache PDFBox Preflight ---------------------------------------------------------------------

const JARS = ['preflight', 'pdfbox2', 'fontbox2', 'xmpbox', 'commons-logging', 'javax.activation', 'jaxb-api'].map((j) => `/usr/share/java/${j}.jar`).join(':');
const haveJava = spawnSync('java', ['-version']).status === 0;
if (!haveJava && process.env.CI) throw new Error('PDF/A validation needs java and Apache PDFBox Preflight in CI: scripts/setup.sh installs default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java');
if (!haveJava) console.log('PDF/A Preflight tests skipped: java is not installed (scripts/setup.sh installs default-jre-headless and libpdfbox2-java)');

/** Preflight's verdict on one file: valid, or the errors it lists. */
function preflight(path: string): { valid: boolean; report: string } {
  const r = spawnSync('java', ['-cp', JARS, 'org.apache.pdfbox.preflight.Validator_A1b', 'xml', path], { encoding: 'utf8', timeout: 120_000 });
  const report = `${r.stdout}${r.stderr}`;
  return { valid: /<isValid type="PDF\/A1-b">true<\/isValid>/.test(report), report };
}

describe.skipIf(!haveJava)('PDF/A-1b documents pass Apache PDFBox Preflight', () => {
  const shipped = [...readdirSync(join(ROOT, 'sops')).map((f) => `sops/${f}`), ...readdirSync(join(ROOT, 'protocols')).map((f) => `protocols/${f}`)].filter((f) => f.endsWith('.md'));
  beforeAll(() => {
    // The project's own QMS folders, copied so that rendering writes nothing into the project.
    for (const d of ['sops', 'protocols']) cpSync(join(ROOT, d), join(tmp.dir, 'qms', d), { recursive: true });
    copyFileSync(join(ROOT, 'qualify.yaml'), join(tmp.dir, 'qms', 'qualify.yaml'));
  });

  test.each(shipped)('%s', async (file) => {
    const out = join(tmp.dir, `${file.replace(/\W+/g, '-')}.pdf`);
    const r = await runCli(['render', file, '--out', out], { cwd: join(tmp.dir, 'qms'), now: new Date('2026-11-01T00:00:00Z') });
    expect(r.code, r.stderr).toBe(0);
    const v = preflight(out);
    expect(v.valid, v.report).toBe(true);
  });

  test('the SOP book', async () => {
    const out = join(tmp.dir, 'sops-book.pdf');
    const r = await runCli(['render', 'sops', '--book', '--out', out], { cwd: join(tmp.dir, 'qms'), now: new Date('2026-11-01T00:00:00Z') });
    expect(r.code, r.stderr).toBe(0);
    const v = preflight(out);
    expect(v.valid, v.report).toBe(true);
  });

  test('a draft with its watermark, and the stress document of every script', async () => {
    const meta: PdfDocumentMeta = { documentId: 'SOP-0900', title: 'Every script', revision: '01', status: 'draft', kind: 'sop', created: '2026-10-01', watermark: 'DRAFT' };
    const path = savePdf(tmp.dir, 'scripts.pdf', await renderMarkdownToPdf(parseMarkdown(readFileSync(join(ROOT, 'test/fixtures/render/scripts.md'), 'utf8')), meta));
    const v = preflight(path);
    expect(v.valid, v.report).toBe(true);
  });
});

// ---- Structure read back with pdf-lib --------------------------------------------------------------

type Node = { type: string; kids: Node[]; mcids: number; lang?: string; alt?: string };

function lookup<T extends PDFObject>(doc: PDFDocument, v: PDFObject | undefined): T | undefined {
  return (v instanceof PDFRef ? doc.context.lookup(v) : v) as T | undefined;
}

function str(v: PDFObject | undefined): string | undefined {
  return v instanceof PDFString || v instanceof PDFHexString ? v.decodeText() : undefined;
}

/** The structure tree of a PDF as nested {type, kids, mcids}. */
function structureTree(doc: PDFDocument): Node {
  const root = doc.catalog.lookup(PDFName.of('StructTreeRoot'), PDFDict);
  const walk = (d: PDFDict): Node => {
    const n: Node = { type: d.lookup(PDFName.of('S'), PDFName).decodeText(), kids: [], mcids: 0 };
    const lang = str(d.lookup(PDFName.of('Lang')));
    if (lang) n.lang = lang;
    const alt = str(d.lookup(PDFName.of('Alt')));
    if (alt !== undefined) n.alt = alt;
    const k = d.get(PDFName.of('K'));
    const list = k instanceof PDFArray ? k.asArray() : k ? [k] : [];
    for (const item of list) {
      const v = lookup<PDFObject>(doc, item);
      if (v instanceof PDFNumber) n.mcids++;
      else if (v instanceof PDFDict) {
        const type = v.lookup(PDFName.of('Type'));
        if (type instanceof PDFName && type.decodeText() === 'MCR') n.mcids++;
        else if (type instanceof PDFName && type.decodeText() === 'OBJR') continue;
        else n.kids.push(walk(v));
      }
    }
    return n;
  };
  return walk(lookup<PDFDict>(doc, root.get(PDFName.of('K')))!);
}

function flatten(n: Node): Node[] {
  return [n, ...n.kids.flatMap(flatten)];
}

describe('tagged PDF: structure tree, marked content, artifacts', () => {
  let doc: PDFDocument;
  let path: string;
  const md = [
    '# Purpose', '', 'Release by **promoting** images built by CI under [SOP-0102](https://example.invalid) and EU GMP Annex 11.', '',
    '## Steps', '', '1. Build the image.', '2. Promote it by digest.', '', '| Role | Responsibility |', '|---|---|', '| QA | approves |', '| Release engineer | executes |', '',
    '```check', 'type: container.image', 'container: web', '```', '', '![The release pipeline](evidence/pipeline.png)', '',
    'Arabic: مرحبا بالعالم and Devanagari: नमस्ते दुनिया.', '',
  ].join('\n');
  beforeAll(async () => {
    const meta: PdfDocumentMeta = { documentId: 'SOP-0013', title: 'Docker Release and Operations', revision: '05', status: 'draft', kind: 'sop', created: '2020-07-18', watermark: 'DRAFT' };
    const bytes = await renderMarkdownToPdf(parseMarkdown(md), meta, { images: () => null });
    path = savePdf(tmp.dir, 'tagged.pdf', bytes);
    doc = await PDFDocument.load(bytes, { updateMetadata: false });
  });

  test('MarkInfo /Marked, /Lang, a StructTreeRoot with a ParentTree; pdfinfo says Tagged', () => {
    expect(doc.catalog.lookup(PDFName.of('MarkInfo'), PDFDict).get(PDFName.of('Marked'))?.toString()).toBe('true');
    expect(str(doc.catalog.lookup(PDFName.of('Lang')))).toBe('en');
    const root = doc.catalog.lookup(PDFName.of('StructTreeRoot'), PDFDict);
    const nums = root.lookup(PDFName.of('ParentTree'), PDFDict).lookup(PDFName.of('Nums'), PDFArray);
    expect(nums.size()).toBeGreaterThanOrEqual(2 * doc.getPageCount());
    expect(execFileSync('pdfinfo', [path], { encoding: 'utf8' })).toMatch(/^Tagged:\s+yes$/m);
  });

  test('the tree holds the document in reading order: headings, paragraphs, list, table, code, figure with alt text', () => {
    const tree = structureTree(doc);
    expect(tree.type).toBe('Document');
    const all = flatten(tree);
    const types = all.map((n) => n.type);
    for (const t of ['H1', 'H2', 'P', 'L', 'LI', 'Lbl', 'LBody', 'Table', 'TR', 'TH', 'TD', 'Code', 'Link']) expect(types, t).toContain(t);
    // Reading order: Purpose (H1) before Steps (H2) before the list, the table and the code block.
    const body = all.filter((n) => ['H1', 'H2', 'L', 'Table', 'Code'].includes(n.type)).map((n) => n.type);
    // (the cover comes first: its title, the control block; then the body from "Purpose", then the signatures)
    const purpose = body.indexOf('H1', 1);
    expect(body.slice(purpose)).toEqual(['H1', 'H2', 'L', 'Table', 'Code', 'H1']);
    // Every element with content points at marked content.
    for (const n of all.filter((x) => ['P', 'H1', 'H2', 'TD', 'Code', 'Lbl'].includes(x.type))) expect(n.mcids + n.kids.length, n.type).toBeGreaterThan(0);
    // pdfinfo reads the same structure and its text (poppler's own parser).
    const struct = execFileSync('pdfinfo', ['-struct-text', path], { encoding: 'utf8' });
    expect(struct).toContain('Table');
    expect(struct).toMatch(/P \(block\)\n\s+"Release by promoting images built by CI under"\n\s+Link \(inline\)\n\s+"SOP-0102"/);
  });

  test('an image without bytes becomes a visible placeholder; a placed image is a Figure with its alt text', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c626001000000ffff03000006000557bfabd40000000049454e44ae426082', 'hex');
    const bytes = await renderMarkdownToPdf(parseMarkdown('![The release pipeline](p.png)\n'), { documentId: 'X-1', title: 'X', revision: '1', status: 'effective', kind: 'sop', created: '2026-01-01' }, { images: () => png });
    const fig = flatten(structureTree(await PDFDocument.load(bytes))).find((n) => n.type === 'Figure');
    expect(fig?.alt).toBe('The release pipeline');
  });

  test('page furniture and the watermark are artifacts: every page content stream marks them', () => {
    for (const page of doc.getPages()) {
      const contents = lookup<PDFRawStream>(doc, page.node.get(PDFName.of('Contents')))!;
      const ops = Buffer.from(decodePDFRawStream(contents).decode()).toString('latin1');
      expect(ops).toContain('/Artifact <</Type /Pagination /Subtype /Header>> BDC');
      expect(ops).toContain('/Artifact <</Type /Pagination /Subtype /Footer>> BDC');
      expect(ops).toContain('/Artifact <</Type /Pagination /Subtype /Watermark>> BDC');
      // Every text object is inside marked content: no BT outside BDC … EMC.
      let depth = 0;
      for (const op of ops.split('\n')) {
        if (op.endsWith('BDC') || op.endsWith('BMC')) depth++;
        else if (op === 'EMC') depth--;
        else if (op === 'BT') expect(depth).toBeGreaterThan(0);
      }
      expect(page.node.get(PDFName.of('StructParents'))).toBeInstanceOf(PDFNumber);
    }
  });

  test('the DRAFT watermark leaves no fragments in the text; the footer says DRAFT; per-span /Lang', () => {
    const text = pdftotext(path);
    for (const line of text.split('\n')) expect(line.trim()).not.toMatch(/^(D|DR|R|A|AF|F|T|RA|RAF|AFT|FT)$/);
    expect(text.match(/DRAFT/g)?.length).toBe(doc.getPageCount());
    const ops = doc.getPages().map((p) => Buffer.from(decodePDFRawStream(lookup<PDFRawStream>(doc, p.node.get(PDFName.of('Contents')))!).decode()).toString('latin1')).join('\n');
    // Arabic and Hindi words say their language; Devanagari (reordered glyphs) also its text.
    expect(ops).toContain(`/Lang <FEFF${Buffer.from('ar', 'utf16le').swap16().toString('hex').toUpperCase()}>`);
    expect(ops).toMatch(/\/Lang <FEFF00680069> \/ActualText <FEFF[0-9A-F]+>/);
  });
});

// ---- PDF/A-3 reports: structure test ---------------------------------------------------------------

/** What makes a PDF/A-3 file archival, read back: problems found (empty when it holds). */
function pdfa3Problems(doc: PDFDocument): string[] {
  const problems: string[] = [];
  const catalog = doc.catalog;
  // XMP claims PDF/A-3B.
  const meta = lookup<PDFRawStream>(doc, catalog.get(PDFName.of('Metadata')));
  const xmp = meta ? Buffer.from(decodePDFRawStream(meta).decode()).toString('utf8') : '';
  if (!/<pdfaid:part>3<\/pdfaid:part>/.test(xmp) || !/<pdfaid:conformance>B<\/pdfaid:conformance>/.test(xmp)) problems.push('XMP does not claim PDF/A-3B');
  // The sRGB output intent with its ICC profile.
  const intents = catalog.lookupMaybe(PDFName.of('OutputIntents'), PDFArray);
  const intent = intents?.size() ? lookup<PDFDict>(doc, intents.get(0)) : undefined;
  if (!intent || intent.lookup(PDFName.of('S'))?.toString() !== '/GTS_PDFA1' || !intent.get(PDFName.of('DestOutputProfile'))) problems.push('no PDF/A output intent with an ICC profile');
  // Every font: embedded, with /ToUnicode.
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict) || obj.lookup(PDFName.of('Type'))?.toString() !== '/Font') continue;
    const subtype = obj.lookup(PDFName.of('Subtype'))?.toString();
    if (subtype === '/Type0') {
      if (!obj.get(PDFName.of('ToUnicode'))) problems.push(`font ${ref} has no /ToUnicode`);
      const cid = lookup<PDFDict>(doc, obj.lookup(PDFName.of('DescendantFonts'), PDFArray).get(0))!;
      const fd = cid.lookup(PDFName.of('FontDescriptor'), PDFDict);
      if (!fd.get(PDFName.of('FontFile2')) && !fd.get(PDFName.of('FontFile3'))) problems.push(`font ${ref} is not embedded`);
    } else if (subtype !== '/CIDFontType2' && subtype !== '/CIDFontType0') {
      const fd = obj.lookupMaybe(PDFName.of('FontDescriptor'), PDFDict);
      if (!fd || !(fd.get(PDFName.of('FontFile')) || fd.get(PDFName.of('FontFile2')) || fd.get(PDFName.of('FontFile3')))) problems.push(`font ${ref} (${obj.lookup(PDFName.of('BaseFont'))}) is not embedded`);
    }
  }
  // Every attached file says how it relates to the document and is listed in the catalog's /AF.
  const af = new Set((catalog.lookupMaybe(PDFName.of('AF'), PDFArray)?.asArray() ?? []).map((r) => r.toString()));
  const names = catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict)?.lookupMaybe(PDFName.of('Names'), PDFArray);
  const list = names?.asArray() ?? [];
  for (let i = 1; i < list.length; i += 2) {
    const spec = lookup<PDFDict>(doc, list[i])!;
    const name = str(spec.lookup(PDFName.of('UF'))) ?? str(spec.lookup(PDFName.of('F')));
    if (!spec.get(PDFName.of('AFRelationship'))) problems.push(`attached file ${name} has no /AFRelationship`);
    if (!af.has(list[i]!.toString())) problems.push(`attached file ${name} is not in the catalog's /AF`);
    const ef = spec.lookup(PDFName.of('EF'), PDFDict).lookup(PDFName.of('F'));
    if (!(ef instanceof PDFRawStream) || !ef.dict.get(PDFName.of('Subtype'))) problems.push(`attached file ${name} has no MIME type`);
  }
  if (!list.length) problems.push('no attached file');
  return problems;
}

describe('PDF/A-3 reports: an approved, PDF-signed report read back', () => {
  let base: Enrolled;
  let repo: Enrolled;
  let dir: string;
  beforeAll(async () => {
    base = await enrolledRepo();
    repo = copyRepo(base);
    dir = await writeReport(repo.root);
    const renderer = await loadReportRenderer();
    await signReport(dir, 'eve', 'executed', null, ctxFor(repo, 'eve', T.executed, renderer));
    await signReport(dir, 'rita', 'reviewed', null, ctxFor(repo, 'rita', T.reviewed, renderer));
    const approved = await signReport(dir, 'quinn', 'approved', null, ctxFor(repo, 'quinn', T.approved, renderer));
    expect(approved.pdf?.signed).toBe(true);
  }, 120_000);
  afterAll(() => {
    repo?.cleanup();
    base?.cleanup();
  });

  test('fonts embedded with /ToUnicode (pdffonts too), output intent, XMP PDF/A-3B, /AFRelationship on every attachment', async () => {
    const bytes = readFileSync(join(dir, 'report.pdf'));
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(pdfa3Problems(doc)).toEqual([]);
    const fonts = pdffonts(join(dir, 'report.pdf'));
    expect(fonts.length).toBeGreaterThan(2);
    for (const f of fonts) expect(f, f.name).toMatchObject({ emb: 'yes', uni: 'yes' });
    // report.json and the three signature envelopes are attached.
    const list = execFileSync('pdfdetach', ['-list', join(dir, 'report.pdf')], { encoding: 'utf8' });
    expect(list).toContain('report.json');
    expect(list.match(/dsse\.json/g)?.length).toBe(3);
    expect(execFileSync('pdfsig', [join(dir, 'report.pdf')], { encoding: 'utf8' })).toContain('Signature is Valid.');
    // Tagged as well.
    expect(structureTree(doc).type).toBe('Document');
  });

  test('the structure test finds what PDF/A-3 forbids: a standard 14 font, an attachment without /AFRelationship', async () => {
    const bad = await PDFDocument.create();
    bad.addPage().drawText('Helvetica, not embedded', { font: await bad.embedFont('Helvetica') });
    await bad.attach(Buffer.from('{}'), 'envelope.json', { mimeType: 'application/json' });
    const problems = pdfa3Problems(await PDFDocument.load(await bad.save()));
    expect(problems.join('\n')).toMatch(/Helvetica.*not embedded/);
    expect(problems.join('\n')).toContain('attached file envelope.json has no /AFRelationship');
    expect(problems.join('\n')).toContain('XMP does not claim PDF/A-3B');
  });
});
