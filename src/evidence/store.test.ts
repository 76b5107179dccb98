// The evidence store: names, hashes, masking, and the same content stored twice (masked once, counted twice).
import { describe, expect, it } from 'vitest';
import { createRedactor } from './redact.js';
import { learnEvidence, storeEvidence, sha256Hex } from './store.js';

const inspect = JSON.stringify({ Id: 'c1', Config: { Env: ['DB_PASSWORD=hunter2-secret', 'PORT=8080'], User: '65534' } });

describe('storeEvidence', () => {
  it('masks repeated content once and counts it under every path', () => {
    const items = [
      { stepId: 'IQ-01.1', input: { name: 'inspect', mediaType: 'application/json', content: inspect, description: 'inspect of c1' } },
      { stepId: 'IQ-01.2', input: { name: 'inspect', mediaType: 'application/json', content: inspect, description: 'inspect of c1' } },
      { stepId: 'OQ-01.1', input: { name: 'log', mediaType: 'text/plain', content: 'boot with hunter2-secret\n', description: 'log' } },
    ];
    const shared = createRedactor({ salt: 'aa' });
    for (const i of items) learnEvidence(shared, i.input);
    const stored = storeEvidence(items, shared);
    expect(stored.map((s) => s.ref.path)).toEqual(['evidence/IQ-01.1-inspect.json', 'evidence/IQ-01.2-inspect.json', 'evidence/OQ-01.1-log.txt']);
    expect(Buffer.from(stored[0]!.bytes).equals(Buffer.from(stored[1]!.bytes))).toBe(true);
    for (const s of stored) {
      expect(Buffer.from(s.bytes).toString('utf8')).not.toContain('hunter2');
      expect(s.ref.sha256).toBe(sha256Hex(s.bytes));
    }

    // Each file masked on its own (no sharing) gives the same bytes and the same counts.
    const alone = createRedactor({ salt: 'aa' });
    for (const i of items) learnEvidence(alone, i.input);
    const separately = items.map((i) => storeEvidence([i], alone)[0]!);
    expect(stored.map((s) => s.ref.sha256)).toEqual(separately.map((s) => s.ref.sha256));
    const where = (r: ReturnType<typeof createRedactor>) => r.summary().entries.filter((e) => e.where.startsWith('evidence/'));
    expect(where(shared)).toEqual(where(alone));
    expect(where(shared).map((e) => e.where)).toEqual(['evidence/IQ-01.1-inspect.json', 'evidence/IQ-01.1-inspect.json', 'evidence/IQ-01.2-inspect.json', 'evidence/IQ-01.2-inspect.json', 'evidence/OQ-01.1-log.txt']);
  });
});
