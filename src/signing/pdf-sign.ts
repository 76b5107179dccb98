// The PDF digital signatures of a report: one per signature of the record (executed, reviewed,
// dispositions, approved), each a visible, printable widget on the last page (drawn here: pdf-lib and
// @signpdf leave the appearance empty), the manifestation in /Name and /Reason inside the signed range,
// attachments (the signature envelopes, the signer's certificate, the CA), and a detached CMS signature
// (adbe.pkcs7.detached, SHA-256, RSA, signer certificate and CA in the CMS) made with node-forge via
// @signpdf. The first signature is written with the rendered file; every later one is an incremental
// update (ISO 32000-1 §7.5.6) appended to it, so that earlier signatures keep covering their revision.
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { AFRelationship, ParseSpeeds, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFInvalidObject, PDFName, PDFNumber, PDFRef, PDFStream, PDFString, type PDFFont, type PDFObject } from 'pdf-lib';
import { SignPdf, Signer } from '@signpdf/signpdf';
import { pdfLibFontkit, sansFontBytes } from '../pdf/pdf-lib-font.js';
import { OID_TIMESTAMP_TOKEN, requestTimestamp, TimestampError } from './timestamp.js';
import { EnvironmentError } from '../model/errors.js';

const SIGNATURE_LENGTH = 8192; // bytes of CMS room: two RSA-3072 certificates and a signature need about 3 KB
const BYTE_RANGE_PLACEHOLDER = '**********';

/** Signs with a private key and its certificate chain (signer first); with a TSA, adds its RFC 3161 token (PAdES B-T). */
export class KeyCmsSigner extends Signer {
  constructor(private readonly key: forge.pki.rsa.PrivateKey, private readonly chain: forge.pki.Certificate[], private readonly tsaUrl: string | null = null) {
    super();
  }
  override async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    const p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(pdfBuffer.toString('binary'));
    for (const c of this.chain) p7.addCertificate(c);
    p7.addSigner({
      key: this.key,
      certificate: this.chain[0]!,
      digestAlgorithm: forge.pki.oids.sha256!,
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType!, value: forge.pki.oids.data },
        { type: forge.pki.oids.signingTime!, value: (signingTime ?? new Date()) as unknown as string },
        { type: forge.pki.oids.messageDigest! },
      ],
    });
    p7.sign({ detached: true });
    const root = p7.toAsn1();
    if (this.tsaUrl) {
      // The token time-stamps the signature value: an unsigned attribute of the signer info (RFC 3161 Appendix A).
      const sd = ((root.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[0]!;
      const si = ((sd.value as forge.asn1.Asn1[]).at(-1)!.value as forge.asn1.Asn1[])[0]!;
      const parts = si.value as forge.asn1.Asn1[];
      const signatureValue = Buffer.from(parts.at(-1)!.value as string, 'binary');
      const token = await requestTimestamp(forge, this.tsaUrl, signatureValue);
      const { asn1 } = forge;
      parts.push(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(OID_TIMESTAMP_TOKEN).getBytes()),
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [token]),
        ]),
      ]));
    }
    return Buffer.from(forge.asn1.toDer(root).getBytes(), 'binary');
  }
}

export interface PdfSignOptions {
  privateKey: KeyObject;
  /** PEM certificates: the signer's first, then its CA. */
  certificates: string[];
  /** Printed name of the signer. */
  name: string;
  /** Shown as /Reason: the meaning and what it binds. */
  reason: string;
  contactInfo: string;
  location: string;
  signingTime: Date;
  /** Lines drawn in the visible widget. */
  lines: string[];
  /**
   * Files attached before signing (inside the signed range). A name the PDF already carries is skipped
   * (envelopes and certificates never change), unless `replace` (the record with its dispositions).
   */
  attachments?: Array<{ name: string; bytes: Uint8Array; mimeType: string; description: string; replace?: boolean }>;
  /** The signature field's name (unique in the document). */
  fieldName?: string;
  /** Place of the widget among the signatures of the document (0: the first). */
  slot?: number;
  /** Append an incremental update (earlier signatures stay valid) instead of writing the file anew. */
  incremental?: boolean;
  /** RFC 3161 time-stamp authority (qualify.yaml `tsa`): the signature carries its token (PAdES B-T). */
  tsaUrl?: string | null;
  appName: string;
}

/** Latin-1 text for the widget (the page itself carries the full Unicode text). */
function ansi(text: string): string {
  return [...text].map((c) => (/[\x20-\x7e\xa0-\xff]/.test(c) ? c : '?')).join('');
}

function appearance(doc: PDFDocument, font: PDFFont, w: number, h: number, lines: string[]) {
  const size = 7;
  const leading = 9;
  const ops: string[] = ['q', '0.96 0.97 1 rg', `0 0 ${w} ${h} re f`, '0.2 0.25 0.45 RG', '0.8 w', `0.4 0.4 ${w - 0.8} ${h - 0.8} re S`, `0.4 0.4 ${w - 0.8} ${h - 0.8} re W n`, '0 0 0 rg', 'BT', `/F1 ${size} Tf`];
  lines.forEach((line, i) => {
    const hex = font.encodeText(ansi(line)).toString();
    ops.push(i === 0 ? `5 ${h - 5 - size} Td` : `0 -${leading} Td`, `${hex} Tj`);
  });
  ops.push('ET', 'Q');
  const stream = doc.context.stream(ops.join('\n'), {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: [0, 0, w, h],
    Resources: { Font: { F1: font.ref } },
  });
  return doc.context.register(stream);
}

