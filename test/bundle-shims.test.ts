// The bundle's shim for tiny-inflate (scripts/shims/tiny-inflate.cjs) gives tiny-inflate's results.
import { createRequire } from 'node:module';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const shim = require('../scripts/shims/tiny-inflate.cjs') as (s: Uint8Array, d: Uint8Array) => Uint8Array;
const tiny = require('tiny-inflate') as (s: Uint8Array, d: Uint8Array) => Uint8Array;

function random(seed: number, n: number, alphabet: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = (x >>> 24) % alphabet;
  }
  return out;
}

describe('tiny-inflate shim', () => {
  it('inflates exactly like tiny-inflate, full and short destinations, double deflate, levels', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const data = random(seed, 1 + ((seed * 7919) % 50_000), seed % 3 === 0 ? 4 : 256);
      for (const level of [0, 1, 6, 9]) {
        const once = deflateRawSync(data, { level });
        const twice = deflateRawSync(once, { level });
        for (const [input, size] of [[once, data.length], [once, data.length + 100], [twice, once.length]] as const) {
          const a = shim(input, new Uint8Array(size));
          const b = tiny(input, new Uint8Array(size));
          expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
          expect(a.length).toBe(b.length);
        }
      }
    }
  });
});
