// Display lists → PDF bytes on pdf-lib: one shared resource dictionary, Type0/CIDFontType2 subset fonts
// with /ToUnicode and /CIDSet, compressed content streams, links, outlines, embedded files, XMP and an
// sRGB output intent. Deterministic: no clock, no random ids; the trailer /ID hashes the content.
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
// pdf-lib's own single-file ES module build: its CommonJS entry requires some 300 files, which costs
// a fresh process about 0.2 s of CPU before the first page (bench/render.mjs). Same code, same types.
import { PDFDocument, PDFHeader, PDFHexString, PDFName, PDFNumber, PDFString, type PDFDict, type PDFImage, type PDFRef } from 'pdf-lib/dist/pdf-lib.esm.min.js';
import type { ArtifactKind, Color, ContentSlot, Item, Page, ImageData, PlacedWord, StructNode } from './layout/page.js';
import { SRGB_ICC_BASE64 } from './srgb-icc.js';
import { DocumentFonts, type UsedFace } from './subset.js';
import { writeStructure } from './structure.js';
import { resolve } from './fonts.js';
import { placeText } from './text/place.js';
import type { GlyphRun } from './text/shape.js';
import type { PdfAttachment } from './types.js';
import { buildXmp, type DocInfo } from './xmp.js';

export interface OutlineNode {
  title: string;
  page: number;
  y: number;
  children: OutlineNode[];
}

export interface WriteInput {
  pages: Page[];
  width: number;
  height: number;
  info: DocInfo;
  meta: Page['meta'];
  outline: OutlineNode[];
  attachments: PdfAttachment[];
  /** The logical structure (tagged PDF), its root a Document element. */
  structure: StructNode;
  /** BCP 47 language of the document (catalog /Lang). */
  lang: string;
}

const fmt = (n: number): string => {
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
};

function pdfText(s: string): PDFString | PDFHexString {
  return /^[\x20-\x7e]*$/.test(s) ? PDFString.of(s.replace(/[\\()]/g, (c) => `\\${c}`)) : PDFHexString.fromText(s);
}

/** PDF date from an ISO date-time: D:YYYYMMDDHHmmSS+00'00'. */
export function pdfDate(iso: string): string {
  const d = new Date(iso);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00'`;
}

