import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DemoReply, type DemoRequest, readForm, RequestTooLarge } from './http-form.js';

/** One provider's token endpoint on the demo server. */
export interface DemoRoute {
  readonly provider: string;
  readonly path: string;
  handle(req: DemoRequest): DemoReply;
  /** A page a browser GETs (the connected provider's consent page); without it, only POST is served. */
  page?(query: URLSearchParams): DemoReply;
}

/** Called before each request is handled: a reply replaces the route's own answer. */
export type Interceptor = (provider: string, requestNumber: number) => DemoReply | undefined;

export interface DemoIdpServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, reply: DemoReply): void {
  const json = typeof reply.body !== 'string';
  const payload = json ? JSON.stringify(reply.body) : reply.body;
  res.writeHead(reply.status, {
    'content-type': json ? 'application/json' : 'text/plain',
    'cache-control': 'no-store',
    ...reply.headers,
  });
  res.end(payload);
}

/**
 * The embedded demo's OAuth server: a plain node:http token endpoint on loopback (a random port),
 * one route per provider. Token requests are served, and the connected provider's consent page
 * (consent-client.ts); no discovery, nothing else the refresher does not use. Bodies are bounded (http-form.ts).
 */
export async function startDemoIdp(
  routes: readonly DemoRoute[],
  intercept?: Interceptor,
  preferredPort = 0,
): Promise<DemoIdpServer> {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  const counts = new Map<string, number>();

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo');
    const route = byPath.get(url.pathname);
    if (!route) return send(res, { status: 404, body: { error: 'not_found', error_description: 'no such endpoint' } });
    if (req.method === 'GET' && route.page) return send(res, route.page(url.searchParams));
    if (req.method !== 'POST')
      return send(res, { status: 405, headers: { allow: 'POST' }, body: 'Method Not Allowed' });
    let request: DemoRequest;
    try {
      request = await readForm(req);
    } catch (error) {
      if (error instanceof RequestTooLarge) return send(res, { status: 413, body: 'Payload Too Large' });
      throw error;
    }
    const n = (counts.get(route.provider) ?? 0) + 1;
    counts.set(route.provider, n);
    send(res, intercept?.(route.provider, n) ?? route.handle(request));
  }

  const server = createServer((req, res) => {
    answer(req, res).catch(() => {
      if (!res.headersSent) send(res, { status: 500, body: { error: 'server_error' } });
      else res.destroy();
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  // The port is part of every provider's token endpoint, and so of the settings fingerprint the
  // state is tied to (core/fingerprint.ts): the last one is reused, so a restart resumes.
  try {
    await listen(preferredPort);
  } catch (error) {
    if (preferredPort === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await listen(0);
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
