import { FORCED_RENEWALS_KEPT } from '../contract/private-state.js';
import { SECRETS_MANAGER_FORCED_RENEWALS_PER_DAY } from '../contract/token-stores.js';
import type { PublishedTokenStore } from './ports.js';

const DAY_MS = FORCED_RENEWALS_KEPT.windowMs;

const STORE_NAME: Readonly<Record<PublishedTokenStore['kind'], string>> = {
  secretsmanager: 'Secrets Manager',
  parameterstore: 'Parameter Store',
  file: 'the local token file',
};

/**
 * How often `{"force": true}` may renew a token that is not due, by store. Secrets Manager keeps
 * every version younger than 24 h against a quota of 100 and asks for at most one PutSecretValue
 * every 10 minutes; the schedule plans fewer than SECRETS_MANAGER_MAX_WRITES_PER_DAY writes a day
 * there (contract/store-choice.ts), so forced writes get what is left below the quota, minus one
 * for a retried write. Parameter Store drops its oldest versions itself; one forced write a minute
 * keeps a loop of invocations from turning into a write storm, and no day cap is needed. The state
 * keeps the newest forced renewals only, as many as a day cap counts (contract/private-state.ts
 * FORCED_RENEWALS_KEPT), so a loop of forced runs cannot grow it.
 */
export const FORCED_RUN_BUDGET: Readonly<
  Record<PublishedTokenStore['kind'], { readonly spacingMs: number; readonly perDay: number }>
> = {
  secretsmanager: { spacingMs: 10 * 60_000, perDay: SECRETS_MANAGER_FORCED_RENEWALS_PER_DAY },
  parameterstore: { spacingMs: 60_000, perDay: Number.POSITIVE_INFINITY },
  // Local mode's files have no quota; the same spacing keeps a loop from turning into a write storm.
  file: { spacingMs: 60_000, perDay: Number.POSITIVE_INFINITY },
};

/** Forced renewals (epoch ms) that still count against the day's budget at `now`. */
export function recentForcedRenewals(forced: readonly number[] | undefined, now: number): number[] {
  return (forced ?? []).filter((at) => at > now - DAY_MS && at <= now);
}

/**
 * Why a forced renewal of a token that is not due must not run now, or undefined when the store's
 * budget allows it. `lastWriteMs` is when the published token was last written.
 */
export function forcedRunRefusal(
  kind: PublishedTokenStore['kind'],
  lastWriteMs: number | undefined,
  recent: readonly number[],
  now: number,
): string | undefined {
  const { spacingMs, perDay } = FORCED_RUN_BUDGET[kind];
  const store = STORE_NAME[kind];
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
