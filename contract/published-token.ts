import { err, ok, type Result } from '../base/result.js';
import type { StoreKind } from './token-stores.js';

/**
 * What consumers read. `expires_at` and `issued_at` are epoch seconds computed from the time the token
 * request was sent plus the granted lifetime; nothing else (no refresh token, no credentials) is ever
 * published. This file has no dependency but base/: the consumer reader ships it as it is.
 */
export interface PublishedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_at: number;
  issued_at: number;
  provider: string;
  scope?: string;
}

/**
 * The least lifetime a consumer read may see, by default (`minValiditySeconds`). The reader stops
 * handing out a token this close to expiry, so a healthy refresher never lets one reach it.
 */
export const DEFAULT_MIN_VALIDITY_SECONDS = 60;

/** The longest access-token lifetime a provider may plan (`expectedLifetimeSeconds`): a leap year. */
export const MAX_EXPECTED_LIFETIME_SECONDS = 366 * 86_400;

/**
 * How many times its planned lifetime (`expectedLifetimeSeconds`) a token may live before its
 * `expires_in` is taken for a misreading: a lifetime sent in milliseconds is 1000 times too long, and
 * trusting it would stop renewals for weeks. Ten leaves room for an IdP whose real lifetime differs
 * from the plan (providers/presets.ts documents each vendor's) while catching every unit mistake.
 */
export const MAX_LIFETIME_FACTOR = 10;

/**
 * The longest `expires_at − issued_at` the refresher ever publishes (core/lifetime.ts bounds each
 * token by the factor times its provider's plan). A reader refuses a token beyond it, or an
 * `expires_at` further than this from its clock: one written in milliseconds, or by hand.
 */
const MAX_PUBLISHED_LIFETIME_SECONDS = MAX_LIFETIME_FACTOR * MAX_EXPECTED_LIFETIME_SECONDS;

/** The largest value each store holds: a Secrets Manager secret, an advanced-tier SecureString. */
export const STORE_MAX_BYTES: Readonly<Record<StoreKind, number>> = {
  secretsmanager: 65_536,
  // Intelligent-Tiering moves a SecureString over 4 KB to the advanced tier (8 KB) by itself.
  parameterstore: 8192,
};

/**
 * The store that holds the largest published token, and its limit: no store holds a larger token,
 * and a token too large for another store fits here if it lives long enough for it.
 */
export const LARGEST_TOKEN_STORE = { kind: 'secretsmanager', maxBytes: STORE_MAX_BYTES.secretsmanager } as const;

/** A SecureString over this size is stored in the advanced tier. */
export const PARAMETER_STORE_STANDARD_BYTES = 4096;

/** The one way a granted token becomes the published JSON, so the function and `check` measure the same bytes. */
export function publishedToken(granted: {
  readonly accessToken: string;
  readonly provider: string;
  /** Epoch seconds at which the token request was sent. */
  readonly sentAt: number;
  readonly lifetimeSeconds: number;
  readonly scope?: string | undefined;
}): PublishedToken {
  return {
    access_token: granted.accessToken,
    token_type: 'Bearer',
    expires_at: granted.sentAt + granted.lifetimeSeconds,
    issued_at: granted.sentAt,
    provider: granted.provider,
    ...(granted.scope ? { scope: granted.scope } : {}),
  };
}

/** Bytes the published JSON takes in a store. */
export function publishedTokenBytes(token: PublishedToken): number {
  return new TextEncoder().encode(JSON.stringify(token)).length;
}

/**
 * Checks a parsed JSON value against the contract: the token, or the problems found. Each problem
 * names the field and what was expected, never the value found (it may be the token). Unknown fields
 * are dropped rather than rejected, so a later refresher that publishes an extra field does not break
 * readers deployed before it. With `nowSeconds` (a reader's clock), an `expires_at` further ahead
 * than the refresher ever publishes is refused too.
 */
export function checkPublishedToken(json: unknown, nowSeconds?: number): Result<PublishedToken, readonly string[]> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return err([`the value: expected object, got ${jsonType(json)}`]);
  }
  const value = json as Record<string, unknown>;
  const problems: string[] = [];
  const text = (field: string, optional = false) => {
    const v = value[field];
    if (optional && v === undefined) return;
    if (typeof v !== 'string') problems.push(`${field}: expected string, got ${jsonType(v)}`);
    else if (v === '' && !optional) problems.push(`${field}: expected a non-empty string`);
  };
  const integer = (field: string) => {
    const v = value[field];
    if (typeof v !== 'number') problems.push(`${field}: expected number, got ${jsonType(v)}`);
    else if (!Number.isSafeInteger(v)) problems.push(`${field}: expected an integer, got ${jsonType(v)}`);
  };
  text('access_token');
  if (value.token_type !== 'Bearer') problems.push('token_type: expected "Bearer"');
  integer('expires_at');
  integer('issued_at');
  text('provider');
  text('scope', true);
  if (problems.length === 0)
    problems.push(...timeProblems(value.issued_at as number, value.expires_at as number, nowSeconds));
  if (problems.length > 0) return err(problems);
  return ok({
    access_token: value.access_token as string,
    token_type: 'Bearer',
    expires_at: value.expires_at as number,
    issued_at: value.issued_at as number,
    provider: value.provider as string,
    ...(value.scope === undefined ? {} : { scope: value.scope as string }),
  });
}

/**
 * Times the refresher never publishes. Caching such a token would keep it practically forever, and
 * clamping it would hand out a token whose real expiry nobody knows: it is refused, and the
 * refresher (which reads the store with this same check) replaces it on its next run.
 */
function timeProblems(issuedAt: number, expiresAt: number, nowSeconds: number | undefined): string[] {
  // The refresher never publishes a token that is expired when issued. An issued_at at or after
  // expires_at (one written in milliseconds, or by hand) would otherwise move a consumer's
  // clock-skew correction (consumer/token-reader.ts) far into the future.
  if (issuedAt >= expiresAt) return ['issued_at: expected before expires_at'];
  const tooFar = (from: string) =>
    `expires_at: expected at most ${MAX_PUBLISHED_LIFETIME_SECONDS / 86_400} days ${from} (the longest lifetime ` +
    'the refresher publishes), in epoch seconds (milliseconds?)';
  if (expiresAt - issuedAt > MAX_PUBLISHED_LIFETIME_SECONDS) return [tooFar('after issued_at')];
  if (nowSeconds !== undefined && expiresAt - nowSeconds > MAX_PUBLISHED_LIFETIME_SECONDS) return [tooFar('from now')];
  return [];
}

/** The JSON type of a value, for messages that must not quote the value itself. */
function jsonType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isInteger(value)) return 'a fraction';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
