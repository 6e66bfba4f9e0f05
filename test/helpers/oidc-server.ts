/**
 * A Keycloak look-alike on loopback, built on oidc-provider (real refresh-token rotation and reuse detection).
 *
 * Why oidc-provider and not a hand-written fake: it gives real refresh-token rotation with reuse
 * detection, TTLs and signed id_tokens, which is exactly the state machine the refresher has to
 * survive. What it does not have (the password grant, Keycloak's URL layout, Keycloak's response
 * fields and error wording from docs/reference/idp-behaviors.md §1.2) is added here.
 */
import { createPublicKey, generateKeyPairSync, type JsonWebKey, randomUUID, verify } from 'node:crypto';
import { createServer, IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Adapter,
  AdapterPayload,
  ClientMetadata,
  errors,
  KoaContextWithOIDC,
  TokenEndpointGrantContext,
} from 'oidc-provider';
import type * as OidcProviderNamespace from 'oidc-provider';
import { type RecordedRequest, readBody, recordRequest } from './recorded-request.js';

export type { RecordedRequest } from './recorded-request.js';

/** RFC 7523 section 2.1, served through oidc-provider's custom grant hook (`registerGrantType`). */
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export type KeycloakGrantType = 'password' | 'refresh_token' | 'client_credentials' | typeof JWT_BEARER;

/** A jwt_bearer assertion the server accepted, as it read it. */
export interface AcceptedAssertion {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
}

export interface KeycloakLikeClient {
  clientId: string;
  /** Omit for a public client (Keycloak "Client authentication: off"). */
  secret?: string;
  grants: KeycloakGrantType[];
  /**
   * Defaults to 'none' without a secret, 'client_secret_basic' with one. As in Keycloak, a client with
   * a secret may send it either way (oidc-provider 9 treats basic and post as interchangeable); only
   * 'none' versus a secret method really matters.
   */
  auth?: 'none' | 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt' | 'client_secret_jwt';
  /** Public keys the client signs with (private_key_jwt, the jwt_bearer grant), as the IdP has them registered. */
  jwks?: { keys: JsonWebKey[] };
}

export interface KeycloakLikeOptions {
  realm?: string;
  /** '' (modern Keycloak), '/auth' (≤ 16 / legacy), '/keycloak/auth' (NAGRA-style reverse proxy). */
  pathPrefix?: string;
  clients?: KeycloakLikeClient[];
  /** username → password */
  users?: Record<string, string>;
  accessTtlSeconds?: number;
  /** Lifetime of each refresh token, renewed on rotation: Keycloak's "SSO Session Idle". */
  refreshTtlSeconds?: number;
  /** Hard end of the login session (grant), capping every token: Keycloak's "SSO Session Max". */
  sessionMaxSeconds?: number;
  rotateRefreshTokens?: boolean;
  /** Extra scopes; 'openid' and 'offline_access' are always supported. */
  scopes?: string[];
  /**
   * Replaces the answer to the `index`th token request (0-based) after the provider handled it (its
   * jti is then spent): a 503 in front of a request the IdP did process.
   */
  overrideAnswer?: (index: number) => { status: number; body: Record<string, unknown> } | undefined;
  /** The `aud` a jwt_bearer assertion must carry; default: the token endpoint (Salesforce wants its login host). */
  bearerAudience?: string;
  /** Extra checks of a client assertion, as an IdP with stricter rules makes (Okta refuses an `iat` in the future). */
  checkClientAssertion?: (payload: Record<string, unknown>) => string | undefined;
}

export interface KeycloakLikeServer {
  /** `http://127.0.0.1:<port><pathPrefix>/realms/<realm>`, also the id_token `iss`. */
  issuer: string;
  tokenEndpoint: string;
  /** Every request to the token endpoint, in arrival order. */
  requests: RecordedRequest[];
  /** Ends every login session (SSO Session Max / admin logout): the next refresh gets invalid_grant. */
  revokeAllSessions(): Promise<void>;
  setPassword(username: string, password: string): void;
  /** The jwt_bearer assertions the server accepted, in order. */
  bearerAssertions: AcceptedAssertion[];
  close(): Promise<void>;
}

