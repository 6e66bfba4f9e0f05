/**
 * A token-endpoint double that answers whatever the test scripts, for upstream behaviours a real
 * OAuth server (oidc-provider) cannot be made to show: HTML error pages, XML, empty bodies, 429/503
 * with Retry-After, slow answers, Spring's "same token again", malformed 200s.
 *
 * The ready-made responses below are copied from docs/reference/idp-behaviors.md; each names the
 * table row (K = Keycloak §1.2, I = IdentityServer §2.2, M = MediaHound/Spring §3.3) it reproduces.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RecordedRequest, readBody, recordRequest } from './recorded-request.js';

export type { RecordedRequest } from './recorded-request.js';

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON with `content-type: application/json` (unless headers say otherwise). */
  body?: string | object;
  /** Wait this long before answering, e.g. to run into the client's timeout. */
  delayMs?: number;
}

/** A reply, or a function of the request that picks one (may be async, may return another function). */
export type ScriptedResponse = ScriptedReply | ((req: RecordedRequest) => ScriptedResponse | Promise<ScriptedResponse>);

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>`; every path is answered from the script. */
  url: string;
  /** `${url}/token` */
  tokenEndpoint: string;
  requests: RecordedRequest[];
  /** Queues responses; each request consumes one, in order. */
  reply(...responses: ScriptedResponse[]): void;
  /** Used when the queue is empty (initially a 500 `server_error` "no scripted response"). */
  setDefault(response: ScriptedResponse): void;
  close(): Promise<void>;
}

const NOTHING_SCRIPTED: ScriptedReply = {
  status: 500,
  body: { error: 'server_error', error_description: 'no scripted response' },
};

export async function startScriptedServer(): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedResponse[] = [];
  let fallback: ScriptedResponse = NOTHING_SCRIPTED;
  const timers = new Set<NodeJS.Timeout>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function answer(req: IncomingMessage, res: ServerResponse) {
    const recorded = recordRequest(req, await readBody(req));
    requests.push(recorded);
    let response = queue.shift() ?? fallback;
    while (typeof response === 'function') response = await response(recorded);
    if (response.delayMs) await sleep(response.delayMs);
    // The client may have given up (timeout) while we waited; there is nobody left to answer.
    if (res.destroyed) return;
    const headers = { ...response.headers };
    let payload = '';
    if (typeof response.body === 'string') {
      payload = response.body;
    } else if (response.body !== undefined) {
      payload = JSON.stringify(response.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/json';
      }
    }
    res.writeHead(response.status, headers).end(payload);
  }

  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`scripted server failed: ${String(err)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    tokenEndpoint: `${url}/token`,
    requests,
    reply: (...responses) => void queue.push(...responses),
    setDefault: (response) => {
      fallback = response;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Ready-made responses (docs/reference/idp-behaviors.md row in brackets)
// ---------------------------------------------------------------------------------------------

const html = (title: string, text: string) =>
  `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>\n`;

/** Any RFC 6749 §5.2 error body, for cases without a dedicated builder. */
export function oauthError(status: number, error: string, description?: string): ScriptedReply {
  return { status, body: description === undefined ? { error } : { error, error_description: description } };
}

/** [I2] IdentityServer/Duende: wrong secret, unknown/disabled client: 400 and no description at all. */
export function identityServerInvalidClient(): ScriptedReply {
  return {
    status: 400,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: { error: 'invalid_client' },
  };
}

/**
 * [M1, M2, M3] Legacy spring-security-oauth2 client_credentials: the same token for every request until
 * it expires, with a shrinking lower-case-"bearer" `expires_in`.
 */
export function springSameToken(token: string, expiresIn: number): ScriptedReply {
  return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: 'read' } };
}

/** [M4] Spring Boot's Basic-auth filter rejecting the client: a 401 that is not an OAuth error body. */
export function springBadCredentials(): ScriptedReply {
  return {
    status: 401,
    headers: { 'www-authenticate': 'Basic realm="oauth2/client"' },
    body: {
      timestamp: new Date().toISOString(),
      status: 401,
      error: 'Unauthorized',
      message: 'Bad credentials',
      path: '/oauth/token',
    },
  };
}

/** [M8] spring-security-oauth2 without `Accept: application/json` can answer errors in XML. */
export function springXmlInvalidClient(): ScriptedReply {
  return {
    status: 401,
    headers: { 'content-type': 'application/xml' },
    body: '<oauth><error_description>Bad client credentials</error_description><error>invalid_client</error></oauth>',
  };
}

/** [K33] Keycloak User Session Count Limiter ("Deny new session"): an HTML page, not JSON. */
export function keycloakSessionLimiterHtml(): ScriptedReply {
  return {
    status: 403,
    headers: { 'content-type': 'text/html;charset=utf-8' },
    body: html('Sign in to your account', 'There are too many sessions'),
  };
}

/** [K35, I9] Proxy/WAF/gateway error page in front of any provider, e.g. 502, 504, or 403 from a WAF. */
export function wafHtml(status: number): ScriptedReply {
  return {
    status,
    headers: { 'content-type': 'text/html' },
    body: html(`${status} Error`, 'The request could not be satisfied.'),
  };
}

/** [K34] Load shedding and some gateways: a status with no body at all. */
export function emptyBody(status: number): ScriptedReply {
  return { status, headers: { 'content-length': '0' } };
}

/** [K34, I9] 503, optionally with Retry-After (seconds or HTTP-date, passed through verbatim). */
export function unavailable(retryAfter?: string): ScriptedReply {
  return {
    status: 503,
    headers: { 'content-type': 'text/plain', ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }) },
    body: 'Service Unavailable',
  };
}

/** [K35, I9, M10] Rate limited, with Retry-After (seconds or HTTP-date, passed through verbatim). */
export function tooManyRequests(retryAfter: string): ScriptedReply {
  return {
    status: 429,
    headers: { 'content-type': 'text/plain', 'retry-after': retryAfter },
    body: 'Too Many Requests',
  };
}

/** [K18] Keycloak realm does not exist: 404 whose `error` is prose and has no description. */
export function keycloakRealmNotFound(): ScriptedReply {
  return { status: 404, body: { error: 'Realm does not exist' } };
}

/**
 * A plain successful token response (`access_token`, `token_type: Bearer`, `expires_in: 300`).
 * Overrides are merged in; an override set to `undefined` removes that field.
 */
export function okToken(overrides: Record<string, unknown> = {}): ScriptedReply {
  const body: Record<string, unknown> = {
    access_token: 'scripted-access-token',
    token_type: 'Bearer',
    expires_in: 300,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete body[key];
    else body[key] = value;
  }
  return { status: 200, body };
}

export type MalformedOkKind = 'no-access-token' | 'bad-expires-in' | 'not-json' | 'empty';

/**
 * 200 answers a client must not store: no access_token; a non-numeric expires_in (oauth4webapi
 * rejects "soon" but coerces "3600"); a form-encoded body as pre-JSON servers
 * (e.g. GitHub without Accept) send; an empty JSON-typed body.
 */
export function malformedOk(kind: MalformedOkKind): ScriptedReply {
  switch (kind) {
    case 'no-access-token':
      return { status: 200, body: { token_type: 'Bearer', expires_in: 300 } };
    case 'bad-expires-in':
      return okToken({ expires_in: 'soon' });
    case 'not-json':
      return {
        status: 200,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'access_token=scripted-access-token&token_type=bearer&expires_in=300',
      };
    case 'empty':
      return { status: 200, headers: { 'content-type': 'application/json', 'content-length': '0' } };
  }
}
