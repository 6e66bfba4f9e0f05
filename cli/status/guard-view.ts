import type { ProviderStatus } from './model.js';

/**
 * The lockout guard and the configuration block as `status` shows them. The function's state has
 * the details; when it cannot be read (the operator may lack ssm:GetParameter on it, since it holds
 * the refresh token), the last run's `LockoutGuardEngaged` and `ConfigurationBlocked` gauges still say
 * whether each holds.
 */

/** The state was read: its records are the truth, whatever the metrics say. */
export const stateRead = (p: ProviderStatus) => p.state.state === 'ok' || p.state.state === 'none';

/**
 * The function keeps a guard record until a primary grant succeeds, but treats it as holding only
 * while the credentials secret still has the rejected version; its LockoutGuardEngaged metric says which.
 */
export function guardLifted(p: ProviderStatus): boolean {
  return p.state.state === 'ok' && p.state.guard !== undefined && p.recent.guardEngaged === false;
}

/** Why the state could not be used, for `? (<error>)`. */
export function stateError(p: ProviderStatus): string {
  return p.state.state === 'unreadable' ? p.state.error : 'unreadable state';
}

/** What the metrics say when the state was not read; undefined when they say nothing either. */
export function guardPerMetrics(p: ProviderStatus): boolean | undefined {
  return stateRead(p) ? undefined : p.recent.guardEngaged;
}

export function blockedPerMetrics(p: ProviderStatus): boolean | undefined {
  return stateRead(p) ? undefined : p.recent.blocked;
}