type PasswordParams = { username?: string; password?: string; scope?: string };

const nowSeconds = () => Math.floor(Date.now() / 1000);

type OidcProviderModule = typeof OidcProviderNamespace;
let oidcProviderModule: Promise<OidcProviderModule> | undefined;

/**
 * oidc-provider warns at import time on any non-LTS Node (the pinned `node` 24.9 is not flagged LTS),
 * which would print in every test file; that one line is dropped, anything else still shows.
 */
export function loadOidcProvider(): Promise<OidcProviderModule> {
  oidcProviderModule ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return oidcProviderModule;
}

/**
 * In-memory adapter that never evicts: oidc-provider checks `exp` itself, and keeping expired refresh
 * tokens lets it say "expired" rather than "not found" (the difference maps to different Keycloak
 * messages below). Also avoids the dev-adapter warning and the shared LRU of the bundled adapter.
 */
function createStore() {
  const entries = new Map<string, AdapterPayload>();
  const scan = (model: string, match: (p: AdapterPayload) => boolean) => {
    for (const [key, payload] of entries) if (key.startsWith(`${model}:`) && match(payload)) return payload;
    return undefined;
  };
  const adapter = (model: string): Adapter => ({
    upsert: async (id, payload) => void entries.set(`${model}:${id}`, payload),
    find: async (id) => entries.get(`${model}:${id}`),
    findByUid: async (uid) => scan(model, (p) => p.uid === uid),
    findByUserCode: async (code) => scan(model, (p) => p.userCode === code),
    consume: async (id) => {
      const payload = entries.get(`${model}:${id}`);
      if (payload) payload.consumed = nowSeconds();
    },
    destroy: async (id) => void entries.delete(`${model}:${id}`),
    revokeByGrantId: async (grantId) => {
      for (const [key, payload] of entries) {
        if (key.startsWith(`${model}:`) && payload.grantId === grantId) entries.delete(key);
      }
    },
  });
  return { entries, adapter };
}

/** A fresh RS256 key per server: oauth4webapi only accepts RS256 id_tokens by default, and it silences the dev-keys warning. */
export function signingKeys() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' }] };
}

/**
 * oidc-provider's refresh failures all read "grant request is invalid"; Keycloak names the cause
 * (docs/reference/idp-behaviors.md K22–K30). The internal `error_detail` is mapped so tests see Keycloak's wording.
 */
function keycloakRefreshDescription(detail: string | undefined, everIssued: boolean): string | undefined {
  switch (detail) {
    case 'refresh token not found':
      return everIssued ? 'Session not active' : 'Invalid refresh token';
    case 'refresh token is expired':
      return 'Token is not active';
    case 'refresh token already used':
      return 'Stale token';
    case 'grant not found':
    case 'grant is expired':
      return 'Session not active';
    case 'client mismatch':
      return "Invalid refresh token. Token client and authorized client don't match";
    default:
      return undefined;
  }
}

