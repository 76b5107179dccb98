// The HTTP probe: one GET with a hard deadline (connect + headers + body), keep-alive agents,
// a capped body and, for https, the server certificate's expiry.

import http from 'node:http';
import type https from 'node:https';
import { createRequire } from 'node:module';
import type { TLSSocket } from 'node:tls';
import { EnvironmentError, UsageError } from '../model/errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { HttpProbe, HttpResponse, TlsInfo } from './types.js';
import { createCappedBody } from './capped-body.js';

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DAY_MS = 86_400_000;

export interface HttpAgents {
  http: http.Agent;
  /** Created on first use: node:https loads TLS (~3 ms), which plain-HTTP runs never need. */
  https(insecure: boolean): https.Agent;
  destroy(): void;
}

const requireHere = createRequire(import.meta.url);

export function createHttpAgents(): HttpAgents {
  const plain = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const tls = new Map<boolean, https.Agent>();
  return {
    http: plain,
    https(insecure) {
      let agent = tls.get(insecure);
      if (!agent) {
        const { Agent } = requireHere('node:https') as typeof https;
        agent = new Agent({ keepAlive: true, maxSockets: 32, ...(insecure ? { rejectUnauthorized: false } : {}) });
        tls.set(insecure, agent);
      }
      return agent;
    },
    destroy() {
      plain.destroy();
      for (const agent of tls.values()) agent.destroy();
    },
  };
}

/** `https://user:secret@host/` → `https://***@host/`: URLs appear in error messages. */
export function redactUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '***';
  copy.password = '';
  return copy.href;
}

function tlsInfo(socket: TLSSocket, now: Date): TlsInfo | undefined {
  const cert = socket.getPeerCertificate?.();
  if (!cert || !cert.valid_to) return undefined;
  const validTo = new Date(cert.valid_to);
  const name = (n: Record<string, unknown> | undefined): string =>
    Object.entries(n ?? {})
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
      .join(', ');
  return {
    daysLeft: Math.floor((validTo.getTime() - now.getTime()) / DAY_MS),
    validTo: validTo.toISOString(),
    subject: name(cert.subject as unknown as Record<string, unknown>),
    issuer: name(cert.issuer as unknown as Record<string, unknown>),
    authorized: socket.authorized,
  };
}

export function createHttpProbe(options: { agents: HttpAgents; timeoutMs: number; now: () => Date }): HttpProbe {
  return {
    get(rawUrl, call = {}) {
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch (cause) {
        return Promise.reject(new UsageError('URL_INVALID', `"${rawUrl}" is not a valid URL; expected http://host:port/path`, { cause }));
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        return Promise.reject(new UsageError('URL_INVALID', `"${redactUrl(url)}" is not an http or https URL`));
      }
      const shown = redactUrl(url);
      const ms = call.timeoutMs ?? options.timeoutMs;
      const maxBytes = call.maxBytes ?? DEFAULT_MAX_BYTES;
      const timeout = AbortSignal.timeout(ms);
      const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
      if (call.signal?.aborted) return Promise.reject(call.signal.reason);
      const isHttps = url.protocol === 'https:';
      const agent = isHttps ? options.agents.https(Boolean(call.insecure)) : options.agents.http;
      const headers: Record<string, string> = { 'user-agent': `${TOOL_NAME}/${TOOL_VERSION}`, accept: '*/*', ...(call.headers ?? {}) };
      // The Host header node:http would derive (url.host), unless the protocol gives one: deriving it
      // costs a cold IPv6 regex (~4 ms) per process.
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host')) headers.host = url.host;

      return new Promise<HttpResponse>((resolve, reject) => {
        const started = performance.now();
        let settled = false;
        const fail = (err: unknown): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          req.destroy();
          reject(err);
        };
        const onAbort = (): void => {
          if (call.signal?.aborted) fail(call.signal.reason);
          else fail(new EnvironmentError('HTTP_TIMEOUT', `GET ${shown} did not complete within ${ms} ms`));
        };
        // Plain HTTP: an empty servername spares the agent's SNI guess (a cold IPv6 regex); HTTPS keeps SNI.
        const req = (isHttps ? (requireHere('node:https') as typeof https) : http).request(url, { method: 'GET', headers, agent, ...(isHttps ? {} : { servername: '' }) }, (res) => {
          const collected = createCappedBody(maxBytes);
          const tls = isHttps ? tlsInfo(res.socket as TLSSocket, options.now()) : undefined;
          const done = (): void => {
            if (settled) return;
            settled = true;
            signal.removeEventListener('abort', onAbort);
            const latencyMs = Math.round((performance.now() - started) * 10) / 10;
            const out: Record<string, string> = {};
            for (const name of Object.keys(res.headers).sort()) {
              const v = res.headers[name];
              out[name] = Array.isArray(v) ? v.join(', ') : String(v ?? '');
            }
            const body = collected.bytes();
            resolve({ url: shown, status: res.statusCode ?? 0, headers: out, body: body.toString('utf8'), bodyBytes: body.length, truncated: collected.truncated, latencyMs, ...(tls ? { tls } : {}) });
          };
          res.on('data', (chunk: Buffer) => {
            if (collected.push(chunk)) {
              res.destroy();
              done();
            }
          });
          res.on('end', done);
          res.on('error', (err) => fail(new EnvironmentError('HTTP_FAILED', `GET ${shown}: the response broke off: ${err.message}`, { cause: err })));
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
          if (signal.aborted) return onAbort();
          const code = err.code ?? '';
          if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ECONNRESET') {
            fail(new EnvironmentError('HTTP_UNREACHABLE', `GET ${shown}: cannot connect (${code})`, { cause: err }));
          } else if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code)) {
            fail(new EnvironmentError('HTTP_TLS_UNTRUSTED', `GET ${shown}: the server certificate is not trusted (${code}); give \`insecure: true\` to observe it anyway`, { cause: err }));
          } else {
            fail(new EnvironmentError('HTTP_FAILED', `GET ${shown} failed: ${err.message}`, { cause: err }));
          }
        });
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        req.end();
      });
    },
  };
}
