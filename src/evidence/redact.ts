// Secret masking for everything a run writes or prints: evidence, the record, the console.
//
// What is masked, replaced by `[MASKED:<salted hash>]`:
// - every value of a container environment (`Env: ["K=V"]` in inspect JSON, `env` maps/lists);
// - values under keys that look like secrets (PASSWORD, PASSWD, TOKEN, SECRET, KEY, CREDENTIAL, AUTH,
//   COOKIE, SESSION, PRIVATE...), in structures and in `key=value` / `key: value` text;
// - `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie` header values, `Bearer`/`Basic` tokens;
// - passwords in URLs (`https://user:pw@host`);
// - any secret learned above wherever else it appears (a token echoed in a log), once it is at least
//   MIN_GLOBAL_SECRET characters long (shorter values would mask unrelated text). Env values of keys
//   that do not look secret (PATH, PORT, APP_URL) are masked in the env listing only: searching for
//   them everywhere would mask URLs, ports and ids the record needs.
//
// The record keeps, per place and masked value, a count and the salted hash (HMAC-SHA256 keyed by a
// salt random per run, first 16 hex digits), never the value: a reviewer who knows a candidate value
// can confirm it with the salt from the record; nobody can read it back.

import { createHmac, randomBytes } from 'node:crypto';

/** Secrets shorter than this are masked where they stand, not searched for elsewhere in text. */
export const MIN_GLOBAL_SECRET = 4;

const MARKER = /\[MASKED:[0-9a-f]{16}\]/;
const MARKER_ONLY = /^\[MASKED:[0-9a-f]{16}\]$/;

/** Name segments that make a key secret when they appear as a whole segment (`API_KEY`, `authToken`). */
const SECRET_SEGMENTS = new Set([
  'key', 'keys', 'apikey', 'auth', 'pass', 'pwd', 'pin', 'cookie', 'cookies', 'session', 'sessionid', 'private',
  'privatekey', 'secret', 'secrets', 'token', 'tokens', 'credential', 'credentials', 'creds', 'authorization',
  'passphrase', 'signature', 'jwt', 'bearer', 'otp', 'sid',
]);
/** Substrings that make a key secret anywhere in it (`DBPASSWORD`, `clientsecret`). */
const SECRET_SUBSTRINGS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'credential', 'apikey', 'privatekey'];

/** True when a key's name says its value is a secret (DB_PASSWORD, GITHUB_TOKEN, apiKey, Authorization). */
export function isSecretKey(key: string): boolean {
  // Records repeat the same few hundred keys (inspect JSON, headers) thousands of times: decide each once.
  let secret = secretKeyMemo.get(key);
  if (secret === undefined) {
    secret = decideSecretKey(key);
    if (secretKeyMemo.size >= 10_000) secretKeyMemo.clear();
    secretKeyMemo.set(key, secret);
  }
  return secret;
}

const secretKeyMemo = new Map<string, boolean>();

function decideSecretKey(key: string): boolean {
  const squashed = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_SUBSTRINGS.some((s) => squashed.includes(s))) return true;
  const segments = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((s) => s.toLowerCase());
  return segments.some((s) => SECRET_SEGMENTS.has(s));
}

/** Plain words that are secret as a key segment (`DB_PASS`) but ordinary prose alone (`pass: 3`, `key: id`). */
const PROSE_WORDS = new Set(['key', 'keys', 'auth', 'pass', 'pin', 'session', 'private', 'signature', 'sid', 'otp', 'bearer', 'cookies']);

/** isSecretKey for `key: value` found in free text: a lone prose word does not count. */
function isSecretKeyInText(key: string): boolean {
  if (PROSE_WORDS.has(key.toLowerCase())) return false;
  return isSecretKey(key);
}

/** Keys whose value is a container environment: every value in it is masked. */
function isEnvKey(key: string): boolean {
  return key === 'Env' || key === 'env' || key === 'environment';
}

export interface RedactionEntry {
  /** Where the value was masked: an evidence path or a record location (`step IQ-02.1 actual`). */
  where: string;
  /** Salted hash of the original value (also the marker's content). */
  hash: string;
  /** Occurrences of this value masked at this place. */
  count: number;
}

/** How a masked value's hash is computed, recorded beside the salt. */
export const REDACTION_ALGORITHM = 'hex(hmac-sha256(key=utf8(salt), utf8(value)))[0:16]';

export interface RedactionSummary {
  count: number;
  salt: string;
  algorithm: string;
  entries: RedactionEntry[];
}

