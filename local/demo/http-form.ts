import type { IncomingMessage } from 'node:http';

/** A token request is a short form; anything larger is refused before it is read further. */
export const MAX_REQUEST_BYTES = 16 * 1024;

export interface DemoRequest {
  readonly form: URLSearchParams;
  readonly authorization?: string;
}

export interface DemoReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON. */
  readonly body: string | object;
}

export class RequestTooLarge extends Error {}

/** Reads a form body of at most `MAX_REQUEST_BYTES`. */
export async function readForm(req: IncomingMessage): Promise<DemoRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new RequestTooLarge();
    chunks.push(chunk as Buffer);
  }
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const form = type.startsWith('application/x-www-form-urlencoded')
    ? new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    : new URLSearchParams();
  return { form, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) };
}

/** `Authorization: Basic` as id and secret, decoded raw (`form: false`) or form-decoded (RFC 6749 section 2.3.1). */
export function basicCredentials(
  authorization: string | undefined,
  form: boolean,
): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const decode = (s: string) => {
    if (!form) return s;
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

/** An RFC 6749 section 5.2 error answer. */
export const oauthError = (status: number, error: string, description?: string): DemoReply => ({
  status,
  body: description === undefined ? { error } : { error, error_description: description },
});
