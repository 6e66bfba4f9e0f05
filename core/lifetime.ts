import { err, ok, type Result } from '../base/result.js';
import type { ProviderSettings } from '../contract/provider-settings.js';
import { MAX_LIFETIME_FACTOR } from '../contract/published-token.js';

// Defined beside the published-token contract, whose readers bound a token by the same rule.
export { MAX_LIFETIME_FACTOR };

export type LifetimeSource = 'expires_in' | 'documented' | 'jwt' | 'configured';

/** `exp - iat` of a JWT access token, read without verifying it: only a hint of the lifetime. */
export function jwtLifetimeSeconds(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown; iat?: unknown };
    const { exp, iat } = claims;
    // exp against iat, never against our clock: the IdP's clock and ours may disagree.
    if (typeof exp === 'number' && typeof iat === 'number' && exp > iat) return Math.floor(exp - iat);
  } catch {
    // not a JWT payload
  }
  return undefined;
}

/**
 * How long a granted token lives. A missing `expires_in` falls back to the preset's documented
 * lifetime, else the JWT `exp` hint, else the configured lifetime: never "forever".
 */
export function resolveLifetime(
  expiresIn: number | undefined,
  accessToken: string,
  settings: Pick<ProviderSettings, 'expectedLifetimeSeconds' | 'lifetimeDocumented'>,
): { seconds: number; source: LifetimeSource } {
  if (expiresIn !== undefined) return { seconds: expiresIn, source: 'expires_in' };
  if (settings.lifetimeDocumented) return { seconds: settings.expectedLifetimeSeconds, source: 'documented' };
  const hint = jwtLifetimeSeconds(accessToken);
  if (hint !== undefined) return { seconds: hint, source: 'jwt' };
  return { seconds: settings.expectedLifetimeSeconds, source: 'configured' };
}

/** The `exp` claim of a JWT access token, read without verifying it; undefined for an opaque token. */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof exp === 'number' && Number.isSafeInteger(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** The lifetime to publish, or why there is none: longer than the bound (`boundSeconds`) allows. */
export type GrantedLifetime = Result<
  { readonly seconds: number; readonly source: LifetimeSource | 'jwt_exp' },
  { readonly problem: 'too_long'; readonly seconds: number; readonly boundSeconds: number }
>;

/**
 * The lifetime to publish for a token requested at `sentAt` (epoch seconds): what `resolveLifetime`
 * says, never past a JWT's own `exp` (a token is dead then, whatever `expires_in` claimed), and never
 * more than MAX_LIFETIME_FACTOR times the planned lifetime.
 */
export function grantedLifetime(
  expiresIn: number | undefined,
  accessToken: string,
  sentAt: number,
  settings: Pick<ProviderSettings, 'expectedLifetimeSeconds' | 'lifetimeDocumented'>,
): GrantedLifetime {
  const resolved = resolveLifetime(expiresIn, accessToken, settings);
  const exp = jwtExpiry(accessToken);
  const lifetime =
    exp !== undefined && exp - sentAt < resolved.seconds
      ? { seconds: Math.max(0, exp - sentAt), source: 'jwt_exp' as const }
      : resolved;
  const boundSeconds = MAX_LIFETIME_FACTOR * settings.expectedLifetimeSeconds;
  return lifetime.seconds > boundSeconds
    ? err({ problem: 'too_long', seconds: lifetime.seconds, boundSeconds })
    : ok(lifetime);
}
