import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PostResult {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One POST with a hard timeout; rejects on network errors, timeouts and aborts (the caller decides on retries). */
export function httpPost(
  url: string,
  headers: Record<string, string>,
  body: Buffer | string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PostResult> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      { method: 'POST', headers: { ...headers, 'content-length': String(data.length) }, timeout: timeoutMs, signal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Keep only the start of error bodies: enough for Loki's reason, never unbounded.
          if (size < 8192) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 8192), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** A URL safe for logs: no userinfo, no query, no path (Slack/Discord/Teams put the secret in the path). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '<invalid url>';
  }
}
