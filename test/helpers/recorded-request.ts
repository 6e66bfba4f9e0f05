import type { IncomingMessage } from 'node:http';

/**
 * One request as it arrived on the wire at a test server. Tests assert on these to prove what the
 * refresher actually sent (grant_type, client auth placement, scope, ...), not what it meant to send.
 */
export interface RecordedRequest {
  method: string;
  /** Request target as sent (path plus query string, if any). */
  path: string;
  /** Lower-case header names; repeated headers are joined with ', ' as Node does. */
  headers: Record<string, string>;
  /**
   * Parsed `application/x-www-form-urlencoded` body (last value wins on repeats). Empty when the
   * body was sent with another content type, so a missing form content-type shows up as `{}`.
   */
  form: Record<string, string>;
  rawBody: string;
  /** `Authorization` header, if any (convenience; same value as `headers.authorization`). */
  authorization?: string;
  /** `Date.now()` when the body had been fully received. */
  timestamp: number;
}

/** Reads the whole body; test servers need it both for recording and for the handler behind them. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function recordRequest(req: IncomingMessage, body: Buffer): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const rawBody = body.toString('utf8');
  const isForm = (headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  const recorded: RecordedRequest = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    form: isForm ? Object.fromEntries(new URLSearchParams(rawBody)) : {},
    rawBody,
    timestamp: Date.now(),
  };
  if (headers.authorization !== undefined) recorded.authorization = headers.authorization;
  return recorded;
}

/**
 * Decodes `Authorization: Basic` the way RFC 6749 §2.3.1 servers do (base64, then form-decoding of
 * id and secret), so tests can assert on the credentials rather than on one particular encoding.
 */
export function decodeBasicAuth(
  authorization: string | undefined,
): { clientId: string; clientSecret: string; rawClientId: string; rawClientSecret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const rawClientId = decoded.slice(0, colon);
  const rawClientSecret = decoded.slice(colon + 1);
  const formDecode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s; // not form-encoded after all (stray '%'); the raw value is the best answer
    }
  };
  return { clientId: formDecode(rawClientId), clientSecret: formDecode(rawClientSecret), rawClientId, rawClientSecret };
}
