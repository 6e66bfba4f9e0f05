import { createPublicKey, type JsonWebKey, type KeyObject, randomBytes, verify } from 'node:crypto';
import type { Clock } from '../../core/ports.js';
import { CLIENT_ASSERTION_TYPE } from '../../core/oauth-endpoint.js';
import { type DemoReply, type DemoRequest, oauthError } from './http-form.js';

export interface SignedClientOptions {
  readonly clientId: string;
  /** The public key registered for the client (a JWK of an EC P-256 key), as an Okta app's JWKS holds it. */
  readonly publicJwk: JsonWebKey;
  /** The `kid` it is registered under. */
  readonly keyId: string;
  /** The token endpoint's own URL, the only `aud` accepted; known once the server listens. */
  readonly audience: () => string;
  readonly allowedScope: string;
  readonly accessSeconds: number;
}

/** Okta caps an assertion's `exp` at one hour after now (docs/reference/idp-behaviors.md section 7). */
const MAX_ASSERTION_SECONDS = 3600;
/** An `iat` further ahead than this is a clock the IdP does not trust. */
const CLOCK_LEEWAY_SECONDS = 60;
/** Remembered `jti`s are forgotten once their assertion expired; beyond this many live ones, requests wait. */
const MAX_REMEMBERED_JTIS = 10_000;
/** A compact JWS of a P-256 key with the refresher's claims is well under 1 KB. */
const MAX_ASSERTION_CHARACTERS = 4096;

const invalidClient = (description: string) => oauthError(401, 'invalid_client', description);

function decodeJson(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An Okta service app as the `okta` preset meets it: client_credentials, the client authenticated by
 * a `private_key_jwt` assertion that is verified against the registered public key (signature, `kid`,
 * `iss` = `sub` = client id, `aud` = this endpoint, `exp`, a `jti` used once), and every rejection a
 * 401 `invalid_client`, which the refresher's lockout guard keys on the key's version.
 */
export class SignedClient {
  private readonly key: KeyObject;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly options: SignedClientOptions,
    private readonly clock: Clock,
  ) {
    this.key = createPublicKey({ key: options.publicJwk, format: 'jwk' });
  }

  handle(req: DemoRequest): DemoReply {
    const { form } = req;
    if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE)
      return invalidClient('Client authentication failed: this client authenticates with private_key_jwt only.');
    const id = form.get('client_id');
    if (id !== null && id !== this.options.clientId) return invalidClient('The client_id is not registered.');
    const rejected = this.verifyAssertion(form.get('client_assertion') ?? '');
    if (rejected) return rejected;
    if (form.get('grant_type') !== 'client_credentials') return oauthError(400, 'unsupported_grant_type');
    const allowed = new Set(this.options.allowedScope.split(' ').filter(Boolean));
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (requested.length === 0 || requested.some((s) => !allowed.has(s))) return oauthError(400, 'invalid_scope');
    return {
      status: 200,
      body: {
        access_token: `demo-at-${randomBytes(24).toString('base64url')}`,
        expires_in: this.options.accessSeconds,
        token_type: 'Bearer',
        scope: requested.join(' '),
      },
    };
  }

  /** Why the assertion does not authenticate the client, or undefined when it does. */
  private verifyAssertion(assertion: string): DemoReply | undefined {
    const parts = assertion.length <= MAX_ASSERTION_CHARACTERS ? assertion.split('.') : [];
    const header = decodeJson(parts[0]);
    const claims = decodeJson(parts[1]);
    if (parts.length !== 3 || !header || !claims) return invalidClient('The client_assertion is not a signed JWT.');
    if (header.kid !== this.options.keyId)
      return invalidClient('The client_assertion token has a kid which is not registered for this client.');
    if (header.alg !== 'ES256') return invalidClient('The client_assertion algorithm does not match the key.');
    const signed = verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: this.key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(parts[2] ?? '', 'base64url'),
    );
    if (!signed) return invalidClient('The client_assertion signature is invalid.');
    if (claims.iss !== this.options.clientId || claims.sub !== this.options.clientId)
      return invalidClient('The issuer and subject of the client_assertion must be the client_id.');
    if (claims.aud !== this.options.audience())
      return invalidClient('The audience claim for client_assertion must be the endpoint invoked for the request.');
    const now = Math.floor(this.clock.now() / 1000);
    const { iat, exp, jti } = claims;
    if (typeof exp !== 'number' || exp <= now) return invalidClient('The client_assertion token is expired.');
    if (typeof iat !== 'number' || iat > now + CLOCK_LEEWAY_SECONDS || exp - now > MAX_ASSERTION_SECONDS)
      return invalidClient('The client_assertion token has an issued-at or expiry time out of range.');
    return this.useJti(jti, exp, now);
  }

  /** A `jti` is accepted once while its assertion lives (RFC 7523 section 3 item 7). */
  private useJti(jti: unknown, exp: number, now: number): DemoReply | undefined {
    if (typeof jti !== 'string' || jti.length === 0) return invalidClient('The client_assertion token has no jti.');
    for (const [seen, until] of this.seen) if (until <= now) this.seen.delete(seen);
    if (this.seen.has(jti)) return invalidClient('The client_assertion token has a jti which was already used.');
    if (this.seen.size >= MAX_REMEMBERED_JTIS) return { status: 429, body: 'Too Many Requests' };
    this.seen.set(jti, exp);
    return undefined;
  }
}