/** Widget rectangles: two columns above the footer of the last page, filled bottom up. */
export function widgetRect(slot: number, lines: number): [number, number, number, number] {
  const w = 236;
  const h = 10 + 9 * lines;
  const x = 56 + (slot % 2) * (w + 11);
  const y = 64 + Math.floor(slot / 2) * (h + 4);
  return [x, y, x + w, y + h];
}

/** Names of the files attached to `doc`. */
function attachedNames(doc: PDFDocument): Set<string> {
  const names = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict)?.lookupMaybe(PDFName.of('Names'), PDFArray);
  const out = new Set<string>();
  for (let i = 0; names && i < names.size(); i += 2) {
    const k = names.lookup(i);
    if (k instanceof PDFHexString || k instanceof PDFString) out.add(k.decodeText());
  }
  return out;
}

/** Keeps the last file of each name in the EmbeddedFiles name tree (and the catalog's /AF). */
function replaceAttachments(doc: PDFDocument): void {
  const names = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict)?.lookupMaybe(PDFName.of('Names'), PDFArray);
  if (!names) return;
  const entries: Array<[string, PDFObject, PDFObject]> = [];
  for (let i = 0; i + 1 < names.size(); i += 2) {
    const k = names.get(i);
    entries.push([k instanceof PDFHexString || k instanceof PDFString ? k.decodeText() : String(k), k, names.get(i + 1)]);
  }
  const last = new Map(entries.map(([n], i) => [n, i]));
  const dropped = new Set(entries.filter(([n], i) => last.get(n) !== i).map(([, , v]) => v.toString()));
  if (!dropped.size) return;
  // A name tree's keys are sorted (ISO 32000-1 §7.9.6).
  const kept = entries.filter(([n], i) => last.get(n) === i).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  while (names.size()) names.remove(0);
  for (const [, k, v] of kept) names.push(k), names.push(v);
  const af = doc.catalog.lookupMaybe(PDFName.of('AF'), PDFArray);
  if (af) for (let i = af.size() - 1; i >= 0; i--) if (dropped.has(af.get(i).toString())) af.remove(i);
}

/** Adds the attachments, the widget and the signature placeholder to `doc`. */
async function prepare(doc: PDFDocument, o: PdfSignOptions): Promise<void> {
  const present = attachedNames(doc);
  for (const a of o.attachments ?? []) {
    if (present.has(a.name) && !a.replace) continue;
    // PDF/A-3: every attached file says how it relates to the document.
    await doc.attach(a.bytes, a.name, { mimeType: a.mimeType, description: a.description, creationDate: o.signingTime, modificationDate: o.signingTime, afRelationship: AFRelationship.Supplement });
  }
  const page = doc.getPages().at(-1)!;
  const rect = widgetRect(o.slot ?? 0, o.lines.length);
  const [x1, y1, x2, y2] = rect;
  // PDF/A: the appearance's font is embedded (a subset of the shipped DejaVu Sans), never a standard 14 font.
  doc.registerFontkit(pdfLibFontkit as unknown as Parameters<PDFDocument['registerFontkit']>[0]);
  const font = await doc.embedFont(sansFontBytes(), { subset: true });
  const ap = appearance(doc, font, x2 - x1, y2 - y1, o.lines);

  const byteRange = PDFArray.withContext(doc.context);
  byteRange.push(PDFNumber.of(0));
  for (let i = 0; i < 3; i++) byteRange.push(PDFName.of(BYTE_RANGE_PLACEHOLDER));
  const sigDict = doc.context.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'adbe.pkcs7.detached',
    ByteRange: byteRange,
    Contents: PDFHexString.of('0'.repeat(SIGNATURE_LENGTH * 2)),
    Reason: PDFHexString.fromText(o.reason),
    M: PDFString.fromDate(o.signingTime),
    ContactInfo: PDFHexString.fromText(o.contactInfo),
    Name: PDFHexString.fromText(o.name),
    Location: PDFHexString.fromText(o.location),
    Prop_Build: { App: { Name: PDFName.of(o.appName.replace(/[^A-Za-z0-9._-]/g, '_')) } },
  });
  // Written verbatim (never in an object stream) so that signpdf finds and fills the placeholders.
  const raw = new Uint8Array(sigDict.sizeInBytes());
  sigDict.copyBytesInto(raw, 0);
  const sigRef = doc.context.register(PDFInvalidObject.of(raw));

  const widget = doc.context.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    Rect: rect,
    V: sigRef,
    T: PDFHexString.fromText(o.fieldName ?? 'Approval signature'),
    TU: PDFHexString.fromText(`Signed by ${o.name}`),
    F: 4, // Print
    P: page.ref,
    AP: { N: ap },
  });
  const widgetRef = doc.context.register(widget);
  const annots = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray) ?? doc.context.obj([]);
  annots.push(widgetRef);
  page.node.set(PDFName.of('Annots'), annots);
  let acroForm = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  if (!acroForm) {
    acroForm = doc.context.obj({ Fields: [] });
    doc.catalog.set(PDFName.of('AcroForm'), doc.context.register(acroForm));
  }
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(3)); // SignaturesExist | AppendOnly
  const fields = acroForm.lookupMaybe(PDFName.of('Fields'), PDFArray) ?? doc.context.obj([]);
  fields.push(widgetRef);
  acroForm.set(PDFName.of('Fields'), fields);
}

