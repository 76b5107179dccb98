// Secret masking for everything a run writes or prints: evidence, the record, the console.
//
// What is a secret (and only that: an auditor needs the configuration to judge a deployment):
// - values under keys that look like secrets: password, passwd, pwd, pw, pass, passphrase, passcode,
//   pin, pat, token, secret, key, apikey, sk, sig, signature, credential(s), creds, auth,
//   authorization, cookie, session, sid, private, jwt, bearer, otp, and pairs such as access_code or
//   access_key, as a whole segment of the key in any case (`DB_PW`, `GITHUB_PAT`, `STRIPE_SK`,
//   `API_SIG`, `X-Auth-Token`, `accessCode`), in structures and in `key=value` / `key: value` text
//   (query strings included: `?sig=...&token=...`);
// - values of names declared secret (`secret: true` on a protocol parameter or in qualify.yaml);
// - `Authorization`, `Cookie`, `Set-Cookie` and similar header values, `Bearer`/`Basic` tokens;
// - passwords in URLs (`https://user:pw@host`).
// Container environment entries are judged by their own key like any other (`ORDERS_MODE=production`
// stays readable, `DB_PW=...` does not); `env`/`environment` keys are never secrets; key names are
// never masked. A secret is also searched for in every other text (a token echoed in a log) once it
// is at least MIN_GLOBAL_SECRET characters long: a shorter value is masked in its own field only,
// since searching for "4711" everywhere would mask ports and ids the record needs.
//
// What the record keeps about a masked value (see docs/secrets.md): nothing computed from it. A marker
// `[MASKED:n]` where n numbers the distinct masked values of this record in order of first masking,
// so a reader sees which places held the same value, and per place a count. A salted hash of the value
// would let anyone holding report.json confirm guesses offline (a 4-digit PIN in 10,000 tries).
//
// Every pattern here runs in time linear in the text: the starts of keys and URL schemes are anchored
// by look-behinds and no quantified group can be re-entered from another start within one token.

/** Secrets shorter than this are masked where they stand, not searched for elsewhere in text. */
export const MIN_GLOBAL_SECRET = 6;

/** How the record refers to masked values (recorded in report.json `redaction.scheme`). */
export const REDACTION_SCHEME = 'ordinal: [MASKED:n] numbers the distinct masked values of this record in order of first masking; nothing derived from a value is kept';

/** The marker the console shows (no number: console lines are not part of the record). */
export const CONSOLE_MARKER = '[MASKED]';

const MARKER = /\[MASKED(?::\d+)?\]/;
const MARKER_ONLY = /^\[MASKED(?::\d+)?\]$/;
const MARKERS = /\[MASKED(?::\d+)?\]/g;
/** Secrets longer than this are searched for with indexOf rather than in the alternation. */
const LONG_SECRET = 256;
const NEVER = /(?!)/g;

/** Key segments that make a key secret when one appears as a whole segment (`DB_PW`, `authToken`). */
const SECRET_SEGMENTS = new Set([
  'password', 'passwd', 'pwd', 'pw', 'pass', 'passphrase', 'passcode', 'pin', 'pat',
  'token', 'tokens', 'secret', 'secrets', 'key', 'apikey', 'sk', 'sig', 'signature',
  'credential', 'credentials', 'creds', 'auth', 'authorization', 'cookie', 'cookies', 'session', 'sessionid', 'sid',
  'private', 'privatekey', 'jwt', 'bearer', 'otp',
]);
/** Two adjacent segments that together name a secret (`ACCESS_CODE`, `accessKey`). */
const SECRET_PAIRS = new Set(['accesscode', 'accesskey', 'authcode', 'secretkey', 'privatekey', 'apikey', 'clientsecret']);
/** Substrings that make a key secret anywhere in it (`DBPASSWORD`, `clientsecret`). */
const SECRET_SUBSTRINGS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'credential', 'apikey', 'privatekey', 'accesscode', 'accesskey', 'passcode'];

