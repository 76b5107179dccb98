// XMP metadata (PDF/A identification, Dublin Core, record properties with their PDF/A extension schema).
import type { PdfDocumentMeta } from './types.js';

export const RECORD_NS = 'urn:qualify:xmp:record:1.0#';

export interface DocInfo {
  title: string;
  author: string | null;
  subject: string;
  keywords: string;
  creatorTool: string;
  producer: string;
  /** ISO 8601 with offset. */
  created: string;
  part: 1 | 3;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Custom record properties (name → value), only those present. */
export function recordProperties(meta: PdfDocumentMeta): Array<[string, string, string]> {
  const p: Array<[string, string, string]> = [];
  const add = (name: string, value: string | null | undefined, description: string): void => {
    if (value) p.push([name, value, description]);
  };
  add('kind', meta.kind, 'Kind of document: report, sop, protocol, document');
  add('documentId', meta.documentId, 'Controlled document identifier');
  add('revision', meta.revision, 'Revision of the document');
  add('status', meta.status, 'Status of the document or record when rendered');
  add('reportId', meta.reportId, 'Identifier of the executed qualification report');
  add('protocolId', meta.protocol?.documentId, 'Protocol the report executed');
  add('protocolRevision', meta.protocol?.revision, 'Revision of that protocol');
  add('protocolSha256', meta.protocol?.sha256, 'sha256 of the protocol file as executed');
  add('gitCommit', meta.subject?.application?.commit, 'Git commit of the qualified application');
  add('gitTag', meta.subject?.application?.tag, 'Git tag of the qualified application');
  add('imageDigest', meta.subject?.images.map((i) => i.digest ?? i.imageId).join(' ') || null, 'Digests of the qualified images, space separated');
  add('recordSha256', meta.recordHash, 'sha256 of the canonical record (report.json)');
  add('conclusion', meta.conclusion, 'Conclusion of the report');
  return p;
}

export function buildXmp(info: DocInfo, meta: PdfDocumentMeta): string {
  const props = recordProperties(meta);
  const ext = props
    .map(
      ([name, , d]) =>
        `<rdf:li rdf:parseType="Resource"><pdfaProperty:name>${name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>${esc(d)}</pdfaProperty:description></rdf:li>`,
    )
    .join('\n');
  return `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
<pdfaid:part>${info.part}</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${esc(info.title)}</rdf:li></rdf:Alt></dc:title>
${info.author ? `<dc:creator><rdf:Seq><rdf:li>${esc(info.author)}</rdf:li></rdf:Seq></dc:creator>\n` : ''}<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${esc(info.subject)}</rdf:li></rdf:Alt></dc:description>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<xmp:CreatorTool>${esc(info.creatorTool)}</xmp:CreatorTool>
<xmp:CreateDate>${info.created}</xmp:CreateDate>
<xmp:ModifyDate>${info.created}</xmp:ModifyDate>
<xmp:MetadataDate>${info.created}</xmp:MetadataDate>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdf:Producer>${esc(info.producer)}</pdf:Producer>
<pdf:Keywords>${esc(info.keywords)}</pdf:Keywords>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:qrec="${RECORD_NS}">
${props.map(([n, v]) => `<qrec:${n}>${esc(v)}</qrec:${n}>`).join('\n')}
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>qualify record properties</pdfaSchema:schema>
<pdfaSchema:namespaceURI>${RECORD_NS}</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>qrec</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq>
${ext}
</rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}
