import { describe, expect, it } from 'vitest';
import { parseDocument } from './document.js';
import { parseProtocol, type CheckCatalog } from './protocol.js';
import { computeDocumentStatus } from './status.js';
import { interpolate, interpolateDeep, templateNames } from './template.js';
import { parseDuration } from './duration.js';
import { toIsoDate } from './dates.js';
import type { CheckTypeInfo } from '../model/index.js';

const catalog: CheckCatalog = {
  types: new Map<string, CheckTypeInfo>([
    ['container.image', { type: 'container.image', summary: 's', params: { container: { kind: 'string', description: 'name', required: true } }, expectKeys: ['digest', 'image_id', 'tag'], example: '' }],
    ['http.get', { type: 'http.get', summary: 's', params: { url: { kind: 'string', description: 'url', required: true }, headers: { kind: 'map', description: 'h' } }, example: '' }],
    ['container.running', { type: 'container.running', summary: 's', params: { container: { kind: 'string', description: 'n' }, label: { kind: 'string', description: 'l' } }, exactlyOne: [['container', 'label']], example: '' }],
  ]),
  validateExpect: (e) => (JSON.stringify(e).includes('"matches":"("') ? ['invalid regular expression "("'] : []),
};

const PROTOCOL = `---
document_id: QP-0001
type: protocol
title: Deployment Qualification Protocol
revision: "01"
status: effective
approvers: [quinn]
approval_date: 2026-10-01
effective_date: 2026-10-05
parameters:
  service: { description: Container name of the application }
  release: { description: Release, pattern: '^\\d+\\.\\d+\\.\\d+$' }
  image:   { description: Approved image }
  url:     { description: Base URL, default: "http://127.0.0.1:8080" }
---
# Deployment qualification

Intro prose.

### IQ-02 The running image is the approved release image

The container must run exactly the image approved for release, identified by digest, not tag.

\`\`\`case
requirements: [URS-04]
risk: high
\`\`\`

\`\`\`check
type: container.image
container: "{{service}}"
expect:
  digest: "{{image}}"
\`\`\`

#### Acceptance criteria

- digest equal

### OQ-01 Version endpoint

\`\`\`check
type: http.get
url: "{{url}}/version"
timeout: 5s
retry: { until: 30s, every: 2s }
depends_on: IQ-02.1
expect:
  json: { version: "{{release}}" }
\`\`\`

\`\`\`check
type: container.running
container: "{{service}}"
label: app=x
colour: red
\`\`\`
`;

describe('parseProtocol', () => {
  const { document } = parseDocument(PROTOCOL, 'protocols/QP-0001.md', { folderType: 'protocol' });
  const { protocol, issues } = parseProtocol(document!, catalog);

  it('finds test cases by heading id, with stage, case block and objective prose', () => {
    expect(protocol.cases.map((c) => c.id)).toEqual(['IQ-02', 'OQ-01']);
    const iq = protocol.cases[0]!;
    expect(iq).toMatchObject({ title: 'The running image is the approved release image', stage: 'IQ', risk: 'high', requirements: ['URS-04'] });
    expect(iq.objective).toContain('identified by digest, not tag');
    expect(iq.objective).toContain('#### Acceptance criteria');
    expect(iq.objective).not.toContain('```');
    expect(iq.position.line).toBe(20);
  });

  it('parses check blocks with ids, params, expect, timeout, retry and dependencies', () => {
    const [step] = protocol.cases[0]!.checks;
    expect(step).toMatchObject({ id: 'IQ-02.1', type: 'container.image', params: { container: '{{service}}' }, expect: { digest: '{{image}}' } });
    expect(step!.position.line).toBe(29);
    const http = protocol.cases[1]!.checks[0]!;
    expect(http).toMatchObject({ id: 'OQ-01.1', timeoutMs: 5000, retry: { untilMs: 30000, everyMs: 2000 }, dependsOn: ['IQ-02.1'] });
    expect(protocol.parameters.url).toEqual({ description: 'Base URL', default: 'http://127.0.0.1:8080' });
  });

  it('reports catalog problems at the offending key', () => {
    const codes = issues.map((i) => `${i.line}:${i.column} ${i.code}`);
    expect(codes).toContain('53:1 CHECK_PARAM_REQUIRED'); // both container and label
    expect(codes).toContain('56:1 CHECK_PARAM_UNKNOWN'); // colour
    expect(codes).toContain('53:1 CHECK_EXPECT_MISSING');
    expect(issues.filter((i) => i.severity === 'error')).toHaveLength(3);
  });

  it('flags unknown check types and bad matchers', () => {
    const doc = parseDocument(PROTOCOL.replace('type: http.get', 'type: http.gte').replace('json: { version: "{{release}}" }', 'body: { matches: "(" }'), 'p.md', { folderType: 'protocol' }).document!;
    const r = parseProtocol(doc, catalog);
    const unknown = r.issues.find((i) => i.code === 'CHECK_TYPE_UNKNOWN')!;
    expect(unknown.message).toContain('unknown check type "http.gte"; known: container.image, http.get, container.running');
    expect(unknown.line).toBe(43);
    expect(r.issues.some((i) => i.code === 'CHECK_EXPECT_INVALID')).toBe(true);
  });

  it('reports a parameter used in a check but not declared', () => {
    const doc = parseDocument(PROTOCOL.replace('"{{url}}/version"', '"{{base_url}}/version"'), 'p.md', { folderType: 'protocol' }).document!;
    const r = parseProtocol(doc, catalog);
    const i = r.issues.find((x) => x.code === 'TEMPLATE_PARAM_UNKNOWN')!;
    expect(i).toMatchObject({ line: 44, column: 1 });
    expect(i.message).toContain('"{{base_url}}" in "url" is not a declared parameter');
  });
});

