// The logical structure of a tagged PDF: StructTreeRoot with the Document element, one structure element
// per heading, paragraph, list, table, cell, code block, figure and link, each pointing to its marked
// content (MCID per page) and link annotations (OBJR); the ParentTree maps both back; MarkInfo /Marked.
// Reading order is the order of the tree, which is the order of the Markdown.
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFHexString, PDFString, type PDFDocument, type PDFRef } from 'pdf-lib/dist/pdf-lib.esm.min.js';
import { isSlot, type Page, type StructNode } from './layout/page.js';

export interface StructureInput {
  root: StructNode;
  pages: Page[];
  pageRefs: PDFRef[];
  /** Per page, the structure element of each MCID. */
  mcids: StructNode[][];
  /** Link annotation refs by "page:index". */
  annotRefs: Map<string, PDFRef>;
  lang: string;
}

const text = (s: string): PDFString | PDFHexString => (/^[\x20-\x7e]*$/.test(s) ? PDFString.of(s.replace(/[\\()]/g, (c) => `\\${c}`)) : PDFHexString.fromText(s));

export function writeStructure(doc: PDFDocument, input: StructureInput): void {
  const ctx = doc.context;
  const refs = new Map<StructNode, PDFRef>();
  const rootRef = ctx.nextRef();
  // Refs first, so that parents and kids can point at each other.
  const assignRefs = (n: StructNode): void => {
    refs.set(n, ctx.nextRef());
    for (const k of n.kids) if (!isSlot(k)) assignRefs(k);
  };
  assignRefs(input.root);

  // Link annotations per structure element, in page order.
  const objr = new Map<StructNode, Array<{ page: number; ref: PDFRef; key: number }>>();
  let nextKey = input.pages.length;
  const parentTree: Array<[number, PDFRef | PDFArray]> = [];
  input.pages.forEach((p, i) => {
    p.links.forEach((l, k) => {
      const ref = input.annotRefs.get(`${i}:${k}`);
      if (!ref || !l.node || !refs.has(l.node)) return;
      const key = nextKey++;
      (doc.context.lookup(ref) as unknown as PDFDict).set(PDFName.of('StructParent'), PDFNumber.of(key));
      const list = objr.get(l.node) ?? [];
      list.push({ page: i, ref, key });
      objr.set(l.node, list);
    });
  });

  const build = (n: StructNode, parent: PDFRef): void => {
    const kids: unknown[] = [];
    for (const k of n.kids) {
      if (isSlot(k)) {
        for (const r of k.refs) kids.push(ctx.obj({ Type: 'MCR', Pg: input.pageRefs[r.page]!, MCID: r.mcid } as never));
      } else {
        kids.push(refs.get(k)!);
        build(k, refs.get(n)!);
      }
    }
    for (const o of objr.get(n) ?? []) {
      kids.push(ctx.obj({ Type: 'OBJR', Obj: o.ref, Pg: input.pageRefs[o.page]! } as never));
      parentTree.push([o.key, refs.get(n)!]);
    }
    const dict = ctx.obj({ Type: 'StructElem', S: n.type, P: parent } as never) as unknown as PDFDict;
    dict.set(PDFName.of('K'), ctx.obj(kids as never));
    const firstPage = firstPageOf(n);
    if (firstPage !== null) dict.set(PDFName.of('Pg'), input.pageRefs[firstPage]!);
    if (n.alt !== undefined) dict.set(PDFName.of('Alt'), text(n.alt));
    if (n.lang) dict.set(PDFName.of('Lang'), text(n.lang));
    if (n.scope) dict.set(PDFName.of('A'), ctx.obj({ O: 'Table', Scope: n.scope } as never));
    ctx.assign(refs.get(n)!, dict);
  };
  build(input.root, rootRef);

  input.mcids.forEach((list, page) => {
    parentTree.push([page, ctx.obj(list.map((n) => refs.get(n)!)) as PDFArray]);
  });
  parentTree.sort((a, b) => a[0] - b[0]);
  const nums: unknown[] = [];
  for (const [key, v] of parentTree) nums.push(key, v);
  const tree = ctx.obj({ Nums: nums } as never);
  ctx.assign(
    rootRef,
    ctx.obj({ Type: 'StructTreeRoot', K: refs.get(input.root)!, ParentTree: ctx.register(tree), ParentTreeNextKey: nextKey } as never),
  );
  doc.catalog.set(PDFName.of('StructTreeRoot'), rootRef);
  doc.catalog.set(PDFName.of('MarkInfo'), ctx.obj({ Marked: true } as never));
}

function firstPageOf(n: StructNode): number | null {
  for (const k of n.kids) {
    if (isSlot(k)) {
      if (k.refs.length) return k.refs[0]!.page;
    } else {
      const p = firstPageOf(k);
      if (p !== null) return p;
    }
  }
  return null;
}