function objectBytes(ref: PDFRef, obj: PDFObject): Buffer {
  const body = new Uint8Array(obj.sizeInBytes());
  obj.copyBytesInto(body, 0);
  return Buffer.concat([Buffer.from(`${ref.objectNumber} ${ref.generationNumber} obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
}

/**
 * Appends to `original` the objects of `doc` that are new or changed since `before` (serialized non-stream
 * objects by ref; streams are never changed, only added), with their cross-reference section and a
 * trailer that points back at the previous one.
 */
function incrementalUpdate(original: Buffer, doc: PDFDocument, before: Map<string, string | null>): Buffer {
  const text = original.toString('latin1');
  const prev = [...text.matchAll(/startxref\s+(\d+)\s+%%EOF/g)].at(-1);
  if (!prev) throw new Error('the PDF has no startxref: it cannot be updated incrementally');
  const parts: Buffer[] = [original, Buffer.from('\n', 'latin1')];
  let at = original.length + 1;
  const offsets: Array<[PDFRef, number]> = [];
  const objects = doc.context.enumerateIndirectObjects().sort(([a], [b]) => a.objectNumber - b.objectNumber);
  for (const [ref, obj] of objects) {
    const seen = before.get(ref.tag);
    if (seen !== undefined && (seen === null || seen === obj.toString())) continue;
    const bytes = objectBytes(ref, obj);
    offsets.push([ref, at]);
    parts.push(bytes);
    at += bytes.length;
  }
  let xref = 'xref\n';
  for (let i = 0; i < offsets.length;) {
    let j = i;
    while (j + 1 < offsets.length && offsets[j + 1]![0].objectNumber === offsets[j]![0].objectNumber + 1) j++;
    xref += `${offsets[i]![0].objectNumber} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) xref += `${String(offsets[k]![1]).padStart(10, '0')} ${String(offsets[k]![0].generationNumber).padStart(5, '0')} n \n`;
    i = j + 1;
  }
  const t = doc.context.trailerInfo;
  const trailer = [`/Size ${doc.context.largestObjectNumber + 1}`, `/Root ${t.Root!.toString()}`, t.Info ? `/Info ${t.Info.toString()}` : '', t.ID ? `/ID ${t.ID.toString()}` : '', `/Prev ${prev[1]}`].filter(Boolean).join(' ');
  parts.push(Buffer.from(`${xref}trailer\n<< ${trailer} >>\nstartxref\n${at}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

/**
 * Returns the PDF with one more visible signature widget and its CMS signature: written anew and covering
 * the whole file, or (incremental) appended as a new revision whose signature covers the whole file while
 * every earlier signature still covers its own revision.
 */
export async function signPdf(pdfBytes: Uint8Array, o: PdfSignOptions): Promise<Buffer> {
  // parseSpeed Fastest: no setTimeout(0) pause every 100 objects (pdf-lib's default); the parse is the same.
  const doc = await PDFDocument.load(pdfBytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  let prepared: Buffer;
  if (o.incremental) {
    const before = new Map<string, string | null>();
    for (const [ref, obj] of doc.context.enumerateIndirectObjects()) before.set(ref.tag, obj instanceof PDFStream ? null : obj.toString());
    await prepare(doc, o);
    // pdf-lib embeds fonts and attached files when the document is saved: do it here, then write only what changed.
    await (doc as unknown as { flush(): Promise<void> }).flush();
    replaceAttachments(doc);
    prepared = incrementalUpdate(Buffer.from(pdfBytes), doc, before);
  } else {
    await prepare(doc, o);
    await (doc as unknown as { flush(): Promise<void> }).flush();
    replaceAttachments(doc);
    prepared = Buffer.from(await doc.save({ useObjectStreams: false, updateFieldAppearances: false, objectsPerTick: Infinity }));
  }
  const key = forge.pki.privateKeyFromPem(o.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) as forge.pki.rsa.PrivateKey;
  const chain = o.certificates.map((pem) => forge.pki.certificateFromPem(pem));
  try {
    return await new SignPdf().sign(prepared, new KeyCmsSigner(key, chain, o.tsaUrl ?? null), o.signingTime);
  } catch (err) {
    // No token, no signature: a configured TSA that does not answer stops the signing (exit 1), nothing is written.
    if (err instanceof TimestampError) throw new EnvironmentError('TSA_UNAVAILABLE', `${err.message}; nothing was signed (qualify.yaml tsa)`, { cause: err });
    throw err;
  }
}
