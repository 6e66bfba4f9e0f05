import { err, ok, type Result } from '../../base/result.js';
import { type Failure, failure } from '../../contract/failure.js';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import { type PublishedToken, publishedToken } from '../../contract/published-token.js';
import { dueThresholdSeconds } from '../../contract/schedule.js';
import { grantedLifetime, MAX_LIFETIME_FACTOR } from '../lifetime.js';
import type { GrantName } from '../ports.js';
import type { GrantedToken } from '../token-response.js';

/** A line for the run's log, returned by code that does no logging itself. */
export interface LogLine {
  readonly level: 'info' | 'warn';
  readonly message: string;
  readonly extra: object;
}

/** A granted token fit to publish. */
export interface Vetted {
  readonly token: PublishedToken;
  /** The IdP session ends before the next run: renew it with a primary grant now (see sessionEnding). */
  readonly sessionEnding: boolean;
  /** What operators should read about the token, in order. */
  readonly logs: readonly LogLine[];
}

/**
 * Keycloak caps a refreshed token at the session's end: near SSO Session Max both lifetimes shrink
 * below what lasts until the next run, so the session is renewed with a primary grant now.
 */
function sessionEnding(token: GrantedToken, lifetimeSeconds: number, threshold: number): boolean {
  return token.refreshExpiresIn !== undefined && token.refreshExpiresIn < threshold && lifetimeSeconds < threshold;
}

/**
 * Step 5 (docs/how-it-works.md "Lifetimes"): the token to publish from a granted answer, or why it
 * cannot be: a lifetime shorter than any consumer may see (unless it is the token already published,
 * whose real expiry consumers should know), or longer than MAX_LIFETIME_FACTOR times the plan.
 * Pure: what to log comes back with it.
 */
export function vet(
  granted: { readonly token: GrantedToken; readonly sentAtMs: number },
  grant: GrantName,
  settings: ProviderSettings,
  /** The access token published now, if any. */
  publishedAccessToken: string | undefined,
): Result<Vetted, Failure> {
  const { token } = granted;
  const sentAt = Math.floor(granted.sentAtMs / 1000);
  const lifetime = grantedLifetime(token.expiresIn, token.accessToken, sentAt, settings);
  if (!lifetime.ok) {
    const { seconds, boundSeconds } = lifetime.error;
    return err(
      failure(
        'invalid-response',
        'lifetime_too_long',
        `${grant} grant: the token would live ${seconds} s, more than ${MAX_LIFETIME_FACTOR} times ` +
          `expectedLifetimeSeconds (${boundSeconds} s); an expires_in in milliseconds? Nothing was stored. ` +
          'If the IdP really grants tokens this long, raise expectedLifetimeSeconds',
      ),
    );
  }
  const { seconds, source } = lifetime.value;
  if (seconds < settings.minValiditySeconds && publishedAccessToken !== token.accessToken) {
    return err(
      failure(
        'invalid-response',
        'lifetime_too_short',
        `${grant} grant: the token would live ${seconds} s (${source}), less than ` +
          `minValiditySeconds (${settings.minValiditySeconds} s); the previous token stays in place`,
      ),
    );
  }
  const logs: LogLine[] = [];
  if (source !== 'expires_in') {
    logs.push({
      level: 'info',
      message: 'token lifetime not taken from expires_in',
      extra: { lifetimeSeconds: seconds, source },
    });
  }
  const threshold = dueThresholdSeconds(settings);
  const ending = sessionEnding(token, seconds, threshold);
  if (seconds <= threshold && !ending) {
    logs.push({
      level: 'warn',
      message: 'granted token is due as soon as it is issued; every run will renew it',
      extra: {
        lifetimeSeconds: seconds,
        dueThresholdSeconds: threshold,
        fix: 'lower checkIntervalMinutes or safetyMarginSeconds, or ask the IdP for a longer access-token lifetime',
      },
    });
  }
  const published = publishedToken({
    accessToken: token.accessToken,
    provider: settings.id,
    sentAt,
    lifetimeSeconds: seconds,
    scope: token.scope ?? settings.scope,
  });
  return ok({ token: published, sessionEnding: ending, logs });
}
