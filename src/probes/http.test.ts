// The HTTP probe against a real server on 127.0.0.1: a body over the cap is cut and flagged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAgents, createHttpProbe } from './http.js';

let server: Server;
let base = '';
const agents = createHttpAgents();

beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    if (req.url === '/big') {
      for (let i = 0; i < 64; i++) res.write('x'.repeat(1024));
    } else res.write('small body');
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  agents.http.destroy();
  await new Promise((r) => server.close(r));
});

describe('http probe body cap', () => {
  const probe = createHttpProbe({ agents, timeoutMs: 5000, now: () => new Date('2026-11-22T00:00:00Z') });
  it('keeps a body under the cap whole', async () => {
    const r = await probe.get(`${base}/small`);
    expect(r).toMatchObject({ status: 200, body: 'small body', truncated: false });
  });
  it('cuts a body over the cap at exactly the cap and says so', async () => {
    const r = await probe.get(`${base}/big`, { maxBytes: 10_000 });
    expect(r.truncated).toBe(true);
    expect(r.bodyBytes).toBe(10_000);
    expect(r.body).toBe('x'.repeat(10_000));
  });
});
