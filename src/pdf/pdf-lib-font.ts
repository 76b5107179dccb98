// A shipped font for code that draws with pdf-lib's own API (the PDF signature's visible appearance):
// DejaVu Sans bytes and fontkit@2 adapted to pdf-lib's registerFontkit (pdf-lib reads a subset through
// encodeStream(), fontkit@2 has encode()). Every font in an archival PDF is embedded: never a standard 14 font.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import * as fontkit from 'fontkit';

const requireFromHere = createRequire(import.meta.url);

/** fontkit as pdf-lib's `registerFontkit` expects it. */
export const pdfLibFontkit = {
  create(data: Uint8Array, postscriptName?: string): fontkit.Font {
    const font = fontkit.create(data, postscriptName);
    const createSubset = font.createSubset.bind(font);
    font.createSubset = () => {
      const subset = createSubset() as fontkit.Subset & { encodeStream?: () => Readable };
      subset.encodeStream ??= () => Readable.from([Buffer.from(subset.encode())]);
      return subset;
    };
    return font;
  },
};

/** The bytes of DejaVu Sans (the body face), to embed as a subset with pdf-lib. */
export function sansFontBytes(): Uint8Array {
  return readFileSync(requireFromHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
}