export async function writePdf(input: WriteInput): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const ctx = doc.context;
  const part = input.info.part;
  ctx.header = PDFHeader.forVersion(1, part === 1 ? 4 : 7);
  const fonts = new DocumentFonts();
  // The trailer /ID hashes what the pages show and what is attached.
  const identity = createHash('sha256');
  const H = input.height;

  // Images: embedded once each.
  const images = new Map<ImageData, { name: string; img: PDFImage }>();
  for (const p of input.pages) {
    for (const it of p.items) {
      if (it.k !== 'image' || images.has(it.image)) continue;
      identity.update(it.image.bytes);
      const img = it.image.kind === 'png' ? await doc.embedPng(it.image.bytes) : await doc.embedJpg(it.image.bytes);
      images.set(it.image, { name: `Im${images.size + 1}`, img });
    }
  }

  const resources = ctx.obj({});
  const resourcesRef = ctx.register(resources);
  const pageRefs: PDFRef[] = [];
  const pageLeaves: PDFDict[] = [];
  const mcids: StructNode[][] = [];
  input.pages.forEach((p, i) => {
    const page = doc.addPage([input.width, H]);
    pageRefs.push(page.ref);
    pageLeaves.push(page.node);
    const marking = { open: null, mcids: [] as StructNode[], page: i };
    const content = contentStream(p.items, H, fonts, images, marking, input.lang);
    mcids.push(marking.mcids);
    identity.update(content);
    const stream = ctx.stream(deflateSync(Buffer.from(content, 'latin1')), { Filter: 'FlateDecode' });
    page.node.set(PDFName.of('Contents'), ctx.register(stream));
    page.node.set(PDFName.of('Resources'), resourcesRef);
    page.node.set(PDFName.of('StructParents'), PDFNumber.of(i));
    page.node.set(PDFName.of('Tabs'), PDFName.of('S'));
  });

  // Links: each belongs to a Link structure element (or, for the contents, to its entry).
  const annotRefs = new Map<string, PDFRef>();
  input.pages.forEach((p, i) => {
    if (!p.links.length) return;
    const annots = p.links.map((l, k) => {
      const rect = [fmt(l.x), fmt(H - l.y - l.h), fmt(l.x + l.w), fmt(H - l.y)].map(Number);
      const dict: Record<string, unknown> = { Type: 'Annot', Subtype: 'Link', Rect: rect, Border: [0, 0, 0], F: 4 };
      const annot = ctx.obj(dict as never) as unknown as PDFDict;
      if (l.dest) annot.set(PDFName.of('Dest'), ctx.obj([pageRefs[l.dest.page]!, PDFName.of('XYZ'), 0, Number(fmt(H - l.dest.y + 6)), 0] as never));
      else annot.set(PDFName.of('A'), ctx.obj({ S: 'URI', URI: PDFString.of(asciiUri(l.url ?? '')) } as never));
      if (l.text) annot.set(PDFName.of('Contents'), pdfText(l.text));
      const ref = ctx.register(annot);
      annotRefs.set(`${i}:${k}`, ref);
      return ref;
    });
    pageLeaves[i]!.set(PDFName.of('Annots'), ctx.obj(annots));
  });
  writeStructure(doc, { root: input.structure, pages: input.pages, pageRefs, mcids, annotRefs, lang: input.lang });

  // Fonts and the shared resources.
  const fontDict = ctx.obj({});
  for (const u of fonts.used) fontDict.set(PDFName.of(u.name), embedFont(doc, u));
  resources.set(PDFName.of('Font'), fontDict);
  resources.set(PDFName.of('ProcSet'), ctx.obj(['PDF', 'Text', 'ImageC', 'ImageB'] as never));
  if (images.size) {
    const xo = ctx.obj({});
    for (const { name, img } of images.values()) xo.set(PDFName.of(name), img.ref);
    resources.set(PDFName.of('XObject'), xo);
  }

  // Metadata: Info dictionary and XMP agree field by field (PDF/A).
  const info = input.info;
  const infoDict = ctx.obj({});
  infoDict.set(PDFName.of('Title'), pdfText(info.title));
  if (info.author) infoDict.set(PDFName.of('Author'), pdfText(info.author));
  infoDict.set(PDFName.of('Subject'), pdfText(info.subject));
  infoDict.set(PDFName.of('Keywords'), pdfText(info.keywords));
  infoDict.set(PDFName.of('Creator'), pdfText(info.creatorTool));
  infoDict.set(PDFName.of('Producer'), pdfText(info.producer));
  infoDict.set(PDFName.of('CreationDate'), PDFString.of(pdfDate(info.created)));
  infoDict.set(PDFName.of('ModDate'), PDFString.of(pdfDate(info.created)));
  ctx.trailerInfo.Info = ctx.register(infoDict);

  const xmp = Buffer.from(buildXmp(info, input.meta), 'utf8');
  const metadata = ctx.stream(xmp, { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), ctx.register(metadata));

  const icc = Buffer.from(SRGB_ICC_BASE64, 'base64');
  const iccStream = ctx.stream(deflateSync(icc), { N: 3, Filter: 'FlateDecode' });
  const intent = ctx.obj({
    Type: 'OutputIntent',
    S: 'GTS_PDFA1',
    OutputConditionIdentifier: PDFString.of('sRGB IEC61966-2.1'),
    Info: PDFString.of('sRGB IEC61966-2.1'),
    RegistryName: PDFString.of('http://www.color.org'),
    DestOutputProfile: ctx.register(iccStream),
  } as never);
  doc.catalog.set(PDFName.of('OutputIntents'), ctx.obj([ctx.register(intent)]));
  doc.catalog.set(PDFName.of('ViewerPreferences'), ctx.obj({ DisplayDocTitle: true } as never));
  doc.catalog.set(PDFName.of('Lang'), pdfText(input.lang));

  // Outlines (bookmarks).
  if (input.outline.length) {
    doc.catalog.set(PDFName.of('Outlines'), buildOutline(doc, input.outline, pageRefs, H));
    doc.catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'));
  }

  // Attached files (PDF/A-3 associated files).
  if (input.attachments.length) {
    const specs: PDFRef[] = [];
    const names: Array<PDFString | PDFHexString | PDFRef> = [];
    for (const a of [...input.attachments].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
      const ef = ctx.stream(deflateSync(a.bytes), {
        Type: 'EmbeddedFile',
        Subtype: a.mediaType,
        Filter: 'FlateDecode',
        Params: { Size: a.bytes.length, ModDate: PDFString.of(pdfDate(info.created)), CheckSum: PDFHexString.of(createHash('md5').update(a.bytes).digest('hex')) },
      } as never);
      const efRef = ctx.register(ef);
      const spec = ctx.obj({
        Type: 'Filespec',
        F: pdfText(a.name),
        UF: PDFHexString.fromText(a.name),
        Desc: pdfText(a.description ?? a.name),
        AFRelationship: 'Source',
        EF: { F: efRef, UF: efRef },
      } as never);
      const specRef = ctx.register(spec);
      specs.push(specRef);
      names.push(pdfText(a.name), specRef);
    }
    doc.catalog.set(PDFName.of('Names'), ctx.obj({ EmbeddedFiles: { Names: names } } as never));
    doc.catalog.set(PDFName.of('AF'), ctx.obj(specs));
  }

  for (const a of input.attachments) identity.update(a.name).update(a.bytes);
  identity.update(buildXmp(info, input.meta));
  const id = identity.digest('hex').slice(0, 32);
  ctx.trailerInfo.ID = ctx.obj([PDFHexString.of(id), PDFHexString.of(id)]);
  // objectsPerTick: pdf-lib yields to the event loop with setTimeout(0) every 50 objects by default (a 1 ms
  // wait each time, most of a small document's wall time); the bytes are the same.
  return doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false, objectsPerTick: Infinity });
}

