/**
 * The two AWS stores a token is published to, and the write quota that the providers file's store
 * choice (providers/store-choice.ts) and the function's forced-run budget (core/forced-runs.ts) both
 * obey. No dependency: the consumer reader's types name a store kind.
 */

/** Where a token is published: a Secrets Manager secret or an SSM SecureString parameter. */
export type StoreKind = 'secretsmanager' | 'parameterstore';

/**
 * Secrets Manager keeps every version younger than 24 h against a quota of 100 versions per secret,
 * and AWS asks for at most one PutSecretValue every 10 minutes. Parameter Store keeps the 100 newest
 * versions and drops the oldest itself. Below this many planned writes a day Secrets Manager is safe.
 */
export const SECRETS_MANAGER_MAX_WRITES_PER_DAY = 96;

/**
 * Forced renewals of a token that is not due Secrets Manager takes in 24 h (core/forced-runs.ts):
 * what the version quota leaves above the planned writes, minus one for a retried write.
 */
export const SECRETS_MANAGER_FORCED_RENEWALS_PER_DAY = 100 - SECRETS_MANAGER_MAX_WRITES_PER_DAY - 1;

/** How often a store takes a forced renewal of a token that is not due (core/forced-runs.ts). */
export interface ForcedRunBudget {
  /** Least time after the last write of the published token. */
  readonly spacingMs: number;
  /** Most forced renewals in 24 h; POSITIVE_INFINITY for a store without a day cap. */
  readonly perDay: number;
}

/**
 * How often `{"force": true}` may renew a token that is not due, by store. Secrets Manager keeps
 * every version younger than 24 h against a quota of 100 and asks for at most one PutSecretValue
 * every 10 minutes; the schedule plans fewer than SECRETS_MANAGER_MAX_WRITES_PER_DAY writes a day
 * there, so forced writes get what is left below the quota, minus one for a retried write. Parameter
 * Store drops its oldest versions itself; one forced write a minute keeps a loop of invocations from
 * turning into a write storm, and no day cap is needed. The state keeps the newest forced renewals
 * only, as many as a day cap counts (contract/private-state.ts FORCED_RENEWALS_KEPT), so a loop of
 * forced runs cannot grow it. Each store adapter carries its own (lambda/adapters/*-token-store.ts).
 */
export const FORCED_RUN_BUDGET: Readonly<Record<StoreKind, ForcedRunBudget>> = {
  secretsmanager: { spacingMs: 10 * 60_000, perDay: SECRETS_MANAGER_FORCED_RENEWALS_PER_DAY },
  parameterstore: { spacingMs: 60_000, perDay: Number.POSITIVE_INFINITY },
};

/** Each store as messages name it for operators. */
export const STORE_DISPLAY_NAME: Readonly<Record<StoreKind, string>> = {
  secretsmanager: 'Secrets Manager',
  parameterstore: 'Parameter Store',
};
