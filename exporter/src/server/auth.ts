import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

export function splitListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Accepts `Authorization: Bearer T`, `?token=T` (Falco's http_output cannot set headers),
 * or a client certificate verified by the server's client CA (mutual TLS).
 */
export function isAuthorised(req: IncomingMessage, url: URL, token: string): boolean {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized === true && socket.getPeerCertificate) return true;
  if (token === '') return false;
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+/i.test(header) && safeEqual(header.replace(/^Bearer\s+/i, '').trim(), token)) return true;
  const query = url.searchParams.get('token');
  return query !== null && safeEqual(query, token);
}