function asciiUri(u: string): string {
  // PDF URI strings are 7-bit; percent-encode anything else.
  return u.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)).replace(/[\\()]/g, (c) => encodeURIComponent(c));
}

function rgb(c: Color): string {
  return `${fmt(c[0])} ${fmt(c[1])} ${fmt(c[2])}`;
}

interface StreamState {
  out: string[];
  fill: string;
  stroke: string;
  lw: string;
}

/** Marked content of a page: which slot or artifact is open, and the MCIDs given so far. */
interface Marking {
  open: ContentSlot | ArtifactKind | null;
  mcids: StructNode[];
  page: number;
}

const ARTIFACT: Record<ArtifactKind, string> = {
  Header: '/Artifact <</Type /Pagination /Subtype /Header>> BDC',
  Footer: '/Artifact <</Type /Pagination /Subtype /Footer>> BDC',
  Watermark: '/Artifact <</Type /Pagination /Subtype /Watermark>> BDC',
  Layout: '/Artifact <</Type /Layout>> BDC',
};

/** PDF text string (UTF-16BE hex) for a marked-content property. */
function mcText(s: string): string {
  return `<FEFF${utf16hex(s).toUpperCase()}>`;
}

/**
 * One page's content stream. Every item is inside marked content: its structure element's tag with an
 * MCID, or an /Artifact (running header and footer, watermark, rules and backgrounds) that extraction
 * and assistive technology skip.
 */
