import { FORCED_RENEWALS_KEPT } from '../contract/private-state.js';
import type { PublishedTokenStore } from './ports.js';

const DAY_MS = FORCED_RENEWALS_KEPT.windowMs;

/** Forced renewals (epoch ms) that still count against the day's budget at `now`. */
export function recentForcedRenewals(forced: readonly number[] | undefined, now: number): number[] {
  return (forced ?? []).filter((at) => at > now - DAY_MS && at <= now);
}

/**
 * Why a forced renewal of a token that is not due must not run now, or undefined when the store's
 * budget allows it (each store carries its budget: contract/token-stores.ts FORCED_RUN_BUDGET).
 * `lastWriteMs` is when the published token was last written.
 */
export function forcedRunRefusal(
  tokenStore: Pick<PublishedTokenStore, 'forcedRunBudget' | 'displayName'>,
  lastWriteMs: number | undefined,
  recent: readonly number[],
  now: number,
): string | undefined {
  const { spacingMs, perDay } = tokenStore.forcedRunBudget;
  const store = tokenStore.displayName;
  if (lastWriteMs !== undefined && now - lastWriteMs < spacingMs) {
    const next = new Date(Math.min(lastWriteMs, now) + spacingMs).toISOString();
    return `the token is not due and was written less than ${spacingMs / 60_000} minute(s) ago; ${store} takes a forced renewal at ${next} at the earliest`;
  }
  if (recent.length >= perDay) {
    const next = new Date(Math.min(...recent) + DAY_MS).toISOString();
    return `the token is not due and ${recent.length} forced renewals ran in the last 24 h, all ${store}'s version quota leaves room for; the next is possible at ${next}`;
  }
  return undefined;
}
