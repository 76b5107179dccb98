import { describe, expect, it } from 'vitest';
import { parseSegregation, segregationProblem } from './segregation.js';

describe('segregation policy', () => {
  it('is strict by default: executor ≠ reviewer ≠ approver', () => {
    expect(parseSegregation(undefined).pairs).toEqual([['executed', 'reviewed'], ['executed', 'approved'], ['reviewed', 'approved']]);
    expect(parseSegregation('strict').pairs).toHaveLength(3);
  });

  it('keeps the executor pairs whatever qualify.yaml lists, and may lift reviewer ≠ approver', () => {
    expect(parseSegregation([]).pairs).toEqual([['executed', 'reviewed'], ['executed', 'approved']]);
    expect(parseSegregation([['approved', 'reviewed']]).pairs).toEqual([['executed', 'reviewed'], ['executed', 'approved'], ['reviewed', 'approved']]);
  });

  it('names the item that qualify.yaml cannot express', () => {
    expect(() => parseSegregation({ reviewer: 'approver' })).toThrow(/qualify\.yaml "segregation": expected "strict" or a list of meaning pairs/);
    expect(() => parseSegregation([['reviewed', 'reviewed']])).toThrow(/item 1: .* two different meanings; found \["reviewed","reviewed"\]/);
    expect(() => parseSegregation([['executed', 'reviewed'], ['approved']])).toThrow(/item 2/);
  });

  it('finds the person who already signed the other meaning of a pair', () => {
    const policy = parseSegregation(undefined);
    const signed = new Map([['executed', new Set(['eve'])], ['reviewed', new Set(['quinn'])]]);
    expect(segregationProblem(policy, signed, 'quinn', 'approved')).toBe('"quinn" signed it as reviewed and cannot sign it as approved (segregation of duties, the strict default (executor ≠ reviewer ≠ approver): reviewed ≠ approved)');
    expect(segregationProblem(policy, signed, 'eve', 'approved')).toContain('"eve" executed and cannot sign it as approved');
    expect(segregationProblem(policy, signed, 'rita', 'approved')).toBeNull();
    expect(segregationProblem(parseSegregation([]), signed, 'quinn', 'approved')).toBeNull();
  });
});