describe('computeDocumentStatus', () => {
  const doc = (fm: string) => parseDocument(`---\ndocument_id: SOP-1\ntitle: T\nrevision: "01"\n${fm}---\nbody\n`, 'sops/SOP-1.md').document!;
  const none = { registry: false, signatures: [], stale: 0 };

  it('uses the front matter approval without a signer registry, with the warning', () => {
    const s = computeDocumentStatus(doc('status: effective\napprovers: [quinn]\napproval_date: 2026-01-01\neffective_date: 2026-01-05\n'), '2026-11-22', none);
    expect(s).toMatchObject({ computedStatus: 'effective', effective: true, approval: 'front-matter' });
    expect(s.notes).toContain('approval recorded but not signed');
  });

  it('is approved, not effective, before the effective date', () => {
    const s = computeDocumentStatus(doc('status: effective\napprovers: [quinn]\napproval_date: 2026-01-01\neffective_date: 2026-12-05\n'), '2026-11-22', none);
    expect(s.computedStatus).toBe('approved');
    expect(s.effective).toBe(false);
  });

  it('does not trust a claimed approval once a registry exists and nobody signed', () => {
    const s = computeDocumentStatus(doc('status: effective\napprovers: [quinn]\napproval_date: 2026-01-01\neffective_date: 2026-01-05\n'), '2026-11-22', { registry: true, signatures: [], stale: 1 });
    expect(s.computedStatus).toBe('in-review');
    expect(s.effective).toBe(false);
    expect(s.notes.join(' ')).toContain('approval recorded but not signed');
    expect(s.notes.join(' ')).toContain('changed after it was approved');
  });

  it('is effective with every listed approver signed', () => {
    const d = doc('status: effective\napprovers: [quinn, riley]\napproval_date: 2026-01-01\neffective_date: 2026-01-05\n');
    const one = computeDocumentStatus(d, '2026-11-22', { registry: true, signatures: [{ signerId: 'quinn', time: '2026-01-01T10:00:00Z' }], stale: 0 });
    expect(one.effective).toBe(false);
    const both = computeDocumentStatus(d, '2026-11-22', { registry: true, signatures: [{ signerId: 'quinn', time: '2026-01-01T10:00:00Z' }, { signerId: 'riley', time: '2026-01-02T10:00:00Z' }], stale: 0 });
    expect(both).toMatchObject({ computedStatus: 'effective', approval: 'signed', approvalDate: '2026-01-02' });
  });

  it('keeps superseded and obsolete claims', () => {
    expect(computeDocumentStatus(doc('status: obsolete\napproval_date: 2026-01-01\n'), '2026-11-22', none).computedStatus).toBe('obsolete');
  });
});

describe('small parsers', () => {
  it('interpolates strictly', () => {
    expect(interpolate('{{a}}-{{run.id}}', { a: 'x', run: { id: 'R1' } })).toBe('x-R1');
    expect(() => interpolate('{{missing}}', {})).toThrow(/missing/);
    expect(interpolateDeep({ k: ['{{a}}', 1] }, { a: 'v' })).toEqual({ k: ['v', 1] });
    expect(templateNames('{{a}} {{run.started}} {{a}}')).toEqual(['a', 'run.started']);
  });
  it('parses durations and dates', () => {
    expect(parseDuration('30s')).toBe(30000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120000);
    expect(parseDuration(5)).toBe(5000);
    expect(parseDuration('soon')).toBeNull();
    expect(toIsoDate('2024-02-29')).toBe('2024-02-29');
    expect(toIsoDate('2023-02-29')).toBeNull();
    expect(toIsoDate('9/20/2021')).toBeNull();
  });
});
