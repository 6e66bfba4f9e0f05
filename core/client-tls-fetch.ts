import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { ClientCertificate } from './ports.js';

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** Node's https statuses that carry no body; a Response refuses one. */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * What fetch rejects with, so core/oauth-endpoint.ts reads every failure alike: the abort reason
 * (a TimeoutError) once the signal fired, else undici's "fetch failed" before an answer and
 * "terminated" after one, each with the socket's error (its `code`) as the cause.
 */
function fetchError(
  signal: AbortSignal | null | undefined,
  message: 'fetch failed' | 'terminated',
  cause: unknown,
): Error {
  return signal?.aborted ? (signal.reason as Error) : new TypeError(message, { cause });
}

/** The answer's body as a web stream that fails the way fetch's does. */
function bodyStream(res: IncomingMessage, signal: AbortSignal | null | undefined): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      res.on('data', (chunk: Buffer) => controller.enqueue(new Uint8Array(chunk)));
      res.on('end', () => controller.close());
      res.on('error', (e) => controller.error(fetchError(signal, 'terminated', e)));
      res.on('aborted', () => controller.error(fetchError(signal, 'terminated', new Error('aborted'))));
    },
    cancel() {
      res.destroy();
    },
  });
}

/**
 * A fetch that presents `clientCertificate` in the TLS handshake (RFC 8705 section 2), for one
 * token request: a connection of its own (`agent: false`), closed after the answer, so the key is
 * held by no pool and no other request ever goes out with it. Node's https, not fetch: the fetch
 * built into Node takes a client certificate only through undici's Agent, which is not a dependency
 * of this package. oauth4webapi calls it with a string body, its headers and an abort signal.
 */
export function clientCertificateFetch(clientCertificate: ClientCertificate): Fetch {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const { signal } = init;
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = request(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          cert: clientCertificate.certificate,
          key: clientCertificate.privateKey,
          agent: false,
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const answer = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) answer.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const status = res.statusCode ?? 0;
          const body = NULL_BODY.has(status) ? null : bodyStream(res, signal);
          if (body === null) res.resume();
          try {
            resolve(new Response(body, { status, headers: answer }));
          } catch (e) {
            res.destroy();
            reject(fetchError(signal, 'fetch failed', e));
          }
        },
      );
      req.on('error', (e) => reject(fetchError(signal, 'fetch failed', e)));
      // oauth4webapi sends the form as URLSearchParams.
      const body =
        init.body instanceof URLSearchParams || typeof init.body === 'string' ? String(init.body) : undefined;
      req.end(body);
    });
}