function contentStream(items: Item[], H: number, fonts: DocumentFonts, images: Map<ImageData, { name: string }>, marking: Marking, lang: string): string {
  const st: StreamState = { out: [], fill: '', stroke: '', lw: '' };
  const out = st.out;
  const setFill = (c: Color): void => {
    const v = rgb(c);
    if (v !== st.fill) {
      out.push(`${v} rg`);
      st.fill = v;
    }
  };
  const setStroke = (c: Color, w: number): void => {
    const v = rgb(c);
    if (v !== st.stroke) {
      out.push(`${v} RG`);
      st.stroke = v;
    }
    const wv = fmt(w);
    if (wv !== st.lw) {
      out.push(`${wv} w`);
      st.lw = wv;
    }
  };
  const mark = (it: Item): void => {
    const want: ContentSlot | ArtifactKind = it.slot ?? it.artifact ?? 'Layout';
    if (want === marking.open) return;
    if (marking.open !== null) out.push('EMC');
    marking.open = want;
    if (typeof want === 'string') out.push(ARTIFACT[want]);
    else {
      const mcid = marking.mcids.length;
      marking.mcids.push(want.node);
      want.refs.push({ page: marking.page, mcid });
      out.push(`/${want.node.type} <</MCID ${mcid}>> BDC`);
    }
  };
  for (const it of items) {
    mark(it);
    switch (it.k) {
      case 'text': {
        const placed = placeText(it.text, it.style, it.size, it.color, lang);
        words(out, it.x, H - it.y, placed.words, placed.actual, fonts, setFill, lang);
        break;
      }
      case 'words':
        words(out, it.x, H - it.y, it.words, it.actual, fonts, setFill, lang, it.space);
        break;
      case 'rect': {
        if (it.fill) setFill(it.fill);
        if (it.stroke) setStroke(it.stroke, it.lw ?? 0.5);
        const op = it.fill && it.stroke ? 'B' : it.fill ? 'f' : 'S';
        out.push(`${fmt(it.x)} ${fmt(H - it.y - it.h)} ${fmt(it.w)} ${fmt(it.h)} re ${op}`);
        break;
      }
      case 'line':
        setStroke(it.color, it.lw);
        out.push(`${fmt(it.x1)} ${fmt(H - it.y1)} m ${fmt(it.x2)} ${fmt(H - it.y2)} l S`);
        break;
      case 'image': {
        const name = images.get(it.image)!.name;
        out.push(`q ${fmt(it.w)} 0 0 ${fmt(it.h)} ${fmt(it.x)} ${fmt(H - it.y - it.h)} cm /${name} Do Q`);
        break;
      }
      case 'path':
        setFill(it.fill);
        out.push(`${it.ops} f`);
        break;
    }
  }
  if (marking.open !== null) out.push('EMC');
  marking.open = null;
  return out.join('\n');
}

/**
 * TJ (and Ts for marks raised or lowered) of one glyph run: CIDs, and adjustments where the shaped
 * advance differs from the glyph's width (kerning, mark offsets, zero-width marks).
 */
function runOperators(run: GlyphRun, u: UsedFace, fonts: DocumentFonts, size: number, rise: () => number, setRise: (r: number) => void = () => {}): string[] {
  const out: string[] = [];
  let arr = '';
  let hex = '';
  let adj = 0;
  const flush = (): void => {
    if (hex) arr += `<${hex}>`;
    hex = '';
  };
  const emit = (): void => {
    flush();
    if (arr) out.push(`[${arr}] TJ`);
    arr = '';
  };
  for (let i = 0; i < run.gids.length; i++) {
    const uni = run.uni[i]!;
    const adv = run.adv[i]!;
    const dx = run.dx ? run.dx[i]! : 0;
    const dy = run.dy ? run.dy[i]! : 0;
    const r = (dy * size) / 1000;
    if (r !== rise()) {
      emit();
      out.push(`${fmt(r)} Ts`);
      setRise(r);
    }
    const shift = adj + dx;
    if (Math.abs(shift) > 0.05) {
      flush();
      arr += ` ${fmt(-shift)} `;
    }
    // A no-break space reads as an ordinary space (search for "Annex 11" finds it).
    hex += fonts.glyph(u, run.gids[i]!, uni === '\u00a0' || uni === '\u202f' ? ' ' : uni);
    adj = adv - u.face.width(run.gids[i]!) - dx;
  }
  if (Math.abs(adj) > 0.05) {
    flush();
    arr += ` ${fmt(-adj)}`;
  }
  emit();
  return out;
}

/**
 * Text as positioned glyphs: one text object per item, a text matrix per word, TJ with the shaped
 * advances. A line reordered by bidi carries its logical text as /ActualText; so does a word whose
 * glyphs do not spell it in order (shaped scripts, an added hyphen); a word in another language says so
 * with /Lang.
 */
