// The evidence store: names, hashes, masking, and the same content stored twice (masked once, counted twice).
import { describe, expect, it } from 'vitest';
import { createRedactor } from './redact.js';
import { EVIDENCE_CAP, learnEvidence, storeEvidence, sha256Hex } from './store.js';

const inspect = JSON.stringify({ Id: 'c1', Config: { Env: ['DB_PASSWORD=hunter2-secret', 'PORT=8080'], User: '65534' } });

describe('storeEvidence', () => {
  it('masks repeated content once and counts it under every path', () => {
    const items = [
      { stepId: 'IQ-01.1', input: { name: 'inspect', mediaType: 'application/json', content: inspect, description: 'inspect of c1' } },
      { stepId: 'IQ-01.2', input: { name: 'inspect', mediaType: 'application/json', content: inspect, description: 'inspect of c1' } },
      { stepId: 'OQ-01.1', input: { name: 'log', mediaType: 'text/plain', content: 'boot with hunter2-secret\n', description: 'log' } },
    ];
    const shared = createRedactor();
    for (const i of items) learnEvidence(shared, i.input);
    const stored = storeEvidence(items, shared);
    expect(stored.map((s) => s.ref.path)).toEqual(['evidence/IQ-01.1-inspect.json', 'evidence/IQ-01.2-inspect.json', 'evidence/OQ-01.1-log.txt']);
    expect(Buffer.from(stored[0]!.bytes).equals(Buffer.from(stored[1]!.bytes))).toBe(true);
    for (const s of stored) {
      expect(Buffer.from(s.bytes).toString('utf8')).not.toContain('hunter2');
      expect(s.ref.sha256).toBe(sha256Hex(s.bytes));
    }

    // Each file masked on its own (no sharing) gives the same bytes and the same counts.
    const alone = createRedactor();
    for (const i of items) learnEvidence(alone, i.input);
    const separately = items.map((i) => storeEvidence([i], alone)[0]!);
    expect(stored.map((s) => s.ref.sha256)).toEqual(separately.map((s) => s.ref.sha256));
    const where = (r: ReturnType<typeof createRedactor>) => r.summary().entries.filter((e) => e.where.startsWith('evidence/'));
    expect(where(shared)).toEqual(where(alone));
    // PORT=8080 is configuration, not a secret: one masked value per inspect, the same one in the log.
    expect(where(shared).map((e) => [e.where, e.ref])).toEqual([['evidence/IQ-01.1-inspect.json', 1], ['evidence/IQ-01.2-inspect.json', 1], ['evidence/OQ-01.1-log.txt', 1]]);
  });
});

describe('the evidence cap (issue 9 item 10)', () => {
  it('keeps at most EVIDENCE_CAP bytes, says so in the file and the description, and never leaves half a secret', () => {
    const secret = 'planted-boundary-secret-0123456789';
    const r = createRedactor();
    r.addSecret(secret);
    // The secret straddles the cap: masked first, so no prefix of it survives the cut.
    const content = `${'x'.repeat(EVIDENCE_CAP - 10)}${secret}${'y'.repeat(2 * EVIDENCE_CAP)}`;
    const [stored] = storeEvidence([{ stepId: 'OQ-01.1', input: { name: 'http', mediaType: 'message/http', content, description: 'HTTP exchange' } }], r);
    const text = Buffer.from(stored!.bytes).toString('utf8');
    expect(stored!.bytes.byteLength).toBeLessThan(EVIDENCE_CAP + 200);
    expect(text).not.toContain('planted-bo');
    expect(text).toMatch(/\n\[qualify: evidence cut at \d+ of \d+ bytes \(evidence cap 1048576 bytes\); the rest was not kept\]\n$/);
    expect(stored!.ref.description).toMatch(/^HTTP exchange \(cut at \d+ of \d+ bytes: evidence cap 1048576 bytes\)$/);
    expect(stored!.ref.sha256).toBe(sha256Hex(stored!.bytes));
    expect(stored!.ref.bytes).toBe(stored!.bytes.byteLength);
  });

  it('leaves evidence under the cap untouched', () => {
    const [stored] = storeEvidence([{ stepId: 'A.1', input: { name: 'log', mediaType: 'text/plain', content: 'é'.repeat(1000), description: 'log' } }], createRedactor());
    expect(Buffer.from(stored!.bytes).toString('utf8')).toBe('é'.repeat(1000));
    expect(stored!.ref.description).toBe('log');
  });
});
