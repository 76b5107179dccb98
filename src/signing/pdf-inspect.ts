// Reads what verification needs from a PDF without laying it out: the embedded report.json and each
// PDF signature (ByteRange coverage, CMS digest and signature, signer certificate). A direct byte scan
// handles the files qualify writes (no object streams) in about a millisecond; anything else falls
// back to pdf-lib's parser.
import { X509Certificate, createHash, verify as cryptoVerify } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import type Forge from 'node-forge';
import type { PDFDict as PDFDictType } from 'pdf-lib';
import { certificateFromDer, certificateKeyFingerprint, certificatePublicKey } from './certificate.js';
import { OID_TIMESTAMP_TOKEN, readTimestampToken, type TimestampInfo } from './timestamp.js';

export interface PdfSignatureInfo {
  /** ByteRange as written: [0, a, b, c]. */
  byteRange: [number, number, number, number];
  /** Starts at 0, leaves out only /Contents, and ends at the end of the file. */
  coversWholeFile: boolean;
  /** Bytes after the end of this signature's range (content appended after signing). */
  bytesAfter: number;
  digestMatches: boolean;
  signatureValid: boolean;
  /** sha256 of the signer certificate's public key (SPKI DER), as in signers.yaml. */
  keyFingerprint: string | null;
  certificate: X509Certificate | null;
  /** All certificates carried in the CMS (signer and chain). */
  certificates: X509Certificate[];
  signingTime: string | null;
  reason: string | null;
  name: string | null;
  subFilter: string | null;
  /** The signature envelope this PDF signature manifests (named in /Reason as "envelope sha256 HEX"). */
  envelopeSha256: string | null;
  /** The RFC 3161 signature time-stamp (PAdES B-T), when the signature carries one. */
  timestamp: TimestampInfo | null;
  /** 1-based revision of the file this signature's range ends with, or null when it ends inside one. */
  revision: number | null;
  problems: string[];
}

export interface PdfInspection {
  /** Bytes of the embedded file named report.json, or null. */
  embedded: Map<string, Buffer>;
  signatures: PdfSignatureInfo[];
  /** Revisions of the file: one per signature as qualify writes it (ISO 32000 §7.5.6 incremental updates). */
  revisions: number;
  /** Byte offset where each revision ends (after `%%EOF` and its end of line). */
  revisionEnds: number[];
  /** Why the file's objects could not be read (a damaged PDF), or null. */
  parseProblem?: string | null;
}

/** How many revisions (each ends with `startxref N %%EOF`) the file has. */
export function countRevisions(s: string): number {
  return Math.max(1, revisionEnds(s).length);
}

/** Where each revision ends: after `startxref N %%EOF` and the end-of-line marker that may follow. */
export function revisionEnds(s: string): number[] {
  return [...s.matchAll(/startxref\s+\d+\s+%%EOF(\r\n|\r|\n)?/g)].map((m) => m.index! + m[0].length);
}

/** The revision (1-based) a range ending at `end` closes: it ends at `%%EOF`, with or without its end of line. */
function revisionAt(s: string, ends: number[], end: number): number | null {
  const i = ends.findIndex((e) => e === end || (s.slice(end, e).match(/^(\r\n|\r|\n)$/) !== null && s.slice(end - 5, end) === '%%EOF'));
  return i < 0 ? null : i + 1;
}

const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';

/** Where each object's dictionary starts ("num gen" → offset after `obj`; the last definition wins), read in one pass. */
function objectOffsets(s: string): Map<string, number> {
  const out = new Map<string, number>();
  const ws = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 12 || c === 0;
  const digit = (c: number) => c >= 48 && c <= 57;
  for (let i = s.indexOf('obj'); i >= 0; i = s.indexOf('obj', i + 3)) {
    const after = s.charCodeAt(i + 3);
    if (digit(after) || (after >= 65 && after <= 90) || (after >= 97 && after <= 122) || after === 95) continue;
    // Backwards: whitespace, generation, whitespace, number, then the start, whitespace or ">".
    let j = i - 1;
    if (!ws(s.charCodeAt(j))) continue;
    while (j >= 0 && ws(s.charCodeAt(j))) j--;
    const genEnd = j + 1;
    while (j >= 0 && digit(s.charCodeAt(j))) j--;
    const genStart = j + 1;
    if (genStart === genEnd || !ws(s.charCodeAt(j))) continue;
    while (j >= 0 && ws(s.charCodeAt(j))) j--;
    const numEnd = j + 1;
    while (j >= 0 && digit(s.charCodeAt(j))) j--;
    const numStart = j + 1;
    if (numStart === numEnd || (j >= 0 && !ws(s.charCodeAt(j)) && s.charCodeAt(j) !== 62)) continue;
    out.set(`${s.slice(numStart, numEnd)} ${s.slice(genStart, genEnd)}`, i + 3);
  }
  return out;
}

