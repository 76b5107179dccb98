// The small Markdown tree the PDF engine lays out: CommonMark blocks and inlines plus GFM tables,
// strikethrough, task items, autolinks and footnotes. Raw HTML is kept as text for the layout to degrade.

export type Inline =
  | { type: 'text'; value: string }
  | { type: 'strong' | 'emphasis' | 'delete' | 'underline'; children: Inline[] }
  | { type: 'inlineCode'; value: string }
  | { type: 'link'; url: string; children: Inline[] }
  | { type: 'image'; url: string; alt: string }
  | { type: 'break' }
  | { type: 'html'; value: string };

export type Align = 'left' | 'right' | 'center' | null;

export interface ListItem {
  checked: boolean | null;
  children: Block[];
}

export type Block =
  | { type: 'heading'; depth: number; children: Inline[] }
  | { type: 'paragraph'; children: Inline[] }
  | { type: 'code'; lang: string | null; meta: string | null; value: string }
  | { type: 'blockquote'; children: Block[] }
  | { type: 'list'; ordered: boolean; start: number; tight: boolean; items: ListItem[] }
  | { type: 'table'; align: Align[]; rows: Inline[][][]; noHeader?: boolean }
  | { type: 'thematicBreak' }
  | { type: 'html'; value: string }
  | { type: 'footnoteDefinition'; label: string; children: Block[] };

/** Plain text of inline content (for headings in the table of contents and outlines). */
export function inlineText(nodes: Inline[]): string {
  let out = '';
  for (const n of nodes) {
    switch (n.type) {
      case 'text':
      case 'inlineCode':
        out += n.value;
        break;
      case 'image':
        out += n.alt;
        break;
      case 'break':
        out += ' ';
        break;
      case 'html':
        break;
      default:
        out += inlineText(n.children);
    }
  }
  return out;
}