/** Masks secrets in text and structured values, remembering what it masked (hashes only). */
export interface Redactor {
  readonly salt: string;
  /** Registers a value known to be secret (a parameter named like a secret, an env value). */
  addSecret(value: string): void;
  /** Learns secrets from a structure or text without counting anything (run this over everything first). */
  learn(value: unknown): void;
  /** Masks a string, counting what it masked under `where`. */
  text(value: string, where: string): string;
  /** Masks a string for display (console) without counting it in the record. */
  mask(value: string): string;
  /** Masks a JSON-like value deeply; returns a new value. */
  value<T>(value: T, where: string): T;
  /**
   * Counts again, under `to`, everything masked so far under `from` (the same content stored twice is
   * masked once: its second place gets the first's counts).
   */
  recount(from: string, to: string): void;
  /** The salted hash of a value, as it appears in a marker. */
  hash(value: string): string;
  summary(): RedactionSummary;
}

interface Range {
  start: number;
  end: number;
}

// key=value, key: value, "key": "value", key="value"; the value stops at whitespace, quotes, & , ;
const KEY_VALUE = /(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\1[ \t]*(?:=|:)[ \t]*(["']?)([^\s"'&,;]+)\3/g;
// Header lines in HTTP exchanges and logs.
const HEADER_LINE = /^[ \t]*(?:proxy-authorization|authorization|cookie|set-cookie|x-api-key|x-auth-token)[ \t]*:[ \t]*(.+?)[ \t]*$/gim;
// scheme://user:password@host
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:([^\s/@]+)@/gi;
// Authorization schemes written inline.
const AUTH_SCHEME = /\b(?:Bearer|Basic|Token)[ \t]+([A-Za-z0-9._~+/=-]{8,})/g;

/** Creates a redactor with a random salt (or the given one, for tests). */
export function createRedactor(options: { salt?: string } = {}): Redactor {
  const salt = options.salt ?? randomBytes(16).toString('hex');
  const known = new Set<string>();
  const counts = new Map<string, RedactionEntry>();
  let total = 0;
  let literal: RegExp | null = null;

  // The same values (env entries of every inspect) are masked many times in a run: one HMAC each.
  const hashes = new Map<string, string>();
  const hash = (value: string): string => {
    let h = hashes.get(value);
    if (h === undefined) {
      h = createHmac('sha256', salt).update(value, 'utf8').digest('hex').slice(0, 16);
      hashes.set(value, h);
    }
    return h;
  };
  const marker = (value: string): string => `[MASKED:${hash(value)}]`;

  const addSecret = (value: string): void => {
    if (typeof value !== 'string' || value.length === 0 || MARKER_ONLY.test(value)) return;
    if (!known.has(value)) {
      known.add(value);
      literal = null;
    }
    // A token given with its scheme is also a secret without it.
    const scheme = /^(?:Bearer|Basic|Token)\s+(.+)$/i.exec(value);
    if (scheme && scheme[1]) addSecret(scheme[1]);
  };

  const literalPattern = (): RegExp | null => {
    if (literal) return literal;
    const candidates = [...known].filter((v) => v.length >= MIN_GLOBAL_SECRET).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    if (candidates.length === 0) return null;
    literal = new RegExp(candidates.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    return literal;
  };

  const record = (original: string, where: string | null): void => {
    if (where === null) return;
    total++;
    const h = hash(original);
    const id = `${where}\u0000${h}`;
    const entry = counts.get(id);
    if (entry) entry.count++;
    else counts.set(id, { where, hash: h, count: 1 });
  };

  /** Masks a whole value (a structural secret). `where` null = learning only. */
  const maskWhole = (value: string, where: string | null, remember = true): string => {
    if (value.length === 0 || MARKER_ONLY.test(value)) return value;
    // Already processed output (markers inside): only what text masking still finds.
    if (MARKER.test(value)) return maskText(value, where);
    if (remember) addSecret(value);
    record(value, where);
    return marker(value);
  };

  /**
   * Finds ranges to mask in text: secret patterns first, then every known secret. Learning only
   * (`learnOnly`): the patterns teach their secrets and nothing is masked or counted.
   */
  const maskText = (text: string, where: string | null, learnOnly = false): string => {
    if (text.length === 0) return text;
    const ranges: Range[] = [];
    const add = (start: number, end: number): void => {
      if (end > start) ranges.push({ start, end });
    };
    // Cheap guards first: most strings (ids, states, paths) have none of the shapes below.
    const lower = text.length < 4096 ? text.toLowerCase() : null;
    const mayHave = (needle: string): boolean => (lower ? lower.includes(needle) : true);
    const headers = mayHave('auth') || mayHave('cookie') || mayHave('api-key');
    const urls = text.includes('://') && text.includes('@');
    const schemes = mayHave('bearer') || mayHave('basic') || mayHave('token');
    const pairs = text.includes('=') || text.includes(':');
    if (headers) for (const m of text.matchAll(HEADER_LINE)) {
      const value = m[1]!;
      const start = m.index! + m[0].lastIndexOf(value);
      add(start, start + value.length);
      addSecret(value);
    }
    if (urls) for (const m of text.matchAll(URL_CREDENTIALS)) {
      const value = m[1]!;
      const start = m.index! + m[0].length - 1 - value.length;
      add(start, start + value.length);
      addSecret(value);
    }
    if (schemes) for (const m of text.matchAll(AUTH_SCHEME)) {
      const value = m[1]!;
      const start = m.index! + m[0].length - value.length;
      add(start, start + value.length);
      addSecret(value);
    }
    if (pairs) for (const m of text.matchAll(KEY_VALUE)) {
      if (!isSecretKeyInText(m[2]!)) continue;
      const value = m[4]!;
      if (MARKER.test(value) || /^(?:Bearer|Basic|Token)$/i.test(value)) continue;
      const quoteClose = m[3]!.length;
      const start = m.index! + m[0].length - quoteClose - value.length;
      add(start, start + value.length);
      addSecret(value);
    }
    if (learnOnly) return text;
    const pattern = literalPattern();
    if (pattern) {
      pattern.lastIndex = 0;
      for (const m of text.matchAll(pattern)) add(m.index!, m.index! + m[0].length);
    }
    if (ranges.length === 0) return text;
    // Merge overlaps so a marker is never cut into by another mask.
    ranges.sort((a, b) => a.start - b.start || b.end - a.end);
    const merged: Range[] = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (last && r.start < last.end) last.end = Math.max(last.end, r.end);
      else merged.push({ ...r });
    }
    let out = '';
    let at = 0;
    for (const r of merged) {
      const original = text.slice(r.start, r.end);
      // Do not re-mask an existing marker's inside.
      out += text.slice(at, r.start);
      if (MARKER_ONLY.test(original)) out += original;
      else {
        record(original, where);
        out += marker(original);
      }
      at = r.end;
    }
    return out + text.slice(at);
  };

  const maskEnvEntry = (entry: unknown, where: string | null): unknown => {
    if (typeof entry !== 'string') return walk(entry, where, false);
    const eq = entry.indexOf('=');
    if (eq < 0) return entry;
    const value = entry.slice(eq + 1);
    if (value.length === 0) return entry;
    const key = entry.slice(0, eq);
    return `${key}=${maskWhole(value, where, isSecretKey(key))}`;
  };

  const walk = (value: unknown, where: string | null, secret: boolean): unknown => {
    // where null: learning (nothing is counted), the text patterns only teach their secrets.
    if (typeof value === 'string') return secret ? maskWhole(value, where) : maskText(value, where, where === null);
    if (typeof value === 'number' || typeof value === 'bigint') return secret ? maskWhole(String(value), where) : value;
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof Uint8Array) return value;
    if (Array.isArray(value)) return value.map((v) => walk(v, where, secret));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (isEnvKey(k)) {
        if (Array.isArray(v)) out[k] = v.map((e) => maskEnvEntry(e, where));
        else if (v && typeof v === 'object') {
          const env: Record<string, unknown> = {};
          for (const [ek, ev] of Object.entries(v as Record<string, unknown>)) {
            env[ek] = typeof ev === 'string' || typeof ev === 'number' ? maskWhole(String(ev), where, isSecretKey(ek)) : walk(ev, where, isSecretKey(ek));
          }
          out[k] = env;
        } else out[k] = walk(v, where, true);
        continue;
      }
      out[k] = walk(v, where, secret || isSecretKey(k));
    }
    return out;
  };

  // Texts learnt already (evidence repeats: the same inspect JSON for several steps): learning is idempotent.
  const learntTexts = new Set<string>();

  return {
    salt,
    addSecret,
    learn(value) {
      if (typeof value === 'string') {
        if (learntTexts.has(value)) return;
        learntTexts.add(value);
        // JSON text is learnt structurally too, so that {"password": "x"} teaches "x".
        const parsed = tryParseJson(value);
        if (parsed !== undefined) walk(parsed, null, false);
        else maskText(value, null, true);
      } else walk(value, null, false);
    },
    recount(from, to) {
      for (const e of [...counts.values()]) {
        if (e.where !== from) continue;
        const id = `${to}\u0000${e.hash}`;
        const entry = counts.get(id);
        if (entry) entry.count += e.count;
        else counts.set(id, { where: to, hash: e.hash, count: e.count });
        total += e.count;
      }
    },
    text: (value, where) => maskText(value, where),
    mask: (value) => maskText(value, null),
    value: <T>(value: T, where: string): T => walk(value, where, false) as T,
    hash,
    summary() {
      const entries = [...counts.values()].sort((a, b) => (a.where < b.where ? -1 : a.where > b.where ? 1 : a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
      return { count: total, salt, algorithm: REDACTION_ALGORITHM, entries: entries.map((e) => ({ ...e })) };
    },
  };
}

function tryParseJson(text: string): unknown {
  const t = text.trimStart();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
