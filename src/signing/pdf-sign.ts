// The PDF digital signature of an approved report: a visible, printable widget on the last page (drawn
// here: pdf-lib and @signpdf leave the appearance empty), the manifestation in /Name and /Reason inside
// the signed range, optional attachments (the signature envelopes), and a detached CMS signature
// (adbe.pkcs7.detached, SHA-256, RSA) over the whole file made with node-forge via @signpdf.
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { AFRelationship, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFInvalidObject, PDFName, PDFNumber, PDFString, type PDFFont } from 'pdf-lib';
import { SignPdf, Signer } from '@signpdf/signpdf';
import { pdfLibFontkit, sansFontBytes } from '../pdf/pdf-lib-font.js';

const SIGNATURE_LENGTH = 8192; // bytes of CMS room: two RSA-3072 certificates and a signature need about 3 KB
const BYTE_RANGE_PLACEHOLDER = '**********';

/** Signs with a private key and its certificate chain (signer first). */
export class KeyCmsSigner extends Signer {
  constructor(private readonly key: forge.pki.rsa.PrivateKey, private readonly chain: forge.pki.Certificate[]) {
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
    return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary');
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
  /** Files attached before signing (inside the signed range). */
  attachments?: Array<{ name: string; bytes: Uint8Array; mimeType: string; description: string }>;
  /** Widget rectangle [x1, y1, x2, y2] on the last page; default bottom left above the footer. */
  rect?: [number, number, number, number];
  appName: string;
}

/** Latin-1 text for the widget (the page itself carries the full Unicode text). */
function ansi(text: string): string {
  return [...text].map((c) => (/[\x20-\x7e\xa0-\xff]/.test(c) ? c : '?')).join('');
}

function appearance(doc: PDFDocument, font: PDFFont, w: number, h: number, lines: string[]) {
  const size = 7;
  const leading = 9;
  const ops: string[] = ['q', '0.96 0.97 1 rg', `0 0 ${w} ${h} re f`, '0.2 0.25 0.45 RG', '0.8 w', `0.4 0.4 ${w - 0.8} ${h - 0.8} re S`, '0 0 0 rg', 'BT', `/F1 ${size} Tf`];
  lines.forEach((line, i) => {
    const hex = font.encodeText(ansi(line)).toString();
    ops.push(i === 0 ? `6 ${h - 6 - size} Td` : `0 -${leading} Td`, `${hex} Tj`);
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

/** Returns the PDF with a visible signature widget and a CMS signature covering the whole file. */
export async function signPdf(pdfBytes: Uint8Array, o: PdfSignOptions): Promise<Buffer> {
  const doc = await PDFDocument.load(pdfBytes, { updateMetadata: false });
  for (const a of o.attachments ?? []) {
    // PDF/A-3: every attached file says how it relates to the document.
    await doc.attach(a.bytes, a.name, { mimeType: a.mimeType, description: a.description, creationDate: o.signingTime, modificationDate: o.signingTime, afRelationship: AFRelationship.Supplement });
  }
  const page = doc.getPages().at(-1)!;
  const rect = o.rect ?? [56, 64, 56 + 360, 64 + 14 + 9 * o.lines.length];
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
    T: PDFHexString.fromText('Approval signature'),
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

  const prepared = Buffer.from(await doc.save({ useObjectStreams: false, updateFieldAppearances: false }));
  const key = forge.pki.privateKeyFromPem(o.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) as forge.pki.rsa.PrivateKey;
  const chain = o.certificates.map((pem) => forge.pki.certificateFromPem(pem));
  return new SignPdf().sign(prepared, new KeyCmsSigner(key, chain), o.signingTime);
}
