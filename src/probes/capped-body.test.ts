import { describe, expect, it } from 'vitest';
import { createCappedBody } from './capped-body.js';

describe('createCappedBody', () => {
  it('keeps everything under the cap', () => {
    const b = createCappedBody(10);
    expect(b.push(Buffer.from('abc'))).toBe(false);
    expect(b.push(Buffer.from('defg'))).toBe(false);
    expect(b.bytes().toString()).toBe('abcdefg');
    expect(b.truncated).toBe(false);
  });
  it('cuts at the cap, reports it once and ignores later chunks', () => {
    const b = createCappedBody(5);
    expect(b.push(Buffer.from('abc'))).toBe(false);
    expect(b.push(Buffer.from('defg'))).toBe(true);
    expect(b.push(Buffer.from('xyz'))).toBe(false);
    expect(b.bytes().toString()).toBe('abcde');
    expect(b.truncated).toBe(true);
  });
});
