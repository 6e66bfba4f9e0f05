import * as oauth from 'oauth4webapi';
import { isLoopbackUrl } from '../contract/loopback.js';
import type { ProviderSettings } from '../contract/provider-settings.js';
import { clientCertificateFetch } from './client-tls-fetch.js';
import {
  type ClientAuthentication,
  type HttpAnswer,
  NoAnswerError,
  type TokenEndpoint,
  type TokenRequest,
  type TokenTransport,
} from './ports.js';

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Legacy Spring OAuth2 (MediaHound) wants Basic with the raw `id:secret` (it does not form-decode
 * Basic credentials, RFC 6749 section 2.3.1) and the same id and secret in the body.
 */
function rawBasicAndPost(secret: string): oauth.ClientAuth {
  return (_as, client, body, headers) => {
    headers.set('authorization', `Basic ${Buffer.from(`${client.client_id}:${secret}`).toString('base64')}`);
    body.set('client_id', client.client_id);
    body.set('client_secret', secret);
  };
}

/**
 * The most of a token endpoint's answer that is read: as much as the largest store holds
 * (contract/published-token.ts), so no publishable token is cut off. Anything larger is not a
 * usable answer, and reading it whole would let a misbehaving endpoint spend the run's memory and time.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** The body as text, read from the stream no further than `limit` bytes. */
export async function readBody(response: Response, limit: number): Promise<{ body: string; oversized: boolean }> {
  const declared = Number(response.headers.get('content-length'));
  if (!response.body || declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return { body: '', oversized: declared > limit };
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { body: '', oversized: true };
    }
    chunks.push(value);
  }
  return { body: Buffer.concat(chunks).toString('utf8'), oversized: false };
}

/** Connection errors that mean the request never reached the server. */
const NOT_DELIVERED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Turns whatever fetch, undici or the body stream threw into a `NoAnswerError` that says whether
 * the server may have seen the request. Programming errors pass through unchanged.
 */
export function noAnswer(error: unknown, timeoutMs: number): unknown {
  const e = error as { name?: string; message?: string; cause?: { code?: unknown } } | undefined;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new NoAnswerError('timeout', 'unknown', `no answer within ${Math.round(timeoutMs / 100) / 10} s`);
  }
  // undici: "fetch failed" before or while sending, "terminated" when the body stream breaks.
  if (e?.name === 'TypeError' && (e.message === 'fetch failed' || e.message === 'terminated')) {
    const code = typeof e.cause?.code === 'string' ? e.cause.code : 'connection failed';
    return new NoAnswerError('network_error', NOT_DELIVERED.has(code) ? 'no' : 'unknown', `network error (${code})`);
  }
  return error;
}

/** RFC 7523 section 2.2: the client authenticates with a signed assertion (private_key_jwt, client_secret_jwt). */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** RFC 7523 section 2.1: the grant is a signed assertion. */
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function clientAssertion(assertion: string): oauth.ClientAuth {
  return (_as, client, body) => {
    body.set('client_id', client.client_id);
    body.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
    body.set('client_assertion', assertion);
  };
}

function clientAuth(auth: ClientAuthentication): oauth.ClientAuth {
  switch (auth.method) {
    case 'none':
      return oauth.None();
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
      // RFC 8705 section 2: the certificate authenticates (core/client-tls-fetch.ts); the body names the client.
      return oauth.TlsClientAuth();
    case 'client_secret_post':
      return oauth.ClientSecretPost(auth.clientSecret);
    case 'client_secret_basic':
      return oauth.ClientSecretBasic(auth.clientSecret);
    case 'client_secret_basic_raw_and_post':
      return rawBasicAndPost(auth.clientSecret);
    case 'private_key_jwt':
    case 'client_secret_jwt':
      return clientAssertion(auth.assertion);
  }
}

/**
 * Where a request goes: the discovered token endpoint, else the settings' own. The schema allows
 * http:// only on loopback hosts (local work and tests).
 */
function authorizationServer(settings: ProviderSettings, discovered: string | undefined) {
  const tokenEndpoint = discovered ?? settings.tokenEndpoint;
  // The core routes every request of a provider configured by `issuer` (core/run/discovery-step.ts).
  if (tokenEndpoint === undefined) throw new TypeError(`provider "${settings.id}" has no token endpoint to send to`);
  const url = new URL(tokenEndpoint);
  const as: oauth.AuthorizationServer = { issuer: settings.issuer ?? url.origin, token_endpoint: tokenEndpoint };
  return { as, insecure: url.protocol === 'http:' && isLoopbackUrl(url) };
}

/**
 * Sends token requests with oauth4webapi, which builds each grant's exact form and client
 * authentication. The answer is returned raw: the core classifies HTML, XML and empty bodies, and
 * ignores the id_token Keycloak adds for `scope=openid` (oauth4webapi's response processing would
 * require its issuer to match one we never configure, and rejects the whole answer when it does not;
 * test/integration/keycloak-presets.test.ts pins this down).
 */
export class OAuthTokenEndpoint implements TokenEndpoint {
  private readonly client: oauth.Client;

  constructor(
    private readonly settings: ProviderSettings,
    private readonly fetchImpl?: Fetch,
  ) {
    this.client = { client_id: settings.clientId };
  }

  async send(
    request: TokenRequest,
    auth: ClientAuthentication,
    timeoutMs: number,
    transport?: TokenTransport,
  ): Promise<HttpAnswer> {
    try {
      return await this.exchange(request, clientAuth(auth), timeoutMs, transport);
    } catch (error) {
      throw noAnswer(error, timeoutMs);
    }
  }

  private async exchange(
    request: TokenRequest,
    auth: oauth.ClientAuth,
    timeoutMs: number,
    transport?: TokenTransport,
  ): Promise<HttpAnswer> {
    const { settings, client } = this;
    const { as, insecure } = authorizationServer(settings, transport?.url);
    const certificate = transport?.clientCertificate;
    const fetchImpl = certificate ? clientCertificateFetch(certificate) : this.fetchImpl;
    const options = {
      signal: AbortSignal.timeout(timeoutMs),
      [oauth.allowInsecureRequests]: insecure,
      ...(fetchImpl ? { [oauth.customFetch]: fetchImpl } : {}),
    };
    const params: Record<string, string> = {
      ...settings.extraParams,
      ...(settings.scope ? { scope: settings.scope } : {}),
    };
    let response: Response;
    switch (request.grant) {
      case 'refresh_token':
        // Keycloak keeps the scope of the original grant; the documented refresh forms send nothing else.
        response = await oauth.refreshTokenGrantRequest(as, client, auth, request.refreshToken, options);
        break;
      case 'password':
        response = await oauth.genericTokenEndpointRequest(
          as,
          client,
          auth,
          'password',
          { username: request.username, password: request.password, ...params },
          options,
        );
        break;
      case 'client_credentials':
        response = await oauth.clientCredentialsGrantRequest(as, client, auth, params, options);
        break;
      case 'jwt_bearer': {
        // Google takes the scope as a claim of the assertion (core/assertion.ts), not as a form field.
        const { scope, ...rest } = params;
        const form = settings.assertion?.scopeClaim ? rest : { ...rest, ...(scope ? { scope } : {}) };
        const grant = { ...form, assertion: request.assertion };
        response = await oauth.genericTokenEndpointRequest(as, client, auth, JWT_BEARER_GRANT_TYPE, grant, options);
        break;
      }
    }
    const { body, oversized } = await readBody(response, MAX_ANSWER_BYTES);
    return { status: response.status, headers: response.headers, body, ...(oversized ? { oversized } : {}) };
  }
}
