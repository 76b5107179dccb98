// Forgeries of a signed report.pdf for the tests: an incremental update appended to the file (ISO 32000
// §7.5.6) that replaces page 1 and, optionally, carries its own PDF signature made with an enrolled key,
// the way a PDF editor would add a "second signature" that still validates on its own.
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString, type PDFObject } from 'pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { KeyCmsSigner } from '../../src/signing/pdf-sign.js';

function serialize(num: number, obj: PDFObject | string): string {
  return `${num} 0 obj\n${typeof obj === 'string' ? obj : obj.toString()}\nendobj\n`;
}

/**
 * Appends an incremental update to `original` whose page 1 reads `text`; with `sign`, the update also adds
 * a signature field signed (whole file) with the given key. Returns the new file.
 */
export async function appendRevision(original: Uint8Array, text: string, sign?: { privateKey: KeyObject; certificates: string[]; name: string }): Promise<Buffer> {
  const doc = await PDFDocument.load(original, { updateMetadata: false });
  const ctx = doc.context;
  const bytes = Buffer.from(original);
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(bytes.toString('latin1'))![1]);
  let next = ctx.largestObjectNumber + 1;
  const objects: Array<[number, string]> = [];
  const page = doc.getPages()[0]!;
  // The new content of page 1 (uncompressed, with its own font).
  const content = `BT /FX 28 Tf 60 700 Td (${text.replace(/[()\\]/g, '\\$&')}) Tj ET`;
  const contentNum = next++;
  objects.push([contentNum, `<< /Length ${content.length} >>\nstream\n${content}\nendstream`]);
  const fontNum = next++;
  objects.push([fontNum, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>']);
  const pageDict = page.node.clone(ctx);
  pageDict.set(PDFName.of('Contents'), PDFRef.of(contentNum));
  const resources = (page.node.lookupMaybe(PDFName.of('Resources'), PDFDict) ?? ctx.obj({})).clone(ctx);
  const fonts = (resources.lookupMaybe(PDFName.of('Font'), PDFDict) ?? ctx.obj({})).clone(ctx);
  fonts.set(PDFName.of('FX'), PDFRef.of(fontNum));
  resources.set(PDFName.of('Font'), fonts);
  pageDict.set(PDFName.of('Resources'), resources);
  let rootRewrite: [number, string] | null = null;
  if (sign) {
    const sigNum = next++;
    const widgetNum = next++;
    const sigDict = ctx.obj({
      Type: 'Sig', Filter: 'Adobe.PPKLite', SubFilter: 'adbe.pkcs7.detached',
      Reason: PDFHexString.fromText('forged revision'), M: PDFString.fromDate(new Date('2026-10-08T13:00:00Z')), Name: PDFHexString.fromText(sign.name),
    });
    // Placeholders in the form @signpdf fills: ByteRange names and a zero-filled /Contents.
    const sigText = sigDict.toString().replace(/>>$/, `/ByteRange [0 /********** /********** /**********] /Contents <${'0'.repeat(16384)}> >>`);
    objects.push([sigNum, sigText]);
    objects.push([widgetNum, ctx.obj({ Type: 'Annot', Subtype: 'Widget', FT: 'Sig', Rect: [300, 64, 500, 100], V: PDFRef.of(sigNum), T: PDFHexString.fromText('Executor counter-signature'), F: 4, P: page.ref }).toString()]);
    const annots = (page.node.lookupMaybe(PDFName.of('Annots'), PDFArray) ?? ctx.obj([])).clone(ctx);
    annots.push(PDFRef.of(widgetNum));
    pageDict.set(PDFName.of('Annots'), annots);
    // The AcroForm lists the new field too.
    const acroRef = doc.catalog.get(PDFName.of('AcroForm'));
    const acro = (doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict) ?? ctx.obj({})).clone(ctx);
    const fields = (acro.lookupMaybe(PDFName.of('Fields'), PDFArray) ?? ctx.obj([])).clone(ctx);
    fields.push(PDFRef.of(widgetNum));
    acro.set(PDFName.of('Fields'), fields);
    acro.set(PDFName.of('SigFlags'), PDFNumber.of(3));
    if (acroRef instanceof PDFRef) objects.push([acroRef.objectNumber, acro.toString()]);
    else {
      const catalog = doc.catalog.clone(ctx);
      catalog.set(PDFName.of('AcroForm'), acro);
      rootRewrite = [ctx.trailerInfo.Root instanceof PDFRef ? ctx.trailerInfo.Root.objectNumber : 1, catalog.toString()];
    }
  }
  objects.push([page.ref.objectNumber, pageDict.toString()]);
  if (rootRewrite) objects.push(rootRewrite);

  let body = '\n';
  const offsets = new Map<number, number>();
  for (const [num, obj] of objects) {
    offsets.set(num, bytes.length + Buffer.byteLength(body, 'latin1'));
    body += serialize(num, obj);
  }
  const xrefAt = bytes.length + Buffer.byteLength(body, 'latin1');
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  let xref = 'xref\n';
  for (const n of nums) xref += `${n} 1\n${String(offsets.get(n)).padStart(10, '0')} 00000 n \n`;
  const root = ctx.trailerInfo.Root as PDFRef;
  const id = ctx.trailerInfo.ID ? ` /ID ${ctx.trailerInfo.ID.toString()}` : '';
  const info = ctx.trailerInfo.Info ? ` /Info ${ctx.trailerInfo.Info.toString()}` : '';
  xref += `trailer\n<< /Size ${next} /Root ${root.toString()}${info}${id} /Prev ${startxref} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  const updated = Buffer.concat([bytes, Buffer.from(body + xref, 'latin1')]);
  if (!sign) return updated;
  const key = forge.pki.privateKeyFromPem(sign.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) as forge.pki.rsa.PrivateKey;
  return new SignPdf().sign(updated, new KeyCmsSigner(key, sign.certificates.map((c) => forge.pki.certificateFromPem(c))), new Date('2026-10-08T13:00:00Z'));
}