function words(out: string[], x: number, y: number, list: readonly PlacedWord[], actual: string | null, fonts: DocumentFonts, setFill: (c: Color) => void, lang: string, trailingSpace = false): void {
  if (actual !== null) out.push(`/Span <</ActualText ${mcText(actual)}>> BDC`);
  out.push('BT');
  let font = '';
  let end: number | null = null;
  for (const w of list) {
    setFill(w.color);
    // Words are placed one by one (shaped, justified); the space between two is a real space glyph,
    // so that text extraction and assistive technology read "two words", not "twowords".
    if (end !== null && w.dx - end > 0.1) {
      const sp = resolve(w.style, 0x20);
      const su = fonts.use(sp.face);
      const f = `/${su.name} ${fmt(w.size)} Tf`;
      if (f !== font) {
        out.push(f);
        font = f;
      }
      out.push(`<${fonts.glyph(su, sp.gid, ' ')}> Tj`);
    }
    end = w.dx + (w.s.w * w.size) / 1000;
    const props: string[] = [];
    if (w.s.lang && w.s.lang !== lang) props.push(`/Lang ${mcText(w.s.lang)}`);
    if (actual === null && (w.actual !== undefined || w.s.complex)) props.push(`/ActualText ${mcText(w.actual ?? w.s.text)}`);
    if (props.length) out.push(`/Span <<${props.join(' ')}>> BDC`);
    out.push(`1 0 0 1 ${fmt(x + w.dx)} ${fmt(y)} Tm`);
    let rise = 0;
    for (const run of w.s.runs) {
      const u = fonts.use(run.face);
      const f = `/${u.name} ${fmt(w.size)} Tf`;
      if (f !== font) {
        out.push(f);
        font = f;
      }
      if (!run.dy) {
        // The common case: no mark lifted or lowered; the operators depend on the run only.
        out.push(fonts.cached(run, () => runOperators(run, u, fonts, w.size, () => rise).join('\n')));
        continue;
      }
      for (const op of runOperators(run, u, fonts, w.size, () => rise, (r) => (rise = r))) out.push(op);
    }
    if (rise !== 0) out.push('0 Ts');
    if (props.length) out.push('EMC');
  }
  const last = list[list.length - 1];
  if (trailingSpace && last) {
    const sp = resolve(last.style, 0x20);
    const su = fonts.use(sp.face);
    out.push(`/${su.name} ${fmt(last.size)} Tf`, `<${fonts.glyph(su, sp.gid, ' ')}> Tj`);
  }
  out.push('ET');
  if (actual !== null) out.push('EMC');
}

