// Bundled in place of the `tiny-inflate` package (scripts/bundle.mjs): the same function — raw DEFLATE
// data into `dest`, returning `dest`, or the part of it filled when the data is shorter — by Node's
// native zlib. fontkit inflates its Unicode tables with it when it loads: ~20 ms in JavaScript, ~1 ms
// native. DEFLATE decoding is exact, so the bytes are the same (test/bundle-shims.test.ts).
'use strict';
const { inflateRawSync } = require('node:zlib');

module.exports = function inflate(source, dest) {
  const out = inflateRawSync(source);
  if (out.length > dest.length) throw new Error(`inflate: ${out.length} bytes do not fit in ${dest.length}`);
  dest.set(out);
  return out.length < dest.length ? dest.slice(0, out.length) : dest;
};