export async function startKeycloakLikeServer(options: KeycloakLikeOptions = {}): Promise<KeycloakLikeServer> {
  const {
    realm = 'test',
    pathPrefix = '',
    clients = [{ clientId: 'test-client', grants: ['password', 'refresh_token'] }],
    accessTtlSeconds = 300,
    refreshTtlSeconds = 1800,
    sessionMaxSeconds = 36_000,
    rotateRefreshTokens = true,
  } = options;
  const { default: Provider, errors } = await loadOidcProvider();
  /** An error oidc-provider renders as `{error, error_description}` with the status Keycloak uses. */
  const keycloakError = (error: string, description: string, status: number): errors.OIDCProviderError => {
    const err = new errors.CustomOIDCProviderError(error, description);
    err.status = status;
    err.statusCode = status;
    return err;
  };
  const users = new Map(Object.entries(options.users ?? { alice: 'wonderland' }));
  const scopes = new Set(['openid', 'offline_access', ...(options.scopes ?? [])]);
  const base = `${pathPrefix}/realms/${realm}`;
  const oidcBase = `${base}/protocol/openid-connect`;
  const tokenPath = `${oidcBase}/token`;

  const requests: RecordedRequest[] = [];
  const store = createStore();
  const issuedRefreshTokens = new Set<string>();
  const failures = new WeakMap<object, errors.OIDCProviderError>();
  // Form of each token request, keyed by the request object oidc-provider sees as ctx.req.
  const recordedForms = new WeakMap<object, URLSearchParams>();

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}${base}`;

  // Keycloak caps every token at the end of the login session ("SSO Session Max").
  const cappedBySession =
    (max: number) =>
    (ctx: KoaContextWithOIDC | undefined): number => {
      // remainingTTL, not exp: a grant saved in this very request has no exp yet.
      const sessionLeft = ctx?.oidc?.entities.Grant?.remainingTTL;
      return sessionLeft === undefined ? max : Math.max(1, Math.min(max, sessionLeft));
    };

  const provider = new Provider(issuer, {
    adapter: store.adapter,
    jwks: signingKeys(),
    clients: clients.map((c): ClientMetadata => ({
      client_id: c.clientId,
      ...(c.secret === undefined ? {} : { client_secret: c.secret }),
      grant_types: c.grants,
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: c.auth ?? (c.secret === undefined ? 'none' : 'client_secret_basic'),
      ...(c.jwks ? { jwks: c.jwks } : {}),
      scope: [...scopes].join(' '),
    })),
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    scopes: [...scopes],
    routes: {
      authorization: `${oidcBase}/auth`,
      token: tokenPath,
      userinfo: `${oidcBase}/userinfo`,
      jwks: `${oidcBase}/certs`,
      end_session: `${oidcBase}/logout`,
      revocation: `${oidcBase}/revoke`,
      introspection: `${oidcBase}/token/introspect`,
    },
    ttl: {
      AccessToken: cappedBySession(accessTtlSeconds),
      ClientCredentials: accessTtlSeconds,
      RefreshToken: cappedBySession(refreshTtlSeconds),
      IdToken: accessTtlSeconds,
      Grant: sessionMaxSeconds,
      Session: sessionMaxSeconds,
      Interaction: 600,
    },
    rotateRefreshToken: rotateRefreshTokens,
    findAccount: async (_ctx, sub) =>
      users.has(sub) ? { accountId: sub, claims: async () => ({ sub, preferred_username: sub }) } : undefined,
    cookies: { keys: ['test-only-cookie-key'] },
    clientBasedCORS: () => false,
    assertJwtClientAuthClaimsAndHeader: (_ctx, payload) => {
      const problem = options.checkClientAssertion?.(payload);
      if (problem !== undefined) throw new errors.InvalidClientAuth(problem);
    },
  });

  const bearerAssertions: AcceptedAssertion[] = [];
  // The JWT bearer grant (RFC 7523 section 2.1): the server checks the signature with the key registered
  // for the client, the audience, the expiry and that the jti was never seen, as Google and Salesforce do.
  provider.registerGrantType<{ assertion?: string; scope?: string }>(
    JWT_BEARER,
    async (ctx) => {
      const { params, client } = ctx.oidc;
      const invalid = (why: string) => new errors.InvalidGrant(why);
      const parts = (params.assertion ?? '').split('.');
      if (parts.length !== 3) throw invalid('assertion is not a compact JWS');
      const [h, p, signature] = parts as [string, string, string];
      const read = (part: string) =>
        JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
      const header = read(h);
      const payload = read(p);
      const registered = (client.metadata().jwks as { keys: JsonWebKey[] } | undefined)?.keys ?? [];
      const jwk = registered.find((k) => header.kid === undefined || (k as { kid?: string }).kid === header.kid);
      if (!jwk) throw invalid('no registered key for this kid');
      const hash = { RS256: 'sha256', ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' }[String(header.alg)];
      if (!hash) throw invalid('alg not allowed');
      const signed = verify(
        hash,
        Buffer.from(`${h}.${p}`),
        { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      );
      if (!signed) throw invalid('signature invalid');
      const now = nowSeconds();
      const audience = options.bearerAudience ?? `http://127.0.0.1:${port}${tokenPath}`;
      if (payload.aud !== audience) throw invalid(`aud must be ${audience}`);
      if (typeof payload.exp !== 'number' || payload.exp + 15 <= now) throw invalid('assertion expired');
      if (typeof payload.iat === 'number' && payload.iat > now + 15) throw invalid('iat in the future');
      const unique = await provider.ReplayDetection.unique(String(payload.iss), String(payload.jti), payload.exp + 15);
      if (!unique) throw invalid('assertion replayed');
      bearerAssertions.push({ header, payload });
      const scope = typeof payload.scope === 'string' ? payload.scope : (params.scope ?? '');
      const token = new provider.ClientCredentials({ client, scope });
      ctx.body = { access_token: await token.save(), expires_in: token.expiration, token_type: 'Bearer', scope };
    },
    ['assertion', 'scope'],
  );

  // Keycloak's direct access grant (docs/reference/idp-behaviors.md K1, K3, K4, K9).
  provider.registerGrantType<PasswordParams>(
    'password',
    async (ctx: TokenEndpointGrantContext<PasswordParams>) => {
      const { params, client } = ctx.oidc;
      if (!params.username) throw keycloakError('invalid_request', 'Missing parameter: username', 401);
      const expected = users.get(params.username);
      if (expected === undefined || expected !== params.password) {
        throw keycloakError('invalid_grant', 'Invalid user credentials', 401);
      }
      const requested = [...new Set((params.scope ?? '').split(' ').filter(Boolean))];
      const unknown = requested.filter((s) => !scopes.has(s));
      if (unknown.length > 0) throw new errors.InvalidScope(`Invalid scopes: ${params.scope}`, unknown.join(' '));
      const scope = requested.join(' ');
      const accountId = params.username;
      const sessionState = randomUUID();

      const grant = new provider.Grant({ accountId, clientId: client.clientId });
      // The built-in refresh_token grant only re-issues scopes recorded on the grant.
      grant.addOIDCScope(scope);
      const grantId = await grant.save();
      ctx.oidc.entity('Grant', grant);
      const common = { accountId, client, grantId, gty: 'password', scope, sid: sessionState };
      const at = new provider.AccessToken(common);
      const rt = new provider.RefreshToken({ ...common, rotations: 0 });
      const accessToken = await at.save();
      const refreshToken = await rt.save();

      let idToken: string | undefined;
      if (requested.includes('openid')) {
        const token = new provider.IdToken({ sub: accountId }, { ctx });
        // Claims are filtered by the token's scope; without it even `sub` is dropped.
        Object.assign(token, { scope: 'openid' });
        token.set('sid', sessionState);
        idToken = await token.issue({ use: 'idtoken' });
      }
      ctx.body = {
        access_token: accessToken,
        expires_in: at.remainingTTL,
        refresh_expires_in: rt.remainingTTL,
        refresh_token: refreshToken,
        token_type: 'Bearer',
        ...(idToken === undefined ? {} : { id_token: idToken }),
        'not-before-policy': 0,
        session_state: sessionState,
        scope,
      };
    },
    ['username', 'password', 'scope', 'response_type'],
  );

  provider.on('grant.error', (ctx: KoaContextWithOIDC, err: errors.OIDCProviderError) => failures.set(ctx, err));

  // Post-processing of token responses so built-in grants look like Keycloak too.
  let tokenRequestIndex = 0;
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== tokenPath || ctx.method !== 'POST') return;
    const override = options.overrideAnswer?.(tokenRequestIndex++);
    if (override) {
      ctx.status = override.status;
      ctx.body = override.body;
      return;
    }
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') return;
    const form = recordedForms.get(ctx.req);
    const grantType = form?.get('grant_type');
    if (ctx.status === 200) {
      if (typeof body.refresh_token === 'string') issuedRefreshTokens.add(body.refresh_token);
      if (grantType === 'refresh_token') {
        const rt = (ctx as unknown as KoaContextWithOIDC).oidc.entities.RefreshToken;
        const { access_token, expires_in, refresh_token, token_type, id_token, scope } = body;
        ctx.body = {
          access_token,
          expires_in,
          refresh_expires_in: rt?.remainingTTL,
          refresh_token,
          token_type,
          ...(id_token === undefined ? {} : { id_token }),
          'not-before-policy': 0,
          session_state: rt?.sid,
          scope: scope ?? '',
        };
      } else if (grantType === 'client_credentials') {
        ctx.body = { ...body, refresh_expires_in: 0, 'not-before-policy': 0, scope: body.scope ?? '' };
      }
      return;
    }
    // Keycloak sends no WWW-Authenticate on token-endpoint 401s; oidc-provider adds one whenever the
    // request had an Authorization header, which would change what error class oauth4webapi throws.
    ctx.remove('WWW-Authenticate');
    const failure = failures.get(ctx);
    if (body.error === 'invalid_client') {
      body.error_description = 'Invalid client or Invalid client credentials';
    } else if (body.error === 'invalid_grant' && grantType === 'refresh_token') {
      const presented = form?.get('refresh_token') ?? undefined;
      const description = keycloakRefreshDescription(
        failure?.error_detail,
        presented !== undefined && issuedRefreshTokens.has(presented),
      );
      if (description !== undefined) body.error_description = description;
    }
  });

  const handle = provider.callback();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    // Keycloak serves discovery under the realm; oidc-provider only at the root.
    if (pathname === `${base}/.well-known/openid-configuration`) req.url = '/.well-known/openid-configuration';
    if (pathname !== tokenPath) {
      void handle(req, res);
      return;
    }
    void readBody(req).then(
      (body) => {
        const recorded = recordRequest(req, body);
        requests.push(recorded);
        const replay = replayWithBody(req, body);
        recordedForms.set(replay, new URLSearchParams(recorded.rawBody));
        void handle(replay, res);
      },
      () => res.destroy(),
    );
  });

  return {
    issuer,
    tokenEndpoint: `http://127.0.0.1:${port}${tokenPath}`,
    requests,
    async revokeAllSessions() {
      for (const key of [...store.entries.keys()]) {
        if (/^(Grant|RefreshToken|AccessToken|Session):/.test(key)) store.entries.delete(key);
      }
    },
    setPassword(username, password) {
      users.set(username, password);
    },
    bearerAssertions,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * The token endpoint's body has already been read for recording; oidc-provider needs a readable
 * request, so it gets a twin on the same socket that replays the bytes.
 */
function replayWithBody(req: IncomingMessage, body: Buffer): IncomingMessage {
  const twin = new IncomingMessage(req.socket);
  twin.method = req.method;
  twin.url = req.url;
  twin.headers = req.headers;
  twin.rawHeaders = req.rawHeaders;
  twin.httpVersion = req.httpVersion;
  twin.httpVersionMajor = req.httpVersionMajor;
  twin.httpVersionMinor = req.httpVersionMinor;
  // Without this, ending the twin counts as an aborted request and Node destroys the shared socket.
  twin.complete = true;
  twin.push(body);
  twin.push(null);
  return twin;
}