function streamOf(bytes: Buffer, s: string, objects: Map<string, number>, num: string, gen: string): Buffer | null {
  const at = objects.get(`${num} ${gen}`) ?? -1;
  if (at < 0) return null;
  const streamKw = /stream\r?\n/g;
  streamKw.lastIndex = at;
  const m = streamKw.exec(s);
  if (!m) return null;
  const dict = s.slice(at, m.index);
  if (dict.includes('endobj')) return null;
  let length: number | null = null;
  const lm = /\/Length\s+(\d+)(?:\s+(\d+)\s+R)?/.exec(dict);
  if (lm && lm[2] === undefined) length = Number(lm[1]);
  else if (lm) {
    const ref = objects.get(`${lm[1]} ${lm[2]}`) ?? -1;
    const vm = ref >= 0 ? /^\s*(\d+)\s+endobj/.exec(s.slice(ref, ref + 64)) : null;
    if (vm) length = Number(vm[1]);
  }
  if (length === null) return null;
  const start = m.index + m[0].length;
  const raw = bytes.subarray(start, start + length);
  const filter = /\/Filter\s*(\[\s*)?\/(\w+)/.exec(dict);
  if (!filter) return Buffer.from(raw);
  if (filter[2] !== 'FlateDecode' || /\/Filter\s*\[\s*\/\w+\s+\//.test(dict)) return null;
  return inflateSync(raw);
}

function hexName(name: string): string {
  return `FEFF${[...name].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join('')}`.toUpperCase();
}

/** Embedded files by name, found by scanning the file's objects; null when the scan cannot tell. */
function scanEmbedded(bytes: Buffer, s: string, names: string[]): Map<string, Buffer> | null {
  const out = new Map<string, Buffer>();
  if (s.includes('/ObjStm')) return null;
  let objects: Map<string, number> | null = null;
  for (const name of names) {
    const literal = `(${name.replace(/[()\\]/g, (c) => `\\${c}`)})`;
    const positions: number[] = [];
    for (let i = s.indexOf(literal); i >= 0; i = s.indexOf(literal, i + 1)) positions.push(i);
    // Case-insensitive in place: upper-casing the binary text would move offsets ("ß" becomes "SS").
    for (const m of s.matchAll(new RegExp(`<${hexName(name)}>`, 'gi'))) positions.push(m.index!);
    positions.sort((a, b) => a - b);
    for (const pos of positions) {
      const objStart = s.lastIndexOf(' obj', pos);
      const objEnd = s.indexOf('endobj', pos);
      if (objStart < 0 || objEnd < 0) continue;
      const body = s.slice(objStart, objEnd);
      if (!/\/Type\s*\/Filespec/.test(body)) continue;
      const ef = /\/EF\s*<<\s*\/F\s+(\d+)\s+(\d+)\s+R/.exec(body);
      if (!ef) return null;
      const data = streamOf(bytes, s, (objects ??= objectOffsets(s)), ef[1]!, ef[2]!);
      if (!data) return null;
      out.set(name, data); // later objects (incremental updates) win
    }
  }
  return out;
}

async function pdfLibEmbedded(bytes: Buffer, names: string[] | null): Promise<Map<string, Buffer>> {
  const { PDFDocument, PDFName, PDFArray, PDFDict, PDFString, PDFHexString, PDFRawStream, decodePDFRawStream, ParseSpeeds } = await import('pdf-lib');
  const out = new Map<string, Buffer>();
  const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false, parseSpeed: ParseSpeeds.Fastest });
  const namesDict = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  const ef = namesDict?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const walk = (node: PDFDictType) => {
    const arr = node.lookupMaybe(PDFName.of('Names'), PDFArray);
    if (arr) {
      for (let i = 0; i + 1 < arr.size(); i += 2) {
        const key = arr.lookup(i);
        const keyText = key instanceof PDFString || key instanceof PDFHexString ? key.decodeText() : '';
        if (names && !names.includes(keyText)) continue;
        const spec = arr.lookup(i + 1, PDFDict);
        const stream = spec.lookupMaybe(PDFName.of('EF'), PDFDict)?.lookup(PDFName.of('F'));
        if (stream instanceof PDFRawStream) out.set(keyText, Buffer.from(decodePDFRawStream(stream).decode()));
      }
    }
    const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
    if (kids) for (let i = 0; i < kids.size(); i++) walk(kids.lookup(i, PDFDict));
  };
  if (ef) walk(ef);
  return out;
}

function pdfString(dict: string, key: string): string | null {
  const lit = new RegExp(`/${key}\\s*\\(((?:\\\\.|[^\\\\)])*)\\)`).exec(dict);
  if (lit) return lit[1]!.replace(/\\([\\()])/g, '$1');
  const hex = new RegExp(`/${key}\\s*<([0-9A-Fa-f]*)>`).exec(dict);
  if (hex) {
    const b = Buffer.from(hex[1]!, 'hex');
    if (b[0] === 0xfe && b[1] === 0xff) return b.subarray(2).swap16().toString('utf16le');
    return b.toString('latin1');
  }
  return null;
}

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_DATA = '1.2.840.113549.1.7.1';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const SIGNATURE_ALGORITHMS = ['1.2.840.113549.1.1.1', '1.2.840.113549.1.1.11'];

class CmsShapeError extends Error {}

/**
 * Reads the detached CMS SignedData of a PDF signature strictly: every element where the standard puts
 * it, with the tag it must have, the one signer's certificate named by issuer and serial, and DER that
 * re-encodes to the very same bytes. The signature covers only the signed attributes, so the rest of
 * the container is held to its exact shape: a changed byte anywhere in it is reported.
 */
function checkCms(forge: typeof Forge, der: Buffer, digest: Buffer, info: PdfSignatureInfo): void {
  const { asn1 } = forge;
  const U = asn1.Class.UNIVERSAL;
  const CTX = asn1.Class.CONTEXT_SPECIFIC;
  let root: Forge.asn1.Asn1;
  try {
    root = asn1.fromDer(forge.util.createBuffer(der.toString('binary')), { parseAllBytes: false, strict: true } as never);
  } catch {
    info.problems.push('the CMS signature in /Contents is not DER: the signature container was altered');
    return;
  }
  const encoded = asn1.toDer(root).getBytes();
  // The room left for the signature is zero-filled: any other byte there was written after signing.
  if (der.subarray(0, encoded.length).toString('binary') !== encoded) info.problems.push('the CMS signature is not in canonical DER: the signature container was altered');
  if (der.subarray(encoded.length).some((b) => b !== 0)) info.problems.push('the padding after the CMS signature in /Contents is not zeros: the signature container was altered');

  const node = (n: Forge.asn1.Asn1 | undefined, tagClass: number, type: number, constructed: boolean, what: string): Forge.asn1.Asn1 => {
    if (!n || n.tagClass !== tagClass || n.type !== type || n.constructed !== constructed) throw new CmsShapeError(what);
    return n;
  };
  const kids = (n: Forge.asn1.Asn1): Forge.asn1.Asn1[] => n.value as Forge.asn1.Asn1[];
  const seq = (n: Forge.asn1.Asn1 | undefined, what: string) => kids(node(n, U, asn1.Type.SEQUENCE, true, what));
  const set = (n: Forge.asn1.Asn1 | undefined, what: string) => kids(node(n, U, asn1.Type.SET, true, what));
  const oid = (n: Forge.asn1.Asn1 | undefined, what: string) => asn1.derToOid(node(n, U, asn1.Type.OID, false, what).value as string);
  const int = (n: Forge.asn1.Asn1 | undefined, what: string) => forge.util.bytesToHex(node(n, U, asn1.Type.INTEGER, false, what).value as string);
  const algorithm = (n: Forge.asn1.Asn1 | undefined, what: string) => {
    const parts = seq(n, what);
    if (parts.length > 2 || (parts[1] && (parts[1].tagClass !== U || parts[1].type !== asn1.Type.NULL))) throw new CmsShapeError(`${what} parameters`);
    return oid(parts[0], what);
  };
  try {
    const content = seq(root, 'ContentInfo');
    if (content.length !== 2 || oid(content[0], 'content type') !== OID_SIGNED_DATA) throw new CmsShapeError('content type signedData');
    const wrapper = kids(node(content[1], CTX, 0, true, 'content [0]'));
    if (wrapper.length !== 1) throw new CmsShapeError('content [0]');
    const sd = seq(wrapper[0], 'SignedData');
    if (int(sd[0], 'SignedData version') !== '01') throw new CmsShapeError('SignedData version');
    const digests = set(sd[1], 'digest algorithms');
    if (digests.length !== 1 || algorithm(digests[0], 'digest algorithm') !== OID_SHA256) throw new CmsShapeError('digest algorithms (SHA-256 only)');
    const encap = seq(sd[2], 'encapsulated content');
    if (encap.length !== 1 || oid(encap[0], 'encapsulated content type') !== OID_DATA) throw new CmsShapeError('encapsulated content (detached data)');
    const certs = kids(node(sd[3], CTX, 0, true, 'certificates [0]'));
    if (sd.length !== 5) throw new CmsShapeError('SignedData fields (no CRLs expected)');
    const signerInfos = set(sd[4], 'signer infos');
    if (signerInfos.length !== 1) throw new CmsShapeError('exactly one signer info');
    const si = seq(signerInfos[0], 'SignerInfo');
    // Unsigned attributes: only a signature time-stamp token (RFC 3161), checked below.
    if (si.length !== 6 && si.length !== 7) throw new CmsShapeError('SignerInfo fields');
    let token: Forge.asn1.Asn1 | null = null;
    if (si.length === 7) {
      const unsigned = kids(node(si[6], CTX, 1, true, 'unsigned attributes [1]'));
      const [type, values] = unsigned.length === 1 ? seq(unsigned[0], 'unsigned attribute') : [];
      if (oid(type, 'unsigned attribute type') !== OID_TIMESTAMP_TOKEN) throw new CmsShapeError('unsigned attributes (a signature time-stamp token only)');
      const vals = set(values, 'time-stamp token values');
      if (vals.length !== 1) throw new CmsShapeError('one time-stamp token');
      token = vals[0]!;
    }
    if (int(si[0], 'SignerInfo version') !== '01') throw new CmsShapeError('SignerInfo version');
    const sid = seq(si[1], 'issuer and serial number');
    if (sid.length !== 2) throw new CmsShapeError('issuer and serial number');
    const serial = int(sid[1], 'serial number');
    if (algorithm(si[2], 'signer digest algorithm') !== OID_SHA256) throw new CmsShapeError('signer digest algorithm (SHA-256)');
    const attrs = node(si[3], CTX, 0, true, 'signed attributes [0]');
    if (!SIGNATURE_ALGORITHMS.includes(algorithm(si[4], 'signature algorithm'))) throw new CmsShapeError('signature algorithm (RSA)');
    const sigValue = node(si[5], U, asn1.Type.OCTETSTRING, false, 'signature value');
    if (token) {
      info.timestamp = readTimestampToken(forge, token, Buffer.from(sigValue.value as string, 'binary'));
      for (const p of info.timestamp.problems) info.problems.push(`signature time-stamp: ${p}`);
    }

    for (const c of certs) {
      try {
        info.certificates.push(certificateFromDer(asn1.toDer(c).getBytes()));
      } catch {
        throw new CmsShapeError('a certificate that parses');
      }
    }
    // The signer info names its certificate: issuer and serial number must be the certificate's own.
    const signerCert = certs.find((c) => {
      const tbs = seq(seq(c, 'certificate')[0], 'to-be-signed certificate');
      const offset = tbs[0]?.tagClass === CTX ? 1 : 0;
      return int(tbs[offset], 'certificate serial') === serial && asn1.toDer(tbs[offset + 2]!).getBytes() === asn1.toDer(sid[0]!).getBytes();
    });
    if (!signerCert) throw new CmsShapeError('the signer\'s certificate, named by issuer and serial number');

    let messageDigest: Buffer | null = null;
    let contentType: string | null = null;
    for (const a of kids(attrs)) {
      const [type, values] = seq(a, 'attribute');
      const attrType = oid(type, 'attribute type');
      const v = set(values, 'attribute values')[0];
      if (attrType === OID_MESSAGE_DIGEST && v) messageDigest = Buffer.from(v.value as string, 'binary');
      if (attrType === OID_CONTENT_TYPE && v) contentType = oid(v, 'content type attribute');
      if (attrType === OID_SIGNING_TIME && v) {
        try {
          const d = v.type === asn1.Type.UTCTIME ? asn1.utcTimeToDate(v.value as string) : asn1.generalizedTimeToDate(v.value as string);
          info.signingTime = d.toISOString().replace('.000Z', 'Z');
        } catch { /* unreadable time */ }
      }
    }
    if (contentType !== OID_DATA) info.problems.push('the signed content type attribute is not "data"');
    info.digestMatches = messageDigest !== null && messageDigest.equals(digest);
    if (!info.digestMatches) info.problems.push('the document digest differs from the signed digest: the PDF was changed after signing');
    const signedAttrs = asn1.create(U, asn1.Type.SET, true, kids(attrs));
    const signedBytes = Buffer.from(asn1.toDer(signedAttrs).getBytes(), 'binary');
    const cert = certificateFromDer(asn1.toDer(signerCert).getBytes());
    let ok = false;
    try {
      ok = cryptoVerify('sha256', signedBytes, certificatePublicKey(cert), Buffer.from(sigValue.value as string, 'binary'));
    } catch { /* key type mismatch */ }
    if (ok) {
      info.certificate = cert;
      info.keyFingerprint = certificateKeyFingerprint(cert);
    }
    info.signatureValid = ok;
    if (!ok) info.problems.push('the CMS signature does not verify with the signer\'s certificate');
  } catch (err) {
    if (!(err instanceof CmsShapeError)) throw err;
    info.problems.push(`the CMS signature container does not have the expected ${err.message}: it was altered`);
  }
}

/** Finds and checks every PDF signature of `bytes`. */
export async function inspectPdfSignatures(bytes: Buffer, s = bytes.toString('latin1')): Promise<PdfSignatureInfo[]> {
  let forge: typeof Forge | null = null;
  const ends = revisionEnds(s);
  const out: PdfSignatureInfo[] = [];
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const br = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number];
    const info: PdfSignatureInfo = {
      byteRange: br, coversWholeFile: false, bytesAfter: 0, digestMatches: false, signatureValid: false,
      keyFingerprint: null, certificate: null, certificates: [], signingTime: null, reason: null, name: null, subFilter: null, envelopeSha256: null, revision: null, timestamp: null, problems: [],
    };
    out.push(info);
    const [a, b, c, d] = br;
    const end = c + d;
    if (a !== 0 || b <= 0 || c <= b || end > bytes.length) {
      info.problems.push(`ByteRange [${br.join(' ')}] is not a range of this file of ${bytes.length} bytes`);
      continue;
    }
    info.bytesAfter = bytes.length - end;
    info.coversWholeFile = info.bytesAfter === 0;
    info.revision = revisionAt(s, ends, end);
    const contents = s.slice(b, c);
    // Written as lowercase hex: a changed letter case would decode to the same bytes, so it is refused.
    if (!/^<[0-9a-f]*>$/.test(contents)) {
      info.problems.push('the signature container (/Contents, the gap left out of the ByteRange) is not a hex string: it was altered');
      continue;
    }
    const dictStart = s.lastIndexOf(' obj', b);
    const endObj = s.indexOf('endobj', c);
    const dict = s.slice(Math.max(0, dictStart), b) + s.slice(c, endObj < 0 ? c : endObj);
    info.reason = pdfString(dict, 'Reason');
    info.name = pdfString(dict, 'Name');
    info.subFilter = /\/SubFilter\s*\/([\w.]+)/.exec(dict)?.[1] ?? null;
    info.envelopeSha256 = /envelope sha256 ([0-9a-f]{64})/.exec(info.reason ?? '')?.[1] ?? null;
    const digest = createHash('sha256').update(bytes.subarray(0, b)).update(bytes.subarray(c, end)).digest();
    // node-forge only loads for a PDF that carries a signature.
    forge ??= ((await import('node-forge')) as unknown as { default: typeof Forge }).default;
    checkCms(forge, Buffer.from(contents.slice(1, -1), 'hex'), digest, info);
  }
  return out;
}

/** Embedded files (by name; `null`: all of them) and signatures of a PDF. */
export async function inspectPdf(bytes: Buffer, embeddedNames: string[] | null = ['report.json']): Promise<PdfInspection> {
  const s = bytes.toString('latin1');
  if (embeddedNames === null) {
    let embedded = new Map<string, Buffer>();
    let parseProblem: string | null = null;
    try {
      embedded = await pdfLibEmbedded(bytes, null);
    } catch (err) {
      parseProblem = (err as Error).message.split('\n')[0]!;
    }
    return { embedded, signatures: await inspectPdfSignatures(bytes, s), revisions: countRevisions(s), revisionEnds: revisionEnds(s), parseProblem };
  }
  let embedded = scanEmbedded(bytes, s, embeddedNames);
  if (!embedded || embedded.size < embeddedNames.length) {
    try {
      const viaParser = await pdfLibEmbedded(bytes, embeddedNames);
      embedded = new Map([...(embedded ?? new Map()), ...viaParser]);
    } catch {
      embedded = embedded ?? new Map();
    }
  }
  return { embedded, signatures: await inspectPdfSignatures(bytes, s), revisions: countRevisions(s), revisionEnds: revisionEnds(s) };
}
