// http.get — An HTTP endpoint answers as approved: status, JSON fields, headers, body, latency, certificate.
//
// Example:
//   type: http.get
//   url: "{{url}}/version"
//   expect:
//     status: 200
//     json: { version: "{{release}}" }
//     latency_ms: { lte: 500 }
//
// Parameters: url, headers (name → value), insecure (accept an untrusted certificate and report it).
// Observes: status, headers (lower-case names), body (top-level contains/matches apply to it), json
// (when the body is JSON), latency_ms, and for https tls_days_left and tls {subject, issuer, valid_to,
// authorized}. Without expect: status 200. The step timeout bounds the whole exchange.

import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { textEvidence } from './support.js';

function parseJson(body: string, contentType: string | undefined): unknown {
  const trimmed = body.trim();
  const looksJson = /json/i.test(contentType ?? '') || trimmed.startsWith('{') || trimmed.startsWith('[');
  if (!looksJson || trimmed === '') return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

export const httpGet = defineCheck({
  type: 'http.get',
  summary: 'An HTTP endpoint answers as approved: status, JSON fields, headers, body, latency, TLS certificate.',
  params: {
    url: { kind: 'string', description: 'URL to GET (http or https)', required: true },
    headers: { kind: 'map', description: 'Request headers, name → value (Authorization is masked in the record)' },
    insecure: { kind: 'boolean', description: 'Accept an untrusted TLS certificate (reported in tls.authorized)' },
  },
  primaryKey: 'body',
  expectKeys: ['status', 'headers', 'body', 'json', 'latency_ms', 'tls_days_left', 'tls', 'truncated', 'contains', 'not_contains', 'matches'],
  defaultExpect: { status: 200 },
  example: [
    'type: http.get',
    'url: "{{url}}/version"',
    'expect:',
    '  status: 200',
    '  json: { version: "{{release}}" }',
    '  latency_ms: { lte: 500 }',
    '',
  ].join('\n'),

  async observe(params, ctx) {
    const p = readParams('http.get', params);
    const url = p.string('url');
    const headers = p.optionalMap('headers') ?? {};
    const res = await ctx.probes.http.get(url, { headers, insecure: p.optionalBoolean('insecure') ?? false, signal: ctx.signal });
    const actual: Record<string, unknown> = { status: res.status, headers: res.headers, body: res.body, latency_ms: res.latencyMs, truncated: res.truncated };
    const json = parseJson(res.body, res.headers['content-type']);
    if (json !== undefined) actual.json = json;
    if (res.tls) {
      actual.tls_days_left = res.tls.daysLeft;
      actual.tls = { subject: res.tls.subject, issuer: res.tls.issuer, valid_to: res.tls.validTo, authorized: res.tls.authorized };
    }
    const exchange = [
      `GET ${res.url}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      '',
      `HTTP ${res.status} (${res.latencyMs} ms${res.tls ? `, certificate valid to ${res.tls.validTo}` : ''})`,
      ...Object.entries(res.headers).map(([k, v]) => `${k}: ${v}`),
      '',
      res.truncated ? `${res.body}\n[body cut at ${res.bodyBytes} bytes]` : res.body,
    ].join('\n');
    return { actual, evidence: [textEvidence('http', `HTTP exchange with ${res.url}`, exchange)] };
  },
});
