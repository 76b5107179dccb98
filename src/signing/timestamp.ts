// RFC 3161 signature time-stamps (PAdES B-T): the token a time-stamp authority returns for the hash of a
// CMS signature value, carried as the unsigned attribute id-aa-timeStampToken of the signer info, and
// read back by verify (imprint, nonce, genTime, the TSA's signature over the TSTInfo).
import { X509Certificate, createHash, randomBytes, verify as cryptoVerify } from 'node:crypto';
import type Forge from 'node-forge';

export const OID_TIMESTAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

/** Thrown when the TSA cannot be reached or answers something else than a granted token. */
export class TimestampError extends Error {}

/** A TimeStampReq (RFC 3161 §2.4.1) for sha256(`data`) with a nonce, asking for the TSA certificate. */
export function timestampRequest(forge: typeof Forge, data: Buffer, nonce: Buffer): Buffer {
  const { asn1 } = forge;
  const U = asn1.Class.UNIVERSAL;
  const digest = createHash('sha256').update(data).digest();
  const req = asn1.create(U, asn1.Type.SEQUENCE, true, [
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
    asn1.create(U, asn1.Type.SEQUENCE, true, [
      asn1.create(U, asn1.Type.SEQUENCE, true, [asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(OID_SHA256).getBytes()), asn1.create(U, asn1.Type.NULL, false, '')]),
      asn1.create(U, asn1.Type.OCTETSTRING, false, digest.toString('binary')),
    ]),
    asn1.create(U, asn1.Type.INTEGER, false, nonce.toString('binary')),
    asn1.create(U, asn1.Type.BOOLEAN, false, String.fromCharCode(0xff)),
  ]);
  return Buffer.from(asn1.toDer(req).getBytes(), 'binary');
}

/** Asks the TSA at `url` for a token over `signatureValue`; returns the token (a CMS ContentInfo) as ASN.1. */
export async function requestTimestamp(forge: typeof Forge, url: string, signatureValue: Buffer): Promise<Forge.asn1.Asn1> {
  // A positive nonce (high bit clear) of 8 bytes.
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0]! & 0x7f) | 0x01;
  let body: Buffer;
  try {
    const post = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: timestampRequest(forge, signatureValue, nonce), signal: AbortSignal.timeout(30_000) });
    // A kept-alive connection the server closed meanwhile fails once with ECONNRESET: ask again on a new one.
    const res = await post().catch((err: { cause?: { code?: string } }) => {
      if (err?.cause?.code === 'ECONNRESET') return post();
      throw err;
    });
    if (!res.ok) throw new TimestampError(`the time-stamp authority ${url} answered HTTP ${res.status}`);
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    if (err instanceof TimestampError) throw err;
    throw new TimestampError(`the time-stamp authority ${url} cannot be reached: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`);
  }
  const { asn1 } = forge;
  let resp: Forge.asn1.Asn1;
  try {
    resp = asn1.fromDer(forge.util.createBuffer(body.toString('binary')));
  } catch {
    throw new TimestampError(`the time-stamp authority ${url} answered something that is not a DER TimeStampResp`);
  }
  const [status, token] = resp.value as Forge.asn1.Asn1[];
  const code = status ? asn1.derToInteger((status.value as Forge.asn1.Asn1[])[0]!.value as string) : -1;
  if ((code !== 0 && code !== 1) || !token) throw new TimestampError(`the time-stamp authority ${url} refused the request (PKIStatus ${code})`);
  const info = readTimestampToken(forge, token, signatureValue);
  if (info.problems.length) throw new TimestampError(`the token of ${url} does not hold: ${info.problems.join('; ')}`);
  if (info.nonce !== nonce.toString('hex')) throw new TimestampError(`the token of ${url} does not carry the request's nonce`);
  return token;
}

export interface TimestampInfo {
  /** The TSA's time (TSTInfo genTime), ISO 8601 UTC. */
  genTime: string | null;
  /** Subject of the TSA certificate the token carries. */
  tsa: string | null;
  tsaCertificate: X509Certificate | null;
  nonce: string | null;
  policy: string | null;
  problems: string[];
}

