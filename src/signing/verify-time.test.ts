import { describe, expect, it } from 'vitest';
import { approvedAfter } from './verify-report.js';

describe('approvedAfter', () => {
  it('treats an approval stamped in the run\'s starting second as before the run', () => {
    expect(approvedAfter('2026-11-22T05:03:50Z', '2026-11-22T05:03:50.906Z')).toBe(false);
  });
  it('flags an approval in a later second', () => {
    expect(approvedAfter('2026-11-22T05:03:51Z', '2026-11-22T05:03:50.906Z')).toBe(true);
  });
  it('accepts an approval days before', () => {
    expect(approvedAfter('2026-10-01T09:00:00Z', '2026-11-22T05:03:50.000Z')).toBe(false);
  });
});