/** True when a key's name says its value is a secret (DB_PASSWORD, GITHUB_PAT, apiKey, Authorization). */
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

/** Keys that contain a secret word but name configuration (the shell's working directory, Docker's netns path). */
const NOT_SECRET_KEYS = new Set(['PWD', 'OLDPWD', 'SandboxKey']);

function decideSecretKey(key: string): boolean {
  if (key.length > 200 || NOT_SECRET_KEYS.has(key)) return false;
  const squashed = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_SUBSTRINGS.some((s) => squashed.includes(s))) return true;
  const segments = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((s) => s.toLowerCase());
  for (let i = 0; i < segments.length; i++) {
    if (SECRET_SEGMENTS.has(segments[i]!)) return true;
    if (i > 0 && SECRET_PAIRS.has(segments[i - 1]! + segments[i]!)) return true;
  }
  return false;
}

/** Plain words that are secret as a key segment (`DB_PASS`) but ordinary prose alone (`pass: 3`, `key: id`). */
const PROSE_WORDS = new Set(['key', 'auth', 'pass', 'pin', 'session', 'private', 'signature', 'sig', 'sid', 'otp', 'bearer', 'cookies', 'pat', 'sk', 'pw']);

/** Values that are words of a message, never a secret (`json.token: expected "x", found ...`). */
const NOT_SECRET_VALUES = new Set([
  'expected', 'found', 'nothing', 'null', 'none', 'true', 'false', 'undefined', 'required', 'absent', 'present',
  'missing', 'optional', 'empty', 'redacted', 'hidden', 'masked', 'set', 'unset', 'yes', 'no', 'matches', 'contains', 'equals',
]);

/** A reference to a variable (`$API_TOKEN`, `${TOKEN}`, `{{token}}`) is not its value. */
const VARIABLE_REFERENCE = /^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\{[^}]*\}\}|%\([A-Za-z_]+\)s)$/;

function mayBeSecretValue(value: string): boolean {
  return !NOT_SECRET_VALUES.has(value.toLowerCase()) && !VARIABLE_REFERENCE.test(value) && !MARKER.test(value) && !/^(?:Bearer|Basic|Token)$/i.test(value);
}

/** Keys whose value is a container environment listing (`["K=V", ...]`). */
function isEnvListKey(key: string): boolean {
  return key === 'Env' || key === 'env' || key === 'environment';
}

export interface RedactionEntry {
  /** Where values were masked: an evidence path or a record location (`step IQ-02.1 actual`). */
  where: string;
  /** The number of the masked value in this record (the `n` of its `[MASKED:n]` markers). */
  ref: number;
  /** Occurrences of this value masked at this place. */
  count: number;
}

export interface RedactionSummary {
  count: number;
  scheme: string;
  entries: RedactionEntry[];
}

export interface RedactorOptions {
  /** Names declared secret (`secret: true` parameters, qualify.yaml `secrets`): their values are masked. */
  secretKeys?: Iterable<string>;
}

/** Masks secrets in text and structured values, remembering where it masked (never what). */
export interface Redactor {
  /** Registers a value known to be secret (a declared secret, a secret env value of a container). */
  addSecret(value: string): void;
  /** Learns secrets from a structure or text without counting anything (run this over everything first). */
  learn(value: unknown): void;
  /** Masks a string, counting what it masked under `where`. */
  text(value: string, where: string, scoped?: readonly string[]): string;
  /** Masks a string for display (console) with plain markers, without counting it in the record. */
  mask(value: string, scoped?: readonly string[]): string;
  /** Masks a JSON-like value deeply; returns a new value. */
  value<T>(value: T, where: string): T;
  /**
   * Counts again, under `to`, everything masked so far under `from` (the same content stored twice is
   * masked once: its second place gets the first's counts).
   */
  recount(from: string, to: string): void;
  /** True when `key` names a secret (its name looks secret or it was declared secret). */
  isSecretKey(key: string): boolean;
  summary(): RedactionSummary;
}

