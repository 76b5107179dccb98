// The glyphs one document uses: a subset per face, new glyph ids in order of first use, and a character
// id (CID) per glyph and the text it stands for: a glyph drawn for two texts (Arabic letters that share a
// body and differ by their dots, composed by the font) gets two CIDs, so /ToUnicode can say each.
// Deterministic: the same content gives the same subsets.
import type * as fontkit from 'fontkit';
import type { Face } from './fonts.js';

export interface UsedFace {
  face: Face;
  /** Resource name, F1, F2... in order of first use. */
  name: string;
  subset: fontkit.Subset;
  /** Original gid + text → CID as the 4 hex digits a content stream shows. */
  hex: Map<string, string>;
  /** CID → width (1/1000 em, as in /W). */
  widths: number[];
  /** CID → text it stands for (/ToUnicode). */
  unicode: string[];
  /** CID → glyph id in the subset (/CIDToGIDMap). */
  gids: number[];
}

export class DocumentFonts {
  readonly used: UsedFace[] = [];
  private readonly byFace = new Map<Face, UsedFace>();
  private readonly operators = new WeakMap<object, string>();

  /** Content-stream operators of a shaped run, computed once per document (words repeat). */
  cached(run: object, make: () => string): string {
    let ops = this.operators.get(run);
    if (ops === undefined) {
      ops = make();
      this.operators.set(run, ops);
    }
    return ops;
  }

  /** The subset of a face, created on first use. */
  use(f: Face): UsedFace {
    let u = this.byFace.get(f);
    if (!u) {
      const subset = f.font.createSubset();
      u = { face: f, name: `F${this.used.length + 1}`, subset, hex: new Map([['0\u0000', '0000']]), widths: [f.width(0)], unicode: [''], gids: [0] };
      this.byFace.set(f, u);
      this.used.push(u);
    }
    return u;
  }

  /** The CID (4 hex digits) that draws `gid` standing for `text`; the glyph is included on first use. */
  glyph(u: UsedFace, gid: number, text: string): string {
    const key = `${gid}\u0000${text}`;
    let hex = u.hex.get(key);
    if (hex === undefined) {
      const cid = u.gids.length;
      u.gids.push(u.subset.includeGlyph(gid));
      u.widths.push(u.face.width(gid));
      u.unicode.push(text);
      hex = cid.toString(16).padStart(4, '0');
      u.hex.set(key, hex);
    }
    return hex;
  }
}
