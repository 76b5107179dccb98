// The engine's public contract: what a document says about itself (furniture) and how to render it.
import type { SignatureManifestation } from '../model/signature.js';
import type { TypesetCode } from './layout/blocks.js';

export type Watermark = 'DRAFT' | 'SUPERSEDED' | 'OBSOLETE' | 'NOT A GxP RECORD';

/** Furniture of any document: cover page, running header and footer, metadata. */
export interface PdfDocumentMeta {
  documentId: string;
  title: string;
  revision: string;
  status: string;
  /** `book`: the cover and contents of a compilation rendered by renderBook. */
  kind: 'report' | 'sop' | 'protocol' | 'document' | 'book';
  /** Under the title on the cover (a report: what it executed, where). */
  subtitle?: string;
  /** BCP 47 language of the document (default "en"): /Lang, hyphenation patterns, CJK glyph forms. */
  lang?: string;
  /** A book's documents, listed on its cover. */
  contents?: Array<{ documentId: string; title: string; revision: string; status: string; kind: string }>;
  authors?: string[];
  reviewers?: string[];
  approvers?: string[];
  approvalDate?: string | null;
  effectiveDate?: string | null;
  reportId?: string;
  /** sha256 (hex) of the canonical record. */
  recordHash?: string;
  subject?: {
    images: Array<{ repository: string | null; tag: string | null; digest: string | null; imageId: string }>;
    application?: { repo: string; commit: string | null; tag: string | null } | null;
  };
  protocol?: { documentId: string; revision: string; sha256: string; title?: string };
  conclusion?: string;
  /** ISO date-time from the record or file, never the wall clock. */
  created: string;
  watermark?: Watermark | null;
  /** Empty or absent → an empty "Signatures" section. */
  signatures?: SignatureManifestation[];
}

export interface PdfAttachment {
  name: string;
  mediaType: string;
  bytes: Uint8Array;
  description?: string;
}

export interface RenderOptions {
  pageSize?: 'A4' | 'Letter';
  /** Files embedded in the PDF (e.g. report.json), listed in the catalog's /AF. */
  attachments?: PdfAttachment[];
  /** Table of contents after the cover page; default: when the document has 4 or more top-level sections. */
  toc?: boolean;
  /** Number headings 1, 1.1, 1.1.1 (default false: documents usually number their own). */
  numberHeadings?: boolean;
  /** Justify paragraphs (default false: ragged right). Hyphenation applies either way. */
  justify?: boolean;
  /** Hyphenate paragraphs and table cells with the language's patterns (default true). */
  hyphenate?: boolean;
  /** Bytes of an image referenced by `![alt](src)`, or null when unavailable (then a placeholder names it). */
  images?: (src: string) => Uint8Array | null;
  /** Called after layout with every code block typeset, in order (check blocks are labelled as such). */
  onTypeset?: (typeset: { code: readonly TypesetCode[] }) => void;
}
