import type { ProviderSettings } from '../contract/provider-settings.js';

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
