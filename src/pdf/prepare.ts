// Warms the engine up before a document arrives (while the CLI parses it on another thread): reads the
// body faces and lays out a sample, so that the fonts are parsed and the hot paths compiled.
import { face } from './fonts.js';
import { measure } from './text/shape.js';

const SAMPLE = 'The quick brown fox jumps over the lazy dog: 0123456789 (ABCDEFGHIJKLMNOPQRSTUVWXYZ) [a-z] {}/\\|.,;:!?@#$%&*+=<>"\'`~^_-';

/** Parses the body faces and measures a sample in every style. */
export function prepareEngine(): void {
  for (const id of ['sans', 'sansBold', 'mono'] as const) void face(id).font;
  for (const style of ['regular', 'bold', 'mono', 'italic', 'monoBold'] as const) measure(SAMPLE, style, 10);
}