/** A Type0 font over a CIDFontType2 subset (Identity-H, glyph ids as CIDs). */
function embedFont(doc: PDFDocument, u: UsedFace): PDFRef {
  const ctx = doc.context;
  const program = u.subset.encode();
  const f = u.face.font;
  const n = u.widths.length;
  // Subset tag from the glyphs used: same glyphs, same name.
  const digest = createHash('sha256').update(u.face.id).update(Buffer.from(new Uint32Array(u.gids).buffer)).update(u.unicode.join('\u0000')).digest();
  const tag = Array.from(digest.subarray(0, 6), (b) => String.fromCharCode(65 + (b % 26))).join('');
  const baseName = `${tag}+${(f.postscriptName ?? u.face.id).replace(/[^A-Za-z0-9-]/g, '')}`;
  const fontFile = ctx.stream(deflateSync(program), { Length1: program.length, Filter: 'FlateDecode' });
  const cidSet = new Uint8Array(Math.ceil(n / 8));
  for (let g = 0; g < n; g++) cidSet[g >> 3]! |= 0x80 >> (g & 7);
  const cidSetStream = ctx.stream(deflateSync(cidSet), { Filter: 'FlateDecode' });
  // CID → subset glyph: two CIDs may draw one glyph (one per text it stands for).
  const cidToGid = Buffer.alloc(n * 2);
  u.gids.forEach((g, cid) => cidToGid.writeUInt16BE(g, cid * 2));
  const cidToGidStream = ctx.stream(deflateSync(cidToGid), { Filter: 'FlateDecode' });
  const bbox = [f.bbox.minX, f.bbox.minY, f.bbox.maxX, f.bbox.maxY].map((v) => u.face.scale(v));
  const fixed = Boolean(f.post?.isFixedPitch);
  const italic = f.italicAngle !== 0;
  const flags = (fixed ? 1 : 0) | 4 | (italic ? 64 : 0);
  const descriptor = ctx.obj({
    Type: 'FontDescriptor',
    FontName: baseName,
    Flags: flags,
    FontBBox: bbox,
    ItalicAngle: f.italicAngle,
    Ascent: u.face.scale(f.ascent),
    Descent: u.face.scale(f.descent),
    CapHeight: u.face.scale(f.capHeight || f.ascent),
    StemV: 80,
    FontFile2: ctx.register(fontFile),
    CIDSet: ctx.register(cidSetStream),
  } as never);
  const widths: number[] = [];
  for (let g = 0; g < n; g++) widths.push(u.widths[g] ?? 0);
  const cidFont = ctx.obj({
    Type: 'Font',
    Subtype: 'CIDFontType2',
    BaseFont: baseName,
    CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
    FontDescriptor: ctx.register(descriptor),
    W: [0, widths],
    CIDToGIDMap: ctx.register(cidToGidStream),
  } as never);
  const toUnicode = ctx.stream(deflateSync(Buffer.from(cmap(u.unicode), 'latin1')), { Filter: 'FlateDecode' });
  const type0 = ctx.obj({
    Type: 'Font',
    Subtype: 'Type0',
    BaseFont: baseName,
    Encoding: 'Identity-H',
    DescendantFonts: [ctx.register(cidFont)],
    ToUnicode: ctx.register(toUnicode),
  } as never);
  return ctx.register(type0);
}

function utf16hex(s: string): string {
  let h = '';
  for (let i = 0; i < s.length; i++) h += s.charCodeAt(i).toString(16).padStart(4, '0');
  return h;
}

function cmap(unicode: string[]): string {
  const entries: string[] = [];
  unicode.forEach((u, g) => {
    if (u) entries.push(`<${g.toString(16).padStart(4, '0')}> <${utf16hex(u)}>`);
  });
  const chunks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const part = entries.slice(i, i + 100);
    chunks.push(`${part.length} beginbfchar\n${part.join('\n')}\nendbfchar`);
  }
  return `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
${chunks.join('\n')}
endcmap
CMapName currentdict /CMap defineresource pop
end
end`;
}

function buildOutline(doc: PDFDocument, nodes: OutlineNode[], pageRefs: PDFRef[], H: number): PDFRef {
  const ctx = doc.context;
  const rootRef = ctx.nextRef();
  const build = (list: OutlineNode[], parent: PDFRef): { first: PDFRef; last: PDFRef; count: number } => {
    const refs = list.map(() => ctx.nextRef());
    let total = 0;
    list.forEach((node, i) => {
      const d = ctx.obj({}) as PDFDict;
      d.set(PDFName.of('Title'), pdfText(node.title));
      d.set(PDFName.of('Parent'), parent);
      if (i > 0) d.set(PDFName.of('Prev'), refs[i - 1]!);
      if (i < list.length - 1) d.set(PDFName.of('Next'), refs[i + 1]!);
      d.set(PDFName.of('Dest'), ctx.obj([pageRefs[node.page]!, PDFName.of('XYZ'), 0, Number(fmt(H - node.y + 6)), 0] as never));
      if (node.children.length) {
        const sub = build(node.children, refs[i]!);
        d.set(PDFName.of('First'), sub.first);
        d.set(PDFName.of('Last'), sub.last);
        d.set(PDFName.of('Count'), PDFNumber.of(-sub.count));
      }
      ctx.assign(refs[i]!, d);
      total++;
    });
    return { first: refs[0]!, last: refs[refs.length - 1]!, count: total };
  };
  const top = build(nodes, rootRef);
  ctx.assign(rootRef, ctx.obj({ Type: 'Outlines', First: top.first, Last: top.last, Count: top.count } as never));
  return rootRef;
}

