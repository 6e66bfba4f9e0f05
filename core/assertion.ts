import type { AssertionSigner } from './ports.js';

/** What an assertion says (RFC 7523 section 3): who, about whom, for whom, and for how long. */
export interface AssertionClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly lifetimeSeconds: number;
  /** Google's jwt_bearer grant takes the scope inside the assertion. */
  readonly scope?: string;
  /** The header names the registered certificate by its `x5t#S256` (the signer's `certificateThumbprint`). */
  readonly withThumbprint?: boolean;
}

/** The bytes of a JWT ID: 128 bits, so no two assertions of any client ever share one. */
export const JTI_BYTES = 16;

const base64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

/**
 * One compact JWS (RFC 7515) over `claims`, issued at `nowMs`, with `jti` as its JWT ID. Pure but for
 * the signer: the caller passes the time and fresh random bytes for every assertion, so that no two
 * requests ever carry the same one (an IdP refuses a replayed `jti`, RFC 7523 section 3 item 7).
 * The signer's errors (SigningError) pass through to the caller, which classifies them.
 */
export async function signAssertion(
  signer: AssertionSigner,
  claims: AssertionClaims,
  nowMs: number,
  jti: Uint8Array,
  signal: AbortSignal,
): Promise<string> {
  if (jti.byteLength < JTI_BYTES) throw new RangeError(`a jti needs ${JTI_BYTES} random bytes`);
  const header = {
    alg: signer.alg,
    typ: 'JWT',
    ...(signer.keyId === undefined ? {} : { kid: signer.keyId }),
    ...(claims.withThumbprint && signer.certificateThumbprint !== undefined
      ? { 'x5t#S256': signer.certificateThumbprint }
      : {}),
  };
  const iat = Math.floor(nowMs / 1000);
  const payload = {
    iss: claims.iss,
    sub: claims.sub,
    aud: claims.aud,
    jti: base64url(jti),
    iat,
    exp: iat + claims.lifetimeSeconds,
    ...(claims.scope === undefined ? {} : { scope: claims.scope }),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = await signer.sign(new TextEncoder().encode(signingInput), signal);
  return `${signingInput}.${base64url(signature)}`;
}