/** Reads and checks a time-stamp token over `signatureValue`: imprint, TSA signature, timeStamping EKU. */
export function readTimestampToken(forge: typeof Forge, token: Forge.asn1.Asn1, signatureValue: Buffer): TimestampInfo {
  const { asn1 } = forge;
  const out: TimestampInfo = { genTime: null, tsa: null, tsaCertificate: null, nonce: null, policy: null, problems: [] };
  const kids = (n: Forge.asn1.Asn1 | undefined): Forge.asn1.Asn1[] => (Array.isArray(n?.value) ? (n!.value as Forge.asn1.Asn1[]) : []);
  try {
    const [ct, wrapped] = kids(token);
    if (!ct || asn1.derToOid(ct.value as string) !== OID_SIGNED_DATA) throw new Error('not a CMS SignedData');
    const sd = kids(kids(wrapped)[0]);
    const encap = kids(sd[2]);
    if (asn1.derToOid(encap[0]!.value as string) !== OID_TST_INFO) throw new Error('its content is not a TSTInfo');
    const octets = kids(encap[1])[0]!;
    const tstDer = Buffer.from(octets.constructed ? kids(octets).map((o) => o.value as string).join('') : (octets.value as string), 'binary');
    const tst = kids(asn1.fromDer(forge.util.createBuffer(tstDer.toString('binary'))));
    out.policy = asn1.derToOid(tst[1]!.value as string);
    const imprint = kids(tst[2]);
    const alg = asn1.derToOid(kids(imprint[0])[0]!.value as string);
    const hashed = Buffer.from(imprint[1]!.value as string, 'binary');
    if (alg !== OID_SHA256) out.problems.push(`the token's imprint is not SHA-256 (${alg})`);
    else if (!hashed.equals(createHash('sha256').update(signatureValue).digest())) out.problems.push('the token\'s imprint is not the hash of this signature: it belongs to another signature');
    const gen = tst[4]!;
    out.genTime = asn1.generalizedTimeToDate(gen.value as string).toISOString().replace('.000Z', 'Z');
    for (const t of tst.slice(5)) if (t.tagClass === asn1.Class.UNIVERSAL && t.type === asn1.Type.INTEGER) out.nonce = forge.util.bytesToHex(t.value as string).replace(/^00/, '');
    // The TSA's certificate (carried in the token) and its signature over the signed attributes.
    const certNode = sd.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
    const certs = kids(certNode).map((c) => new X509Certificate(Buffer.from(asn1.toDer(c).getBytes(), 'binary')));
    const si = kids(kids(sd.at(-1))[0]);
    const attrs = si.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
    const sigValue = Buffer.from(si.at(-1)!.tagClass === asn1.Class.UNIVERSAL && si.at(-1)!.type === asn1.Type.OCTETSTRING ? (si.at(-1)!.value as string) : (si.at(-2)!.value as string), 'binary');
    let digestOk = false;
    for (const a of kids(attrs)) {
      const [type, values] = kids(a);
      if (asn1.derToOid(type!.value as string) === OID_MESSAGE_DIGEST) digestOk = Buffer.from(kids(values)[0]!.value as string, 'binary').equals(createHash('sha256').update(tstDer).digest());
    }
    if (!digestOk) out.problems.push('the TSA\'s signed digest is not the hash of its TSTInfo');
    const signedBytes = Buffer.from(asn1.toDer(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, kids(attrs))).getBytes(), 'binary');
    const cert = certs.find((c) => {
      try {
        return cryptoVerify('sha256', signedBytes, c.publicKey, sigValue);
      } catch {
        return false;
      }
    });
    if (!cert) out.problems.push('the TSA\'s signature over the token does not verify with a certificate it carries');
    else {
      out.tsaCertificate = cert;
      out.tsa = cert.subject.split('\n').join(', ');
      if (!(cert.keyUsage ?? []).includes('1.3.6.1.5.5.7.3.8')) out.problems.push(`the TSA certificate (${out.tsa}) is not for time-stamping (extended key usage)`);
    }
  } catch (err) {
    out.problems.push(`the time-stamp token cannot be read: ${(err as Error).message}`);
  }
  return out;
}