interface Range {
  start: number;
  end: number;
}

// key=value, key: value, "key": "value", key="value"; the value stops at whitespace, quotes, & , ;
// The look-behind lets a key start only where no key character precedes it: a long token is entered
// once, not at each of its characters.
const KEY_VALUE = /(?<![A-Za-z0-9_.-])(["']?)([A-Za-z_][A-Za-z0-9_.-]{0,127})\1[ \t]{0,8}([=:])[ \t]{0,8}(["']?)([^\s"'&,;]+)\4/g;
// Header lines in HTTP exchanges and logs: the value is the rest of the line (trimmed in code).
const HEADER_LINE = /^[ \t]*(?:proxy-authorization|authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token|private-token|x-csrf-token|x-amz-security-token)[ \t]*:([^\r\n]*)$/gim;
// scheme://user:password@host
const URL_CREDENTIALS = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^\s/:@]+:([^\s/@]+)@/g;
// Authorization schemes written inline.
const AUTH_SCHEME = /(?<![A-Za-z0-9])(?:Bearer|Basic|Token)[ \t]+([A-Za-z0-9._~+/=-]{8,})/gi;

/** Creates a redactor; one per record, so that marker numbers are the record's own. */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const declared = new Set(options.secretKeys ?? []);
  const secretKey = (key: string): boolean => declared.has(key) || isSecretKey(key);
  const known = new Set<string>();
  const counts = new Map<string, RedactionEntry>();
  let total = 0;
  let literal: RegExp | null = null;
  const refs = new Map<string, number>();

  const ref = (value: string): number => {
    let n = refs.get(value);
    if (n === undefined) {
      n = refs.size + 1;
      refs.set(value, n);
    }
    return n;
  };

  const addSecret = (value: string): void => {
    if (typeof value !== 'string' || value.length === 0 || MARKER_ONLY.test(value)) return;
    if (!known.has(value)) {
      known.add(value);
      if (value.length >= MIN_GLOBAL_SECRET) literal = null;
    }
    // A token given with its scheme is also a secret without it.
    const scheme = /^(?:Bearer|Basic|Token)[ \t]+(\S+)$/i.exec(value);
    if (scheme && scheme[1]) addSecret(scheme[1]);
  };

  // Known secrets are searched for with one alternation; very long ones (a whole body learned as a
  // token) with indexOf, since a regular expression has a size limit.
  let long: string[] = [];
  const literalPattern = (): RegExp => {
    if (literal) return literal;
    const candidates = [...known].filter((v) => v.length >= MIN_GLOBAL_SECRET).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    long = candidates.filter((v) => v.length > LONG_SECRET);
    const short = candidates.filter((v) => v.length <= LONG_SECRET);
    literal = short.length ? new RegExp(short.map(escapeRegExp).join('|'), 'g') : NEVER;
    return literal;
  };

  /** `where` null: display only (plain marker, nothing counted, no number taken). */
  const markFor = (original: string, where: string | null): string => {
    if (where === null) return CONSOLE_MARKER;
    const n = ref(original);
    total++;
    const id = `${where}\u0000${n}`;
    const entry = counts.get(id);
    if (entry) entry.count++;
    else counts.set(id, { where, ref: n, count: 1 });
    return `[MASKED:${n}]`;
  };

  /** Masks a whole value (a structural secret). `learnOnly`: remember it, change nothing. */
  const maskWhole = (value: string, where: string | null, learnOnly: boolean): string => {
    if (value.length === 0 || MARKER_ONLY.test(value)) return value;
    // Already processed output (markers inside): only what text masking still finds.
    if (MARKER.test(value)) return maskText(value, where, learnOnly);
    addSecret(value);
    return learnOnly ? value : markFor(value, where);
  };

  /** Ranges of secrets the patterns find in text; each found value is learned. */
  const patternRanges = (text: string, ranges: Range[]): void => {
    const add = (start: number, end: number, value: string): void => {
      if (end <= start) return;
      ranges.push({ start, end });
      addSecret(value);
    };
    // Cheap guards first: most strings (ids, states, paths) have none of the shapes below.
    const lower = text.length < 4096 ? text.toLowerCase() : null;
    const mayHave = (needle: string): boolean => (lower ? lower.includes(needle) : true);
    if (mayHave('auth') || mayHave('cookie') || mayHave('key') || mayHave('token')) {
      for (const m of text.matchAll(HEADER_LINE)) {
        const raw = m[1]!;
        const value = raw.trim();
        if (!value || MARKER_ONLY.test(value)) continue;
        const start = m.index! + m[0].length - raw.length + raw.indexOf(value);
        add(start, start + value.length, value);
      }
    }
    if (text.includes('://') && text.includes('@')) {
      for (const m of text.matchAll(URL_CREDENTIALS)) {
        const value = m[1]!;
        if (!mayBeSecretValue(value)) continue;
        const start = m.index! + m[0].length - 1 - value.length;
        add(start, start + value.length, value);
      }
    }
    if (mayHave('bearer') || mayHave('basic') || mayHave('token')) {
      for (const m of text.matchAll(AUTH_SCHEME)) {
        const value = m[1]!;
        const start = m.index! + m[0].length - value.length;
        add(start, start + value.length, value);
      }
    }
    if (text.includes('=') || text.includes(':')) {
      for (const m of text.matchAll(KEY_VALUE)) {
        const key = m[2]!;
        const separator = m[3]!;
        // `name:value` without a space is an image tag, a host and port, a time: only `key: value` and
        // a quoted `"key":"value"` are pairs.
        if (separator === ':' && !m[1]) {
          const after = text.charCodeAt(m.index! + m[0].indexOf(':', key.length) + 1);
          if (after !== 32 && after !== 9) continue;
        }
        // `key=value` (query strings, env entries) counts for every secret key; `key: value` in prose
        // not for a lone plain word (`did not pass: OQ-01`).
        if (!(separator === '=' ? secretKey(key) : declared.has(key) || isSecretKeyInText(key))) continue;
        const value = m[5]!;
        if (!mayBeSecretValue(value)) continue;
        const start = m.index! + m[0].length - m[4]!.length - value.length;
        add(start, start + value.length, value);
      }
    }
  };

  /**
   * Masks text: secret patterns first, then every known secret and the `scoped` values of this text.
   * `learnOnly`: the patterns teach their secrets and nothing is masked or counted.
   */
  const maskText = (text: string, where: string | null, learnOnly = false, scoped: readonly string[] = []): string => {
    if (text.length === 0) return text;
    const ranges: Range[] = [];
    patternRanges(text, ranges);
    if (learnOnly) return text;
    const pattern = literalPattern();
    if (pattern !== NEVER) {
      pattern.lastIndex = 0;
      for (const m of text.matchAll(pattern)) ranges.push({ start: m.index!, end: m.index! + m[0].length });
    }
    for (const s of [...long, ...scoped]) {
      if (!s || MARKER_ONLY.test(s)) continue;
      for (let at = text.indexOf(s); at !== -1; at = text.indexOf(s, at + s.length)) ranges.push({ start: at, end: at + s.length });
    }
    if (ranges.length === 0) return text;
    // Markers already in the text are never cut into.
    const existing: Range[] = [];
    if (text.includes('[MASKED')) for (const m of text.matchAll(MARKERS)) existing.push({ start: m.index!, end: m.index! + m[0].length });
    ranges.sort((a, b) => a.start - b.start || b.end - a.end);
    const merged: Range[] = [];
    let e = 0;
    for (const r of ranges) {
      while (e < existing.length && existing[e]!.end <= r.start) e++;
      if (e < existing.length && existing[e]!.start < r.end) continue;
      const last = merged[merged.length - 1];
      if (last && r.start < last.end) last.end = Math.max(last.end, r.end);
      else merged.push({ ...r });
    }
    if (merged.length === 0) return text;
    let out = '';
    let at = 0;
    for (const r of merged) {
      out += text.slice(at, r.start) + markFor(text.slice(r.start, r.end), where);
      at = r.end;
    }
    return out + text.slice(at);
  };

  const maskEnvEntry = (entry: unknown, where: string | null, learnOnly: boolean): unknown => {
    if (typeof entry !== 'string') return walk(entry, where, false, learnOnly);
    const eq = entry.indexOf('=');
    if (eq <= 0) return maskText(entry, where, learnOnly);
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    if (value.length === 0) return entry;
    return secretKey(key) ? `${key}=${maskWhole(value, where, learnOnly)}` : `${key}=${maskText(value, where, learnOnly)}`;
  };

  const walk = (value: unknown, where: string | null, secret: boolean, learnOnly: boolean): unknown => {
    if (typeof value === 'string') {
      // Learning from a plain string depends on nothing but the string: a fleet's observations repeat
      // the same names, images and states in every step, learnt once.
      if (learnOnly && !secret) {
        if (textsWalked.has(value)) return value;
        textsWalked.add(value);
      }
      return secret ? maskWhole(value, where, learnOnly) : maskText(value, where, learnOnly);
    }
    if (typeof value === 'number' || typeof value === 'bigint') return secret ? maskWhole(String(value), where, learnOnly) : value;
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof Uint8Array) return value;
    if (Array.isArray(value)) return value.map((v) => walk(v, where, secret, learnOnly));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      // An env listing (`Env: ["K=V"]`): each entry is judged by its own key.
      if (isEnvListKey(k) && Array.isArray(v)) out[k] = v.map((e) => maskEnvEntry(e, where, learnOnly));
      else out[k] = walk(v, where, secret || secretKey(k), learnOnly);
    }
    return out;
  };

  // Texts learnt already (evidence repeats: the same inspect JSON for several steps): learning is idempotent.
  const learntTexts = new Set<string>();
  // Plain strings of values learnt already (patterns only; learnt JSON texts are in learntTexts).
  const textsWalked = new Set<string>();

  return {
    addSecret,
    learn(value) {
      if (typeof value === 'string') {
        if (learntTexts.has(value)) return;
        learntTexts.add(value);
        // JSON text is learnt structurally too, so that {"password": "x"} teaches "x".
        const parsed = tryParseJson(value);
        if (parsed !== undefined) walk(parsed, null, false, true);
        else maskText(value, null, true);
      } else walk(value, null, false, true);
    },
    recount(from, to) {
      for (const e of [...counts.values()]) {
        if (e.where !== from) continue;
        const id = `${to}\u0000${e.ref}`;
        const entry = counts.get(id);
        if (entry) entry.count += e.count;
        else counts.set(id, { where: to, ref: e.ref, count: e.count });
        total += e.count;
      }
    },
    text: (value, where, scoped) => maskText(value, where, false, scoped),
    mask: (value, scoped) => maskText(value, null, false, scoped),
    value: <T>(value: T, where: string): T => walk(value, where, false, false) as T,
    isSecretKey: secretKey,
    summary() {
      const entries = [...counts.values()].sort((a, b) => (a.where < b.where ? -1 : a.where > b.where ? 1 : a.ref - b.ref));
      return { count: total, scheme: REDACTION_SCHEME, entries: entries.map((e) => ({ ...e })) };
    },
  };
}

/** isSecretKey for `key: value` found in free text: a lone prose word does not count. */
function isSecretKeyInText(key: string): boolean {
  if (PROSE_WORDS.has(key.toLowerCase())) return false;
  return isSecretKey(key);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
