// A folder of signatures over one subject (a report's signatures/, a document revision's approvals):
// files NN-<meaning>-<signer>.dsse.json, each chained to the one before by `previous`. Checks what is
// common to reports and documents; the subject-specific rules are added by the caller.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignatureManifestation, SignatureMeaning } from '../model/signature.js';
import { checkEnvelope, type CheckedEnvelope } from './envelope-check.js';
import { readSignaturePayload, SIGNATURE_FILE, SIGNATURE_PAYLOAD_TYPE, type SignaturePayload } from './payload.js';
import { rolePermits, rolesAt, short, type SignerRegistry } from './signers.js';
import type { SignatureVerdict } from './verdict.js';

export interface SignedFile {
  /** Name shown to people (relative to the report folder or the repository). */
  file: string;
  bytes: Uint8Array;
}

export interface FolderEntry {
  checked: CheckedEnvelope;
  /** The payload, typed, when it has the right shape (even if the envelope fails: verdicts still name the signer). */
  payload: SignaturePayload | null;
  verdict: SignatureVerdict;
}

/** Reads `NN-...dsse.json` files of `dir` in name order; `[]` when the folder does not exist. */
export function readSignedFiles(dir: string, shownAs: string): SignedFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.dsse.json'));
  } catch {
    return [];
  }
  return names.sort().map((n) => ({ file: `${shownAs}/${n}`, bytes: readFileSync(join(dir, n)) }));
}

/** What a signed file claims, as far as a verdict repeats it. */
export interface VerdictClaims {
  signer?: { id?: string; name?: string };
  meaning?: string;
  time?: string | null;
  key?: { fingerprint?: string };
  comment?: string | null;
}

/** A verdict pre-filled with what the payload claims. */
export function verdictFor(file: string, payload: VerdictClaims | null, reasons: string[]): SignatureVerdict {
  return {
    file,
    signerId: payload?.signer?.id ?? null,
    name: payload?.signer?.name ?? null,
    meaning: payload?.meaning ?? null,
    time: payload?.time ?? null,
    keyFingerprint: payload?.key?.fingerprint ?? null,
    comment: payload?.comment ?? null,
    valid: reasons.length === 0,
    reasons,
    notes: [],
  };
}

/**
 * Checks each envelope, the file naming and numbering, the `previous` chain, time order, the meaning list
 * and role permissions; a signer signs one meaning once per content unless the meaning is `repeatable`
 * (a document's periodic review, done again every period). Verdict `valid` is left for the caller to settle after its own rules.
 */
export function checkSignatureFolder(files: SignedFile[], registry: SignerRegistry | null, options: { now: Date; meanings: readonly SignatureMeaning[]; repeatable?: readonly SignatureMeaning[] }): FolderEntry[] {
  const out: FolderEntry[] = [];
  let previousHash: string | null = null;
  let previousTime = '';
  const seen = new Map<string, string>();
  files.forEach((f, i) => {
    const checked = checkEnvelope(f.file, f.bytes, registry, SIGNATURE_PAYLOAD_TYPE);
    const reasons = [...checked.problems];
    let payload: SignaturePayload | null = null;
    if (checked.payload !== null) {
      const read = readSignaturePayload(checked.payload);
      if ('problem' in read) reasons.push(`payload: ${read.problem}`);
      else payload = read.payload;
    }
    const base = f.file.slice(f.file.lastIndexOf('/') + 1);
    const m = SIGNATURE_FILE.exec(base);
    if (!m) {
      reasons.push('file name is not NN-<meaning>-<signer>.dsse.json');
    } else {
      const nn = Number(m[1]);
      if (nn !== i + 1) reasons.push(`numbered ${m[1]} but is signature ${i + 1} of the folder: a signature before it is missing`);
      if (payload && (m[2] !== payload.meaning || m[3] !== payload.signer.id)) reasons.push(`file name says "${m[2]}" by "${m[3]}" but the signed payload says "${payload.meaning}" by "${payload.signer.id}"`);
    }
    if (payload) {
      if ((payload.previous ?? null) !== previousHash) {
        reasons.push(previousHash === null
          ? 'it chains to an earlier signature that is not in the folder: a signature was removed'
          : `it does not chain to ${out[i - 1]!.checked.file.slice(out[i - 1]!.checked.file.lastIndexOf('/') + 1)}: a signature was removed, replaced or re-ordered`);
      }
      if (!options.meanings.includes(payload.meaning)) reasons.push(`meaning "${payload.meaning}" does not apply here; allowed: ${options.meanings.join(', ')}`);
      // Judged by the roles in force when the signature was made (the signed role history), not today's.
      const signer = registry?.signer(payload.signer.id);
      const held = signer && registry ? rolesAt(registry, signer.id, payload.time) : [];
      if (signer && !rolePermits(held, payload.meaning)) reasons.push(`the role(s) ${held.join(', ') || 'none'} of "${signer.id}" at ${payload.time} do not permit the meaning "${payload.meaning}"`);
      if (previousTime && payload.time < previousTime) reasons.push(`signed at ${payload.time}, before the previous signature (${previousTime})`);
      if (Date.parse(payload.time) > options.now.getTime() + 5 * 60_000) reasons.push(`signed at ${payload.time}, in the future of this clock (${options.now.toISOString()})`);
      const dupKey = `${payload.signer.id}\u0000${payload.meaning}\u0000${payload.subject.sha256}`;
      const dup = options.repeatable?.includes(payload.meaning) ? undefined : seen.get(dupKey);
      if (dup) reasons.push(`"${payload.signer.id}" already signed "${payload.meaning}" for this content in ${dup}`);
      else seen.set(dupKey, base);
      if (!previousTime || payload.time > previousTime) previousTime = payload.time;
    }
    const verdict = verdictFor(f.file, payload ?? (checked.payload as VerdictClaims | null), reasons);
    // keyProblemAt already rejected revocations before the signature; a later one only informs the reader.
    const k = checked.enrolled?.key;
    if (k?.revoked && payload && k.revoked.at > payload.time) verdict.notes.push(`key ${short(k.fingerprint)} was revoked later, at ${k.revoked.at} (${k.revoked.reason}); signatures made before stay valid`);
    out.push({ checked, payload, verdict });
    previousHash = checked.envelopeHash;
  });
  return out;
}

/** Settles `valid` from the reasons gathered. */
export function settle(entries: FolderEntry[]): void {
  for (const e of entries) e.verdict.valid = e.verdict.reasons.length === 0;
}

/** How a valid signature is shown to readers (signature page, lists). */
export function manifestationOf(e: FolderEntry): SignatureManifestation {
  const p = e.payload!;
  return {
    signerId: p.signer.id,
    name: p.signer.name,
    meaning: p.meaning,
    time: p.time,
    subjectHash: p.subject.sha256,
    keyFingerprint: p.key.fingerprint,
    comment: p.comment,
    roles: p.signer.roles,
  };
}
