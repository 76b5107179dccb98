// Display lists → PDF bytes on pdf-lib: one shared resource dictionary, Type0/CIDFontType2 subset fonts
// with /ToUnicode and /CIDSet, compressed content streams, links, outlines, embedded files, XMP and an
// sRGB output intent. Deterministic: no clock, no random ids; the trailer /ID hashes the content.
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
// pdf-lib's own single-file ES module build: its CommonJS entry requires some 300 files, which costs
// a fresh process about 0.2 s of CPU before the first page (bench/render.mjs). Same code, same types.
import { PDFDocument, PDFHeader, PDFHexString, PDFName, PDFNumber, PDFString, type PDFDict, type PDFImage, type PDFRef } from 'pdf-lib/dist/pdf-lib.esm.min.js';
import { DocumentFonts, type UsedFace } from './fonts.js';
import type { Color, Item, Page, ImageData } from './layout/page.js';
import { SRGB_ICC_BASE64 } from './srgb-icc.js';
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
  for (const p of input.pages) {
    const page = doc.addPage([input.width, H]);
    pageRefs.push(page.ref);
    pageLeaves.push(page.node);
    const content = contentStream(p.items, H, fonts, images);
    identity.update(content);
    const stream = ctx.stream(deflateSync(Buffer.from(content, 'latin1')), { Filter: 'FlateDecode' });
    page.node.set(PDFName.of('Contents'), ctx.register(stream));
    page.node.set(PDFName.of('Resources'), resourcesRef);
  }

  // Links.
  input.pages.forEach((p, i) => {
    if (!p.links.length) return;
    const annots = p.links.map((l) => {
      const rect = [fmt(l.x), fmt(H - l.y - l.h), fmt(l.x + l.w), fmt(H - l.y)].map(Number);
      const dict: Record<string, unknown> = { Type: 'Annot', Subtype: 'Link', Rect: rect, Border: [0, 0, 0], F: 4 };
      const annot = ctx.obj(dict as never) as unknown as PDFDict;
      if (l.dest) annot.set(PDFName.of('Dest'), ctx.obj([pageRefs[l.dest.page]!, PDFName.of('XYZ'), 0, Number(fmt(H - l.dest.y + 6)), 0] as never));
      else annot.set(PDFName.of('A'), ctx.obj({ S: 'URI', URI: PDFString.of(asciiUri(l.url ?? '')) } as never));
      return ctx.register(annot);
    });
    pageLeaves[i]!.set(PDFName.of('Annots'), ctx.obj(annots));
  });

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
  doc.catalog.set(PDFName.of('Lang'), PDFString.of('en'));

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
  return doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false });
}

function asciiUri(u: string): string {
  // PDF URI strings are 7-bit; percent-encode anything else.
  return u.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)).replace(/[\\()]/g, (c) => encodeURIComponent(c));
}

function rgb(c: Color): string {
  return `${fmt(c[0])} ${fmt(c[1])} ${fmt(c[2])}`;
}

/** One page's content stream. Text items share BT/ET blocks; state changes are emitted only when needed. */
function contentStream(items: Item[], H: number, fonts: DocumentFonts, images: Map<ImageData, { name: string }>): string {
  const out: string[] = [];
  let inText = false;
  let fill = '';
  let stroke = '';
  let lw = '';
  let font = '';
  const setFill = (c: Color): void => {
    const v = rgb(c);
    if (v !== fill) {
      out.push(`${v} rg`);
      fill = v;
    }
  };
  const setStroke = (c: Color, w: number): void => {
    const v = rgb(c);
    if (v !== stroke) {
      out.push(`${v} RG`);
      stroke = v;
    }
    const wv = fmt(w);
    if (wv !== lw) {
      out.push(`${wv} w`);
      lw = wv;
    }
  };
  const endText = (): void => {
    if (inText) {
      out.push('ET');
      inText = false;
    }
  };
  for (const it of items) {
    switch (it.k) {
      case 'text': {
        if (!inText) {
          out.push('BT');
          inText = true;
          font = '';
        }
        setFill(it.color);
        if (it.rotate) {
          const a = (it.rotate * Math.PI) / 180;
          const c = Math.cos(a).toFixed(4);
          const s = Math.sin(a).toFixed(4);
          out.push(`${c} ${s} ${(-Math.sin(a)).toFixed(4)} ${c} ${fmt(it.x)} ${fmt(H - it.y)} Tm`);
        } else out.push(`1 0 0 1 ${fmt(it.x)} ${fmt(H - it.y)} Tm`);
        for (const run of fonts.encode(it.text, it.style)) {
          const f = `/${run.font.name} ${fmt(it.size)} Tf`;
          if (f !== font) {
            out.push(f);
            font = f;
          }
          out.push(`<${run.hex}> Tj`);
        }
        break;
      }
      case 'rect': {
        endText();
        if (it.fill) setFill(it.fill);
        if (it.stroke) setStroke(it.stroke, it.lw ?? 0.5);
        const op = it.fill && it.stroke ? 'B' : it.fill ? 'f' : 'S';
        out.push(`${fmt(it.x)} ${fmt(H - it.y - it.h)} ${fmt(it.w)} ${fmt(it.h)} re ${op}`);
        break;
      }
      case 'line':
        endText();
        setStroke(it.color, it.lw);
        out.push(`${fmt(it.x1)} ${fmt(H - it.y1)} m ${fmt(it.x2)} ${fmt(H - it.y2)} l S`);
        break;
      case 'image': {
        endText();
        const name = images.get(it.image)!.name;
        out.push(`q ${fmt(it.w)} 0 0 ${fmt(it.h)} ${fmt(it.x)} ${fmt(H - it.y - it.h)} cm /${name} Do Q`);
        break;
      }
    }
  }
  endText();
  return out.join('\n');
}

/** A Type0 font over a CIDFontType2 subset (Identity-H, glyph ids as CIDs). */
function embedFont(doc: PDFDocument, u: UsedFace): PDFRef {
  const ctx = doc.context;
  const program = u.subset.encode();
  const f = u.face.font;
  const n = u.widths.length;
  // Subset tag from the glyphs used: same glyphs, same name.
  const digest = createHash('sha256').update(u.face.id).update(Buffer.from(new Uint32Array([...u.hex.keys()]).buffer)).digest();
  const tag = Array.from(digest.subarray(0, 6), (b) => String.fromCharCode(65 + (b % 26))).join('');
  const baseName = `${tag}+${(f.postscriptName ?? u.face.id).replace(/[^A-Za-z0-9-]/g, '')}`;
  const fontFile = ctx.stream(deflateSync(program), { Length1: program.length, Filter: 'FlateDecode' });
  const cidSet = new Uint8Array(Math.ceil(n / 8));
  for (let g = 0; g < n; g++) cidSet[g >> 3]! |= 0x80 >> (g & 7);
  const cidSetStream = ctx.stream(deflateSync(cidSet), { Filter: 'FlateDecode' });
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
    CIDToGIDMap: 'Identity',
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

