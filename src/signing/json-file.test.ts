import { describe, expect, it } from 'vitest';
import { canonicalHash, canonicalJson } from './hash.js';
import { parseJsonBytes, serializationProblem, serializeJson } from './json-file.js';

describe('record files', () => {
  const value = { b: [1, 2, { c: 'é' }], a: 1.5, z: null };

  it('hashes content, not key order or layout (RFC 8785)', () => {
    expect(canonicalJson(value)).toBe('{"a":1.5,"b":[1,2,{"c":"é"}],"z":null}');
    expect(canonicalHash({ z: null, a: 1.5, b: [1, 2, { c: 'é' }] })).toBe(canonicalHash(value));
  });

  it('accepts the tool\'s serializations in any key order and names the first edited byte otherwise', () => {
    expect(serializationProblem(serializeJson(value), value)).toBeNull();
    expect(serializationProblem(canonicalJson(value), value)).toBeNull();
    const reordered = { z: null, a: 1.5, b: value.b };
    expect(serializationProblem(serializeJson(reordered), reordered)).toBeNull();
    expect(serializationProblem(serializeJson(value).replace('  "a"', '   "a"'), value)).toBe("its content is intact but the file was edited: bytes differ from the tool's serialization at line 9, column 3");
  });

  it('locates syntax errors', () => {
    expect(parseJsonBytes(Buffer.from('{\n  "a": 1,\n  "b": x\n}'))).toEqual({ ok: false, problem: 'not valid JSON at line 3, column 8' });
    expect(parseJsonBytes(Buffer.from('{"a": [1, 2,]}'))).toEqual({ ok: false, problem: 'not valid JSON at line 1, column 13' });
    expect(parseJsonBytes(Buffer.from('{"a": 1} x'))).toEqual({ ok: false, problem: 'not valid JSON at line 1, column 10' });
    expect(parseJsonBytes(Buffer.from('{"a": "b'))).toEqual({ ok: false, problem: 'not valid JSON at line 1, column 9' });
    expect(parseJsonBytes(Buffer.from([0x7b, 0xff, 0x7d]))).toEqual({ ok: false, problem: 'not valid UTF-8' });
  });
});
