// Text as filled outlines (PDF path operators): for watermarks, which must show on the page but are not
// text of the document (a word drawn diagonally over the body would break into fragments when extracted).
import type { FontStyle } from '../fonts.js';
import { shapeText } from './shape.js';

const f2 = (n: number): string => {
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
};

/**
 * Outlines of `text` at `size`, its baseline starting at (x, y) in PDF user space (y up), rotated
 * counter-clockwise by `degrees` around that point.
 */
export function textOutline(text: string, style: FontStyle, size: number, x: number, y: number, degrees: number): string {
  const shaped = shapeText(text, style);
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const ops: string[] = [];
  let pen = 0;
  for (const run of shaped.runs) {
    const font = run.face.font;
    const k = size / font.unitsPerEm;
    for (let i = 0; i < run.gids.length; i++) {
      const ox = pen + ((run.dx?.[i] ?? 0) * size) / 1000;
      const oy = ((run.dy?.[i] ?? 0) * size) / 1000;
      const pt = (gx: number, gy: number): string => {
        const px = ox + gx * k;
        const py = oy + gy * k;
        return `${f2(x + px * cos - py * sin)} ${f2(y + px * sin + py * cos)}`;
      };
      let cx = 0;
      let cy = 0;
      for (const c of font.getGlyph(run.gids[i]!).path.commands) {
        const g = c.args;
        switch (c.command) {
          case 'moveTo':
            ops.push(`${pt(g[0]!, g[1]!)} m`);
            [cx, cy] = [g[0]!, g[1]!];
            break;
          case 'lineTo':
            ops.push(`${pt(g[0]!, g[1]!)} l`);
            [cx, cy] = [g[0]!, g[1]!];
            break;
          case 'quadraticCurveTo': {
            // Quadratic → cubic: control points two thirds of the way to the quadratic one.
            const [qx, qy, ex, ey] = g as [number, number, number, number];
            ops.push(`${pt(cx + (2 / 3) * (qx - cx), cy + (2 / 3) * (qy - cy))} ${pt(ex + (2 / 3) * (qx - ex), ey + (2 / 3) * (qy - ey))} ${pt(ex, ey)} c`);
            [cx, cy] = [ex, ey];
            break;
          }
          case 'bezierCurveTo':
            ops.push(`${pt(g[0]!, g[1]!)} ${pt(g[2]!, g[3]!)} ${pt(g[4]!, g[5]!)} c`);
            [cx, cy] = [g[4]!, g[5]!];
            break;
          case 'closePath':
            ops.push('h');
            break;
        }
      }
      pen += (run.adv[i]! * size) / 1000;
    }
  }
  return ops.join('\n');
}
